import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '../../functions/shared/dynamodb-client';

/**
 * The Authorization header a client sends, read after the SDK signs the request and before
 * anything leaves the process (the call is then stopped).
 */
async function authorizationOf(client: DynamoDBClient): Promise<string> {
  let authorization = '';
  client.middlewareStack.addRelativeTo(
    () => async (args: { request: unknown }) => {
      authorization = (args.request as { headers: Record<string, string> }).headers.authorization;
      throw new Error('stopped before sending');
    },
    { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'readAuthorization' },
  );
  await expect(client.send(new GetItemCommand({ TableName: 'anything', Key: { pk: { S: 'x' } } }))).rejects.toThrow(
    'stopped before sending',
  );
  client.destroy();
  return authorization;
}

test('deployed (no endpoint), every request is signed with Signature Version 4', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
  try {
    const authorization = await authorizationOf(createDynamoDbClient(undefined));
    expect(authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/,
    );
    expect(authorization).not.toMatch(/Signature=0{64}$/);
  } finally {
    process.env = saved;
  }
});

test("against DynamoDB Local, a request names the local credentials' scope and skips the signing work", async () => {
  const authorization = await authorizationOf(createDynamoDbClient('http://127.0.0.1:8000'));
  expect(authorization).toMatch(
    /^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/[\w-]+\/dynamodb\/aws4_request, SignedHeaders=host;x-amz-date, Signature=0{64}$/,
  );
});

test('against DynamoDB Local, the client skips the per-call work DynamoDB Local never uses; deployed, it keeps it', async () => {
  const names = (client: DynamoDBClient) => client.middlewareStack.identify().join(' ');
  const deployed = createDynamoDbClient(undefined);
  for (const name of ['recursionDetectionMiddleware', 'loggerMiddleware']) {
    expect(names(createDynamoDbClient('http://127.0.0.1:8000'))).not.toContain(name);
    expect(names(deployed)).toContain(name);
  }
  deployed.destroy();
  let userAgent: string | undefined = 'unread';
  const local = createDynamoDbClient('http://127.0.0.1:8000');
  local.middlewareStack.addRelativeTo(
    () => async (args: { request: unknown }) => {
      userAgent = (args.request as { headers: Record<string, string> }).headers['user-agent'];
      throw new Error('stopped before sending');
    },
    // Middleware placed after the User-Agent step by name (Powertools does) still finds it.
    { relation: 'after', toMiddleware: 'getUserAgentMiddleware', name: 'readUserAgent' },
  );
  await expect(local.send(new GetItemCommand({ TableName: 'anything', Key: { pk: { S: 'x' } } }))).rejects.toThrow(
    'stopped before sending',
  );
  expect(userAgent).toBeUndefined();
  local.destroy();
});
