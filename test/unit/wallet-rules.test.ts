import fc from 'fast-check';
import { IN_FLIGHT_WAITS_MS, isReplayableStatus, isValidIdempotencyKey } from '../../functions/idempotency/idempotency-key';
import { decodePaymentCursor, encodePaymentCursor } from '../../functions/wallet/list-payments';
import {
  judgeRefusal,
  mostUsefulFailure,
  PAYMENT_FAILURE_PRECEDENCE,
  paymentTotal,
  reservationFailure,
  toPaymentView,
  type PaymentRefusal,
} from '../../functions/wallet/payment';
import {
  chargeEntry,
  MAX_BALANCE,
  maxBalanceBeforeCharge,
  paymentEntry,
  replayLedger,
  retryDelayMs,
} from '../../functions/wallet/wallet-rules';

describe('ledger entries', () => {
  test('a charge entry carries the number and balance the increment answered', () => {
    expect(chargeEntry({ amount: 1_000, at: 5 }, { balance: 3_000, version: 4 })).toEqual({
      version: 4,
      kind: 'CHARGE',
      amount: 1_000,
      balanceAfter: 3_000,
      at: 5,
    });
  });

  test('a payment entry follows the wallet it was computed from', () => {
    expect(paymentEntry({ balance: 10_000, version: 2 }, 4_000, 7, 'P1')).toEqual({
      version: 3,
      kind: 'PAYMENT',
      amount: 4_000,
      balanceAfter: 6_000,
      at: 7,
      paymentId: 'P1',
    });
  });

  test('a charge may bring the balance to the limit exactly, not past it', () => {
    expect(maxBalanceBeforeCharge(1)).toBe(MAX_BALANCE - 1);
    expect(maxBalanceBeforeCharge(10_000_000) + 10_000_000).toBe(MAX_BALANCE);
  });

  test('replaying a ledger: charges minus payments', () => {
    expect(replayLedger([])).toBe(0);
    expect(
      replayLedger([
        { kind: 'CHARGE', amount: 5_000 },
        { kind: 'PAYMENT', amount: 3_000 },
        { kind: 'CHARGE', amount: 1 },
      ]),
    ).toBe(2_001);
  });

  test('retry delays stay within [0, min(cap, base × 2^attempt))', () => {
    fc.assert(
      fc.property(fc.nat(30), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, random) => {
        const delay = retryDelayMs(attempt, random, 5, 200);
        return Number.isInteger(delay) && delay >= 0 && delay < Math.min(200, 5 * 2 ** attempt) + 1;
      }),
    );
    expect(retryDelayMs(0, 0.5)).toBe(2);
    expect(retryDelayMs(20, 0.5)).toBe(100);
  });
});

describe('payments', () => {
  test('the total is the sum of the prices', () => {
    expect(paymentTotal([{ price: 165_000 }, { price: 132_000 }])).toBe(297_000);
  });

  test('the view is the contract body, times as ISO strings', () => {
    const view = toPaymentView({
      paymentId: 'P',
      userId: 'u',
      concertId: 'c',
      reservationIds: ['R'],
      amount: 5,
      balance: 6,
      paidAt: Date.UTC(2026, 11, 24, 19),
    });
    expect(view).toEqual({ paymentId: 'P', reservationIds: ['R'], amount: 5, balance: 6, paidAt: '2026-12-24T19:00:00.000Z' });
  });

  test('why a reservation could not be paid', () => {
    const now = 1_000;
    expect(reservationFailure(undefined, 'c', now)).toBe('NOT_FOUND');
    expect(reservationFailure({ concertId: 'other', status: 'HELD', expiresAt: 2_000 }, 'c', now)).toBe('NOT_FOUND');
    expect(reservationFailure({ concertId: 'c', status: 'PAID', expiresAt: 2_000 }, 'c', now)).toBe('ALREADY_PAID');
    expect(reservationFailure({ concertId: 'c', status: 'PAID', expiresAt: 500 }, 'c', now)).toBe('ALREADY_PAID');
    expect(reservationFailure({ concertId: 'c', status: 'HELD', expiresAt: 1_000 }, 'c', now)).toBe('RESERVATION_EXPIRED');
    expect(reservationFailure({ concertId: 'c', status: 'HELD', expiresAt: 1_001 }, 'c', now)).toBeUndefined();
    // Released by its holder: the hold has ended, however long it had left.
    expect(reservationFailure({ concertId: 'c', status: 'RELEASED', expiresAt: 2_000 }, 'c', now)).toBe('RESERVATION_EXPIRED');
  });

  test('the most useful failure wins, in the documented order', () => {
    expect(PAYMENT_FAILURE_PRECEDENCE).toEqual([
      'NOT_FOUND',
      'ALREADY_PAID',
      'RESERVATION_EXPIRED',
      'QUEUE_TOKEN_NOT_ACTIVE',
      'INSUFFICIENT_BALANCE',
    ]);
    expect(mostUsefulFailure([])).toBeUndefined();
    expect(mostUsefulFailure(['INSUFFICIENT_BALANCE', 'QUEUE_TOKEN_NOT_ACTIVE', 'ALREADY_PAID'])).toBe('ALREADY_PAID');
    fc.assert(
      fc.property(fc.shuffledSubarray([...PAYMENT_FAILURE_PRECEDENCE], { minLength: 1 }), (failures) => {
        return mostUsefulFailure(failures) === PAYMENT_FAILURE_PRECEDENCE.find((f) => failures.includes(f));
      }),
    );
  });

  describe('reading a refused payment transaction', () => {
    const plan = { concertId: 'c', amount: 10_000, walletVersion: 3, now: 1_000 };
    const nothing: PaymentRefusal = { reservations: [], holdEnded: false, tokenNotActive: false, entryTaken: false };

    test('a racing payment that won: ALREADY_PAID, though the token is spent and the wallet moved too', () => {
      const verdict = judgeRefusal(
        {
          ...nothing,
          reservations: [{ reservationId: 'R', current: { concertId: 'c', status: 'PAID', expiresAt: 2_000 } }],
          holdEnded: true,
          tokenNotActive: true,
          wallet: { current: { balance: 0, version: 4 } },
          entryTaken: true,
        },
        plan,
      );
      expect(mostUsefulFailure(verdict.failures)).toBe('ALREADY_PAID');
      expect(verdict.retryWith).toBeUndefined();
    });

    test('the wallet unchanged and short: INSUFFICIENT_BALANCE', () => {
      const verdict = judgeRefusal({ ...nothing, wallet: { current: { balance: 9_999, version: 3 } } }, plan);
      expect(verdict.failures).toEqual(['INSUFFICIENT_BALANCE']);
    });

    test('the wallet moved on and nothing else failed: retry with the wallet the refusal reported', () => {
      const verdict = judgeRefusal({ ...nothing, wallet: { current: { balance: 5_000, version: 5 } }, entryTaken: true }, plan);
      expect(verdict).toEqual({ failures: [], retryWith: { balance: 5_000, version: 5 } });
    });

    test('a seat or slot no longer held: RESERVATION_EXPIRED; the token: QUEUE_TOKEN_NOT_ACTIVE', () => {
      expect(judgeRefusal({ ...nothing, holdEnded: true }, plan).failures).toEqual(['RESERVATION_EXPIRED']);
      expect(judgeRefusal({ ...nothing, tokenNotActive: true }, plan).failures).toEqual(['QUEUE_TOKEN_NOT_ACTIVE']);
    });

    test('a reservation refused although it reads payable (its price changed): retry', () => {
      const verdict = judgeRefusal(
        { ...nothing, reservations: [{ reservationId: 'R', current: { concertId: 'c', status: 'HELD', expiresAt: 5_000 } }] },
        plan,
      );
      expect(verdict).toEqual({ failures: [] });
    });
  });
});

describe('Idempotency-Key', () => {
  test('1-128 printable ASCII characters', () => {
    expect(isValidIdempotencyKey('a')).toBe(true);
    expect(isValidIdempotencyKey('x'.repeat(128))).toBe(true);
    expect(isValidIdempotencyKey(' ~')).toBe(true);
    expect(isValidIdempotencyKey('')).toBe(false);
    expect(isValidIdempotencyKey('x'.repeat(129))).toBe(false);
    expect(isValidIdempotencyKey('caf\u00e9')).toBe(false);
    expect(isValidIdempotencyKey('tab\there')).toBe(false);
    expect(isValidIdempotencyKey('\u007f')).toBe(false);
  });

  test('only successes are kept for replay', () => {
    expect([200, 201, 204, 299].map(isReplayableStatus)).toEqual([true, true, true, true]);
    expect([400, 403, 404, 409, 429, 500, 503].map(isReplayableStatus)).toEqual(Array(7).fill(false));
  });

  test('a request waits a second or two at most for another with its key, then is told to retry', () => {
    const total = IN_FLIGHT_WAITS_MS.reduce((sum, ms) => sum + ms, 0);
    expect(total).toBeGreaterThanOrEqual(1_000);
    expect(total).toBeLessThanOrEqual(2_000);
  });
});

describe('payment cursors', () => {
  test('round trip, and anything else is a 400', () => {
    const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    expect(decodePaymentCursor(encodePaymentCursor(id))).toBe(id);
    for (const bad of [
      '',
      'nope',
      Buffer.from('r:01ARZ3NDEKTSV4RRFFQ69G5FAV').toString('base64url'),
      Buffer.from('p:../../etc').toString('base64url'),
      'p:01ARZ3NDEKTSV4RRFFQ69G5FAV',
    ]) {
      expect(() => decodePaymentCursor(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
    }
  });
});
