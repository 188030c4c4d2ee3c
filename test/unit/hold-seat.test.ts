import type { Seat } from '../../functions/catalogue/seat';
import { holdSeat } from '../../functions/reservations/hold-seat';
import { decodeCursor, encodeCursor } from '../../functions/reservations/list-reservations';
import type { Reservation } from '../../functions/reservations/reservation';
import type { ReservationDeps } from '../../functions/reservations/reservation-deps';
import type { HoldSlot } from '../../functions/reservations/reservation';
import type { HoldOutcome, ReservationRepository } from '../../functions/reservations/reservation-repository';
import { AppError, UnavailableError } from '../../functions/shared/errors';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const SEAT: Seat = { concertId: 'aurora-live', scheduleId: 'aurora-live-1', date: '2026-12-24', seatNumber: 3, price: 165_000, status: 'AVAILABLE' };
const INPUT = { userId: 'alice', concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 3 };

/** A reservation repository whose hold answers with the given outcomes in turn. */
function fakeDeps(options: { seat?: Seat; slots?: HoldSlot[][]; outcomes: HoldOutcome[] }) {
  const holds: Array<{ reservation: Reservation; slot: number }> = [];
  const slotReads = [...(options.slots ?? [[]])];
  const outcomes = [...options.outcomes];
  const reservations: ReservationRepository = {
    findHoldSlots: async () => (slotReads.length > 1 ? slotReads.shift()! : slotReads[0]),
    hold: async (reservation, slot) => {
      holds.push({ reservation, slot });
      return outcomes.shift() ?? 'conflict';
    },
    listReservations: async () => ({ reservations: [] }),
  };
  let id = 0;
  const deps: ReservationDeps = {
    reservations,
    catalogue: { findSeat: async () => ('seat' in options ? options.seat : SEAT) },
    settings: { holdSeconds: 300 },
    now: () => NOW,
    newReservationId: () => `01JD00000000000000000000${String(++id).padStart(2, '0')}`,
    pause: async () => undefined,
  };
  return { deps, holds };
}

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'no error',
    (error: unknown) => (error instanceof AppError ? error.code : error instanceof UnavailableError ? 'UNAVAILABLE' : String(error)),
  );
const active = async () => undefined;

describe('holdSeat', () => {
  test('writes one reservation for HOLD_SECONDS with the price and date of the seat', async () => {
    const { deps, holds } = fakeDeps({ outcomes: ['held'] });
    const view = await holdSeat(deps, INPUT, active);
    expect(view).toEqual({
      reservationId: '01JD0000000000000000000001',
      concertId: 'aurora-live',
      scheduleId: 'aurora-live-1',
      date: '2026-12-24',
      seatNumber: 3,
      price: 165_000,
      status: 'HELD',
      expiresAt: '2026-12-01T10:05:00.000Z',
      createdAt: '2026-12-01T10:00:00.000Z',
    });
    expect(holds).toHaveLength(1);
    expect(holds[0].reservation).toMatchObject({ userId: 'alice', status: 'HELD', expiresAt: NOW + 300_000 });
  });

  test('writes nothing when the queue token check fails, even if the reads succeed', async () => {
    const { deps, holds } = fakeDeps({ outcomes: ['held'] });
    const refused = async () => {
      throw new AppError('QUEUE_TOKEN_NOT_ACTIVE', 'expired');
    };
    expect(await codeOf(holdSeat(deps, INPUT, refused))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    expect(holds).toHaveLength(0);
  });

  test('404 for a missing seat or a seat of another concert, without a write', async () => {
    const missing = fakeDeps({ seat: undefined, outcomes: [] });
    expect(await codeOf(holdSeat(missing.deps, INPUT, active))).toBe('NOT_FOUND');
    const elsewhere = fakeDeps({ seat: { ...SEAT, concertId: 'neon-harbor' }, outcomes: [] });
    expect(await codeOf(holdSeat(elsewhere.deps, INPUT, active))).toBe('NOT_FOUND');
    expect([...missing.holds, ...elsewhere.holds]).toHaveLength(0);
  });

  test('a seat seen held or sold, or 4 live slots, is answered without a write', async () => {
    const held = fakeDeps({ seat: { ...SEAT, status: 'HELD', holdExpiresAt: NOW + 1 }, outcomes: [] });
    expect(await codeOf(holdSeat(held.deps, INPUT, active))).toBe('SEAT_UNAVAILABLE');
    const full = fakeDeps({ slots: [[1, 2, 3, 4].map((slot) => ({ slot, reservationId: 'r', expiresAt: NOW + 1 }))], outcomes: [] });
    expect(await codeOf(holdSeat(full.deps, INPUT, active))).toBe('HOLD_LIMIT_REACHED');
    expect([...held.holds, ...full.holds]).toHaveLength(0);
  });

  test('the transaction decides: seat condition → SEAT_UNAVAILABLE, seat gone → NOT_FOUND', async () => {
    expect(await codeOf(holdSeat(fakeDeps({ outcomes: ['seatTaken'] }).deps, INPUT, active))).toBe('SEAT_UNAVAILABLE');
    expect(await codeOf(holdSeat(fakeDeps({ outcomes: ['seatMissing'] }).deps, INPUT, active))).toBe('NOT_FOUND');
  });

  test('a slot taken meanwhile is retried with a slot still free; none free → HOLD_LIMIT_REACHED', async () => {
    const live = (slot: number) => ({ slot, reservationId: `r${slot}`, expiresAt: NOW + 1 });
    const retried = fakeDeps({ slots: [[live(1), live(2)], [live(1), live(2), live(3)]], outcomes: ['slotTaken', 'held'] });
    await holdSeat(retried.deps, INPUT, active);
    expect(retried.holds.map((hold) => hold.slot)[1]).toBe(4);

    const exhausted = fakeDeps({ slots: [[live(1), live(2), live(3)], [1, 2, 3, 4].map(live)], outcomes: ['slotTaken'] });
    expect(await codeOf(holdSeat(exhausted.deps, INPUT, active))).toBe('HOLD_LIMIT_REACHED');
    expect(exhausted.holds).toHaveLength(1);
  });

  test('conflicts are retried a few times with fresh ids, then 503', async () => {
    const recovered = fakeDeps({ outcomes: ['conflict', 'conflict', 'held'] });
    await holdSeat(recovered.deps, INPUT, active);
    expect(new Set(recovered.holds.map((hold) => hold.reservation.reservationId)).size).toBe(3);

    const busy = fakeDeps({ outcomes: [] });
    expect(await codeOf(holdSeat(busy.deps, INPUT, active))).toBe('UNAVAILABLE');
    expect(busy.holds).toHaveLength(6);
  });
});

describe('the reservations cursor', () => {
  test('round-trips a reservation id and refuses anything else', () => {
    expect(decodeCursor(encodeCursor('01JD0000000000000000000001'))).toBe('01JD0000000000000000000001');
    for (const bad of ['', 'abc', encodeCursor('not-a-ulid'), Buffer.from('01JD0000000000000000000001').toString('base64url'), 'a+b/c=']) {
      expect(() => decodeCursor(bad)).toThrow(AppError);
    }
  });
});
