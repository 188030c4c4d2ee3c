import {
  DynamoDBClient,
  InternalServerError,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { queueTokenKeyRing, signQueueToken } from '../../functions/queue/queue-token';
import { callBounds } from '../../functions/shared/dynamodb-client';
import { transactionCancellations } from '../../functions/shared/dynamodb-transactions';
import { UnavailableError } from '../../functions/shared/errors';
import { routeKeyOf, routes, groupEntry, type HandlerGroup } from '../../functions/http/route-table';
import { apiEvent } from '../support/api-event';
import { captureLogs } from '../support/captured-logs';

/**
 * DynamoDB throttling or unreachable, on every route that reads or writes it: the contract's 503
 * UNAVAILABLE with Retry-After, no AWS error name in the body, one warning in the log.
 */
Object.assign(process.env, {
  QUEUE_TABLE: 'queue-table',
  CATALOGUE_TABLE: 'catalogue-table',
  RESERVATIONS_TABLE: 'reservations-table',
  WALLET_TABLE: 'wallet-table',
  IDEMPOTENCY_TABLE: 'idempotency-table',
  QUEUE_TOKEN_KEYS: 'database-unavailable-test-key-0123456789abcdef',
});
delete process.env.DYNAMODB_ENDPOINT;

type Handler = (
  event: ReturnType<typeof apiEvent>,
  context: Context,
) => Promise<{ statusCode?: number; headers?: Record<string, unknown>; body?: string }>;
const handlers = new Map<HandlerGroup, Handler>();
const handlerOf = (group: HandlerGroup): Handler => {
  // Loaded after the environment is set, as a Lambda starts.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!handlers.has(group)) handlers.set(group, (require(`../../${groupEntry(group)}`) as { handler: Handler }).handler);
  return handlers.get(group)!;
};

const documents = mockClient(DynamoDBDocumentClient);
const plain = mockClient(DynamoDBClient);
const context = { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'lambda-1' } as Context;
// A genuine token of Alice's, so every route gets as far as the database.
const queueToken = signQueueToken(
  { concertId: 'aurora-live', userId: 'alice', seq: 1 },
  queueTokenKeyRing([process.env.QUEUE_TOKEN_KEYS!]).current,
);

/** A request to the route that is right in every way but the database. */
function validEvent(route: (typeof routes)[number]) {
  const json = (body: unknown) => ({
    'content-type': 'application/json',
    'x-queue-token': queueToken,
    'idempotency-key': 'key-1' as string,
    body: JSON.stringify(body),
  });
  const bodies: Record<string, unknown> = {
    holdSeat: { concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 1 },
    chargeBalance: { amount: 1000 },
    payReservations: { reservationIds: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'] },
    createConcert: { title: 'T', venue: 'V', schedules: [{ date: '2099-01-01', seats: [{ seatNumber: 1, price: 1000 }] }] },
    changeWaitingRoomSettings: { joining: 'CLOSED' },
    revokeQueueToken: { userId: 'mallory', ban: true },
  };
  const { body, ...headers } = bodies[route.handler] ? json(bodies[route.handler]) : { body: undefined, 'x-queue-token': queueToken };
  const event = apiEvent(routeKeyOf(route), {
    userId: 'alice',
    pathParameters: { concertId: 'aurora-live', scheduleId: 'aurora-live-1', reservationId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
    headers: headers as Record<string, string>,
    body,
  });
  event.requestContext.authorizer.jwt.claims['cognito:groups'] = '[admin]';
  return event;
}

const unavailable: Array<[string, () => Error]> = [
  ['ProvisionedThroughputExceededException', () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} })],
  [
    'ThrottlingException',
    () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }),
  ],
  ['InternalServerError', () => new InternalServerError({ message: 'internal', $metadata: {} })],
  ['connection refused', () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' })],
  ['timeout', () => Object.assign(new Error('socket hung up'), { name: 'TimeoutError' })],
];

const databaseRoutes = routes.filter((route) => route.handler !== 'health');

beforeEach(() => {
  documents.reset();
  plain.reset();
});

describe.each(unavailable)('%s', (_name, error) => {
  test.each(databaseRoutes.map((route) => [routeKeyOf(route), route] as const))(
    '%s: 503 UNAVAILABLE with Retry-After, logged once',
    async (_key, route) => {
      documents.onAnyCommand().rejects(error());
      plain.onAnyCommand().rejects(error());
      const logs = captureLogs('INFO');
      const response = await handlerOf(route.group)(validEvent(route), context).finally(() => logs.stop());
      expect(response.statusCode).toBe(503);
      expect(Number(response.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(response.body!)).toEqual({ error: { code: 'UNAVAILABLE', message: expect.any(String) } });
      expect(response.body).not.toMatch(/Exception|Throttl|ECONNREFUSED|Timeout|Internal|slow down|127\.0\.0\.1/);
      const warnings = logs.entries().filter((entry) => entry.level === 'WARN' || entry.level === 'ERROR');
      expect(warnings).toEqual([expect.objectContaining({ level: 'WARN', requestId: 'request-1' })]);
    },
  );
});

test('a transaction cancelled because DynamoDB is throttling is a 503 with its own Retry-After, not a refusal', async () => {
  const cancelled = new TransactionCanceledException({
    message: 'x',
    $metadata: {},
    CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }],
  });
  let thrown: unknown;
  try {
    transactionCancellations(cancelled);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(UnavailableError);
  // What the repositories then throw reaches the client as the contract's 503.
  documents.onAnyCommand().rejects(thrown as Error);
  const response = await handlerOf('wallet')(validEvent(routes.find((route) => route.handler === 'getBalance')!), context);
  expect(response.statusCode).toBe(503);
  expect(response.headers?.['retry-after']).toBe(String((thrown as UnavailableError).retryAfterSeconds));
});

test('every DynamoDB call is bounded: deployed, all attempts of a call end before the API function times out', () => {
  const deployed = callBounds(undefined);
  expect(deployed.maxAttempts).toBeLessThanOrEqual(3);
  // The SDK only warns about a late answer unless told to fail the attempt.
  expect(deployed.throwOnRequestTimeout).toBe(true);
  const worstCaseMs = deployed.maxAttempts * (deployed.connectionTimeoutMs + deployed.requestTimeoutMs);
  expect(worstCaseMs).toBeLessThan(10_000);
});
