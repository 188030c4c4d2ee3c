/**
 * A payment: one debit that buys 1–4 held seats of one concert at once. Plain data and the
 * rules that explain a refused payment.
 */
import type { Reservation } from '../reservations/reservation';

/** Reservations paid together at most. */
export const MAX_RESERVATIONS_PER_PAYMENT = 4;

export interface Payment {
  /** A ULID: payments sort by time. */
  readonly paymentId: string;
  readonly userId: string;
  readonly concertId: string;
  readonly reservationIds: readonly string[];
  /** KRW debited. */
  readonly amount: number;
  /** The balance after the debit. */
  readonly balance: number;
  /** Epoch milliseconds. */
  readonly paidAt: number;
}

/** A payment's Idempotency-Key as the wallet keeps it: hashes of the key and of the request's body. */
export interface PaymentKey {
  readonly keyHash: string;
  readonly requestHash: string;
}

/** A payment made under an Idempotency-Key: which request it was, and what it paid. */
export interface KeyedPayment {
  readonly requestHash: string;
  readonly payment: Payment;
  /** Epoch milliseconds: after this the key is free for a new payment (TTL only tidies). */
  readonly expiresAt: number;
}

/** The contract's payment body. */
export interface PaymentView {
  readonly paymentId: string;
  readonly reservationIds: readonly string[];
  readonly amount: number;
  readonly balance: number;
  readonly paidAt: string;
}

export const toPaymentView = (payment: Payment): PaymentView => ({
  paymentId: payment.paymentId,
  reservationIds: payment.reservationIds,
  amount: payment.amount,
  balance: payment.balance,
  paidAt: new Date(payment.paidAt).toISOString(),
});

export const paymentTotal = (reservations: readonly Pick<Reservation, 'price'>[]) =>
  reservations.reduce((sum, reservation) => sum + reservation.price, 0);

/** Why a payment was refused, as the contract's codes. */
export type PaymentFailure = 'NOT_FOUND' | 'ALREADY_PAID' | 'RESERVATION_EXPIRED' | 'QUEUE_TOKEN_NOT_ACTIVE' | 'INSUFFICIENT_BALANCE';

/**
 * When several checks fail at once, the answer names the first of these: the one the client can
 * least fix by trying again. A reservation that is not yours (or not this concert's) is a wrong
 * request; one already paid means the purchase is done; an expired hold must be held again; a
 * spent token means joining the queue again; money only matters once everything else is right.
 * This order also makes racing payments of one reservation answer ALREADY_PAID, as the contract
 * says, although the winner also spent the queue token.
 */
export const PAYMENT_FAILURE_PRECEDENCE: readonly PaymentFailure[] = [
  'NOT_FOUND',
  'ALREADY_PAID',
  'RESERVATION_EXPIRED',
  'QUEUE_TOKEN_NOT_ACTIVE',
  'INSUFFICIENT_BALANCE',
];

export function mostUsefulFailure(failures: readonly PaymentFailure[]): PaymentFailure | undefined {
  return PAYMENT_FAILURE_PRECEDENCE.find((failure) => failures.includes(failure));
}

export const PAYMENT_FAILURE_MESSAGES: Record<PaymentFailure, string> = {
  NOT_FOUND: 'a reservation was not found among your reservations for the concert of this queue token',
  ALREADY_PAID: 'a reservation has already been paid',
  RESERVATION_EXPIRED: 'a hold has ended (run out or released); hold the seat again',
  QUEUE_TOKEN_NOT_ACTIVE: 'this queue token is no longer active; join the queue again',
  INSUFFICIENT_BALANCE: 'the balance does not cover the total; charge it and pay again',
};

/**
 * Why the reservation a payment's condition refused could not be paid, from the item as it was
 * when the transaction was evaluated (undefined: it does not exist). Undefined when it reads as
 * payable, which only a changed price could cause: the caller retries with fresh data.
 */
export function reservationFailure(
  current: Pick<Reservation, 'concertId' | 'status' | 'expiresAt'> | undefined,
  concertId: string,
  now: number,
): PaymentFailure | undefined {
  if (!current || current.concertId !== concertId) return 'NOT_FOUND';
  if (current.status === 'PAID') return 'ALREADY_PAID';
  // Released by its holder: the hold has ended as surely as one that ran out.
  if (current.status === 'RELEASED' || now >= current.expiresAt) return 'RESERVATION_EXPIRED';
  return undefined;
}

/**
 * What a refused payment transaction reported, item by item: which checks failed, and the items
 * as they were when checked. Only the failed checks are listed or true.
 */
export interface PaymentRefusal {
  /** Reservations whose check failed, with the reservation as it was (undefined: it does not exist). */
  readonly reservations: readonly {
    readonly reservationId: string;
    readonly current?: Pick<Reservation, 'concertId' | 'status' | 'expiresAt'>;
  }[];
  /** A seat no longer held by its reservation, or a hold slot no longer naming it: the hold ended. */
  readonly holdEnded: boolean;
  /** The queue token was spent or replaced, or its admission batch ran out of time. */
  readonly tokenNotActive: boolean;
  /** The wallet's check failed; `current` is the wallet as it was. */
  readonly wallet?: { readonly current: { readonly balance: number; readonly version: number } };
  /** The ledger entry or the payment record already existed: another write won the same wallet version. */
  readonly entryTaken: boolean;
}

export interface RefusalVerdict {
  /** What the client must change; empty when nothing it sent is wrong and the payment should be tried again. */
  readonly failures: readonly PaymentFailure[];
  /** On a retry: the wallet as the refused transaction saw it, when it had moved on since it was read. */
  readonly retryWith?: { readonly balance: number; readonly version: number };
}

/**
 * Reads a refusal. Every failed check the client can act on becomes a failure; what remains
 * (the wallet moved on, another write took the ledger entry's number) asks for a retry.
 */
export function judgeRefusal(
  refusal: PaymentRefusal,
  plan: { concertId: string; amount: number; walletVersion: number; now: number },
): RefusalVerdict {
  const failures: PaymentFailure[] = [];
  for (const { current } of refusal.reservations) {
    const failure = reservationFailure(current, plan.concertId, plan.now);
    if (failure) failures.push(failure);
  }
  if (refusal.holdEnded) failures.push('RESERVATION_EXPIRED');
  if (refusal.tokenNotActive) failures.push('QUEUE_TOKEN_NOT_ACTIVE');
  const wallet = refusal.wallet?.current;
  const walletMoved = wallet !== undefined && wallet.version !== plan.walletVersion;
  if (wallet && !walletMoved && wallet.balance < plan.amount) failures.push('INSUFFICIENT_BALANCE');
  return { failures, ...(failures.length === 0 && walletMoved ? { retryWith: wallet } : {}) };
}
