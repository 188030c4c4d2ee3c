import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Item, TransactItem } from '../shared/dynamodb-item';
import { TTL_ATTRIBUTE } from '../shared/tables';
import type { HoldSlot, Reservation } from './reservation';

/**
 * Items of the reservations table, all in the user's partition `USER#<userId>`:
 * - `RESERVATION#<reservationId>` a reservation (ULID ids: a descending query is newest first),
 *   with the number of the hold slot it claimed
 * - `HOLDSLOT#<scheduleId>#<1..4>` {reservationId, expiresAt}: one of the user's live holds on a
 *   schedule. A hold claims a free slot (missing, or expiresAt <= now) in its transaction; a
 *   payment deletes the slot of each reservation it pays. So at most 4 live holds can exist.
 */
const USER_PREFIX = 'USER#';
export const RESERVATION_PREFIX = 'RESERVATION#';
const HOLD_SLOT_PREFIX = 'HOLDSLOT#';

/** A slot item lingers this long past its hold before TTL tidies it (reads never rely on TTL). */
const SLOT_RETENTION_SECONDS = 24 * 3600;

/** The sort-key prefix of one user's slots on one schedule (ids never contain `#`). */
const holdSlotPrefix = (scheduleId: string) => `${HOLD_SLOT_PREFIX}${scheduleId}#`;

export const reservationKeys = {
  /** The partition of everything one user holds and bought. */
  user: (userId: string) => ({ pk: `${USER_PREFIX}${userId}` }),
  reservation: (userId: string, reservationId: string) => ({
    pk: `${USER_PREFIX}${userId}`,
    sk: `${RESERVATION_PREFIX}${reservationId}`,
  }),
  holdSlot: (userId: string, scheduleId: string, slot: number) => ({
    pk: `${USER_PREFIX}${userId}`,
    sk: `${holdSlotPrefix(scheduleId)}${slot}`,
  }),
};

/**
 * The stored item of a reservation (keys included; no TTL: reservations are the user's history).
 * `holdSlot` is the slot its hold claimed, so a payment knows which slot to free without a query.
 */
export function reservationItem(reservation: Reservation, holdSlot?: number): Item {
  return {
    ...reservationKeys.reservation(reservation.userId, reservation.reservationId),
    ...reservation,
    ...(holdSlot !== undefined ? { holdSlot } : {}),
  };
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

/** The query of one user's claimed hold slots on one schedule, live or not (at most 4 items). */
export function holdSlotsQuery(tableName: string, userId: string, scheduleId: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :slots)',
    ExpressionAttributeValues: { ':pk': reservationKeys.user(userId).pk, ':slots': holdSlotPrefix(scheduleId) },
    ConsistentRead: true,
  };
}

/** A hold claims its slot if nobody holds it, or its hold ended by `now`. */
export function holdSlotClaimUpdate(tableName: string, reservation: Reservation, slot: number, now: number): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: reservationKeys.holdSlot(reservation.userId, reservation.scheduleId, slot),
      UpdateExpression: 'SET reservationId = :reservationId, expiresAt = :expiresAt, #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
      ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: {
        ':reservationId': reservation.reservationId,
        ':expiresAt': reservation.expiresAt,
        ':ttl': Math.ceil(reservation.expiresAt / 1000) + SLOT_RETENTION_SECONDS,
        ':now': now,
      },
    },
  };
}

/** A new reservation, written once. */
export function reservationPut(tableName: string, reservation: Reservation, slot: number): TransactItem {
  return { Put: { TableName: tableName, Item: reservationItem(reservation, slot), ConditionExpression: 'attribute_not_exists(pk)' } };
}

/**
 * A reservation paid by `paymentId`: only a hold still live at `now`, of the concert paid for, at
 * the price the payment charged. A failed check hands back the reservation.
 */
export function reservationPaidUpdate(
  tableName: string,
  paid: { userId: string; reservationId: string; concertId: string; price: number; paymentId: string; now: number },
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: reservationKeys.reservation(paid.userId, paid.reservationId),
      UpdateExpression: 'SET #status = :paid, paymentId = :paymentId, paidAt = :now',
      ConditionExpression: '#status = :held AND expiresAt > :now AND concertId = :concertId AND price = :price',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':paid': 'PAID',
        ':held': 'HELD',
        ':paymentId': paid.paymentId,
        ':now': paid.now,
        ':concertId': paid.concertId,
        ':price': paid.price,
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * A reservation released by its holder: only a hold still live at `now` (the key makes it the
 * user's own). A failed check hands back the reservation, which says why (paid, ended, released).
 */
export function reservationReleasedUpdate(tableName: string, userId: string, reservationId: string, now: number): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: reservationKeys.reservation(userId, reservationId),
      UpdateExpression: 'SET #status = :released, releasedAt = :now',
      ConditionExpression: '#status = :held AND expiresAt > :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':released': 'RELEASED', ':held': 'HELD', ':now': now },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** A paid or released hold gives its slot back, which frees a place under the limit; the slot must still be this reservation's. */
export function holdSlotReleaseDelete(
  tableName: string,
  userId: string,
  scheduleId: string,
  slot: number,
  reservationId: string,
): TransactItem {
  return {
    Delete: {
      TableName: tableName,
      Key: reservationKeys.holdSlot(userId, scheduleId, slot),
      ConditionExpression: 'reservationId = :reservationId',
      ExpressionAttributeValues: { ':reservationId': reservationId },
    },
  };
}
