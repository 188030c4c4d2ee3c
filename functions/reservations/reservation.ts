/**
 * A reservation: a hold on one seat that becomes a purchase when paid. Plain data and rules,
 * shared by holds and payments.
 */
/** RELEASED: its holder gave the hold back before it ended (the seat went back on sale at once). */
export type StoredReservationStatus = 'HELD' | 'PAID' | 'RELEASED';
export type ReservationStatus = StoredReservationStatus | 'EXPIRED';

export interface Reservation {
  /** A ULID: reservations sort by creation time. */
  readonly reservationId: string;
  readonly userId: string;
  readonly concertId: string;
  readonly scheduleId: string;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly seatNumber: number;
  /** KRW. */
  readonly price: number;
  readonly status: StoredReservationStatus;
  /** Epoch milliseconds: the hold ends here unless paid. */
  readonly expiresAt: number;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly paymentId?: string;
}

/**
 * One of a user's hold slots on a schedule, as claimed by a hold: a user has slots 1..4 per
 * schedule, so at most 4 live holds.
 */
export interface HoldSlot {
  readonly slot: number;
  readonly reservationId: string;
  /** Epoch milliseconds; the slot is free again from this instant. */
  readonly expiresAt: number;
}

/** The contract's reservation body. */
export interface ReservationView {
  readonly reservationId: string;
  readonly concertId: string;
  readonly scheduleId: string;
  readonly date: string;
  readonly seatNumber: number;
  readonly price: number;
  readonly status: ReservationStatus;
  readonly expiresAt: string;
  readonly createdAt: string;
}

/** A hold that passed `expiresAt` unpaid reads EXPIRED from that instant, whether or not anything ran. */
export function reservationStatusAt(reservation: Pick<Reservation, 'status' | 'expiresAt'>, now: number): ReservationStatus {
  if (reservation.status === 'HELD' && now >= reservation.expiresAt) return 'EXPIRED';
  return reservation.status;
}

/** What releasing a reservation does now: a live hold is released; a released one is answered again; a paid or ended one refuses. */
export type ReleaseDecision = 'release' | 'released' | 'paid' | 'ended';

export function decideRelease(reservation: Pick<Reservation, 'status' | 'expiresAt'>, now: number): ReleaseDecision {
  const decisions: Record<ReservationStatus, ReleaseDecision> = { HELD: 'release', RELEASED: 'released', PAID: 'paid', EXPIRED: 'ended' };
  return decisions[reservationStatusAt(reservation, now)];
}

/** The queue token a hold is made under: the hold's commit checks that it is still unspent. */
export interface HoldingToken {
  readonly token: string;
  readonly concertId: string;
  readonly userId: string;
}

export const isLiveHold = (reservation: Pick<Reservation, 'status' | 'expiresAt'>, now: number) =>
  reservationStatusAt(reservation, now) === 'HELD';

export function toReservationView(reservation: Reservation, now: number): ReservationView {
  return {
    reservationId: reservation.reservationId,
    concertId: reservation.concertId,
    scheduleId: reservation.scheduleId,
    date: reservation.date,
    seatNumber: reservation.seatNumber,
    price: reservation.price,
    status: reservationStatusAt(reservation, now),
    expiresAt: new Date(reservation.expiresAt).toISOString(),
    createdAt: new Date(reservation.createdAt).toISOString(),
  };
}
