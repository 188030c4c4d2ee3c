import type { Reservation } from './reservation';
import type { HoldSlot } from './reservation';

/**
 * How a hold transaction ended. Anything but `held` changed nothing:
 * - `seatMissing`: no such seat; `seatTaken`: the seat is held (live) or sold at `now`
 * - `slotTaken`: the chosen slot was claimed meanwhile by another hold of the same user
 * - `conflict`: another transaction touched the same items at the same time; try again
 */
export type HoldOutcome = 'held' | 'seatMissing' | 'seatTaken' | 'slotTaken' | 'conflict';

export interface ReservationPage {
  readonly reservations: Reservation[];
  /** The id to continue after, when more reservations follow. */
  readonly lastReservationId?: string;
}

export interface ReservationRepository {
  /** The user's claimed hold slots on a schedule, live or not. */
  findHoldSlots(userId: string, scheduleId: string): Promise<HoldSlot[]>;
  /**
   * One transaction: the seat becomes HELD if it is available at `now`, the slot is claimed if
   * free at `now`, and the reservation is written; all or nothing.
   */
  hold(reservation: Reservation, slot: number, now: number): Promise<HoldOutcome>;
  /** The user's reservations, newest first, `limit` at a time, after `afterReservationId` if given. */
  listReservations(userId: string, page: { limit: number; afterReservationId?: string }): Promise<ReservationPage>;
}
