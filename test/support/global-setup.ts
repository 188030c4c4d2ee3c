import { startDynamoDbLocal } from '../../local/dynamodb-local';

/** One DynamoDB Local for the whole run; each test file makes its own tables in it. */
export default async function globalSetup(): Promise<void> {
  if (process.env.DYNAMODB_ENDPOINT) return;
  const database = await startDynamoDbLocal();
  process.env.DYNAMODB_ENDPOINT = database.endpoint;
  (globalThis as { __dynamoDb?: { stop(): Promise<void> } }).__dynamoDb = database;
}
