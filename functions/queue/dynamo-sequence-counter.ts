import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QUEUE_LIST, queueKeys } from './queue-keys';
import type { QueuePlace } from './queue-repository';
import type { SequenceCounter } from './sequence-counter';
import { createSharedCalls } from '../shared/shared-calls';

/** Calls to one counter item in flight at once from one instance; joins past them wait and share the next call. */
const MAX_IN_FLIGHT = 4;

/**
 * Numbers from the concert's counter item(s), `ADD lastSeq` on one of them (picked at random per join
 * with shards). Joins that ask while MAX_IN_FLIGHT of this instance's calls to their counter item are in
 * flight wait for one to land and then share the next: `ADD lastSeq :n` for n of them, each given one of
 * the n numbers it returns (createSharedCalls). Every number still goes to a join that asked for it
 * (none is reserved ahead), and each is unique; only the calls are fewer, and a join waits only when
 * others have calls to its counter in flight already.
 */
export function createSequenceCounter(
  client: DynamoDBDocumentClient,
  tableName: string,
  shards = 1,
  random: () => number = Math.random,
): SequenceCounter {
  const shardOf = (concertId: string, index: number) =>
    shards === 1 ? queueKeys.sequence(concertId) : queueKeys.sequence(concertId, index);
  const indexes = Array.from({ length: shards }, (_, i) => i);

  /** `ADD lastSeq :n` for the n joins of a batch, all on one counter item: each gets one of the n new numbers. */
  const nextPlace = createSharedCalls<{ concertId: string; shard?: number }, QueuePlace>({
    maxInFlight: MAX_IN_FLIGHT,
    async call(joins) {
      const { concertId, shard } = joins[0];
      const result = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: shardOf(concertId, shard ?? 0),
          UpdateExpression: 'ADD lastSeq :count SET queueList = :list, concertId = :concertId',
          ExpressionAttributeValues: { ':count': joins.length, ':list': QUEUE_LIST, ':concertId': concertId },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const last = result.Attributes?.lastSeq as number;
      return joins.map((_, i) => {
        const seq = last - joins.length + 1 + i;
        return shard === undefined ? { seq } : { seq, shard };
      });
    },
  });

  return {
    shards,
    next(concertId) {
      const shard = shards === 1 ? undefined : Math.floor(random() * shards);
      return nextPlace(shardOf(concertId, shard ?? 0).pk, { concertId, shard });
    },
    keys: (concertId) => indexes.map((i) => shardOf(concertId, i)),
    values(concertId, items) {
      return indexes.map((i) => {
        const item = items.find((candidate) => candidate.pk === shardOf(concertId, i).pk);
        return (item?.lastSeq as number | undefined) ?? 0;
      });
    },
  };
}
