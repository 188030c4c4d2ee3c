import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queueRepository } from '../../functions/queue/default-queue-deps';
import { createDynamoWaitingRoomRepository } from '../../functions/queue/dynamo-waiting-room-repository';
import type { WaitingRoomDeps } from '../../functions/queue/waiting-room-deps';
import { queueKeys } from '../../functions/queue/queue-keys';
import type { QueueDeps } from '../../functions/queue/queue-deps';
import { cachedKeySource } from '../../functions/queue/queue-token-keys';
import { queueTokens, type QueueTokens } from '../../functions/queue/queue-tokens';
import { tableName, type Settings } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';

export const testSettings: Settings = {
  holdSeconds: 300,
  activeSeconds: 600,
  admitPerTick: 100,
  maxActivePerConcert: 1000,
  admissionIntervalSeconds: 10,
  queueShards: 1,
  pollAdmissionCacheMs: 0,
};

/** The signing key of the use-case tests (the HTTP tests get the local runtime's). */
export const TEST_QUEUE_TOKEN_KEY = 'test-queue-token-key-0123456789-abcdefghijklmnop';

/** Queue tokens signed with `keys` (current first), as a function instance would sign them. */
export const testQueueTokens = (keys: readonly string[] = [TEST_QUEUE_TOKEN_KEY]): QueueTokens =>
  queueTokens(cachedKeySource(async () => [...keys]));

/** A clock the test moves by hand. */
export class TestClock {
  constructor(public time = Date.parse('2026-12-01T10:00:00.000Z')) {}
  readonly now = () => this.time;
  advance(seconds: number) {
    this.time += seconds * 1000;
  }
}

/** The waiting room's use cases on the real tables, with a clock and settings of the test's choosing. */
export function queueDepsForTest(clock: TestClock, settings: Partial<Settings> = {}): QueueDeps {
  return {
    queue: queueRepository(),
    tokens: testQueueTokens(),
    concertExists: async () => true,
    settings: { ...testSettings, ...settings },
    now: clock.now,
  };
}

/** Deps whose jobs see one concert's waiting room only, however many other tests left in the shared table. */
export const onlyConcert = <D extends Pick<QueueDeps, 'queue'>>(deps: D, concertId: string): D => ({
  ...deps,
  queue: { ...deps.queue, listQueues: async () => [concertId] },
});

/** The admin's settings use cases on the real tables, with the test's clock and deployment settings. */
export function waitingRoomDepsForTest(clock: TestClock, settings: Partial<Settings> = {}): WaitingRoomDeps {
  return {
    rooms: createDynamoWaitingRoomRepository(documentClient, tableName('queue')),
    concertExists: async () => true,
    settings: { ...testSettings, ...settings },
    now: clock.now,
    pause: async (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** Puts `count` people in line ahead of whoever joins next, as a rush would, without 100,000 joins. */
export async function lengthenLine(concertId: string, count: number): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName('queue'),
      Key: queueKeys.sequence(concertId),
      UpdateExpression: 'ADD lastSeq :count SET queueList = :list, concertId = :concertId',
      ExpressionAttributeValues: { ':count': count, ':list': 'QUEUE', ':concertId': concertId },
    }),
  );
}
