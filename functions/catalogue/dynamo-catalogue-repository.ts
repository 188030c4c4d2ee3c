import { GetCommand, PutCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../shared/dynamodb-errors';
import type { Item } from '../shared/dynamodb-item';
import { putAll } from '../shared/dynamodb-batch-write';
import { queryAll, queryAllStored } from '../shared/dynamodb-query';
import { CONCERTS_BY_LAST_DATE_INDEX, SEATS_TAKEN_INDEX } from '../shared/tables';
import {
  catalogueKeys,
  CONCERT_LIST,
  concertItem,
  SCHEDULE_PREFIX,
  scheduleItem,
  SEAT_PREFIX,
  seatItem,
  seatProjection,
  storedSeat,
  toConcert,
  toSchedule,
  toSeat,
} from './catalogue-keys';
import type { CatalogueRepository } from './catalogue-repository';

export function createDynamoCatalogueRepository(client: DynamoDBDocumentClient, tableName: string): CatalogueRepository {
  const query = (input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>) => queryAll(client, { ...input, TableName: tableName });
  // The seat map and the dates' counts read hundreds of seats a request, on every ACTIVE user's screen: read as sent.
  const queryStored = (input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>) =>
    queryAllStored(client, { ...input, TableName: tableName });

  return {
    async findConcert(concertId) {
      const result = await client.send(new GetCommand({ TableName: tableName, Key: catalogueKeys.concert(concertId) }));
      return result.Item ? toConcert(result.Item) : undefined;
    },

    async listConcerts(fromDate) {
      const items = await query({
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
        items.push(scheduleItem(schedule), ...seats.map((seat) => seatItem(schedule, seat)));
      }
      await putAll(client, tableName, items);
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: concertItem(
              concert,
              schedules.reduce((seats, { schedule }) => seats + schedule.seatCount, 0),
            ),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async listSchedules(concertId) {
      const items = await query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :schedule)',
        ExpressionAttributeValues: { ':pk': catalogueKeys.concert(concertId).pk, ':schedule': SCHEDULE_PREFIX },
        ConsistentRead: true,
      });
      return items.map(toSchedule);
    },

    async countTakenSeats(concertId, now) {
      // Index reads are eventually consistent; expired holds lie outside the key range and are never read.
      const taken = await queryStored({
        IndexName: SEATS_TAKEN_INDEX,
        KeyConditionExpression: 'takenIn = :concertId AND takenUntil > :now',
        ExpressionAttributeValues: { ':concertId': concertId, ':now': now },
        ProjectionExpression: 'scheduleId',
      });
      const counts = new Map<string, number>();
      for (const seat of taken) {
        const scheduleId = seat.scheduleId?.S as string;
        counts.set(scheduleId, (counts.get(scheduleId) ?? 0) + 1);
      }
      return counts;
    },

    async listSeats(scheduleId) {
      const items = await queryStored({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seat)',
        ExpressionAttributeValues: { ':pk': catalogueKeys.seats(scheduleId).pk, ':seat': SEAT_PREFIX },
        ...seatProjection,
        ConsistentRead: true,
      });
      return items.map(storedSeat);
    },

    async findSeat(scheduleId, seatNumber) {
      const result = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: catalogueKeys.seat(scheduleId, seatNumber),
          ...seatProjection,
          ConsistentRead: true,
        }),
      );
      return result.Item ? toSeat(result.Item) : undefined;
    },
  };
}
