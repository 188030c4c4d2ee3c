import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionFailure } from '../shared/dynamodb-errors';
import { UnavailableError } from '../shared/errors';
import { log } from '../shared/logger';
import type { Payment } from './payment';
import type { ChargeResult, PaymentPage, WalletRepository } from './wallet-repository';
import {
  chargeEntry,
  EMPTY_WALLET,
  KEYED_CHARGE_MEMORY_MS,
  MAX_REMEMBERED_KEYED_CHARGES,
  maxBalanceBeforeCharge,
  type LedgerEntry,
  type Wallet,
} from './wallet-rules';

/**
 * Items of the wallet table, all in the user's partition `USER#<userId>`:
 * - `BALANCE`                     balance, version (the number of the last ledger entry), updatedAt,
 *                                 and the charges whose ledger entry is still being written (below)
 * - `LEDGER#<version, 12 digits>` one per balance change: kind CHARGE|PAYMENT, amount, balanceAfter, at, paymentId?
 * - `PAYMENT#<paymentId>`         a payment (ULID ids: a descending query is newest first)
 *
 * Every balance change takes the next version, so the ledger has no gaps and no two entries share
 * a number, and replaying it gives the balance:
 * - a payment's transaction requires the balance item still at the version it read, and writes
 *   the ledger entry alongside;
 * - a charge is one atomic increment (ADD balance and version, on condition of the limit) that
 *   also leaves, in the same write, `pending#<entryId>` with the entry and the balance and version
 *   it met (and that is applied once per entry id, however often the SDK resends it). Its answer gives the exact number and balance after; the charge then writes the
 *   ledger item and removes its pending attributes. A charge cut off in between stays pending
 *   (listLedger counts it) until the next charge of that wallet writes it out.
 */
export const WALLET_USER_PREFIX = 'USER#';
export const BALANCE_SK = 'BALANCE';
export const LEDGER_PREFIX = 'LEDGER#';
export const PAYMENT_PREFIX = 'PAYMENT#';

export const walletKeys = {
  balance: (userId: string) => ({ pk: `${WALLET_USER_PREFIX}${userId}`, sk: BALANCE_SK }),
  ledgerEntry: (userId: string, version: number) => ({
    pk: `${WALLET_USER_PREFIX}${userId}`,
    sk: `${LEDGER_PREFIX}${String(version).padStart(12, '0')}`,
  }),
  payment: (userId: string, paymentId: string) => ({ pk: `${WALLET_USER_PREFIX}${userId}`, sk: `${PAYMENT_PREFIX}${paymentId}` }),
};

type Item = Record<string, unknown>;

const PENDING_PREFIX = 'pending#';
/** The three attributes a charge leaves on the balance item until its ledger item is written. */
const pendingAttributes = (entryId: string) => ({
  entry: `${PENDING_PREFIX}${entryId}`,
  balanceBefore: `${PENDING_PREFIX}${entryId}#balanceBefore`,
  versionBefore: `${PENDING_PREFIX}${entryId}#versionBefore`,
});

/**
 * A keyed charge (its id comes from an Idempotency-Key, see keyedChargeId) leaves `charged#<entryId>`
 * with its entry when it is written out, so the same key finds it however much later it is sent
 * again; the condition of every charge refuses an id that is pending or remembered here.
 */
const CHARGED_PREFIX = 'charged#';
const chargedAttribute = (entryId: string) => `${CHARGED_PREFIX}${entryId}`;
const isKeyed = (entryId: string) => entryId.startsWith('k');

interface RememberedCharge {
  readonly amount: number;
  readonly at: number;
  readonly balanceAfter: number;
  readonly version: number;
}

/** The entry of a keyed charge this wallet remembers, if it does. */
function rememberedCharge(item: Item | undefined, entryId: string): LedgerEntry | undefined {
  const remembered = item?.[chargedAttribute(entryId)] as RememberedCharge | undefined;
  return remembered ? chargeEntry(remembered, { balance: remembered.balanceAfter, version: remembered.version }) : undefined;
}

/** Remembered keyed charges to forget: those older than the keys are kept, and any past the newest MAX_REMEMBERED_KEYED_CHARGES. */
function forgottenCharges(item: Item | undefined, now: number): string[] {
  const remembered = Object.entries(item ?? {})
    .filter(([name]) => name.startsWith(CHARGED_PREFIX))
    .map(([name, value]) => ({ name, at: (value as RememberedCharge).at }))
    .sort((a, b) => b.at - a.at);
  return remembered.filter((charge, i) => i >= MAX_REMEMBERED_KEYED_CHARGES - 1 || charge.at < now - KEYED_CHARGE_MEMORY_MS).map((charge) => charge.name);
}

/** A charge is written out this long after it landed at the latest, by the next charge of its wallet. */
const STALE_PENDING_MS = 10_000;
const CHARGE_ATTEMPTS = 5;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PendingCharge {
  readonly entryId: string;
  readonly entry: LedgerEntry;
}

/** The charges still pending on a balance item, each with its number and balance after. */
function pendingCharges(item: Item | undefined): PendingCharge[] {
  if (!item) return [];
  return Object.keys(item)
    .filter((name) => name.startsWith(PENDING_PREFIX) && !name.slice(PENDING_PREFIX.length).includes('#'))
    .map((name) => {
      const entryId = name.slice(PENDING_PREFIX.length);
      const attributes = pendingAttributes(entryId);
      const data = item[attributes.entry] as { amount: number; at: number };
      const before = { balance: item[attributes.balanceBefore] as number, version: item[attributes.versionBefore] as number };
      return { entryId, entry: chargeEntry(data, { balance: before.balance + data.amount, version: before.version + 1 }) };
    })
    .sort((a, b) => a.entry.version - b.entry.version);
}

export const toWallet = (item: Item | undefined): Wallet =>
  item ? { balance: item.balance as number, version: item.version as number } : EMPTY_WALLET;

const toLedgerEntry = (item: Item): LedgerEntry => ({
  version: item.version as number,
  kind: item.kind as LedgerEntry['kind'],
  amount: item.amount as number,
  balanceAfter: item.balanceAfter as number,
  at: item.at as number,
  ...(item.paymentId !== undefined ? { paymentId: item.paymentId as string } : {}),
});

const ledgerItem = (userId: string, entry: LedgerEntry): Item => ({ ...walletKeys.ledgerEntry(userId, entry.version), ...entry });

export const paymentItem = (payment: Payment, ledgerVersion: number): Item => ({
  ...walletKeys.payment(payment.userId, payment.paymentId),
  ...payment,
  ledgerVersion,
});

const toPayment = (item: Item): Payment => ({
  paymentId: item.paymentId as string,
  userId: item.userId as string,
  concertId: item.concertId as string,
  reservationIds: item.reservationIds as string[],
  amount: item.amount as number,
  balance: item.balance as number,
  paidAt: item.paidAt as number,
});

/**
 * A payment's two wallet writes, as TransactWriteItems entries: the balance item moves from
 * `expected` to the entry's balance only if it is still at `expected.version` and covers the
 * amount, and the ledger entry is written under its number.
 */
export function paymentWalletWrites(tableName: string, userId: string, expected: Wallet, entry: LedgerEntry) {
  return [
    {
      Update: {
        TableName: tableName,
        Key: walletKeys.balance(userId),
        UpdateExpression: 'SET balance = :balance, version = :version, updatedAt = :at',
        ConditionExpression: 'version = :expected AND balance >= :amount',
        ExpressionAttributeValues: {
          ':balance': entry.balanceAfter,
          ':version': entry.version,
          ':at': entry.at,
          ':expected': expected.version,
          ':amount': entry.amount,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: ledgerItem(userId, entry),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

export function createDynamoWalletRepository(client: DynamoDBDocumentClient, tableName: string): WalletRepository {
  /**
   * Writes pending charges out as ledger items, then drops their pending attributes. Safe to run
   * twice or at once: the ledger item is only ever created with the same content. A failure here
   * loses nothing (the charge stays pending and counted), so it is logged, not answered.
   */
  async function writeOut(userId: string, pending: readonly PendingCharge[], item: Item | undefined, now: number): Promise<void> {
    try {
      for (const { entry } of pending) {
        try {
          await client.send(new PutCommand({ TableName: tableName, Item: ledgerItem(userId, entry), ConditionExpression: 'attribute_not_exists(pk)' }));
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
      }
      const keyed = pending.filter(({ entryId }) => isKeyed(entryId));
      const removed = [...pending.flatMap(({ entryId }) => Object.values(pendingAttributes(entryId))), ...(keyed.length > 0 ? forgottenCharges(item, now) : [])];
      const remembered = keyed.map(({ entryId, entry }) => ({
        name: chargedAttribute(entryId),
        value: { amount: entry.amount, at: entry.at, balanceAfter: entry.balanceAfter, version: entry.version } satisfies RememberedCharge,
      }));
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: walletKeys.balance(userId),
          UpdateExpression: [
            ...(remembered.length > 0 ? [`SET ${remembered.map((_, i) => `#c${i} = :c${i}`).join(', ')}`] : []),
            `REMOVE ${removed.map((_, i) => `#p${i}`).join(', ')}`,
          ].join(' '),
          ExpressionAttributeNames: Object.fromEntries([
            ...removed.map((name, i) => [`#p${i}`, name]),
            ...remembered.map(({ name }, i) => [`#c${i}`, name]),
          ]),
          ...(remembered.length > 0 ? { ExpressionAttributeValues: Object.fromEntries(remembered.map(({ value }, i) => [`:c${i}`, value])) } : {}),
        }),
      );
    } catch (error) {
      log.warn('a charge stays pending in its wallet item', { userId, cause: (error as Error).name, causeMessage: (error as Error).message });
    }
  }

  return {
    async findWallet(userId) {
      const result = await client.send(new GetCommand({ TableName: tableName, Key: walletKeys.balance(userId), ConsistentRead: true }));
      return toWallet(result.Item);
    },

    async addCharge(userId, charge): Promise<ChargeResult> {
      const names = pendingAttributes(charge.entryId);
      const charged = chargedAttribute(charge.entryId);
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: walletKeys.balance(userId),
              UpdateExpression:
                'SET #entry = :entry, #balanceBefore = if_not_exists(balance, :zero), #versionBefore = if_not_exists(version, :zero), updatedAt = :at ADD balance :amount, version :one',
              // Applied once per entry: a send the SDK (or the client, with its key) repeats after a lost answer finds its own entry.
              ConditionExpression: 'attribute_not_exists(#entry) AND attribute_not_exists(#charged) AND (attribute_not_exists(balance) OR balance <= :maxBefore)',
              ExpressionAttributeNames: { '#entry': names.entry, '#charged': charged, '#balanceBefore': names.balanceBefore, '#versionBefore': names.versionBefore },
              ExpressionAttributeValues: {
                ':entry': { amount: charge.amount, at: charge.at },
                ':zero': 0,
                ':at': charge.at,
                ':amount': charge.amount,
                ':one': 1,
                ':maxBefore': maxBalanceBeforeCharge(charge.amount),
              },
              ReturnValues: 'ALL_NEW',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          const item = result.Attributes ?? {};
          const entry = chargeEntry(charge, toWallet(item));
          const stale = pendingCharges(item).filter((p) => p.entryId !== charge.entryId && p.entry.at < charge.at - STALE_PENDING_MS);
          await writeOut(userId, [{ entryId: charge.entryId, entry }, ...stale], item, charge.at);
          return { added: true, entry };
        } catch (error) {
          if (isConditionFailure(error)) {
            const current = error.Item ? unmarshall(error.Item) : undefined;
            const applied = pendingCharges(current).find((p) => p.entryId === charge.entryId);
            if (applied) {
              await writeOut(userId, [applied], current, charge.at);
              return { added: true, entry: applied.entry };
            }
            const landedBefore = rememberedCharge(current, charge.entryId);
            if (landedBefore) return { added: true, entry: landedBefore };
            return { added: false, current: toWallet(current) };
          }
          // A payment's transaction holds the item this instant: try again shortly.
          if ((error as Error).name === 'TransactionConflictException' && attempt < CHARGE_ATTEMPTS) {
            await pause(Math.random() * 10 * attempt);
            continue;
          }
          if ((error as Error).name === 'TransactionConflictException') throw new UnavailableError(1, { cause: error });
          throw error;
        }
      }
    },

    async listLedger(userId) {
      const entries: LedgerEntry[] = [];
      let startKey: Item | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :balance AND :ledgerEnd',
            ExpressionAttributeValues: { ':pk': walletKeys.balance(userId).pk, ':balance': BALANCE_SK, ':ledgerEnd': `${LEDGER_PREFIX}\uffff` },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          if (item.sk === BALANCE_SK) entries.push(...pendingCharges(item).map((p) => p.entry));
          else if (String(item.sk).startsWith(LEDGER_PREFIX)) entries.push(toLedgerEntry(item));
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      // A pending charge may also be written out already, between the two reads of one page.
      const byVersion = new Map(entries.map((entry) => [entry.version, entry]));
      return [...byVersion.values()].sort((a, b) => a.version - b.version);
    },

    async listPayments(userId, { limit, after }): Promise<PaymentPage> {
      // One more than asked: whether another page follows is known without an empty last page.
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :payment)',
          ExpressionAttributeValues: { ':pk': walletKeys.balance(userId).pk, ':payment': PAYMENT_PREFIX },
          ScanIndexForward: false,
          Limit: limit + 1,
          ConsistentRead: true,
          ...(after ? { ExclusiveStartKey: walletKeys.payment(userId, after) } : {}),
        }),
      );
      const payments = (page.Items ?? []).map(toPayment);
      if (payments.length <= limit) return { payments };
      const shown = payments.slice(0, limit);
      return { payments: shown, nextAfter: shown[shown.length - 1].paymentId };
    },
  };
}
