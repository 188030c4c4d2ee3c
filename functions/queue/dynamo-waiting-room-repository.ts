import { BatchGetCommand, GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { transactionCancellations } from '../shared/dynamodb-transactions';
import { UnavailableError } from '../shared/errors';
import type { Item } from '../shared/dynamodb-item';
import { queueKeys, toWaitingRoom, toWaitingRoomChange, waitingRoomChangeItems } from './queue-keys';
import type { WaitingRoomRepository } from './waiting-room-repository';

/** Tries of a BatchGetItem's unprocessed keys (they only come back under throttling). */
const BATCH_READ_ATTEMPTS = 3;

export function createDynamoWaitingRoomRepository(client: DynamoDBDocumentClient, tableName: string): WaitingRoomRepository {
  return {
    async findWaitingRoom(concertId) {
      const result = await client.send(new GetCommand({ TableName: tableName, Key: queueKeys.admission(concertId), ConsistentRead: true }));
      return toWaitingRoom(result.Item);
    },

    async saveChange(concertId, room, change) {
      try {
        await client.send(new TransactWriteCommand({ TransactItems: waitingRoomChangeItems(tableName, concertId, room, change) }));
        return true;
      } catch (error) {
        // A failed condition (another change came first) or a conflict with a write in flight: nothing was written.
        const reasons = transactionCancellations(error);
        if (reasons?.some((reason) => reason.code === 'ConditionalCheckFailed' || reason.code === 'TransactionConflict')) return false;
        throw error;
      }
    },

    async findChanges(concertId, revisions) {
      if (revisions.length === 0) return [];
      let keys: Item[] = revisions.map((revision) => queueKeys.waitingRoomChange(concertId, revision));
      const items: Item[] = [];
      for (let attempt = 0; keys.length > 0 && attempt < BATCH_READ_ATTEMPTS; attempt++) {
        const result = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
        items.push(...(result.Responses?.[tableName] ?? []));
        keys = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
      }
      // Still throttled: the client may ask again shortly.
      if (keys.length > 0) throw new UnavailableError(1);
      const byRevision = new Map(items.map((item) => [item.revision as number, toWaitingRoomChange(item)]));
      return revisions.flatMap((revision) => byRevision.get(revision) ?? []);
    },
  };
}
