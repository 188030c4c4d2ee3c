import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { seatHoldUpdate } from '../catalogue/dynamo-catalogue-repository';
import { failedCondition, transactionCancellations } from '../shared/dynamodb-transactions';
import { TTL_ATTRIBUTE } from '../shared/tables';
import { holdSlotPrefix, RESERVATION_PREFIX, reservationItem, reservationKeys, toHoldSlot, toReservation, USER_PREFIX } from './reservation-keys';
import type { HoldOutcome, ReservationRepository } from './reservation-repository';

/** A slot item lingers this long past its hold before TTL tidies it (reads never rely on TTL). */
const SLOT_RETENTION_SECONDS = 24 * 3600;

type Item = Record<string, unknown>;

export interface ReservationTables {
  readonly reservations: string;
  readonly catalogue: string;
}

export function createDynamoReservationRepository(client: DynamoDBDocumentClient, tables: ReservationTables): ReservationRepository {
  return {
    async findHoldSlots(userId, scheduleId) {
      const result = await client.send(
        new QueryCommand({
          TableName: tables.reservations,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :slots)',
          ExpressionAttributeValues: { ':pk': `${USER_PREFIX}${userId}`, ':slots': holdSlotPrefix(scheduleId) },
          ConsistentRead: true,
        }),
      );
      return (result.Items ?? []).map(toHoldSlot);
    },

    async hold(reservation, slot, now): Promise<HoldOutcome> {
      const { userId, concertId, scheduleId, seatNumber, reservationId, expiresAt } = reservation;
      try {
        await client.send(
          new TransactWriteCommand({
            // A retried send of the same transaction (network hiccup) is then not applied twice.
            ClientRequestToken: reservationId,
            TransactItems: [
              {
                Update: {
                  TableName: tables.catalogue,
                  ...seatHoldUpdate({ concertId, scheduleId, seatNumber, reservationId, userId, expiresAt, now }),
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
              {
                Update: {
                  TableName: tables.reservations,
                  Key: reservationKeys.holdSlot(userId, scheduleId, slot),
                  UpdateExpression: 'SET reservationId = :reservationId, expiresAt = :expiresAt, #ttl = :ttl',
                  ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
                  ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
                  ExpressionAttributeValues: {
                    ':reservationId': reservationId,
                    ':expiresAt': expiresAt,
                    ':ttl': Math.ceil(expiresAt / 1000) + SLOT_RETENTION_SECONDS,
                    ':now': now,
                  },
                },
              },
              {
                Put: {
                  TableName: tables.reservations,
                  Item: reservationItem(reservation, slot),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return 'held';
      } catch (error) {
        return holdFailure(error);
      }
    },

    async listReservations(userId, page) {
      const result = await client.send(
        new QueryCommand({
          TableName: tables.reservations,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :reservation)',
          ExpressionAttributeValues: { ':pk': `${USER_PREFIX}${userId}`, ':reservation': RESERVATION_PREFIX },
          ScanIndexForward: false,
          // One more than asked: tells whether another page follows without an empty last page.
          Limit: page.limit + 1,
          ExclusiveStartKey: page.afterReservationId ? reservationKeys.reservation(userId, page.afterReservationId) : undefined,
          ConsistentRead: true,
        }),
      );
      const items = (result.Items ?? []) as Item[];
      const reservations = items.slice(0, page.limit).map(toReservation);
      const more = items.length > page.limit;
      return more ? { reservations, lastReservationId: reservations[reservations.length - 1].reservationId } : { reservations };
    },
  };
}

/** Reads the cancellation reasons in the order of the transaction's items: seat, slot, reservation. */
function holdFailure(error: unknown): HoldOutcome {
  const reasons = transactionCancellations(error);
  if (!reasons) throw error;
  const [seat, slot] = reasons;
  if (failedCondition(seat)) return seat.item ? 'seatTaken' : 'seatMissing';
  if (failedCondition(slot)) return 'slotTaken';
  if (reasons.some((reason) => reason.code === 'TransactionConflict')) return 'conflict';
  throw error;
}
