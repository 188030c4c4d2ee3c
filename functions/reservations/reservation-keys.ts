import type { Reservation } from './reservation';

/**
 * Items of the reservations table, all in the user's partition `USER#<userId>`:
 * - `RESERVATION#<reservationId>` a reservation (ULID ids: a descending query is newest first),
 *   with the number of the hold slot it claimed
 * - `HOLDSLOT#<scheduleId>#<1..4>` {reservationId, expiresAt}: one of the user's live holds on a
 *   schedule. A hold claims a free slot (missing, or expiresAt <= now) in its transaction; a
 *   payment deletes the slot of each reservation it pays. So at most 4 live holds can exist.
 */
export const USER_PREFIX = 'USER#';
export const RESERVATION_PREFIX = 'RESERVATION#';
export const HOLD_SLOT_PREFIX = 'HOLDSLOT#';

export const reservationKeys = {
  reservation: (userId: string, reservationId: string) => ({
    pk: `${USER_PREFIX}${userId}`,
    sk: `${RESERVATION_PREFIX}${reservationId}`,
  }),
  holdSlot: (userId: string, scheduleId: string, slot: number) => ({
    pk: `${USER_PREFIX}${userId}`,
    sk: `${holdSlotPrefix(scheduleId)}${slot}`,
  }),
};

/** The sort-key prefix of one user's slots on one schedule (ids never contain `#`). */
export const holdSlotPrefix = (scheduleId: string) => `${HOLD_SLOT_PREFIX}${scheduleId}#`;

/** One claimed hold slot. */
export interface HoldSlot {
  readonly slot: number;
  readonly reservationId: string;
  /** Epoch milliseconds; the slot is free again from this instant. */
  readonly expiresAt: number;
}

type Item = Record<string, unknown>;

/**
 * The stored item of a reservation (keys included; no TTL: reservations are the user's history).
 * `holdSlot` is the slot its hold claimed, so a payment knows which slot to free without a query.
 */
export function reservationItem(reservation: Reservation, holdSlot?: number): Item {
  return { ...reservationKeys.reservation(reservation.userId, reservation.reservationId), ...reservation, ...(holdSlot !== undefined ? { holdSlot } : {}) };
}

/** The hold slot a reservation's item names (items written before slots were recorded name none). */
export const holdSlotOf = (item: Item): number | undefined => item.holdSlot as number | undefined;

export function toReservation(item: Item): Reservation {
  return {
    reservationId: item.reservationId as string,
    userId: item.userId as string,
    concertId: item.concertId as string,
    scheduleId: item.scheduleId as string,
    date: item.date as string,
    seatNumber: item.seatNumber as number,
    price: item.price as number,
    status: item.status as Reservation['status'],
    expiresAt: item.expiresAt as number,
    createdAt: item.createdAt as number,
    ...(item.paymentId !== undefined ? { paymentId: item.paymentId as string } : {}),
  };
}

export function toHoldSlot(item: Item): HoldSlot {
  const sk = item.sk as string;
  return {
    slot: Number(sk.slice(sk.lastIndexOf('#') + 1)),
    reservationId: item.reservationId as string,
    expiresAt: item.expiresAt as number,
  };
}
