/**
 * Run as its own process by test/security/bounded-calls.test.ts (jest's sandbox gets in the way of
 * the SDK's timers): one DynamoDB call with the deployed bounds against a server that accepts
 * connections and never answers. Prints what happened as one JSON line.
 */
import { createServer } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { callBounds, createDynamoDbClient } from '../../functions/shared/dynamodb-client';
import { isDatabaseUnavailable } from '../../functions/shared/dynamodb-errors';

let attempts = 0;
const server = createServer((socket) => {
  socket.on('data', (chunk: Buffer) => {
    if (chunk.toString('latin1').startsWith('POST ')) attempts++;
  });
});
server.listen(0, '127.0.0.1', async () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const bounds = callBounds(undefined);
  const client = createDynamoDbClient(`http://127.0.0.1:${port}`, bounds);
  const startedAt = Date.now();
  let unavailable = false;
  try {
    await client.send(new GetItemCommand({ TableName: 'silent', Key: { pk: { S: 'x' } } }));
  } catch (error) {
    unavailable = isDatabaseUnavailable(error);
  }
  console.log(JSON.stringify({ attempts, elapsedMs: Date.now() - startedAt, unavailable, bounds }));
  process.exit(0);
});
