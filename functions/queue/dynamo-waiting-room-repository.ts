import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getAll } from '../shared/dynamodb-batch-get';
import { transactionCancellations } from '../shared/dynamodb-transactions';
import { queueKeys, toWaitingRoom, toWaitingRoomChange, waitingRoomChangeItems } from './queue-keys';
import type { WaitingRoomRepository } from './waiting-room-repository';

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
      const items = await getAll(
        client,
        tableName,
        revisions.map((revision) => queueKeys.waitingRoomChange(concertId, revision)),
      );
      const byRevision = new Map(items.map((item) => [item.revision as number, toWaitingRoomChange(item)]));
      return revisions.flatMap((revision) => byRevision.get(revision) ?? []);
    },
  };
}
