import type { Item, TransactItem } from '../shared/dynamodb-item';
import { TTL_ATTRIBUTE } from '../shared/tables';
import type { KeyedPayment, Payment, PaymentKey } from './payment';
import {
  chargeEntry,
  EMPTY_WALLET,
  KEYED_CHARGE_MEMORY_MS,
  MAX_REMEMBERED_KEYED_CHARGES,
  type LedgerEntry,
  type Wallet,
} from './wallet-rules';

/**
 * Items of the wallet table, all in the user's partition `USER#<userId>`:
 * - `BALANCE`                     balance, version (the number of the last ledger entry), updatedAt,
 *                                 and the charges whose ledger entry is still being written (below)
 * - `LEDGER#<version, 12 digits>` one entry: kind CHARGE|PAYMENT, amount, balanceAfter, at, paymentId?
 *                                 (a payment's, and a charge's as the ledger writer wrote them before pages)
 * - `LEDGER#<first>-<last>`       a ledger page: `entries`, the charges numbered first..last that the
 *                                 ledger writer wrote out together (versions of 12 digits; see ledgerPageItems)
 * - `PAYMENT#<paymentId>`         a payment (ULID ids: a descending query is newest first)
 * - `PAYKEY#<hash of the key>`    a payment sent with an Idempotency-Key: the request's hash and the
 *                                 payment, written in the payment's own transaction, so a retry with
 *                                 the key finds what landed although the idempotency store never
 *                                 heard of it (and the queue token is spent)
 *
 * Every balance change takes the next version, so the ledger has no gaps and no two entries share
 * a number, and replaying it gives the balance:
 * - a payment's transaction requires the balance item still at the version it read, and writes
 *   the ledger entry alongside;
 * - a charge is one atomic increment (ADD balance and version, on condition of the limit) that
 *   also leaves, in the same write, `pending#<entryId>` with the entry and the balance and version
 *   it met (and that is applied once per entry id, however often the SDK resends it). Its answer
 *   gives the exact number and balance after, and that one write is the whole charge on the
 *   request path. The ledger writer (functions/jobs/ledger-writer.ts, fed by the table's stream)
 *   then writes the wallet's pending charges as one ledger page and removes the pending attributes;
 *   until it has, listLedger counts the charges from them, so the ledger replays to the balance at
 *   every read. Pages written from different reads may overlap: a version is one entry wherever it
 *   is found, so readers keep each version once.
 */
export const WALLET_USER_PREFIX = 'USER#';
export const BALANCE_SK = 'BALANCE';
export const LEDGER_PREFIX = 'LEDGER#';
export const PAYMENT_PREFIX = 'PAYMENT#';
export const PAYMENT_KEY_PREFIX = 'PAYKEY#';

const ledgerNumber = (version: number) => String(version).padStart(12, '0');

export const walletKeys = {
  balance: (userId: string) => ({ pk: `${WALLET_USER_PREFIX}${userId}`, sk: BALANCE_SK }),
  ledgerEntry: (userId: string, version: number) => ({
    pk: `${WALLET_USER_PREFIX}${userId}`,
    sk: `${LEDGER_PREFIX}${ledgerNumber(version)}`,
  }),
  ledgerPage: (userId: string, firstVersion: number, lastVersion: number) => ({
    pk: `${WALLET_USER_PREFIX}${userId}`,
    sk: `${LEDGER_PREFIX}${ledgerNumber(firstVersion)}-${ledgerNumber(lastVersion)}`,
  }),
  payment: (userId: string, paymentId: string) => ({ pk: `${WALLET_USER_PREFIX}${userId}`, sk: `${PAYMENT_PREFIX}${paymentId}` }),
  paymentKey: (userId: string, keyHash: string) => ({ pk: `${WALLET_USER_PREFIX}${userId}`, sk: `${PAYMENT_KEY_PREFIX}${keyHash}` }),
};

const PENDING_PREFIX = 'pending#';
/** The three attributes a charge leaves on the balance item until its ledger item is written. */
export const pendingAttributes = (entryId: string) => ({
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
export const chargedAttribute = (entryId: string) => `${CHARGED_PREFIX}${entryId}`;
export const isKeyed = (entryId: string) => entryId.startsWith('k');

export interface RememberedCharge {
  readonly amount: number;
  readonly at: number;
  readonly balanceAfter: number;
  readonly version: number;
}

/** The entry of a keyed charge this wallet remembers, if it does. */
export function rememberedCharge(item: Item | undefined, entryId: string): LedgerEntry | undefined {
  const remembered = item?.[chargedAttribute(entryId)] as RememberedCharge | undefined;
  return remembered ? chargeEntry(remembered, { balance: remembered.balanceAfter, version: remembered.version }) : undefined;
}

/** Remembered keyed charges to forget: those older than the keys are kept, and any past the newest MAX_REMEMBERED_KEYED_CHARGES. */
export function forgottenCharges(item: Item | undefined, now: number): string[] {
  const remembered = Object.entries(item ?? {})
    .filter(([name]) => name.startsWith(CHARGED_PREFIX))
    .map(([name, value]) => ({ name, at: (value as RememberedCharge).at }))
    .sort((a, b) => b.at - a.at);
  return remembered
    .filter((charge, i) => i >= MAX_REMEMBERED_KEYED_CHARGES - 1 || charge.at < now - KEYED_CHARGE_MEMORY_MS)
    .map((charge) => charge.name);
}

export interface PendingCharge {
  readonly entryId: string;
  readonly entry: LedgerEntry;
}

/** The charges still pending on a balance item, each with its number and balance after. */
export function pendingCharges(item: Item | undefined): PendingCharge[] {
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

export const toLedgerEntry = (item: Item): LedgerEntry => ({
  version: item.version as number,
  kind: item.kind as LedgerEntry['kind'],
  amount: item.amount as number,
  balanceAfter: item.balanceAfter as number,
  at: item.at as number,
  ...(item.paymentId !== undefined ? { paymentId: item.paymentId as string } : {}),
});

export const ledgerItem = (userId: string, entry: LedgerEntry): Item => ({ ...walletKeys.ledgerEntry(userId, entry.version), ...entry });

/** The entries a ledger item holds: a page's, or the one of a single-entry item. */
export const ledgerItemEntries = (item: Item): LedgerEntry[] =>
  Array.isArray(item.entries) ? (item.entries as Item[]).map(toLedgerEntry) : [toLedgerEntry(item)];

/**
 * Entries in one ledger page at most: about 80 bytes each, so a page stays far below DynamoDB's
 * 400 KB an item (and a wallet's balance item, under the same limit, holds fewer pending charges).
 */
export const MAX_LEDGER_PAGE_ENTRIES = 1000;

/**
 * The ledger pages that write out a wallet's pending charges: runs of at most `maxEntries`, in
 * version order, each under the key of its first and last version.
 *
 * The key fixes the content, so a page may be put without a condition, again and again: the
 * pending charges a read finds are always a suffix of the wallet's charges (every charge with a
 * version above some number). A charge leaves the pending set only when a write-out drops it, and a
 * write-out drops the set it read, all the charges pending at that read; so what stays pending is
 * every charge newer than the newest dropped. A page is a run of consecutive pending charges, so it
 * holds every charge numbered first..last (the payments between them have their own items), and
 * each of those entries is fixed by the increment that took its number. Two reads (a batch
 * delivered again, two consumers at once, an older image) may cut different pages that overlap;
 * each is right, and readers keep each version once.
 */
export function ledgerPageItems(userId: string, charges: readonly LedgerEntry[], maxEntries = MAX_LEDGER_PAGE_ENTRIES): Item[] {
  const sorted = [...charges].sort((a, b) => a.version - b.version);
  const pages: Item[] = [];
  for (let start = 0; start < sorted.length; start += maxEntries) {
    const entries = sorted.slice(start, start + maxEntries);
    pages.push({ ...walletKeys.ledgerPage(userId, entries[0].version, entries[entries.length - 1].version), entries });
  }
  return pages;
}

export const paymentItem = (payment: Payment, ledgerVersion: number): Item => ({
  ...walletKeys.payment(payment.userId, payment.paymentId),
  ...payment,
  ledgerVersion,
});

export const toPayment = (item: Item): Payment => ({
  paymentId: item.paymentId as string,
  userId: item.userId as string,
  concertId: item.concertId as string,
  reservationIds: item.reservationIds as string[],
  amount: item.amount as number,
  balance: item.balance as number,
  paidAt: item.paidAt as number,
});

/**
 * The balance a payment debits: it moves from `expected` to the entry's balance only if it is
 * still at `expected.version` and covers the amount. A failed check hands back the wallet.
 */
export function walletDebitUpdate(tableName: string, userId: string, expected: Wallet, entry: LedgerEntry): TransactItem {
  return {
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
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** A ledger entry, written once under its number. */
export function ledgerEntryPut(tableName: string, userId: string, entry: LedgerEntry): TransactItem {
  return { Put: { TableName: tableName, Item: ledgerItem(userId, entry), ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** A payment record, written once. */
export function paymentPut(tableName: string, payment: Payment, ledgerVersion: number): TransactItem {
  return { Put: { TableName: tableName, Item: paymentItem(payment, ledgerVersion), ConditionExpression: 'attribute_not_exists(pk)' } };
}

/**
 * The key of a keyed payment, written once in the payment's transaction: a second payment under
 * the same key (a resent transaction included) is refused and shown the first. A record past its
 * 24 hours may be replaced.
 */
export function paymentKeyPut(tableName: string, payment: Payment, key: PaymentKey, now: number): TransactItem {
  const expiresAt = now + KEYED_CHARGE_MEMORY_MS;
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...walletKeys.paymentKey(payment.userId, key.keyHash),
        requestHash: key.requestHash,
        payment: { ...payment },
        expiresAt,
        [TTL_ATTRIBUTE]: Math.ceil(expiresAt / 1000) + 3600,
      },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':now': now },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** A payment key record as read, or undefined when there is none or it has run out at `now`. */
export function toKeyedPayment(item: Item | undefined, now: number): KeyedPayment | undefined {
  if (!item || (item.expiresAt as number) < now) return undefined;
  return { requestHash: item.requestHash as string, payment: toPayment(item.payment as Item), expiresAt: item.expiresAt as number };
}
