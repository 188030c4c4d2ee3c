import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionFailure } from '../shared/dynamodb-errors';
import { QUEUE_LIST, queueKeys } from './queue-keys';
import type { PreQueueCounter } from './pre-queue-counter';

export function createPreQueueCounter(
  client: DynamoDBDocumentClient,
  tableName: string,
  shards = 1,
  random: () => number = Math.random,
): PreQueueCounter {
  const keyOf = (concertId: string, index: number) => (shards === 1 ? queueKeys.preQueue(concertId) : queueKeys.preQueue(concertId, index));
  const indexes = Array.from({ length: shards }, (_, i) => i);

  async function closeOne(concertId: string, index: number, now: number): Promise<number> {
    try {
      const result = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOf(concertId, index),
          UpdateExpression: 'SET closedAt = :now',
          ConditionExpression: 'attribute_not_exists(closedAt)',
          ExpressionAttributeValues: { ':now': now },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return (result.Attributes?.lastSeq as number | undefined) ?? 0;
    } catch (error) {
      // Closed by an overlapping run: no join has numbered since, so its value is final.
      if (!isConditionFailure(error)) throw error;
      return ((error.Item ? unmarshall(error.Item) : {}).lastSeq as number | undefined) ?? 0;
    }
  }

  return {
    async next(concertId) {
      const shard = shards === 1 ? undefined : Math.floor(random() * shards);
      try {
        const result = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOf(concertId, shard ?? 0),
            UpdateExpression: 'ADD lastSeq :one SET queueList = :list, concertId = :concertId',
            ConditionExpression: 'attribute_not_exists(closedAt)',
            ExpressionAttributeValues: { ':one': 1, ':list': QUEUE_LIST, ':concertId': concertId },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        const seq = result.Attributes?.lastSeq as number;
        return shard === undefined ? { seq } : { seq, shard };
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },
    keys: (concertId) => indexes.map((i) => keyOf(concertId, i)),
    read(concertId, items) {
      const found = indexes.map((i) => items.find((item) => item.pk === keyOf(concertId, i).pk));
      return {
        values: found.map((item) => (item?.lastSeq as number | undefined) ?? 0),
        closed: found.map((item) => item?.closedAt !== undefined),
      };
    },
    async close(concertId, counters, now) {
      return Promise.all(indexes.map((i) => (counters.closed[i] ? counters.values[i] : closeOne(concertId, i, now))));
    },
  };
}
