import { AppError, notFound, UnavailableError } from '../shared/errors';
import { decideRelease, toReservationView, type Reservation, type ReservationView } from './reservation';
import type { ReservationDeps } from './reservation-deps';

/** A release that collided with another transaction on the same items is tried again this often, then 503. */
const MAX_ATTEMPTS = 6;

/**
 * The user gives a live hold back: one transaction turns the reservation RELEASED, puts the seat back
 * on sale (AVAILABLE) and frees the user's hold slot, each on the condition that it is still as the
 * hold left it. So of a release and a payment racing for one reservation exactly one lands, and of
 * releases racing, one; the others are answered from the reservation as the winner left it:
 * - already RELEASED: 200 with it, so a retried DELETE gets the answer its first try got;
 * - PAID: 409 ALREADY_PAID; ended (expiresAt passed): 409 RESERVATION_EXPIRED;
 * - another user's, or none: 404, as if it did not exist.
 */
export async function releaseReservation(
  deps: Pick<ReservationDeps, 'reservations' | 'now' | 'pause' | 'holdSlotHints'>,
  input: { userId: string; reservationId: string },
): Promise<ReservationView> {
  const found = await deps.reservations.findReservation(input.userId, input.reservationId);
  if (!found) throw notFound('reservation');
  let reservation: Reservation = found.reservation;
  let slot = found.holdSlot;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const now = deps.now();
    switch (decideRelease(reservation, now)) {
      case 'released':
        return toReservationView(reservation, now);
      case 'paid':
        throw new AppError('ALREADY_PAID', 'this reservation has been paid; it cannot be released');
      case 'ended':
        throw new AppError('RESERVATION_EXPIRED', 'this hold has already ended');
      case 'release':
        break;
    }
    // Reservations written before they named their slot: the slot that names this one, if any.
    slot ??= (await deps.reservations.findHoldSlots(reservation.userId, reservation.scheduleId)).find(
      (claimed) => claimed.reservationId === reservation.reservationId,
    )?.slot;
    const outcome = await deps.reservations.releaseHold(reservation, slot, now);
    if (outcome.kind === 'released') {
      deps.holdSlotHints?.released(reservation.userId, reservation.scheduleId, reservation.reservationId);
      return toReservationView({ ...reservation, status: 'RELEASED' }, now);
    }
    if (outcome.kind === 'refused') {
      if (!outcome.current) throw notFound('reservation');
      reservation = outcome.current; // decided again from the reservation as it was checked
      continue;
    }
    await deps.pause(Math.random() * 20 * attempt);
    const again = await deps.reservations.findReservation(input.userId, input.reservationId);
    if (!again) throw notFound('reservation');
    ({ reservation, holdSlot: slot } = again);
  }
  throw new UnavailableError(1);
}
