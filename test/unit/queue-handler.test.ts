import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { apiEvent } from '../support/api-event';
import { captureLogs } from '../support/captured-logs';

process.env.QUEUE_TABLE = 'queue-table';
process.env.CATALOGUE_TABLE = 'catalogue-table';
process.env.QUEUE_TOKEN_KEYS = 'queue-handler-test-key-0123456789abcdefghijklmn';

// Imported after the environment is set, as a Lambda would start.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../functions/http/queue-api') as typeof import('../../functions/http/queue-api');

const dynamo = mockClient(DynamoDBDocumentClient);
const context = {} as Context;
const joinEvent = (concertId = 'aurora-live') =>
  apiEvent('POST /concerts/{concertId}/queue', { userId: 'alice', pathParameters: { concertId } });
const concert = { concertId: 'aurora-live', title: 'Aurora', venue: 'Hall', firstDate: '2027-01-01', lastDate: '2027-01-02' };

beforeEach(() => {
  dynamo.reset();
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

test('a first join takes a number, writes its token with it, and answers 201 with Retry-After', async () => {
  dynamo.on(GetCommand).resolves({ Item: concert });
  dynamo.on(PutCommand).resolves({});
  dynamo.on(UpdateCommand).resolves({ Attributes: { lastSeq: 7 } });
  dynamo.on(GetCommand, { Key: { pk: 'ADMISSION#aurora-live' } }).resolves({ Item: { pk: 'ADMISSION#aurora-live', admittedSeq: 4 } });

  const response = await handler(joinEvent(), context);

  expect(response.statusCode).toBe(201);
  expect(JSON.parse(response.body!)).toMatchObject({ status: 'WAIT', position: 3, concertId: 'aurora-live' });
  expect(response.headers?.['retry-after']).toMatch(/^\d+$/);
  const token = JSON.parse(response.body!).token as string;
  expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
    TableName: 'queue-table',
    Item: expect.objectContaining({ pk: 'TOKEN#aurora-live#alice', token, seq: 7 }),
    // No token, or one that holds no place any more (spent, unnumbered, or numbered at or below the expired bound);
    // no join challenge's replay key still in force on it (challenge-replay-guard.ts); and never over a ban.
    ConditionExpression:
      '((attribute_not_exists(pk) OR attribute_exists(finishedAt) OR attribute_not_exists(seq) OR (attribute_not_exists(#preQueue) AND (seq <= :t0))) AND (attribute_not_exists(#challenge) OR #challenge < :challenge)) AND attribute_not_exists(#banned)',
    ExpressionAttributeNames: { '#preQueue': 'preQueue', '#challenge': 'challenge', '#banned': 'banned' },
    ExpressionAttributeValues: { ':t0': 4, ':challenge': expect.stringMatching(/^\d{10}$/) },
  });
  expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, { Key: { pk: 'SEQ#aurora-live' } });
  expect(dynamo).toHaveReceivedCommandTimes(PutCommand, 1);

  // Polling that token while it waits reads the admission record, never the token item.
  dynamo.resetHistory();
  const poll = await handler(
    apiEvent('GET /concerts/{concertId}/queue', {
      userId: 'alice',
      pathParameters: { concertId: 'aurora-live' },
      headers: { 'x-queue-token': token },
    }),
    context,
  );
  expect(poll.statusCode).toBe(200);
  expect(JSON.parse(poll.body!)).toMatchObject({ status: 'WAIT', position: 3, token });
  expect(dynamo).not.toHaveReceivedCommandWith(GetCommand, { Key: { pk: 'TOKEN#aurora-live#alice' } });
  expect(dynamo).not.toHaveReceivedCommand(BatchGetCommand);

  // Someone else presenting it is refused before any read.
  dynamo.resetHistory();
  const stolen = await handler(
    apiEvent('GET /concerts/{concertId}/queue', {
      userId: 'mallory',
      pathParameters: { concertId: 'aurora-live' },
      headers: { 'x-queue-token': token },
    }),
    context,
  );
  expect(stolen.statusCode).toBe(403);
  expect(JSON.parse(stolen.body!).error.code).toBe('QUEUE_TOKEN_INVALID');
  expect(dynamo.calls()).toHaveLength(0);
});

test('an unknown concert is 404 and writes nothing', async () => {
  dynamo.on(GetCommand).resolves({});
  const response = await handler(joinEvent('nowhere'), context);
  expect(response.statusCode).toBe(404);
  expect(JSON.parse(response.body!).error.code).toBe('NOT_FOUND');
  expect(dynamo).not.toHaveReceivedCommand(PutCommand);
});

test('a throttled database is 503 UNAVAILABLE with Retry-After, and names no AWS error', async () => {
  dynamo.on(GetCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
  const response = await handler(joinEvent('throttled'), context);
  expect(response.statusCode).toBe(503);
  expect(response.headers?.['retry-after']).toBe('2');
  expect(response.body).not.toMatch(/Provisioned|Exception|slow down/);
  expect(JSON.parse(response.body!).error.code).toBe('UNAVAILABLE');
});

test('a bug is a 500 INTERNAL that leaks neither the message nor the stack, and is logged once with the request id', async () => {
  dynamo.on(GetCommand).rejects(new TypeError('secret internals at line 42'));
  const logs = captureLogs('INFO');
  const response = await handler(joinEvent('buggy'), context).finally(() => logs.stop());
  expect(response.statusCode).toBe(500);
  expect(JSON.parse(response.body!).error).toEqual({ code: 'INTERNAL', message: expect.stringContaining('request-1') });
  expect(response.body).not.toMatch(/secret|line 42|TypeError/);
  expect(logs.entries()).toEqual([
    expect.objectContaining({
      level: 'ERROR',
      requestId: 'request-1',
      error: expect.objectContaining({ name: 'TypeError', message: 'secret internals at line 42' }),
    }),
  ]);
});

test('a throttled database is logged once, as a warning with the request id', async () => {
  dynamo.on(GetCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
  const logs = captureLogs('INFO');
  await handler(joinEvent('throttled-again'), context).finally(() => logs.stop());
  expect(logs.entries()).toEqual([
    expect.objectContaining({ level: 'WARN', requestId: 'request-1', cause: 'ProvisionedThroughputExceededException' }),
  ]);
});

test('a poll without a queue token is 403 QUEUE_TOKEN_REQUIRED and reads nothing', async () => {
  const response = await handler(
    apiEvent('GET /concerts/{concertId}/queue', { userId: 'alice', pathParameters: { concertId: 'aurora-live' } }),
    context,
  );
  expect(response.statusCode).toBe(403);
  expect(JSON.parse(response.body!).error.code).toBe('QUEUE_TOKEN_REQUIRED');
  expect(dynamo).not.toHaveReceivedCommand(BatchGetCommand);
});

test('without JWT claims (no authorizer) the handler itself answers 401', async () => {
  const response = await handler(apiEvent('POST /concerts/{concertId}/queue', { pathParameters: { concertId: 'aurora-live' } }), context);
  expect(response.statusCode).toBe(401);
});
