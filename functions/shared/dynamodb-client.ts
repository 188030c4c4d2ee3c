import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The one document client of a process, created at module scope and reused across invocations.
 * Calls are bounded: a short connection and request timeout and a few retries, so a sick
 * database turns into a quick 503 instead of a Lambda timeout.
 */
function createClient(): DynamoDBClient {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  return new DynamoDBClient({
    ...(endpoint
      ? {
          endpoint,
          region: process.env.AWS_REGION ?? 'local',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
    maxAttempts: 3,
    // The SDK's connection timer also runs while a request waits for one of the agent's 50 sockets.
    // Deployed, a function serves one request at a time; the local server sends every concurrent
    // request through this one client, so there a burst waits its turn instead of failing as a 503.
    requestHandler: { connectionTimeout: endpoint ? 10_000 : 1_000, requestTimeout: 3_000 },
  });
}

/** The plain client under the document client, for libraries that marshal items themselves (Powertools idempotency). */
export const dynamoDbClient = createClient();

export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true },
});
