import { runSmokeJourney, SmokeFailure } from '../../scripts/smoke-journey';
import { startLocalApi, type LocalApi } from '../support/local-api';

let api: LocalApi;
beforeAll(async () => {
  // As npm start has it: the last demo concert asks joins for proof of work.
  api = await startLocalApi({ demoChallenge: true });
});
afterAll(() => api.stop());

const STEPS = [
  'health',
  'sign in',
  'concert',
  'concerts',
  'settings',
  'join',
  'paused',
  'resume',
  'admitted',
  'dates',
  'seats',
  'hold',
  'release',
  'charge',
  'pay',
  'spent',
  'history',
];

test('the smoke journey passes against the local server, one line per step', async () => {
  const lines: string[] = [];
  const result = await runSmokeJourney({ baseUrl: api.url, auth: { kind: 'local' }, log: (line) => lines.push(line) });

  expect(result.steps).toBe(STEPS.length);
  expect(lines.map((line) => line.slice(2, 12).trim())).toEqual(STEPS);
  expect(lines.every((line) => line.startsWith('✓ '))).toBe(true);
  expect(result.reservationId).toMatch(/^[0-9A-Z]{26}$/);
  expect(result.paymentId).toMatch(/^[0-9A-Z]{26}$/);
});

test("it buys a seat of a given concert without the admin group, leaving that concert's settings alone, solving its proof of work", async () => {
  const lines: string[] = [];
  const result = await runSmokeJourney({
    baseUrl: api.url,
    auth: { kind: 'local' },
    concertId: 'neon-harbor',
    log: (line) => lines.push(line),
  });
  expect(result.concertId).toBe('neon-harbor');
  expect(lines.map((line) => line.slice(2, 12).trim())).toEqual(STEPS.filter((step) => !['settings', 'paused', 'resume'].includes(step)));
  expect(lines.find((line) => line.startsWith('✓ join'))).toMatch(
    /^✓ join +201 WAIT, position \d+ after proof of work \(\d+ attempts, \d+ ms\)/,
  );
}, 60_000);

test('it stops at the first failure, naming the step', async () => {
  const lines: string[] = [];
  const failure = await runSmokeJourney({
    baseUrl: api.url,
    auth: { kind: 'local' },
    concertId: 'no-such-concert',
    log: (line) => lines.push(line),
  }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(SmokeFailure);
  expect((failure as SmokeFailure).step).toBe('concerts');
  expect((failure as SmokeFailure).message).toBe('concerts: GET /concerts does not list no-such-concert');
  expect(lines).toHaveLength(3);
});

test('a wrong base URL fails at the first step', async () => {
  const failure = await runSmokeJourney({ baseUrl: `${api.url}/nowhere`, auth: { kind: 'local' }, log: () => undefined }).catch(
    (error: unknown) => error,
  );
  expect((failure as SmokeFailure).step).toBe('health');
  expect((failure as SmokeFailure).message).toMatch(/^health: GET \/health answered 404 \(expected 200\): NOT_FOUND: /);
});
