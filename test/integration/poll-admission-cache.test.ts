import { admitWaitingTokens } from '../../functions/queue/admit-waiting-tokens';
import { queueRepository } from '../../functions/queue/default-queue-deps';
import { joinQueue } from '../../functions/queue/join-queue';
import { pollQueue } from '../../functions/queue/poll-queue';
import type { QueueDeps } from '../../functions/queue/queue-deps';
import { requireActiveToken } from '../../functions/queue/require-active-token';
import { readSettings } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { countDynamoDbCalls } from '../../bench/dynamodb-calls';
import { onlyConcert, TestClock, testQueueTokens, testSettings } from '../support/queue-fixture';
import { useFreshTables } from '../support/tables';

/** Longer than the 1 s deployed, so that "within the window" holds however busy this machine is. */
const CACHE_MS = 2000;

beforeAll(async () => {
  await useFreshTables();
});

test('POLL_ADMISSION_CACHE_MS is 1 s unless set, and never more', () => {
  expect(readSettings({}).pollAdmissionCacheMs).toBe(1000);
  expect(readSettings({ POLL_ADMISSION_CACHE_MS: '0' }).pollAdmissionCacheMs).toBe(0);
  expect(() => readSettings({ POLL_ADMISSION_CACHE_MS: '1001' })).toThrow(/POLL_ADMISSION_CACHE_MS/);
});

test('a waiting poll makes no DynamoDB call within the cache time; admission shows late, never early; the ACTIVE check reads fresh', async () => {
  const clock = new TestClock();
  const deps: QueueDeps = {
    queue: queueRepository({ admissionCacheMs: CACHE_MS }),
    tokens: testQueueTokens(),
    concertExists: async () => true,
    settings: { ...testSettings, pollAdmissionCacheMs: CACHE_MS },
    now: clock.now,
  };
  // The admission job runs in a function instance of its own, with a cache of its own.
  const admissionJob: QueueDeps = { ...deps, queue: queueRepository({ admissionCacheMs: CACHE_MS }) };
  const concertId = `cached-${Date.now()}`;
  const { status } = await joinQueue(deps, { userId: 'ann', concertId });
  const poll = () => pollQueue(deps, { userId: 'ann', concertId, token: status.token });
  const counter = countDynamoDbCalls(documentClient);
  const cacheTimePasses = () => new Promise((resolve) => setTimeout(resolve, CACHE_MS + 50));
  try {
    await cacheTimePasses(); // the join read the record: let that reading age out
    counter.reset();
    expect(await poll()).toMatchObject({ status: 'WAIT', position: 1 });
    expect(counter.calls).toEqual(['GetItemCommand']); // the admission record only, never the token item
    counter.reset();
    for (let i = 0; i < 20; i++) expect(await poll()).toMatchObject({ status: 'WAIT', position: 1 });
    expect(counter.calls).toEqual([]);

    await admitWaitingTokens(onlyConcert(admissionJob, concertId));
    counter.reset();
    // Within the cache time a poll may still say WAIT, and still reads nothing…
    expect(await poll()).toMatchObject({ status: 'WAIT', position: 1 });
    expect(counter.calls).toEqual([]);
    // …while the routes' ACTIVE check is exact at once.
    await expect(requireActiveToken(deps, { userId: 'ann', token: status.token, concertId })).resolves.toMatchObject({ userId: 'ann' });
    await cacheTimePasses();
    counter.reset();
    // Admitted: now the token item matters (spent, replaced), so it is read, after the record.
    expect(await poll()).toMatchObject({ status: 'ACTIVE', position: 0 });
    expect(counter.calls).toEqual(['GetItemCommand', 'GetItemCommand']);
    counter.reset();
    expect(await poll()).toMatchObject({ status: 'ACTIVE' });
    expect(counter.calls).toEqual(['GetItemCommand']);
  } finally {
    counter.detach();
  }
});

test('an admission run of this instance makes its own next poll read the record afresh', async () => {
  const clock = new TestClock();
  const deps: QueueDeps = {
    queue: queueRepository({ admissionCacheMs: CACHE_MS }),
    tokens: testQueueTokens(),
    concertExists: async () => true,
    settings: { ...testSettings, pollAdmissionCacheMs: CACHE_MS },
    now: clock.now,
  };
  const concertId = `own-run-${Date.now()}`;
  const { status } = await joinQueue(deps, { userId: 'ben', concertId });
  expect(await pollQueue(deps, { userId: 'ben', concertId, token: status.token })).toMatchObject({ status: 'WAIT' });
  await admitWaitingTokens(onlyConcert(deps, concertId));
  expect(await pollQueue(deps, { userId: 'ben', concertId, token: status.token })).toMatchObject({ status: 'ACTIVE' });
});
