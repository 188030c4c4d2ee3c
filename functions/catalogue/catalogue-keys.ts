import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Item, TransactItem } from '../shared/dynamodb-item';
import type { StoredItem } from '../shared/dynamodb-query';
import type { Concert } from './concert';
import type { Schedule } from './schedule';
import type { Seat } from './seat';

/**
 * Items of the catalogue table:
 * - concert  `CONCERT#<id>` / `CONCERT`: title, venue, firstDate, lastDate, seatCount (all its dates' seats; items
 *   written before it was recorded have none) and its entry in the by-date index
 * - schedule `CONCERT#<id>` / `SCHEDULE#<scheduleId>`: concertId, scheduleId, date, seatCount
 * - seat     `SCHEDULE#<scheduleId>` / `SEAT#<seatNumber, 4 digits>`: concertId, scheduleId, date,
 *   seatNumber, price, status AVAILABLE|CLAIMED|HELD|SOLD, and while claimed or held: reservationId,
 *   heldBy, holdExpiresAt. A CLAIMED or HELD seat with holdExpiresAt <= now reads AVAILABLE. A hold
 *   first claims the seat (one conditional write that decides its race, lapsing within seconds),
 *   then commits: CLAIMED → HELD with its reservation and hold slot. Only HELD can be sold, so a
 *   claim is never payable. While claimed, held or sold a seat also carries
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
  ProjectionExpression: [
    'concertId',
    'scheduleId',
    '#date',
    'seatNumber',
    'price',
    '#status',
    'reservationId',
    'heldBy',
    'holdExpiresAt',
  ].join(', '),
  ExpressionAttributeNames: { '#date': 'date', '#status': 'status' },
};

export const concertItem = (concert: Concert, seatCount?: number): Item => ({
  ...catalogueKeys.concert(concert.concertId),
  ...concert,
  ...(seatCount !== undefined ? { seatCount } : {}),
  concertList: CONCERT_LIST,
});

/** The seats of all the concert's dates, as recorded at its creation (undefined on items written before). */
export const concertSeatCount = (item: Item): number | undefined => item.seatCount as number | undefined;

export const scheduleItem = (schedule: Schedule): Item => ({
  ...catalogueKeys.schedule(schedule.concertId, schedule.scheduleId),
  ...schedule,
});

/** A new seat of a schedule: AVAILABLE. */
export function seatItem(schedule: Schedule, seat: Pick<Seat, 'seatNumber' | 'price'>): Item {
  const stored: Seat = {
    concertId: schedule.concertId,
    scheduleId: schedule.scheduleId,
    date: schedule.date,
    ...seat,
    status: 'AVAILABLE',
  };
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

/** A seat as a query sends it (queryAllStored), with the attributes of `seatProjection`: as `toSeat` gives it. */
export function storedSeat(item: StoredItem): Seat {
  const seat: { -readonly [K in keyof Seat]: Seat[K] } = {
    concertId: item.concertId?.S as string,
    scheduleId: item.scheduleId?.S as string,
    date: item.date?.S as string,
    seatNumber: Number(item.seatNumber?.N),
    price: Number(item.price?.N),
    status: item.status?.S as Seat['status'],
  };
  if (item.reservationId?.S !== undefined) seat.reservationId = item.reservationId.S;
  if (item.heldBy?.S !== undefined) seat.heldBy = item.heldBy.S;
  if (item.holdExpiresAt?.N !== undefined) seat.holdExpiresAt = Number(item.holdExpiresAt.N);
  return seat;
}

/**
 * The one write that decides a seat's race: the seat becomes CLAIMED by this reservation only if it
 * exists in this concert, its date has not passed, and it is AVAILABLE, or its hold or claim has
 * ended by `now`. SOLD seats never match. The claim keeps others off until `claimExpiresAt`
 * (seconds away) and counts as taken until then; the hold's commit (seatHoldCommitUpdate) makes it HELD for the full hold, and if that never comes the
 * claim lapses by itself. A single UpdateItem, never part of a transaction.
 */
export function seatClaimUpdate(
  tableName: string,
  claim: {
    concertId: string;
    scheduleId: string;
    seatNumber: number;
    reservationId: string;
    userId: string;
    claimExpiresAt: number;
    now: number;
    /** `YYYY-MM-DD` of now: a seat of an earlier date is never claimed. */
    today: string;
  },
): UpdateCommandInput {
  return {
    TableName: tableName,
    Key: catalogueKeys.seat(claim.scheduleId, claim.seatNumber),
    UpdateExpression:
      'SET #status = :claimed, reservationId = :reservationId, heldBy = :userId, holdExpiresAt = :until, takenIn = :concertId, takenUntil = :until',
    ConditionExpression:
      'attribute_exists(pk) AND concertId = :concertId AND #date >= :today' +
      ' AND (#status = :available OR (#status IN (:held, :claimed) AND holdExpiresAt <= :now))',
    ExpressionAttributeNames: { '#status': 'status', '#date': 'date' },
    ExpressionAttributeValues: {
      ':claimed': 'CLAIMED',
      ':held': 'HELD',
      ':available': 'AVAILABLE',
      ':reservationId': claim.reservationId,
      ':userId': claim.userId,
      ':until': claim.claimExpiresAt,
      ':concertId': claim.concertId,
      ':now': claim.now,
      ':today': claim.today,
    },
    // The won seat (its price and date for the reservation), or the seat as it stood when refused.
    ReturnValues: 'ALL_NEW',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * The seat of a hold's commit: CLAIMED by this reservation → HELD until the hold's `expiresAt`.
 * It fails only if another hold claimed the seat after this claim lapsed (or the claim was given
 * back), so the claim's own end need not be checked: nobody else touched the seat meanwhile.
 */
export function seatHoldCommitUpdate(
  tableName: string,
  hold: { scheduleId: string; seatNumber: number; reservationId: string; expiresAt: number },
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: catalogueKeys.seat(hold.scheduleId, hold.seatNumber),
      UpdateExpression: 'SET #status = :held, holdExpiresAt = :expiresAt, takenUntil = :expiresAt',
      ConditionExpression: '#status = :claimed AND reservationId = :reservationId',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':held': 'HELD',
        ':claimed': 'CLAIMED',
        ':reservationId': hold.reservationId,
        ':expiresAt': hold.expiresAt,
      },
    },
  };
}

/**
 * Gives a claim back at once (its hold was refused by the limit): the seat is AVAILABLE again and
 * leaves the seatsTaken index, but only while it is still this reservation's claim. Releasing a
 * committed hold is the same write conditioned on HELD, in one transaction with its reservation.
 */
export function seatClaimRelease(
  tableName: string,
  claim: { scheduleId: string; seatNumber: number; reservationId: string },
): UpdateCommandInput {
  return {
    TableName: tableName,
    Key: catalogueKeys.seat(claim.scheduleId, claim.seatNumber),
    UpdateExpression: 'SET #status = :available REMOVE reservationId, heldBy, holdExpiresAt, takenIn, takenUntil',
    ConditionExpression: '#status = :claimed AND reservationId = :reservationId',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':available': 'AVAILABLE', ':claimed': 'CLAIMED', ':reservationId': claim.reservationId },
  };
}

/**
 * The seat of a released hold: HELD by this reservation → AVAILABLE at once, out of the seatsTaken
 * index. A seat another hold claimed or holds (after this one ended) or one sold never matches.
 */
export function seatHoldRelease(tableName: string, hold: { scheduleId: string; seatNumber: number; reservationId: string }): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: catalogueKeys.seat(hold.scheduleId, hold.seatNumber),
      UpdateExpression: 'SET #status = :available REMOVE reservationId, heldBy, holdExpiresAt, takenIn, takenUntil',
      ConditionExpression: '#status = :held AND reservationId = :reservationId',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':available': 'AVAILABLE', ':held': 'HELD', ':reservationId': hold.reservationId },
    },
  };
}

/**
 * The seat of a payment: HELD → SOLD only while this reservation's hold is live at `now`. It also
 * moves the seat's `takenUntil` to SEAT_SOLD_TAKEN_UNTIL, which keeps it counted as taken.
 */
export function seatSaleUpdate(
  tableName: string,
  sale: { scheduleId: string; seatNumber: number; reservationId: string; now: number },
): TransactItem {
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
