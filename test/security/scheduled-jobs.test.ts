import { startLocalApi, type LocalApi } from '../support/local-api';

/**
 * The scheduled jobs as Lambda runs them: EventBridge may deliver a tick twice (retries) and a slow
 * run may overlap the next. Through the jobs' own entries, over and over at once: nobody is admitted
 * twice or past MAX_ACTIVE_PER_CONCERT, admission stays first in first out, and expiry frees each
 * place once.
 */
Object.assign(process.env, { ADMIT_PER_TICK: '3', MAX_ACTIVE_PER_CONCERT: '5', ACTIVE_SECONDS: '5' });

const CONCERT = 'neon-harbor';
let api: LocalApi;
const users: Array<{ userId: string; token: string; queueToken: string }> = [];

interface JobResult {
  concerts: Array<{ concertId: string; admitted?: number; expired?: number }>;
}

beforeAll(async () => {
  api = await startLocalApi();
  // One after another, so the order of the line is known.
  for (let i = 0; i < 9; i++) {
    const token = await api.tokenFor(`job-user-${i}`);
    const joined = await api.request('POST', `/concerts/${CONCERT}/queue`, { token });
    users.push({ userId: `job-user-${i}`, token, queueToken: joined.body.token });
  }
});
afterAll(() => api.stop());

/** The job's Lambda entry, `times` times at once, as a retried and overlapping schedule would run it. */
async function runAtOnce(job: 'admission' | 'expiry', times: number, field: 'admitted' | 'expired'): Promise<number> {
  const { handler } = (await import(`../../functions/jobs/${job}`)) as {
    handler: (event: unknown, context: { awsRequestId: string }) => Promise<JobResult>;
  };
  const event = { source: 'aws.events', 'detail-type': 'Scheduled Event', id: 'tick-1' };
  // The same event each time: EventBridge's retry of a tick carries the same id.
  const runs = await Promise.all(Array.from({ length: times }, (_, i) => handler(event, { awsRequestId: `run-${i}` })));
  return runs.flatMap((run) => run.concerts.filter((c) => c.concertId === CONCERT)).reduce((sum, c) => sum + (c[field] ?? 0), 0);
}

async function statuses(): Promise<string[]> {
  return Promise.all(
    users.map(
      async (user) =>
        (await api.request('GET', `/concerts/${CONCERT}/queue`, { token: user.token, queueToken: user.queueToken })).body.status as string,
    ),
  );
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('retried and overlapping admission and expiry runs admit in order, never twice nor past the limit, and free each place once', async () => {
  // Five runs at once admit one tick's worth, or more ticks' worth, but never past MAX_ACTIVE_PER_CONCERT.
  const firstAdmitted = await runAtOnce('admission', 5, 'admitted');
  expect(firstAdmitted).toBeGreaterThanOrEqual(3);
  expect(firstAdmitted).toBeLessThanOrEqual(5);
  const secondAdmitted = await runAtOnce('admission', 5, 'admitted');
  expect(firstAdmitted + secondAdmitted).toBe(5);
  expect(await runAtOnce('admission', 3, 'admitted')).toBe(0);
  // First in, first out: the first five are ACTIVE, the rest wait in order.
  expect(await statuses()).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'WAIT', 'WAIT', 'WAIT', 'WAIT']);

  await pause(5_100); // ACTIVE_SECONDS = 5
  expect(await runAtOnce('expiry', 5, 'expired')).toBe(5);
  expect(await runAtOnce('expiry', 3, 'expired')).toBe(0);
  expect((await statuses()).slice(0, 5)).toEqual(['EXPIRED', 'EXPIRED', 'EXPIRED', 'EXPIRED', 'EXPIRED']);

  // The freed places go to the next in line, each once.
  const nextAdmitted = (await runAtOnce('admission', 4, 'admitted')) + (await runAtOnce('admission', 4, 'admitted'));
  expect(nextAdmitted).toBe(4);
  expect(await statuses()).toEqual(['EXPIRED', 'EXPIRED', 'EXPIRED', 'EXPIRED', 'EXPIRED', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE']);
}, 60_000);
