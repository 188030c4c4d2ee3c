import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QUEUE_LIST, queueKeys } from './queue-keys';
import type { SequenceCounter } from './sequence-counter';

export function createSequenceCounter(
  client: DynamoDBDocumentClient,
  tableName: string,
  shards = 1,
  random: () => number = Math.random,
): SequenceCounter {
  const shardOf = (concertId: string, index: number) =>
    shards === 1 ? queueKeys.sequence(concertId) : queueKeys.sequence(concertId, index);
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
