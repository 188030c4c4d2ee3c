import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { createDynamoLedgerWriter, createDynamoWalletRepository } from '../../functions/wallet/dynamo-wallet-repository';
import { LEDGER_PREFIX, ledgerItem, pendingAttributes, pendingCharges, walletKeys } from '../../functions/wallet/wallet-keys';
import { keyedChargeId, replayLedger } from '../../functions/wallet/wallet-rules';
import { useFreshTables } from '../support/tables';
import { createSmallConcert } from '../support/wallet-fixture';
import { WalletWorld } from '../support/wallet-world';

/**
 * The ledger writer writes a wallet's pending charges out as one ledger page keyed by its first and
 * last version, without a condition. Pages from different reads of the wallet may overlap, and a
 * page may be written again: the ledger still holds each version once and replays to the balance.
 */
beforeAll(async () => {
  await useFreshTables();
});

const wallet = () => createDynamoWalletRepository(documentClient, tableName('wallet'));
const writer = () => createDynamoLedgerWriter(documentClient, tableName('wallet'));
let entryIds = 0;
const charge = (userId: string, amount: number, at = 1_000) =>
  wallet().addCharge(userId, { entryId: `01J${String(++entryIds).padStart(23, '0')}`, amount, at });
const balanceItem = async (userId: string) =>
  (await documentClient.send(new GetCommand({ TableName: tableName('wallet'), Key: walletKeys.balance(userId), ConsistentRead: true })))
    .Item!;
const ledgerKeys = async (userId: string) =>
  (
    (
      await documentClient.send(
        new QueryCommand({
          TableName: tableName('wallet'),
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
          ExpressionAttributeValues: { ':pk': walletKeys.balance(userId).pk, ':ledger': LEDGER_PREFIX },
          ConsistentRead: true,
        }),
      )
    ).Items ?? []
  ).map((item) => String(item.sk).slice(LEDGER_PREFIX.length));
async function expectExactLedger(userId: string, amounts: readonly number[]): Promise<void> {
  const [balance, ledger] = await Promise.all([wallet().findWallet(userId), wallet().listLedger(userId)]);
  expect(ledger.map((entry) => [entry.version, entry.amount])).toEqual(amounts.map((amount, i) => [i + 1, amount]));
  expect(replayLedger(ledger)).toBe(balance.balance);
  expect(balance.version).toBe(amounts.length);
}

test('a page written twice, and at once from the same read, is one item; the ledger holds each charge once', async () => {
  for (const amount of [100, 200, 300]) await charge('twice', amount);
  const image = await balanceItem('twice');
  const [first, second] = await Promise.all([writer().writeOut([image], 2_000), writer().writeOut([image], 2_000)]);
  expect([first, second]).toEqual([3, 3]);
  expect(await writer().writeOut([image], 2_000)).toBe(3);
  expect(await ledgerKeys('twice')).toEqual(['000000000001-000000000003']);
  expect(pendingCharges(await balanceItem('twice'))).toEqual([]);
  await expectExactLedger('twice', [100, 200, 300]);
});

test('overlapping pages from two reads, written in either order or at once, replay to the balance with each version once', async () => {
  for (const [userId, order] of [
    ['older-first', 'older first'],
    ['newer-first', 'newer first'],
    ['at-once', 'at once'],
  ] as const) {
    for (const amount of [1, 2, 3]) await charge(userId, amount);
    const older = await balanceItem(userId);
    for (const amount of [4, 5]) await charge(userId, amount);
    const newer = await balanceItem(userId);
    if (order === 'older first') {
      expect(await writer().writeOut([older], 2_000)).toBe(3);
      // Between the two write-outs the ledger counts 1–3 from the page and 4–5 as pending.
      await expectExactLedger(userId, [1, 2, 3, 4, 5]);
      expect(await writer().writeOut([newer], 2_000)).toBe(5);
    } else if (order === 'newer first') {
      expect(await writer().writeOut([newer], 2_000)).toBe(5);
      expect(await writer().writeOut([older], 2_000)).toBe(3);
    } else {
      // Both images of the wallet in one batch, and a second writer with the older one at the same time.
      await Promise.all([writer().writeOut([older, newer], 2_000), writer().writeOut([older], 2_000)]);
    }
    expect(await ledgerKeys(userId)).toEqual(['000000000001-000000000003', '000000000001-000000000005']);
    expect(pendingCharges(await balanceItem(userId))).toEqual([]);
    await expectExactLedger(userId, [1, 2, 3, 4, 5]);

    // The next charges pend after the written ones, and their page starts after them.
    await charge(userId, 6);
    expect(await writer().writeOut([await balanceItem(userId)], 2_000)).toBe(1);
    expect(await writer().writeOut([newer], 2_000)).toBe(5);
    expect(await ledgerKeys(userId)).toEqual(['000000000001-000000000003', '000000000001-000000000005', '000000000006-000000000006']);
    await expectExactLedger(userId, [1, 2, 3, 4, 5, 6]);
  }
});

test('a page skips the payments between its charges, which keep their own items, even when written again from a read before them', async () => {
  const { scheduleId } = await createSmallConcert('pages-pay', 6);
  const w = new WalletWorld('pages-pay', scheduleId, { holdSeconds: 60, activeSeconds: 600 });
  await w.enter('payer');
  const held = await w.hold('payer', 5);
  await w.charge('payer', 60_000);
  const beforePayment = await balanceItem('payer');
  await w.pay('payer', [held.reservationId]);
  await w.charge('payer', 7_000);
  const afterPayment = await balanceItem('payer');
  expect(pendingCharges(afterPayment).map(({ entry }) => entry.version)).toEqual([1, 3]);
  expect(await writer().writeOut([afterPayment], w.clock.time)).toBe(2);
  expect(await writer().writeOut([beforePayment], w.clock.time)).toBe(1);
  expect(await ledgerKeys('payer')).toEqual(['000000000001-000000000001', '000000000001-000000000003', '000000000002']);
  const ledger = await wallet().listLedger('payer');
  expect(ledger.map(({ version, kind, balanceAfter }) => [version, kind, balanceAfter])).toEqual([
    [1, 'CHARGE', 60_000],
    [2, 'PAYMENT', 10_000],
    [3, 'CHARGE', 17_000],
  ]);
  expect(replayLedger(ledger)).toBe((await wallet().findWallet('payer')).balance);
});

test('charges written out one item each, as before pages, stay in the ledger beside the pages after them', async () => {
  await charge('upgraded', 10);
  await charge('upgraded', 20);
  // What the writer of one item per charge left: `LEDGER#<version>` items, the pending attributes gone.
  const before = await balanceItem('upgraded');
  for (const { entryId, entry } of pendingCharges(before)) {
    await documentClient.send(new PutCommand({ TableName: tableName('wallet'), Item: ledgerItem('upgraded', entry) }));
    const names = Object.values(pendingAttributes(entryId));
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName('wallet'),
        Key: walletKeys.balance('upgraded'),
        UpdateExpression: `REMOVE ${names.map((_, i) => `#p${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#p${i}`, name])),
      }),
    );
  }
  await charge('upgraded', 30);
  await charge('upgraded', 40);
  expect(await writer().writeOut([await balanceItem('upgraded')], 2_000)).toBe(2);
  // And an old image, read while the first two were still pending, writes them as a page beside their old items.
  expect(await writer().writeOut([before], 2_000)).toBe(2);
  expect(await ledgerKeys('upgraded')).toEqual(['000000000001', '000000000001-000000000002', '000000000002', '000000000003-000000000004']);
  await expectExactLedger('upgraded', [10, 20, 30, 40]);
});

test('a wallet with hundreds of charges pending (the writer behind a burst) is written out whole: its pending attributes go in several updates, oldest first', async () => {
  // 3 pending attributes a charge, and a keyed one remembered: one update for all of them would pass DynamoDB's 4 KB an expression.
  const amounts = Array.from({ length: 240 }, (_, i) => i + 1);
  for (const [i, amount] of amounts.entries()) {
    if (i % 5 === 0) await wallet().addCharge('burst', { entryId: keyedChargeId(`burst-${i}`), amount, at: 1_000 });
    else await charge('burst', amount);
  }
  expect(pendingCharges(await balanceItem('burst'))).toHaveLength(240);
  expect(await writer().writeOutWallets(['burst'], 2_000)).toBe(240);
  const after = await balanceItem('burst');
  expect(pendingCharges(after)).toEqual([]);
  expect(Object.keys(after).filter((name) => name.startsWith('charged#'))).toHaveLength(48);
  // A keyed charge sent again finds its remembered entry.
  await expect(wallet().findCharge('burst', keyedChargeId('burst-5'))).resolves.toMatchObject({ version: 6, amount: 6 });
  await expectExactLedger('burst', amounts);
});
