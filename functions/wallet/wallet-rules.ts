/**
 * The wallet's rules, as plain functions. Money is whole KRW. Every change of a balance is one
 * ledger entry numbered by the wallet's version (1, 2, 3, …), carrying the balance after it, so
 * the ledger of a user replays exactly to the balance: charges − payments = balance.
 *
 * A charge is an atomic increment (no read first), so the balance after it and its number are
 * known only once it landed; a payment is a transaction that requires the wallet unchanged since
 * it was read, so both are known before it is sent.
 */

import { createHash } from 'node:crypto';

/** Smallest and largest single charge. */
export const MIN_CHARGE = 1;
export const MAX_CHARGE = 10_000_000;
/** No balance may exceed this. */
export const MAX_BALANCE = 100_000_000;

export interface Wallet {
  readonly balance: number;
  /** How many ledger entries the wallet has: the number of the last one, 0 for a new wallet. */
  readonly version: number;
}

export const EMPTY_WALLET: Wallet = { balance: 0, version: 0 };

export type LedgerKind = 'CHARGE' | 'PAYMENT';

export interface LedgerEntry {
  /** The wallet's version this entry makes: entries are numbered 1, 2, 3, … without gaps. */
  readonly version: number;
  readonly kind: LedgerKind;
  /** Always positive; a PAYMENT takes it off the balance. */
  readonly amount: number;
  readonly balanceAfter: number;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly paymentId?: string;
}

/** A charge of `amount` may land only on a balance at most this high. */
export const maxBalanceBeforeCharge = (amount: number) => MAX_BALANCE - amount;

/** A charge's ledger entry, once the increment has told its number and the balance after it. */
export function chargeEntry(charge: { amount: number; at: number }, after: Wallet): LedgerEntry {
  return { version: after.version, kind: 'CHARGE', amount: charge.amount, balanceAfter: after.balance, at: charge.at };
}

/**
 * The entry a payment of `amount` adds to `wallet`. It is built even when the balance does not
 * cover the amount: the payment transaction's own condition refuses it, alongside every other
 * check, so the refusal names the most useful reason (see `mostUsefulFailure`).
 */
export function paymentEntry(wallet: Wallet, amount: number, at: number, paymentId: string): LedgerEntry {
  return { version: wallet.version + 1, kind: 'PAYMENT', amount, balanceAfter: wallet.balance - amount, at, paymentId };
}

/** The balance a ledger replays to; equal to the wallet's balance at every moment. */
export function replayLedger(entries: readonly Pick<LedgerEntry, 'kind' | 'amount'>[]): number {
  return entries.reduce((sum, entry) => sum + (entry.kind === 'CHARGE' ? entry.amount : -entry.amount), 0);
}

/**
 * How long to wait before retrying a write that lost a race for the same wallet: "full jitter"
 * exponential backoff, so racing writers spread out instead of colliding again in lockstep.
 */
export function retryDelayMs(attempt: number, random: number, baseMs = 5, capMs = 200): number {
  return Math.floor(random * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * The entry id of a charge sent with an Idempotency-Key: the same key always names the same
 * charge, so a retry after an answer that never arrived finds the charge that landed instead of
 * adding another. Keys are the user's own, and so is the wallet item that remembers them.
 */
export function keyedChargeId(idempotencyKey: string): string {
  return `k${idempotencyKeyHash(idempotencyKey)}`;
}

/** An Idempotency-Key as the wallet stores it: a hash, so item keys stay short and printable. */
export function idempotencyKeyHash(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey, 'utf8').digest('base64url').slice(0, 32);
}

/** What a keyed payment asked for, as a hash: the same key with other reservations is another body. */
export function paymentRequestHash(reservationIds: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(reservationIds), 'utf8').digest('base64url');
}

/** How long a wallet remembers that a keyed charge or payment landed: as long as Idempotency-Keys are kept. */
export const KEYED_CHARGE_MEMORY_MS = 24 * 3600 * 1000;
/** At most this many keyed charges are remembered per wallet (the newest), so its item stays small. */
export const MAX_REMEMBERED_KEYED_CHARGES = 200;
