import type { Seat } from '../catalogue/seat';
import type { HoldingToken, HoldSlot, Reservation } from './reservation';

/**
 * How a release's transaction ended. Only `released` changed anything:
 * - `refused`: the reservation is not a live hold (any more): `current` is it as it was checked
 * - `conflict`: another transaction touched the same items at the same time, or the seat or slot was
 *   not as read; read again
 */
export type ReleaseOutcome =
  { readonly kind: 'released' } | { readonly kind: 'refused'; readonly current?: Reservation } | { readonly kind: 'conflict' };

/** What a claim names: the hold-to-be's id and its caller, and the seat. */
export type SeatClaim = Pick<Reservation, 'reservationId' | 'userId' | 'concertId' | 'scheduleId' | 'seatNumber'>;

/**
 * How a seat's claim ended: `claimed` wrote it, `seat` as it now stands; `refused` changed nothing
 * (the seat is missing or of another concert, its date has passed, or it is claimed, held or sold
 * at `now`): `seat` as it stood, undefined when there is none.
 */
export type ClaimOutcome = { readonly kind: 'claimed'; readonly seat: Seat } | { readonly kind: 'refused'; readonly seat?: Seat };

/**
 * How a hold's commit ended. Anything but `held` changed nothing:
 * - `claimLost`: the seat is no longer this hold's claim (it lapsed and another hold claimed the seat)
 * - `slotTaken`: the chosen slot was claimed meanwhile by another hold of the same user
 * - `conflict`: another transaction touched the same items at the same time; try again
 * - `tokenSpent`: the queue token the hold was made under was spent (paid, left or revoked) meanwhile
 */
export type CommitOutcome = 'held' | 'claimLost' | 'slotTaken' | 'conflict' | 'tokenSpent';

export interface ReservationPage {
  readonly reservations: Reservation[];
  /** The id to continue after, when more reservations follow. */
  readonly lastReservationId?: string;
}

export interface ReservationRepository {
  /** The user's claimed hold slots on a schedule, live or not. */
  findHoldSlots(userId: string, scheduleId: string): Promise<HoldSlot[]>;
  /**
   * One conditional write on the seat, which decides its race: the seat becomes CLAIMED by this
   * reservation until `claimExpiresAt` if it is of the claim's concert, of a date not passed, and
   * available at `now`. Writes nothing else, and reads nothing before. Claims of one seat that an
   * instance makes at once may share one such write, each answered as its own would have been.
   */
  claimSeat(claim: SeatClaim, claimExpiresAt: number, now: number): Promise<ClaimOutcome>;
  /**
   * One transaction, by the claim's winner only: the seat, still claimed by this reservation,
   * becomes HELD until the reservation's `expiresAt`; the slot is claimed if free at `now`; the
   * reservation is written; with `token`, that queue token is still unspent. All or nothing.
   * `attempt` tells the tries of one hold apart, so a resend of one try (a lost answer) is not applied twice.
   */
  commitHold(reservation: Reservation, slot: number, now: number, attempt: number, token?: HoldingToken): Promise<CommitOutcome>;
  /** Gives the seat's claim back at once; false (and nothing written) when it is no longer this reservation's claim. */
  releaseClaim(claim: SeatClaim): Promise<boolean>;
  /** The user's reservation (another user's is undefined, as an unknown one), with the hold slot its item names. */
  findReservation(userId: string, reservationId: string): Promise<{ reservation: Reservation; holdSlot?: number } | undefined>;
  /**
   * Releases a live hold in one transaction: the reservation HELD → RELEASED (still HELD and before
   * its expiresAt at `now`), its seat back to AVAILABLE (still HELD by it), and its hold slot, when
   * known, freed (still naming it).
   */
  releaseHold(reservation: Reservation, slot: number | undefined, now: number): Promise<ReleaseOutcome>;
  /** The user's reservations, newest first, `limit` at a time, after `afterReservationId` if given. */
  listReservations(userId: string, page: { limit: number; afterReservationId?: string }): Promise<ReservationPage>;
}
