import { admitWaitingTokens } from '../../functions/queue/admit-waiting-tokens';
import { queueRepository } from '../../functions/queue/default-queue-deps';
import { joinQueue } from '../../functions/queue/join-queue';
import { pollQueue } from '../../functions/queue/poll-queue';
import type { QueueDeps } from '../../functions/queue/queue-deps';
import { requireActiveToken } from '../../functions/queue/require-active-token';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { countDynamoDbCalls } from '../../bench/dynamodb-calls';
import { TestClock, testSettings } from '../support/queue-fixture';
import { useFreshTables } from '../support/tables';

const CACHE_MS = 2000;

beforeAll(async () => {
  await useFreshTables();
});

test('with POLL_ADMISSION_CACHE_MS polls reuse a recent admission record: late to show admission, never early; the ACTIVE check reads it fresh', async () => {
  const clock = new TestClock();
  const deps: QueueDeps = {
    queue: queueRepository({ admissionCacheMs: CACHE_MS }),
    concertExists: async () => true,
    settings: { ...testSettings, pollAdmissionCacheMs: CACHE_MS },
    now: clock.now,
  };
  const concertId = `cached-${Date.now()}`;
  const { status } = await joinQueue(deps, { userId: 'ann', concertId });
  const poll = () => pollQueue(deps, { userId: 'ann', concertId, token: status.token });
  const counter = countDynamoDbCalls(documentClient);
  const cacheTimePasses = () => new Promise((resolve) => setTimeout(resolve, CACHE_MS + 50));
  try {
    await cacheTimePasses(); // the join's answer read the record: let that reading age out
    counter.reset();
    expect(await poll()).toMatchObject({ status: 'WAIT', position: 1 });
    expect(counter.calls).toEqual(['BatchGetItemCommand']);
    counter.reset();
    await admitWaitingTokens({ ...deps, queue: { ...deps.queue, listQueues: async () => [concertId] } });
    counter.reset();
    // Within the cache time a poll reads only the token, and may still say WAIT…
    expect(await poll()).toMatchObject({ status: 'WAIT', position: 1 });
    expect(counter.calls).toEqual(['GetItemCommand']);
    // …while the routes' ACTIVE check is exact at once.
    await expect(requireActiveToken(deps, { userId: 'ann', token: status.token, concertId })).resolves.toMatchObject({ userId: 'ann' });
    await cacheTimePasses();
    expect(await poll()).toMatchObject({ status: 'ACTIVE', position: 0 });
  } finally {
    counter.detach();
  }
});
