import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queueRepository } from '../../functions/queue/default-queue-deps';
import { queueKeys } from '../../functions/queue/queue-keys';
import type { QueueDeps } from '../../functions/queue/queue-deps';
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
    concertExists: async () => true,
    settings: { ...testSettings, ...settings },
    now: clock.now,
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
