import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { apiEvent } from '../support/api-event';

Object.assign(process.env, {
  WALLET_TABLE: 'wallet-table',
  IDEMPOTENCY_TABLE: 'idempotency-table',
  RESERVATIONS_TABLE: 'reservations-table',
  CATALOGUE_TABLE: 'catalogue-table',
  QUEUE_TABLE: 'queue-table',
});

// Imported after the environment is set, as a Lambda would start.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../functions/http/wallet-api') as typeof import('../../functions/http/wallet-api');

/** Our repositories use the document client; Powertools' idempotency store the plain client. */
const documents = mockClient(DynamoDBDocumentClient);
const plain = mockClient(DynamoDBClient);
const context = { getRemainingTimeInMillis: () => 10_000 } as Context;
const throttled = () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });

const chargeEvent = (headers: Record<string, string> = {}) =>
  apiEvent('POST /balance/charge', {
    userId: 'alice',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ amount: 1_000 }),
  });

beforeEach(() => {
  documents.reset();
  plain.reset();
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

test('a charge is one conditional increment of the balance item and nothing else: the ledger writer writes its ledger item later', async () => {
  documents.on(UpdateCommand).resolves({ Attributes: { balance: 6_000, version: 3 } });

  const response = await handler(chargeEvent(), context);

  expect(response.statusCode).toBe(200);
  expect(JSON.parse(response.body!)).toEqual({ balance: 6_000 });
  expect(documents).toHaveReceivedNthCommandWith(1, UpdateCommand, {
    TableName: 'wallet-table',
    Key: { pk: 'USER#alice', sk: 'BALANCE' },
    ConditionExpression:
      'attribute_not_exists(#entry) AND attribute_not_exists(#charged) AND (attribute_not_exists(balance) OR balance <= :maxBefore)',
    ReturnValues: 'UPDATED_NEW',
  });
  expect(documents).toHaveReceivedCommandTimes(UpdateCommand, 1);
  expect(documents.calls()).toHaveLength(1);
  // Without an Idempotency-Key the idempotency table is not touched.
  expect(plain).not.toHaveReceivedAnyCommand();
});

test('with an Idempotency-Key, a successful answer is stored under (route, user, key)', async () => {
  plain.on(PutItemCommand).resolves({});
  plain.on(UpdateItemCommand).resolves({});
  documents.on(UpdateCommand).resolves({ Attributes: { balance: 1_000, version: 1 } });
  documents.on(PutCommand).resolves({});

  const response = await handler(chargeEvent({ 'idempotency-key': 'k-1' }), context);

  expect(response.statusCode).toBe(200);
  expect(plain).toHaveReceivedCommandWith(PutItemCommand, {
    TableName: 'idempotency-table',
    Item: expect.objectContaining({ id: { S: expect.stringMatching(/^concert-api#/) }, status: { S: 'INPROGRESS' } }),
  });
  const stored = plain.commandCalls(UpdateItemCommand)[0].args[0].input;
  expect(stored.ExpressionAttributeValues?.[':status']).toEqual({ S: 'COMPLETED' });
  expect(JSON.stringify(stored.ExpressionAttributeValues?.[':response_data'])).toContain('{\\"balance\\":1000}');
  expect(plain).not.toHaveReceivedCommand(DeleteItemCommand);
});

test('a throttled wallet is 503 with Retry-After, and its Idempotency-Key is released, never stored', async () => {
  plain.on(PutItemCommand).resolves({});
  plain.on(DeleteItemCommand).resolves({});
  documents.on(UpdateCommand).rejects(throttled());

  const response = await handler(chargeEvent({ 'idempotency-key': 'k-2' }), context);

  expect(response.statusCode).toBe(503);
  expect(response.headers?.['retry-after']).toBe('2');
  expect(JSON.parse(response.body!).error.code).toBe('UNAVAILABLE');
  expect(plain).toHaveReceivedCommand(DeleteItemCommand);
  expect(plain).not.toHaveReceivedCommand(UpdateItemCommand);
});

test('a throttled idempotency table is 503 too (not 500), and nothing is charged', async () => {
  plain.on(PutItemCommand).rejects(throttled());

  const response = await handler(chargeEvent({ 'idempotency-key': 'k-3' }), context);

  expect(response.statusCode).toBe(503);
  expect(response.body).not.toMatch(/Provisioned|Exception|Idempotency/);
  expect(documents).not.toHaveReceivedAnyCommand();
});

test('a refusal (409) releases the key: it is not replayed', async () => {
  plain.on(PutItemCommand).resolves({});
  plain.on(DeleteItemCommand).resolves({});
  documents
    .on(UpdateCommand)
    .rejects(
      new ConditionalCheckFailedException({ message: 'no', $metadata: {}, Item: { balance: { N: '99999999' }, version: { N: '9' } } }),
    );

  const response = await handler(chargeEvent({ 'idempotency-key': 'k-4' }), context);

  expect(response.statusCode).toBe(409);
  expect(JSON.parse(response.body!).error).toMatchObject({ code: 'BALANCE_LIMIT_EXCEEDED', message: expect.stringContaining('99999999') });
  expect(plain).toHaveReceivedCommand(DeleteItemCommand);
  expect(plain).not.toHaveReceivedCommand(UpdateItemCommand);
});

describe('a second request with a key already in use', () => {
  const bodyHash = (body: unknown) => createHash('sha256').update(JSON.stringify(body)).digest('base64');
  const existing = (status: 'INPROGRESS' | 'COMPLETED', hash: string, data?: unknown) =>
    new ConditionalCheckFailedException({
      message: 'exists',
      $metadata: {},
      Item: marshall({
        id: 'concert-api#x',
        status,
        expiration: Math.floor(Date.now() / 1000) + 3600,
        in_progress_expiration: Date.now() + 9_000, // another request's claim, made a second earlier
        validation: hash,
        ...(data ? { data } : {}),
      }),
    });

  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  test('waits for the first to finish and answers its response again', async () => {
    const first = { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"balance":7000}' };
    plain
      .on(PutItemCommand)
      .rejectsOnce(existing('INPROGRESS', bodyHash({ amount: 1_000 })))
      .rejectsOnce(existing('INPROGRESS', bodyHash({ amount: 1_000 })))
      .rejects(existing('COMPLETED', bodyHash({ amount: 1_000 }), first));
    documents.on(GetCommand).resolves({});

    const pending = handler(chargeEvent({ 'idempotency-key': 'busy' }), context);
    await jest.advanceTimersByTimeAsync(1_000);
    const response = await pending;

    expect(response).toMatchObject({ statusCode: 200, body: '{"balance":7000}', headers: { 'idempotent-replayed': 'true' } });
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
  });

  test('gives up with 409 IDEMPOTENCY_KEY_IN_USE and Retry-After after about 1.5 s if the first is still running and nothing landed', async () => {
    plain.on(PutItemCommand).rejects(existing('INPROGRESS', bodyHash({ amount: 1_000 })));
    documents.on(GetCommand).resolves({ Item: { balance: 500, version: 1 } });

    const pending = handler(chargeEvent({ 'idempotency-key': 'stuck' }), context);
    await jest.advanceTimersByTimeAsync(2_000);
    const response = await pending;

    expect(response.statusCode).toBe(409);
    expect(Number(response.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(response.body!).error).toMatchObject({
      code: 'IDEMPOTENCY_KEY_IN_USE',
      message: expect.stringContaining('still in progress'),
    });
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
    expect(plain).not.toHaveReceivedCommand(DeleteItemCommand);
  });

  test('a key left in progress whose charge landed is answered 200 with its balance, from the wallet itself', async () => {
    plain.on(PutItemCommand).rejects(existing('INPROGRESS', bodyHash({ amount: 1_000 })));
    const entryId = `k${createHash('sha256').update('landed', 'utf8').digest('base64url').slice(0, 32)}`;
    documents.on(GetCommand).resolves({
      Item: {
        balance: 3_000,
        version: 2,
        [`pending#${entryId}`]: { amount: 1_000, at: 1 },
        [`pending#${entryId}#balanceBefore`]: 2_000,
        [`pending#${entryId}#versionBefore`]: 1,
      },
    });

    const response = await handler(chargeEvent({ 'idempotency-key': 'landed' }), context);

    expect(response).toMatchObject({ statusCode: 200, body: '{"balance":3000}', headers: { 'idempotent-replayed': 'true' } });
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
  });

  test('another body under the same key is 409 at once, in flight or done', async () => {
    for (const status of ['INPROGRESS', 'COMPLETED'] as const) {
      plain.reset();
      plain.on(PutItemCommand).rejects(existing(status, bodyHash({ amount: 2_000 }), { statusCode: 200, body: '{}' }));
      const response = await handler(chargeEvent({ 'idempotency-key': 'reused' }), context);
      expect(response.statusCode).toBe(409);
      expect(JSON.parse(response.body!).error).toMatchObject({
        code: 'IDEMPOTENCY_KEY_REUSED',
        message: expect.stringContaining('different body'),
      });
      expect(plain).not.toHaveReceivedCommand(DeleteItemCommand);
    }
    expect(documents).not.toHaveReceivedAnyCommand();
  });
});
