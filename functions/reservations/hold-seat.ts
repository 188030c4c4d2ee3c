import { AppError, notFound, UnavailableError } from '../shared/errors';
import { decideHold, holdExpiresAt } from './hold-rules';
import { toReservationView, type Reservation, type ReservationView } from './reservation';
import type { ReservationDeps } from './reservation-deps';

export interface HoldSeatInput {
  readonly userId: string;
  readonly concertId: string;
  readonly scheduleId: string;
  readonly seatNumber: number;
}

/** Transactions lost to a concurrent one on the same items are tried again this often, then 503. */
const MAX_ATTEMPTS = 6;

const seatUnavailable = (reason: string) => new AppError('SEAT_UNAVAILABLE', reason);
const limitReached = () =>
  new AppError('HOLD_LIMIT_REACHED', 'you already hold 4 seats of this date; pay for them or let a hold end first');

/**
 * Holds a seat for HOLD_SECONDS. The seat and the user's hold slots are read first (alongside
 * the queue token check) to answer at once when the hold cannot succeed; the hold itself is one
 * transaction whose conditions decide: at most one live hold per seat, at most 4 per user and date.
 * `activeCheck` is awaited before anything is written.
 */
export async function holdSeat(deps: ReservationDeps, input: HoldSeatInput, activeCheck: () => Promise<unknown>): Promise<ReservationView> {
  const read = () => {
    const state = Promise.all([
      deps.catalogue.findSeat(input.scheduleId, input.seatNumber),
      deps.reservations.findHoldSlots(input.userId, input.scheduleId),
    ]);
    state.catch(() => undefined); // awaited below; a failed token check must not leave it unobserved
    return state;
  };
  let state = read();
  await activeCheck();

  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const [seat, slots] = await state;
    if (!seat || seat.concertId !== input.concertId) throw notFound('seat');
    const now = deps.now();
    const decision = decideHold(seat, slots, now);
    if (decision.kind === 'seatUnavailable') {
      throw seatUnavailable(decision.reason === 'datePassed' ? 'this date has passed' : 'this seat is held or sold');
    }
    if (decision.kind === 'limitReached') throw limitReached();

    const reservation: Reservation = {
      reservationId: deps.newReservationId(),
      userId: input.userId,
      concertId: seat.concertId,
      scheduleId: seat.scheduleId,
      date: seat.date,
      seatNumber: seat.seatNumber,
      price: seat.price,
      status: 'HELD',
      expiresAt: holdExpiresAt(now, deps.settings.holdSeconds),
      createdAt: now,
    };
    // Concurrent holds of one user pick different free slots more often than not.
    const slot = decision.freeSlots[Math.floor(Math.random() * decision.freeSlots.length)];
    const outcome = await deps.reservations.hold(reservation, slot, now);
    switch (outcome) {
      case 'held':
        return toReservationView(reservation, now);
      case 'seatMissing':
        throw notFound('seat');
      case 'seatTaken':
        throw seatUnavailable('this seat is held or sold');
      case 'slotTaken':
        // Another hold of this user took that slot just now; a free one may remain.
        state = read();
        break;
      case 'conflict':
        await deps.pause(Math.random() * 20 * attempt);
        state = read();
        break;
    }
  }
  throw new UnavailableError(1);
}
