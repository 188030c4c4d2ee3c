import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { countDynamoDbCalls, criticalPathRoundTrips } from '../../bench/dynamodb-calls';
import { tableName } from '../../functions/shared/config';
import { dynamoDbClient, documentClient } from '../../functions/shared/dynamodb-client';
import { createDynamoWalletRepository } from '../../functions/wallet/dynamo-wallet-repository';
import { walletKeys } from '../../functions/wallet/wallet-keys';
import { replayLedger } from '../../functions/wallet/wallet-rules';
import { startLocalApi, type LocalApi } from '../support/local-api';

/**
 * A charge is one DynamoDB round trip on the request path: the increment, which leaves its entry
 * pending on the balance item. The ledger writer (functions/jobs/ledger-writer.ts) consumes the
 * wallet table's stream and writes pending entries out as ledger items; here the local runtime
 * reads DynamoDB Local's stream with the same handler (`pollLedgerStream`). The ledger replays to
 * the balance at every read, before and after it catches up, and a crash at any point loses nothing.
 */
let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({ seed: false });
});
afterAll(() => api.stop());

const wallet = () => createDynamoWalletRepository(documentClient, tableName('wallet'));
const pendingOf = async (userId: string) => {
  const item =
    (await documentClient.send(new GetCommand({ TableName: tableName('wallet'), Key: walletKeys.balance(userId), ConsistentRead: true })))
      .Item ?? {};
  return Object.keys(item).filter((name) => /^pending#[^#]+$/.test(name)).length;
};
async function expectLedgerReplays(userId: string, entries: number): Promise<void> {
  const [balance, ledger] = await Promise.all([wallet().findWallet(userId), wallet().listLedger(userId)]);
  expect(ledger.map((entry) => entry.version)).toEqual(Array.from({ length: entries }, (_, i) => i + 1));
  expect(replayLedger(ledger)).toBe(balance.balance);
}

test("a charge without a key is one DynamoDB call; with a key, only the idempotency record's two calls more", async () => {
  const token = await api.tokenFor('one-trip');
  const counter = countDynamoDbCalls(dynamoDbClient);
  try {
    expect((await api.request('POST', '/balance/charge', { token, body: { amount: 1_000 } })).body).toEqual({ balance: 1_000 });
    expect(counter.calls).toEqual(['UpdateItemCommand']);
    expect(criticalPathRoundTrips(counter.records)).toBe(1);
    counter.reset();
    const keyed = await api.request('POST', '/balance/charge', {
      token,
      body: { amount: 2_000 },
      headers: { 'idempotency-key': 'one-trip-1' },
    });
    expect(keyed.body).toEqual({ balance: 3_000 });
    // The claim, the increment, the stored answer.
    expect(counter.calls).toEqual(['PutItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
  } finally {
    counter.detach();
  }
  await expectLedgerReplays('one-trip', 2);
});

test('50 racing charges to one wallet all apply, and the stream writes every entry out once', async () => {
  const token = await api.tokenFor('racer');
  const answers = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      api.request('POST', '/balance/charge', {
        token,
        body: { amount: 1_000 },
        ...(i % 2 ? { headers: { 'idempotency-key': `race-${i}` } } : {}),
      }),
    ),
  );
  expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
  expect(new Set(answers.map((answer) => answer.body.balance)).size).toBe(50);
  expect(await wallet().findWallet('racer')).toEqual({ balance: 50_000, version: 50 });
  // Before the writer runs: all pending, and the ledger already replays to the balance.
  expect(await pendingOf('racer')).toBeGreaterThan(0);
  await expectLedgerReplays('racer', 50);

  const handled = await api.runtime.pollLedgerStream();
  expect(handled).toBeGreaterThanOrEqual(50);
  expect(await pendingOf('racer')).toBe(0);
  await expectLedgerReplays('racer', 50);
  // A keyed charge is still known by its key after it was written out.
  expect(
    (await api.request('POST', '/balance/charge', { token, body: { amount: 1_000 }, headers: { 'idempotency-key': 'race-1' } })).status,
  ).toBe(200);
  expect(await wallet().findWallet('racer')).toEqual({ balance: 50_000, version: 50 });
});

test('a crash at any point of a charge or of its write-out loses no money, and the writer catches up', async () => {
  const token = await api.tokenFor('crashy');
  const failing = new Set<string>();
  let failures = 0;
  // A process that dies at a given step: the call never reaches DynamoDB.
  dynamoDbClient.middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context as { commandName?: string }).commandName ?? '';
      const touchesCrashy = JSON.stringify(args.input).includes('USER#crashy');
      if (touchesCrashy && failing.has(command)) {
        failures++;
        throw Object.assign(new Error('the process died here'), { name: 'Crash' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'crashAt' },
  );
  try {
    // Crash before the increment: nothing happened, and the client sees a failure it may retry.
    failing.add('UpdateItemCommand');
    expect((await api.request('POST', '/balance/charge', { token, body: { amount: 100 } })).status).toBe(500);
    failing.clear();
    expect(await wallet().findWallet('crashy')).toEqual({ balance: 0, version: 0 });

    // After the increment nothing else runs on the request path: the charge is whole.
    for (const amount of [1_000, 2_000, 3_000])
      expect((await api.request('POST', '/balance/charge', { token, body: { amount } })).status).toBe(200);
    await expectLedgerReplays('crashy', 3);

    // The writer dies reading the wallets, writing ledger items, then clearing the pending attributes:
    // each time the batch stays unread, the charges stay pending and counted, and a later poll finishes the work.
    failing.add('BatchGetItemCommand');
    await expect(api.runtime.pollLedgerStream()).rejects.toThrow('the process died here');
    failing.clear();
    await expectLedgerReplays('crashy', 3);
    failing.add('BatchWriteItemCommand');
    await expect(api.runtime.pollLedgerStream()).rejects.toThrow('the process died here');
    failing.clear();
    await expectLedgerReplays('crashy', 3);
    failing.add('UpdateItemCommand');
    await expect(api.runtime.pollLedgerStream()).rejects.toThrow('the process died here');
    failing.clear();
    expect(await pendingOf('crashy')).toBe(3);
    await expectLedgerReplays('crashy', 3);
    await api.runtime.pollLedgerStream();
    expect(await pendingOf('crashy')).toBe(0);
    await expectLedgerReplays('crashy', 3);
    expect(await wallet().findWallet('crashy')).toEqual({ balance: 6_000, version: 3 });
    expect(failures).toBeGreaterThanOrEqual(4);
  } finally {
    dynamoDbClient.middlewareStack.remove('crashAt');
  }
});
