import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../shared/dynamodb-errors';
import { UnavailableError } from '../shared/errors';
import { CONCERTS_BY_LAST_DATE_INDEX, SEATS_TAKEN_INDEX } from '../shared/tables';
import type { CatalogueRepository } from './catalogue-repository';
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
const SCHEDULE_PREFIX = 'SCHEDULE#';
const SEAT_PREFIX = 'SEAT#';
const CONCERT_SK = 'CONCERT';
const CONCERT_LIST = 'CONCERT';

export const seatSortKey = (seatNumber: number) => `${SEAT_PREFIX}${String(seatNumber).padStart(4, '0')}`;

export const catalogueKeys = {
  concert: (concertId: string) => ({ pk: `${CONCERT_PREFIX}${concertId}`, sk: CONCERT_SK }),
  schedule: (concertId: string, scheduleId: string) => ({ pk: `${CONCERT_PREFIX}${concertId}`, sk: `${SCHEDULE_PREFIX}${scheduleId}` }),
  seat: (scheduleId: string, seatNumber: number) => ({ pk: `${SCHEDULE_PREFIX}${scheduleId}`, sk: seatSortKey(seatNumber) }),
};

/** `takenUntil` of a sold seat: taken for good. */
export const SEAT_SOLD_TAKEN_UNTIL = Number.MAX_SAFE_INTEGER;

/**
 * The seat half of a hold transaction (TransactWriteItems `Update`, without TableName): the
 * seat becomes HELD by this reservation only if it exists and is AVAILABLE, or its hold has
 * ended by `now`. SOLD seats never match.
 */
export function seatHoldUpdate(input: {
  concertId: string;
  scheduleId: string;
  seatNumber: number;
  reservationId: string;
  userId: string;
  expiresAt: number;
  now: number;
}) {
  return {
    Key: catalogueKeys.seat(input.scheduleId, input.seatNumber),
    UpdateExpression:
      'SET #status = :held, reservationId = :reservationId, heldBy = :userId, holdExpiresAt = :expiresAt, takenIn = :concertId, takenUntil = :expiresAt',
    ConditionExpression: 'attribute_exists(pk) AND (#status = :available OR (#status = :held AND holdExpiresAt <= :now))',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':held': 'HELD',
      ':available': 'AVAILABLE',
      ':reservationId': input.reservationId,
      ':userId': input.userId,
      ':expiresAt': input.expiresAt,
      ':concertId': input.concertId,
      ':now': input.now,
    },
  };
}

/**
 * The seat half of a payment transaction (TransactWriteItems `Update`, without TableName):
 * HELD → SOLD only while this reservation's hold is live at `now`. It also moves the seat's
 * `takenUntil` to SEAT_SOLD_TAKEN_UNTIL, which keeps the seat counted as taken in availableSeats.
 */
export function seatSaleUpdate(input: { scheduleId: string; seatNumber: number; reservationId: string; now: number }) {
  return {
    Key: catalogueKeys.seat(input.scheduleId, input.seatNumber),
    UpdateExpression: 'SET #status = :sold, takenUntil = :soldForever, soldAt = :now',
    ConditionExpression: '#status = :held AND reservationId = :reservationId AND holdExpiresAt > :now',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':sold': 'SOLD',
      ':held': 'HELD',
      ':soldForever': SEAT_SOLD_TAKEN_UNTIL,
      ':reservationId': input.reservationId,
      ':now': input.now,
    },
  };
}

type Item = Record<string, unknown>;

const toConcert = (item: Item): Concert => ({
  concertId: item.concertId as string,
  title: item.title as string,
  venue: item.venue as string,
  firstDate: item.firstDate as string,
  lastDate: item.lastDate as string,
});

const toSchedule = (item: Item): Schedule => ({
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

const SEAT_ATTRIBUTES = ['concertId', 'scheduleId', '#date', 'seatNumber', 'price', '#status', 'reservationId', 'heldBy', 'holdExpiresAt'];
const SEAT_ATTRIBUTE_NAMES = { '#date': 'date', '#status': 'status' };

const BATCH_WRITE_SIZE = 25;
const BATCH_WRITE_PARALLEL = 4;
const BATCH_WRITE_ATTEMPTS = 8;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createDynamoCatalogueRepository(client: DynamoDBDocumentClient, tableName: string): CatalogueRepository {
  async function queryAll(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await client.send(new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** Writes items 25 at a time; what DynamoDB leaves unprocessed is sent again a few times, then 503. */
  async function putAll(items: readonly Item[]): Promise<void> {
    const chunks: Item[][] = [];
    for (let i = 0; i < items.length; i += BATCH_WRITE_SIZE) chunks.push(items.slice(i, i + BATCH_WRITE_SIZE));
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        let requests = chunks[next++].map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt === BATCH_WRITE_ATTEMPTS) throw new UnavailableError(2);
          if (attempt > 0) await pause(25 * 2 ** attempt);
          const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
          requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_WRITE_PARALLEL, chunks.length) }, worker));
  }

  const concertItem = (concert: Concert): Item => ({ ...catalogueKeys.concert(concert.concertId), ...concert, concertList: CONCERT_LIST });

  return {
    async findConcert(concertId) {
      const result = await client.send(new GetCommand({ TableName: tableName, Key: catalogueKeys.concert(concertId) }));
      return result.Item ? toConcert(result.Item) : undefined;
    },

    async listConcerts(fromDate) {
      const items = await queryAll({
        IndexName: CONCERTS_BY_LAST_DATE_INDEX,
        KeyConditionExpression: 'concertList = :list AND lastDate >= :from',
        ExpressionAttributeValues: { ':list': CONCERT_LIST, ':from': fromDate },
      });
      return items.map(toConcert);
    },

    async putConcert(concert) {
      await client.send(new PutCommand({ TableName: tableName, Item: concertItem(concert) }));
    },

    async createConcert(concert, schedules) {
      const exists = await client.send(
        new GetCommand({ TableName: tableName, Key: catalogueKeys.concert(concert.concertId), ConsistentRead: true }),
      );
      if (exists.Item) return false;
      const items: Item[] = [];
      for (const { schedule, seats } of schedules) {
        items.push({ ...catalogueKeys.schedule(schedule.concertId, schedule.scheduleId), ...schedule });
        for (const seat of seats) {
          const stored: Seat = { concertId: schedule.concertId, scheduleId: schedule.scheduleId, date: schedule.date, ...seat, status: 'AVAILABLE' };
          items.push({ ...catalogueKeys.seat(schedule.scheduleId, seat.seatNumber), ...stored });
        }
      }
      await putAll(items);
      try {
        await client.send(
          new PutCommand({ TableName: tableName, Item: concertItem(concert), ConditionExpression: 'attribute_not_exists(pk)' }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async listSchedules(concertId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :schedule)',
        ExpressionAttributeValues: { ':pk': catalogueKeys.concert(concertId).pk, ':schedule': SCHEDULE_PREFIX },
        ConsistentRead: true,
      });
      return items.map(toSchedule);
    },

    async countTakenSeats(concertId, now) {
      // Index reads are eventually consistent; expired holds lie outside the key range and are never read.
      const taken = await queryAll({
        IndexName: SEATS_TAKEN_INDEX,
        KeyConditionExpression: 'takenIn = :concertId AND takenUntil > :now',
        ExpressionAttributeValues: { ':concertId': concertId, ':now': now },
        ProjectionExpression: 'scheduleId',
      });
      const counts = new Map<string, number>();
      for (const seat of taken) counts.set(seat.scheduleId as string, (counts.get(seat.scheduleId as string) ?? 0) + 1);
      return counts;
    },

    async listSeats(scheduleId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seat)',
        ExpressionAttributeValues: { ':pk': `${SCHEDULE_PREFIX}${scheduleId}`, ':seat': SEAT_PREFIX },
        ProjectionExpression: SEAT_ATTRIBUTES.join(', '),
        ExpressionAttributeNames: SEAT_ATTRIBUTE_NAMES,
        ConsistentRead: true,
      });
      return items.map(toSeat);
    },

    async findSeat(scheduleId, seatNumber) {
      const result = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: catalogueKeys.seat(scheduleId, seatNumber),
          ProjectionExpression: SEAT_ATTRIBUTES.join(', '),
          ExpressionAttributeNames: SEAT_ATTRIBUTE_NAMES,
          ConsistentRead: true,
        }),
      );
      return result.Item ? toSeat(result.Item) : undefined;
    },
  };
}
