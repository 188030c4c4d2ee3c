import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../shared/dynamodb-errors';
import { spentChallengeItem } from './queue-keys';
import type { SpentChallenges } from './spent-challenges';

/** Spent challenges in the queue table: one conditional PutItem each, so a replay loses the condition. */
export function createDynamoSpentChallenges(client: DynamoDBDocumentClient, tableName: string): SpentChallenges {
  return {
    async spend(spentId, expiresAt) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: spentChallengeItem(spentId, expiresAt),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
}
