import { redact } from '../../functions/shared/logger';
import { activeUser } from '../support/active-users';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { startLocalApi, type LocalApi } from '../support/local-api';

/**
 * What the service writes to its logs during a whole journey, at DEBUG (the most it ever writes):
 * one JSON object per line, each with the id of its request or job run, and never a bearer token,
 * a queue token or an Idempotency-Key.
 */
let api: LocalApi;
let logs: CapturedLogs | undefined;

beforeAll(async () => {
  api = await startLocalApi();
});
afterEach(() => logs?.stop());
afterAll(() => api.stop());

test('a journey at DEBUG: every line JSON, each log line with a request id, and no JWT, queue token or Idempotency-Key in any', async () => {
  const user = await activeUser(api, 'midnight-orchestra', 'log-user');
  const otherToken = await api.tokenFor('log-other');
  const keys = ['charge-key-7f3a9c', 'payment-key-e81b44'];
  logs = captureLogs('DEBUG');

  let requests = 0;
  const call: LocalApi['request'] = (...args) => {
    requests++;
    return api.request(...args);
  };
  await call('GET', `/concerts/midnight-orchestra/queue`, { token: user.token, queueToken: user.queueToken });
  await call('GET', `/concerts/midnight-orchestra/schedules`, { token: user.token, queueToken: user.queueToken });
  await call('GET', `/concerts/midnight-orchestra/schedules/midnight-orchestra-1/seats`, {
    token: user.token,
    queueToken: user.queueToken,
  });
  const hold = await call('POST', '/reservations', {
    token: user.token,
    queueToken: user.queueToken,
    body: { concertId: 'midnight-orchestra', scheduleId: 'midnight-orchestra-1', seatNumber: 30 },
  });
  await call('POST', '/balance/charge', { token: user.token, body: { amount: 200_000 }, headers: { 'idempotency-key': keys[0] } });
  await call('POST', '/balance/charge', { token: user.token, body: { amount: 200_000 }, headers: { 'idempotency-key': keys[0] } });
  await call('POST', '/payments', {
    token: user.token,
    queueToken: user.queueToken,
    body: { reservationIds: [hold.body.reservationId] },
    headers: { 'idempotency-key': keys[1] },
  });
  await call('GET', '/reservations', { token: user.token });
  await call('GET', '/payments', { token: user.token });
  // Refusals too: a queue token used by another user, and a key reused with another body.
  await call('GET', `/concerts/midnight-orchestra/queue`, { token: otherToken, queueToken: user.queueToken });
  await call('POST', '/balance/charge', { token: user.token, body: { amount: 1 }, headers: { 'idempotency-key': keys[0] } });
  await call('GET', '/no-such-route', { token: user.token });
  await api.request('POST', `/concerts/midnight-orchestra/queue`, { token: otherToken });
  requests++;
  await api.runtime.runJob('admission');
  logs.stop();

  const entries = logs.entries();
  // Every line is one JSON object: a log entry, or a metric line (embedded metric format, shared/metrics.ts).
  const metricLines = logs.lines.filter((line) => (JSON.parse(line) as { _aws?: unknown })._aws !== undefined);
  expect(metricLines.length).toBeGreaterThan(0);
  expect(entries).toHaveLength(logs.lines.length - metricLines.length);
  for (const entry of entries) {
    expect(entry).toMatchObject({ level: expect.any(String), message: expect.any(String), requestId: expect.stringMatching(/.+/) });
  }
  expect(entries.filter((entry) => entry.message === 'request handled')).toHaveLength(requests);
  expect(entries.some((entry) => entry.message === 'admission run')).toBe(true);
  // Each request's lines carry its own id: as many ids as requests, plus the job run.
  expect(new Set(entries.map((entry) => entry.requestId)).size).toBe(requests + 1);

  const text = logs.lines.join('\n');
  const [, , signature] = user.token.split('.');
  const secrets = [user.token, signature, otherToken.split('.')[2], user.queueToken, user.queueToken.split('.')[3], ...keys];
  for (const secret of secrets) expect(text).not.toContain(secret);
});

describe('the logger masks what must never be logged, wherever it appears', () => {
  const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
  const queueToken = 'qt2.Dq_jRefi.eyJjIjoiYXVyb3JhLWxpdmUiLCJ1IjoiYWxpY2UiLCJuIjozfQ.Gw1HxOUTNQ1Uu0uhdPsDc46g';
  const earlierQueueToken = 'qt.YXVyb3JhLWxpdmU.Gw1HxOUTNQ1Uu0uhdPsDc46g';

  test('by name: credentials and keys under any spelling', () => {
    for (const key of [
      'authorization',
      'Authorization',
      'x-queue-token',
      'X-Queue-Token',
      'idempotency-key',
      'token',
      'accessToken',
      'queueToken',
      'cookie',
    ]) {
      expect(redact(key, 'anything')).toBe('[redacted]');
    }
    expect(redact('amount', 5)).toBe(5);
    expect(redact('userId', 'alice')).toBe('alice');
  });

  test('by shape: a JWT or a queue token inside any string, an error message or stack included', () => {
    expect(redact('message', `failed for Bearer ${jwt} with ${queueToken}!`)).toBe('failed for Bearer [redacted] with [redacted]!');
    expect(redact('message', `an earlier ${earlierQueueToken}`)).toBe('an earlier [redacted]');
    logs = captureLogs('INFO');
    const { log } = jest.requireActual('../../functions/shared/logger') as typeof import('../../functions/shared/logger');
    log.error('boom', { error: new Error(`token ${queueToken} rejected for ${jwt}`), headers: { authorization: `Bearer ${jwt}` } });
    logs.stop();
    expect(logs.lines.join('\n')).not.toMatch(/eyJ|Gw1HxOUTNQ1Uu0uhdPsDc46g/);
    expect(logs.entries()[0]).toMatchObject({
      headers: { authorization: '[redacted]' },
      error: { message: 'token [redacted] rejected for [redacted]' },
    });
  });
});
