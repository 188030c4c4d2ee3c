import type { Item, TransactItem } from '../shared/dynamodb-item';
import type { Concert } from './concert';
import type { Schedule } from './schedule';
import type { Seat } from './seat';

/**
 * Items of the catalogue table:
 * - concert  `CONCERT#<id>` / `CONCERT`: title, venue, firstDate, lastDate (and its entry in the by-date index)
 * - schedule `CONCERT#<id>` / `SCHEDULE#<scheduleId>`: concertId, scheduleId, date, seatCount
 * - seat     `SCHEDULE#<scheduleId>` / `SEAT#<seatNumber, 4 digits>`: concertId, scheduleId, date,
 *   seatNumber, price, status AVAILABLE|HELD|SOLD, and while held: reservationId, heldBy, holdExpiresAt.
 *   A HELD seat with holdExpiresAt <= now reads AVAILABLE. While held or sold a seat also carries
 *   `takenIn` (its concertId) and `takenUntil` (holdExpiresAt, or SEAT_SOLD_TAKEN_UNTIL once sold):
 *   the keys of the sparse seatsTaken index that availableSeats counts, all dates in one query.
 */
const CONCERT_PREFIX = 'CONCERT#';
export const SCHEDULE_PREFIX = 'SCHEDULE#';
export const SEAT_PREFIX = 'SEAT#';
const CONCERT_SK = 'CONCERT';
/** The by-date index's one partition: every concert is listed in it. */
export const CONCERT_LIST = 'CONCERT';

export const seatSortKey = (seatNumber: number) => `${SEAT_PREFIX}${String(seatNumber).padStart(4, '0')}`;

export const catalogueKeys = {
  concert: (concertId: string) => ({ pk: `${CONCERT_PREFIX}${concertId}`, sk: CONCERT_SK }),
  schedule: (concertId: string, scheduleId: string) => ({ pk: `${CONCERT_PREFIX}${concertId}`, sk: `${SCHEDULE_PREFIX}${scheduleId}` }),
  /** The partition of a schedule's seats. */
  seats: (scheduleId: string) => ({ pk: `${SCHEDULE_PREFIX}${scheduleId}` }),
  seat: (scheduleId: string, seatNumber: number) => ({ pk: `${SCHEDULE_PREFIX}${scheduleId}`, sk: seatSortKey(seatNumber) }),
};

/** `takenUntil` of a sold seat: taken for good. */
export const SEAT_SOLD_TAKEN_UNTIL = Number.MAX_SAFE_INTEGER;

/** The attributes a seat read needs (never the index keys). */
export const seatProjection = {
  ProjectionExpression: ['concertId', 'scheduleId', '#date', 'seatNumber', 'price', '#status', 'reservationId', 'heldBy', 'holdExpiresAt'].join(', '),
  ExpressionAttributeNames: { '#date': 'date', '#status': 'status' },
};

export const concertItem = (concert: Concert): Item => ({ ...catalogueKeys.concert(concert.concertId), ...concert, concertList: CONCERT_LIST });

export const scheduleItem = (schedule: Schedule): Item => ({ ...catalogueKeys.schedule(schedule.concertId, schedule.scheduleId), ...schedule });

/** A new seat of a schedule: AVAILABLE. */
export function seatItem(schedule: Schedule, seat: Pick<Seat, 'seatNumber' | 'price'>): Item {
  const stored: Seat = { concertId: schedule.concertId, scheduleId: schedule.scheduleId, date: schedule.date, ...seat, status: 'AVAILABLE' };
  return { ...catalogueKeys.seat(schedule.scheduleId, seat.seatNumber), ...stored };
}

export const toConcert = (item: Item): Concert => ({
  concertId: item.concertId as string,
  title: item.title as string,
  venue: item.venue as string,
  firstDate: item.firstDate as string,
  lastDate: item.lastDate as string,
});

export const toSchedule = (item: Item): Schedule => ({
  concertId: item.concertId as string,
  scheduleId: item.scheduleId as string,
  date: item.date as string,
  seatCount: item.seatCount as number,
});

export function toSeat(item: Item): Seat {
  return {
    concertId: item.concertId as string,
    scheduleId: item.scheduleId as string,
    date: item.date as string,
    seatNumber: item.seatNumber as number,
    price: item.price as number,
    status: item.status as Seat['status'],
    ...(item.reservationId !== undefined ? { reservationId: item.reservationId as string } : {}),
    ...(item.heldBy !== undefined ? { heldBy: item.heldBy as string } : {}),
    ...(item.holdExpiresAt !== undefined ? { holdExpiresAt: item.holdExpiresAt as number } : {}),
  };
}

/**
 * The seat of a hold: it becomes HELD by this reservation only if it exists and is AVAILABLE, or
 * its hold has ended by `now`. SOLD seats never match. A failed check hands back the seat.
 */
export function seatHoldUpdate(
  tableName: string,
  hold: { concertId: string; scheduleId: string; seatNumber: number; reservationId: string; userId: string; expiresAt: number; now: number },
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: catalogueKeys.seat(hold.scheduleId, hold.seatNumber),
      UpdateExpression:
        'SET #status = :held, reservationId = :reservationId, heldBy = :userId, holdExpiresAt = :expiresAt, takenIn = :concertId, takenUntil = :expiresAt',
      ConditionExpression: 'attribute_exists(pk) AND (#status = :available OR (#status = :held AND holdExpiresAt <= :now))',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':held': 'HELD',
        ':available': 'AVAILABLE',
        ':reservationId': hold.reservationId,
        ':userId': hold.userId,
        ':expiresAt': hold.expiresAt,
        ':concertId': hold.concertId,
        ':now': hold.now,
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * The seat of a payment: HELD → SOLD only while this reservation's hold is live at `now`. It also
 * moves the seat's `takenUntil` to SEAT_SOLD_TAKEN_UNTIL, which keeps it counted as taken.
 */
export function seatSaleUpdate(tableName: string, sale: { scheduleId: string; seatNumber: number; reservationId: string; now: number }): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: catalogueKeys.seat(sale.scheduleId, sale.seatNumber),
      UpdateExpression: 'SET #status = :sold, takenUntil = :soldForever, soldAt = :now',
      ConditionExpression: '#status = :held AND reservationId = :reservationId AND holdExpiresAt > :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sold': 'SOLD',
        ':held': 'HELD',
        ':soldForever': SEAT_SOLD_TAKEN_UNTIL,
        ':reservationId': sale.reservationId,
        ':now': sale.now,
      },
    },
  };
}
