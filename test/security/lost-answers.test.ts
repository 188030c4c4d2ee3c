import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { createDynamoLedgerWriter } from '../../functions/wallet/dynamo-wallet-repository';
import { walletKeys } from '../../functions/wallet/wallet-keys';
import { chargeBalance } from '../../functions/wallet/charge-balance';
import { AppError } from '../../functions/shared/errors';
import { activeUser } from '../support/active-users';
import { startLocalApi, type LocalApi } from '../support/local-api';
import { TestClock } from '../support/queue-fixture';
import { holdOverHttp, walletDepsForTest } from '../support/wallet-fixture';

/**
 * A write that DynamoDB made but whose answer never came back, on every attempt the SDK makes:
 * the client gets a 503 and cannot know the money moved. Sending the request again with its
 * Idempotency-Key must not move it twice.
 */
let api: LocalApi;
let losing: ((input: Record<string, any>) => boolean) | undefined;
let refusing: ((input: Record<string, any>) => boolean) | undefined;

beforeAll(async () => {
  api = await startLocalApi();
  // Before the SDK's retries: the write reaches DynamoDB, then the answer is lost, on every attempt.
  documentClient.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const input = args.input as Record<string, any>;
      if (losing?.(input)) throw Object.assign(new Error('the answer was lost'), { name: 'TimeoutError' });
      return result;
    },
    { step: 'initialize', name: 'loseAnswers' },
  );
  // Throttled before it is sent: the call never reaches DynamoDB.
  documentClient.middlewareStack.add(
    (next) => async (args) => {
      if (refusing?.(args.input as Record<string, any>)) {
        throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'refuseCalls' },
  );
});
afterAll(async () => {
  documentClient.middlewareStack.remove('loseAnswers');
  documentClient.middlewareStack.remove('refuseCalls');
  await api.stop();
});
afterEach(() => {
  losing = undefined;
  refusing = undefined;
});

const isChargeIncrement = (input: Record<string, any>) => String(input.UpdateExpression ?? '').includes('ADD balance');
const isPayment = (input: Record<string, any>) =>
  Array.isArray(input.TransactItems) && JSON.stringify(input.TransactItems).includes('"kind":"PAYMENT"');

async function ledgerCharges(token: string): Promise<number> {
  return (await api.request('GET', '/balance', { token })).body.balance;
}

test('a charge whose answer was lost: 503, and the retry with its key answers as the charge did and charges nothing more', async () => {
  const token = await api.tokenFor('lost-charge');
  const charge = () => api.request('POST', '/balance/charge', { token, body: { amount: 4_000 }, headers: { 'idempotency-key': 'lost-1' } });

  losing = isChargeIncrement;
  const first = await charge();
  expect(first.status).toBe(503);
  losing = undefined;
  expect(await ledgerCharges(token)).toBe(4_000); // it landed; the client could not know

  const retried = await charge();
  expect(retried).toMatchObject({ status: 200, body: { balance: 4_000 } });
  const again = await charge();
  expect(again).toMatchObject({ status: 200, body: { balance: 4_000 } });
  expect(await ledgerCharges(token)).toBe(4_000);
  // A new key is a new charge.
  const other = await api.request('POST', '/balance/charge', { token, body: { amount: 1 }, headers: { 'idempotency-key': 'lost-2' } });
  expect(other.body).toEqual({ balance: 4_001 });
});

test('a keyed charge is remembered after it is written out: the same key much later, or with another amount, charges nothing', async () => {
  const clock = new TestClock(Date.now());
  const deps = walletDepsForTest(clock);
  const userId = 'remembered-charge';
  // The ledger writer, as the wallet table's stream runs it after each change of the balance item.
  const writeOut = async () => {
    const item = (
      await documentClient.send(new GetCommand({ TableName: tableName('wallet'), Key: walletKeys.balance(userId), ConsistentRead: true }))
    ).Item!;
    await createDynamoLedgerWriter(documentClient, tableName('wallet')).writeOut([item], clock.time);
  };
  expect(await chargeBalance(deps, { userId, amount: 500, idempotencyKey: 'k-1' })).toEqual({ balance: 500 });
  await writeOut();
  // Other charges come and go, long after: the first one's pending entry is written out and gone.
  clock.advance(3600);
  expect(await chargeBalance(deps, { userId, amount: 20 })).toEqual({ balance: 520 });
  expect(await chargeBalance(deps, { userId, amount: 30, idempotencyKey: 'k-2' })).toEqual({ balance: 550 });
  await writeOut();
  clock.advance(3600);
  expect(await chargeBalance(deps, { userId, amount: 500, idempotencyKey: 'k-1' })).toEqual({ balance: 500 });
  await expect(chargeBalance(deps, { userId, amount: 501, idempotencyKey: 'k-1' })).rejects.toEqual(
    expect.objectContaining<Partial<AppError>>({ code: 'IDEMPOTENCY_KEY_REUSED' }),
  );
  expect(await deps.wallet.findWallet(userId)).toMatchObject({ balance: 550, version: 3 });
  expect((await deps.wallet.listLedger(userId)).map((entry) => entry.amount)).toEqual([500, 20, 30]);
  // Past the 24 hours keys are kept, the key is a new charge.
  clock.advance(25 * 3600);
  expect(await chargeBalance(deps, { userId, amount: 1, idempotencyKey: 'k-x' })).toEqual({ balance: 551 });
  await writeOut();
  expect(await chargeBalance(deps, { userId, amount: 500, idempotencyKey: 'k-1' })).toEqual({ balance: 1_051 });
});

test('a payment whose answer was lost: 503, and the retry with its key answers 201 with that payment, although it spent the token', async () => {
  const user = await activeUser(api, 'neon-harbor', 'lost-payment');
  await api.request('POST', '/balance/charge', { token: user.token, body: { amount: 500_000 } });
  const held = await holdOverHttp(api, user, 'neon-harbor', 'neon-harbor-1', 12);
  const pay = (reservationIds = [held.reservationId]) =>
    api.request('POST', '/payments', {
      token: user.token,
      queueToken: user.queueToken,
      body: { reservationIds },
      headers: { 'idempotency-key': 'pay-1' },
    });

  losing = isPayment;
  const first = await pay();
  expect(first.status).toBe(503);
  losing = undefined;

  // The payment landed and spent the token: the retry finds it by its key, and pays nothing twice.
  const payments = (await api.request('GET', '/payments', { token: user.token })).body.payments;
  expect(payments).toEqual([expect.objectContaining({ reservationIds: [held.reservationId], amount: held.price })]);
  const retried = await pay();
  expect(retried).toMatchObject({ status: 201, body: payments[0] });
  expect(await pay()).toMatchObject({ status: 201, body: payments[0] });
  // Another body under the key is still another request.
  expect((await pay([held.reservationId, held.reservationId.replace(/.$/, '0')])).body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  expect(await ledgerCharges(user.token)).toBe(500_000 - held.price);
  const reservations = (await api.request('GET', '/reservations', { token: user.token })).body.reservations;
  expect(reservations).toEqual([expect.objectContaining({ reservationId: held.reservationId, status: 'PAID' })]);
});

test('a key left in progress by a request that failed with 503 is 409 IDEMPOTENCY_KEY_IN_USE with Retry-After, never REUSED, and no longer than the function timeout', async () => {
  const token = await api.tokenFor('left-in-progress');
  const charge = () => api.request('POST', '/balance/charge', { token, body: { amount: 700 }, headers: { 'idempotency-key': 'left-1' } });
  // The increment is throttled (nothing lands), and so is the release of the key: its record stays in progress.
  const isKeyRelease = (input: Record<string, any>) =>
    input.TableName === tableName('idempotency') && input.Key !== undefined && !input.ConsistentRead && !input.UpdateExpression;
  refusing = (input) => isChargeIncrement(input) || isKeyRelease(input);
  const claimedAt = Date.now();
  expect((await charge()).status).toBe(503);
  refusing = undefined;

  const blocked = await charge();
  expect(blocked.status).toBe(409);
  expect(blocked.body.error.code).toBe('IDEMPOTENCY_KEY_IN_USE');
  expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(await ledgerCharges(token)).toBe(0);

  // The record's in-flight time is the function's remaining time (10 s, its timeout): then the retry runs in full.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, claimedAt + 10_500 - Date.now())));
  expect(await charge()).toMatchObject({ status: 200, body: { balance: 700 } });
  expect(await charge()).toMatchObject({ status: 200, body: { balance: 700 } });
  expect(await ledgerCharges(token)).toBe(700);
});
