import { seatStatusAt, type Seat } from '../../functions/catalogue/seat';
import { isCalendarDate, repeatedIndexes } from '../../functions/catalogue/concert-rules';
import { CLAIM_MS, claimExpiresAt, decideHold, freeHoldSlots, holdExpiresAt } from '../../functions/reservations/hold-rules';
import { decideRelease, reservationStatusAt, toReservationView, type Reservation } from '../../functions/reservations/reservation';
import type { HoldSlot } from '../../functions/reservations/reservation';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const seat = (fields: Partial<Seat> = {}): Pick<Seat, 'status' | 'holdExpiresAt' | 'date'> => ({
  status: 'AVAILABLE',
  date: '2026-12-24',
  ...fields,
});
const slot = (n: number, expiresAt: number): HoldSlot => ({ slot: n, reservationId: `r${n}`, expiresAt });

describe('a seat hold', () => {
  test('an available seat can be held, into any of the 4 slots', () => {
    expect(decideHold(seat(), [], NOW)).toEqual({ kind: 'hold', freeSlots: [1, 2, 3, 4] });
  });

  test('a seat held until later is unavailable, to everyone', () => {
    expect(decideHold(seat({ status: 'HELD', holdExpiresAt: NOW + 1 }), [], NOW)).toEqual({ kind: 'seatUnavailable', reason: 'held' });
  });

  test('a hold that ended is available again from the instant it ends', () => {
    const held = seat({ status: 'HELD', holdExpiresAt: NOW });
    expect(decideHold(held, [], NOW - 1).kind).toBe('seatUnavailable');
    expect(decideHold(held, [], NOW)).toEqual({ kind: 'hold', freeSlots: [1, 2, 3, 4] });
    expect(seatStatusAt(held, NOW - 1)).toBe('HELD');
    expect(seatStatusAt(held, NOW)).toBe('AVAILABLE');
  });

  test('a sold seat is never available, whatever its old hold says', () => {
    expect(decideHold(seat({ status: 'SOLD', holdExpiresAt: NOW - 1000 }), [], NOW)).toEqual({ kind: 'seatUnavailable', reason: 'sold' });
    expect(seatStatusAt({ status: 'SOLD', holdExpiresAt: NOW - 1000 }, NOW)).toBe('SOLD');
  });

  test('a HELD seat without an end reads AVAILABLE rather than held forever', () => {
    expect(seatStatusAt({ status: 'HELD' }, NOW)).toBe('AVAILABLE');
  });

  test('4 live holds on a date reach the limit; a hold that ended frees its slot', () => {
    const four = [slot(1, NOW + 1), slot(2, NOW + 1), slot(3, NOW + 1), slot(4, NOW + 1)];
    expect(decideHold(seat(), four, NOW)).toEqual({ kind: 'limitReached' });
    expect(decideHold(seat(), [...four.slice(0, 3), slot(4, NOW)], NOW)).toEqual({ kind: 'hold', freeSlots: [4] });
    expect(freeHoldSlots([slot(2, NOW + 1)], NOW)).toEqual([1, 3, 4]);
  });

  test('an unavailable seat is reported before the limit', () => {
    const four = [1, 2, 3, 4].map((n) => slot(n, NOW + 1));
    expect(decideHold(seat({ status: 'SOLD' }), four, NOW).kind).toBe('seatUnavailable');
  });

  test('a date before today cannot be held', () => {
    expect(decideHold(seat({ date: '2026-11-30' }), [], NOW)).toEqual({ kind: 'seatUnavailable', reason: 'datePassed' });
    expect(decideHold(seat({ date: '2026-12-01' }), [], NOW).kind).toBe('hold');
  });

  test('a hold lasts HOLD_SECONDS', () => {
    expect(holdExpiresAt(NOW, 300)).toBe(NOW + 300_000);
  });

  test('a claim (a race won, its hold not yet written) keeps the seat from everyone, shown HELD, until it lapses seconds later', () => {
    expect(claimExpiresAt(NOW)).toBe(NOW + CLAIM_MS);
    expect(CLAIM_MS).toBeGreaterThan(0);
    expect(CLAIM_MS).toBeLessThanOrEqual(10_000);
    const claimed = seat({ status: 'CLAIMED', holdExpiresAt: claimExpiresAt(NOW) });
    expect(decideHold(claimed, [], NOW)).toEqual({ kind: 'seatUnavailable', reason: 'held' });
    expect(seatStatusAt(claimed, NOW + CLAIM_MS - 1)).toBe('HELD');
    expect(seatStatusAt(claimed, NOW + CLAIM_MS)).toBe('AVAILABLE');
    expect(decideHold(claimed, [], NOW + CLAIM_MS)).toEqual({ kind: 'hold', freeSlots: [1, 2, 3, 4] });
    expect(seatStatusAt({ status: 'CLAIMED' }, NOW)).toBe('AVAILABLE');
  });
});

describe('a reservation', () => {
  const reservation: Reservation = {
    reservationId: '01JD0000000000000000000000',
    userId: 'alice',
    concertId: 'aurora-live',
    scheduleId: 'aurora-live-1',
    date: '2026-12-24',
    seatNumber: 3,
    price: 165_000,
    status: 'HELD',
    expiresAt: NOW + 300_000,
    createdAt: NOW,
  };

  test('reads EXPIRED from the instant a hold ends unpaid; PAID stays PAID', () => {
    expect(reservationStatusAt(reservation, NOW + 299_999)).toBe('HELD');
    expect(reservationStatusAt(reservation, NOW + 300_000)).toBe('EXPIRED');
    expect(reservationStatusAt({ ...reservation, status: 'PAID' }, NOW + 300_000)).toBe('PAID');
  });

  test("its contract view has exactly the contract's fields, times in ISO-8601", () => {
    expect(toReservationView({ ...reservation, paymentId: 'p1' }, NOW)).toEqual({
      reservationId: '01JD0000000000000000000000',
      concertId: 'aurora-live',
      scheduleId: 'aurora-live-1',
      date: '2026-12-24',
      seatNumber: 3,
      price: 165_000,
      status: 'HELD',
      expiresAt: '2026-12-01T10:05:00.000Z',
      createdAt: '2026-12-01T10:00:00.000Z',
    });
  });
});

describe('concert rules', () => {
  test.each(['2026-12-24', '2028-02-29', '2000-02-29', '0001-01-01'])('%s is a calendar date', (date) => {
    expect(isCalendarDate(date)).toBe(true);
  });

  test.each([
    '2026-02-29',
    '1900-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-1-01',
    '26-01-01',
    '2026-01-01T00:00:00Z',
    '0000-01-01',
    '',
  ])('%s is not', (date) => {
    expect(isCalendarDate(date)).toBe(false);
  });

  test('repeated values are found at every occurrence after the first', () => {
    expect(repeatedIndexes([1, 2, 1, 3, 2, 1])).toEqual([2, 4, 5]);
    expect(repeatedIndexes([])).toEqual([]);
  });
});

describe('releasing a reservation', () => {
  test('a live hold is released; a released one is answered again; a paid or ended one refuses', () => {
    expect(decideRelease({ status: 'HELD', expiresAt: NOW + 1 }, NOW)).toBe('release');
    expect(decideRelease({ status: 'HELD', expiresAt: NOW }, NOW)).toBe('ended');
    expect(decideRelease({ status: 'RELEASED', expiresAt: NOW + 1 }, NOW)).toBe('released');
    expect(decideRelease({ status: 'RELEASED', expiresAt: NOW - 1 }, NOW)).toBe('released');
    expect(decideRelease({ status: 'PAID', expiresAt: NOW - 1 }, NOW)).toBe('paid');
  });

  test('a released reservation reads RELEASED, before and after its expiresAt', () => {
    expect(reservationStatusAt({ status: 'RELEASED', expiresAt: NOW + 1 }, NOW)).toBe('RELEASED');
    expect(reservationStatusAt({ status: 'RELEASED', expiresAt: NOW - 1 }, NOW)).toBe('RELEASED');
  });
});
