import type { AdmissionBatch } from '../queue/queue-rules';
import type { Reservation } from '../reservations/reservation';
import type { KeyedPayment, Payment, PaymentKey, PaymentRefusal } from './payment';
import type { LedgerEntry, Wallet } from './wallet-rules';

export type ChargeResult =
  /** The charge landed: its ledger entry, with its number and the balance after it. */
  | { readonly added: true; readonly entry: LedgerEntry }
  /** It would have taken the balance past MAX_BALANCE; `current` is the wallet it met. */
  | { readonly added: false; readonly current: Wallet };

export interface PaymentPage {
  readonly payments: readonly Payment[];
  /** The paymentId to continue after, when more payments follow. */
  readonly nextAfter?: string;
}

export interface WalletRepository {
  /** The wallet now (a new user's is EMPTY_WALLET). */
  findWallet(userId: string): Promise<Wallet>;
  /**
   * Adds `amount` to the balance in one atomic increment, unless that would pass MAX_BALANCE,
   * and records its ledger entry. Concurrent charges never refuse each other: each one counts.
   */
  addCharge(userId: string, charge: { readonly entryId: string; readonly amount: number; readonly at: number }): Promise<ChargeResult>;
  /** The entry of a charge with this id that landed, if the wallet still knows it (pending, or a keyed charge remembered). */
  findCharge(userId: string, entryId: string): Promise<LedgerEntry | undefined>;
  /** The whole ledger, oldest first (entries still being written included). */
  listLedger(userId: string): Promise<LedgerEntry[]>;
  /** Payments, newest first, `limit` at most, after the payment `after` when given. */
  listPayments(userId: string, page: { limit: number; after?: string }): Promise<PaymentPage>;
}

/** A reservation to pay, with the hold slot it occupies (undefined when no slot names it any more). */
export interface PayableReservation {
  readonly reservation: Reservation;
  readonly holdSlot?: number;
}

/** Everything one payment transaction checks and writes. */
export interface PaymentPlan {
  readonly payment: Payment;
  /** The wallet as read; the transaction requires it unchanged and covering the amount. */
  readonly expected: Wallet;
  readonly entry: LedgerEntry;
  readonly reservations: readonly PayableReservation[];
  readonly queueToken: { readonly token: string; readonly concertId: string; readonly userId: string; readonly batch: AdmissionBatch };
  /** Epoch milliseconds the checks are made at. */
  readonly now: number;
  /** The token is ACTIVE only if its batch was admitted after this instant (now − ACTIVE_SECONDS). */
  readonly admittedAfter: number;
  /** Sent with an Idempotency-Key: the key's record is written with the payment, once. */
  readonly key?: PaymentKey;
}

export type PaymentCommit =
  | { readonly committed: true }
  /** Another transaction touched the same items at the same moment; nothing was checked. */
  | { readonly committed: false; readonly refusal?: undefined; readonly keyed?: undefined }
  | { readonly committed: false; readonly refusal: PaymentRefusal; readonly keyed?: undefined }
  /** The plan's Idempotency-Key already paid (this same transaction resent, or an earlier request): what it paid. */
  | { readonly committed: false; readonly refusal?: undefined; readonly keyed: KeyedPayment };

export interface PaymentRepository {
  /** The user's reservations among these ids, with their hold slots; ids that are not the user's are left out. */
  findPayable(userId: string, reservationIds: readonly string[]): Promise<PayableReservation[]>;
  /**
   * One transaction: every check of the plan as a condition, and every write. All or nothing.
   */
  commitPayment(plan: PaymentPlan): Promise<PaymentCommit>;
  /** The payment made under this Idempotency-Key (its hash), if one was, in the last 24 hours. */
  findKeyedPayment(userId: string, keyHash: string, now: number): Promise<KeyedPayment | undefined>;
}
