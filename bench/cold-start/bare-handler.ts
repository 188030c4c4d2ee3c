/**
 * The smallest handler a DynamoDB-backed function could have: it only creates the document client,
 * as functions/shared/dynamodb-client.ts does. Cold starts of the real bundles are compared with it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }), { marshallOptions: { removeUndefinedValues: true } });

export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ ready: client !== undefined }) });
