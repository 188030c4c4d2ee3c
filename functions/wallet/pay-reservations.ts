import { batchActiveSeconds } from '../queue/queue-rules';
import type { ActiveQueueToken } from '../queue/require-active-token';
import { AppError, UnavailableError } from '../shared/errors';
import {
  judgeRefusal,
  mostUsefulFailure,
  PAYMENT_FAILURE_MESSAGES,
  paymentTotal,
  toPaymentView,
  type KeyedPayment,
  type Payment,
  type PaymentKey,
  type PaymentView,
} from './payment';
import type { WalletDeps } from './wallet-deps';
import { idempotencyKeyHash, paymentEntry, paymentRequestHash, retryDelayMs, type Wallet } from './wallet-rules';

/** Retries when the wallet moved (a charge landed) or another transaction collided; then 503. */
export const PAYMENT_ATTEMPTS = 8;

export interface PaidReservations {
  readonly payment: PaymentView;
  /**
   * Whether this call's own transaction landed the payment (its answer lost or not), rather than an
   * earlier request with the same Idempotency-Key: a sale to count once.
   */
  readonly landedNow: boolean;
}

/**
 * Pays 1–4 of the user's held reservations of the queue token's concert, all or nothing, in one
 * transaction that checks and writes together: the wallet covers the total and is debited (with
 * its ledger entry), every reservation is the user's, of this concert, HELD and before its
 * expiresAt, every seat is still held by it, the token is still ACTIVE; then seats become SOLD,
 * reservations PAID, the payment is recorded, hold slots are freed and the token is spent.
 *
 * The reads before it only learn what to write (prices, seats, slots, the wallet's version);
 * every check is a condition of the transaction. A refusal names the most useful reason.
 */
export async function payReservations(
  deps: WalletDeps,
  input: { userId: string; reservationIds: readonly string[]; activeToken: () => Promise<ActiveQueueToken>; idempotencyKey?: string },
): Promise<PaidReservations> {
  const { userId, reservationIds } = input;
  const key = input.idempotencyKey === undefined ? undefined : paymentKeyOf(input.idempotencyKey, reservationIds);
  const [payable, firstWallet, token] = await Promise.all([
    deps.payments.findPayable(userId, reservationIds),
    deps.wallet.findWallet(userId),
    input.activeToken(),
  ]);
  // Nothing can be written for a reservation that is not the user's: there is no seat to sell.
  if (payable.length !== reservationIds.length) throw new AppError('NOT_FOUND', PAYMENT_FAILURE_MESSAGES.NOT_FOUND);
  const amount = paymentTotal(payable.map((p) => p.reservation));

  let wallet: Wallet = firstWallet;
  const triedIds = new Set<string>();
  for (let attempt = 0; attempt < PAYMENT_ATTEMPTS; attempt++) {
    const now = deps.now();
    const paymentId = deps.newId();
    triedIds.add(paymentId);
    const entry = paymentEntry(wallet, amount, now, paymentId);
    const payment: Payment = {
      paymentId,
      userId,
      concertId: token.concertId,
      reservationIds: [...reservationIds],
      amount,
      balance: entry.balanceAfter,
      paidAt: now,
    };
    const result = await deps.payments.commitPayment({
      payment,
      expected: wallet,
      entry,
      reservations: payable,
      queueToken: { token: token.token, concertId: token.concertId, userId: token.userId, batch: token.batch },
      now,
      // The batch's own turn length: a later change of the concert's setting does not move it.
      admittedAfter: now - batchActiveSeconds(token.batch, deps.settings.activeSeconds) * 1000,
      ...(key ? { key } : {}),
    });
    if (result.committed) return { payment: toPaymentView(payment), landedNow: true };
    if (result.keyed) return { payment: answerOf(result.keyed, key!), landedNow: triedIds.has(result.keyed.payment.paymentId) };

    let retryWith: Wallet | undefined;
    if (result.refusal) {
      const verdict = judgeRefusal(result.refusal, { concertId: token.concertId, amount, walletVersion: wallet.version, now });
      const failure = mostUsefulFailure(verdict.failures);
      if (failure) throw new AppError(failure, PAYMENT_FAILURE_MESSAGES[failure]);
      retryWith = verdict.retryWith;
    }
    await deps.pause(retryDelayMs(attempt, deps.random()));
    wallet = retryWith ?? (await deps.wallet.findWallet(userId));
  }
  throw new UnavailableError(1);
}

const paymentKeyOf = (idempotencyKey: string, reservationIds: readonly string[]): PaymentKey => ({
  keyHash: idempotencyKeyHash(idempotencyKey),
  requestHash: paymentRequestHash(reservationIds),
});

/** The answer to a key that already paid: that payment, if it was asked for with the same body. */
function answerOf(keyed: KeyedPayment, key: PaymentKey): PaymentView {
  if (keyed.requestHash !== key.requestHash) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different body');
  }
  return toPaymentView(keyed.payment);
}

/**
 * The payment that landed under this Idempotency-Key, read from the record its own transaction
 * wrote: a retry is answered 201 with it although the seats are sold and the queue token spent
 * by that very payment, and whether or not the idempotency store recorded the first answer.
 * Undefined when the key paid nothing (in the last 24 hours); another body is 409.
 */
export async function findLandedPayment(
  deps: Pick<WalletDeps, 'payments' | 'now'>,
  input: { userId: string; reservationIds: readonly string[]; idempotencyKey: string },
): Promise<PaymentView | undefined> {
  const key = paymentKeyOf(input.idempotencyKey, input.reservationIds);
  const keyed = await deps.payments.findKeyedPayment(input.userId, key.keyHash, deps.now());
  return keyed ? answerOf(keyed, key) : undefined;
}
