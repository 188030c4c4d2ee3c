import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { seatHoldUpdate } from '../catalogue/catalogue-keys';
import type { Item } from '../shared/dynamodb-item';
import { failedCondition, transactionCancellations } from '../shared/dynamodb-transactions';
import {
  holdSlotClaimUpdate,
  holdSlotsQuery,
  RESERVATION_PREFIX,
  reservationKeys,
  reservationPut,
  toHoldSlot,
  toReservation,
} from './reservation-keys';
import type { HoldOutcome, ReservationRepository } from './reservation-repository';

export interface ReservationTables {
  readonly reservations: string;
  readonly catalogue: string;
}

export function createDynamoReservationRepository(client: DynamoDBDocumentClient, tables: ReservationTables): ReservationRepository {
  return {
    async findHoldSlots(userId, scheduleId) {
      const result = await client.send(new QueryCommand(holdSlotsQuery(tables.reservations, userId, scheduleId)));
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
              seatHoldUpdate(tables.catalogue, { concertId, scheduleId, seatNumber, reservationId, userId, expiresAt, now }),
              holdSlotClaimUpdate(tables.reservations, reservation, slot, now),
              reservationPut(tables.reservations, reservation, slot),
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
          ExpressionAttributeValues: { ':pk': reservationKeys.user(userId).pk, ':reservation': RESERVATION_PREFIX },
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
