import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A waiting room's line counter. With one shard (the default) it is the single `SEQ#<concert>`
 * item: exact, gap-free first in, first out, but every join writes that one item, and one
 * partition key takes about 1,000 writes a second. With QUEUE_SHARDS = S it is S items
 * `SEQ#<concert>#<k>`, and each join writes one picked at random (sharded-line.ts says how they
 * are put in one order). Every counter item also lists its concert in the queues index.
 */
export interface SequenceCounter {
  readonly shards: number;
  /** Takes the next number: `shard` says which counter gave it (absent with one counter). */
  next(concertId: string): Promise<{ seq: number; shard?: number }>;
  /** Keys of every counter of the concert, to read them with the admission record in one call. */
  keys(concertId: string): Record<string, string>[];
  /** Each counter's value, by shard, from items read with `keys` (missing ones are 0). */
  values(concertId: string, items: readonly Record<string, unknown>[]): number[];
}

/** The queues index's one partition: every waiting room's counter is listed in it. */
export const QUEUE_LIST = 'QUEUE';

export const sequenceKey = (concertId: string, shard?: number) => ({ pk: shard === undefined ? `SEQ#${concertId}` : `SEQ#${concertId}#${shard}` });

export function createSequenceCounter(
  client: DynamoDBDocumentClient,
  tableName: string,
  shards = 1,
  random: () => number = Math.random,
): SequenceCounter {
  const shardOf = (concertId: string, index: number) => (shards === 1 ? sequenceKey(concertId) : sequenceKey(concertId, index));
  const indexes = Array.from({ length: shards }, (_, i) => i);
  return {
    shards,
    async next(concertId) {
      const shard = shards === 1 ? undefined : Math.floor(random() * shards);
      const result = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: shardOf(concertId, shard ?? 0),
          UpdateExpression: 'ADD lastSeq :one SET queueList = :list, concertId = :concertId',
          ExpressionAttributeValues: { ':one': 1, ':list': QUEUE_LIST, ':concertId': concertId },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const seq = result.Attributes?.lastSeq as number;
      return shard === undefined ? { seq } : { seq, shard };
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
