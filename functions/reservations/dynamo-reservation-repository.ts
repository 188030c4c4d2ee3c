import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  catalogueKeys,
  seatClaimRelease,
  seatClaimUpdate,
  seatHoldCommitUpdate,
  seatHoldRelease,
  toSeat,
} from '../catalogue/catalogue-keys';
import { tokenUnspentCheck } from '../queue/queue-keys';
import { isConditionFailure, isTransactionConflict } from '../shared/dynamodb-errors';
import type { Item } from '../shared/dynamodb-item';
import { failedCondition, transactionCancellations } from '../shared/dynamodb-transactions';
import { createSharedCalls } from '../shared/shared-calls';
import {
  holdSlotClaimUpdate,
  holdSlotOf,
  holdSlotReleaseDelete,
  holdSlotsQuery,
  RESERVATION_PREFIX,
  reservationKeys,
  reservationPut,
  reservationReleasedUpdate,
  toHoldSlot,
  toReservation,
} from './reservation-keys';
import { dateOf } from './hold-rules';
import type { ClaimOutcome, CommitOutcome, ReleaseOutcome, ReservationRepository, SeatClaim } from './reservation-repository';

export interface ReservationTables {
  readonly reservations: string;
  readonly catalogue: string;
  /** The queue table, whose token item a hold's commit checks (holds made without a token check none). */
  readonly queue?: string;
}

export function createDynamoReservationRepository(client: DynamoDBDocumentClient, tables: ReservationTables): ReservationRepository {
  async function findSeatItem(scheduleId: string, seatNumber: number): Promise<Item | undefined> {
    const result = await client.send(
      new GetCommand({ TableName: tables.catalogue, Key: catalogueKeys.seat(scheduleId, seatNumber), ConsistentRead: true }),
    );
    return result.Item;
  }

  async function claimOnce(claim: SeatClaim, claimExpiresAt: number, now: number): Promise<ClaimOutcome> {
    const { userId, concertId, scheduleId, seatNumber, reservationId } = claim;
    const update = seatClaimUpdate(tables.catalogue, {
      concertId,
      scheduleId,
      seatNumber,
      reservationId,
      userId,
      claimExpiresAt,
      now,
      today: dateOf(now),
    });
    try {
      const result = await client.send(new UpdateCommand(update));
      return { kind: 'claimed', seat: toSeat(result.Attributes as Item) };
    } catch (error) {
      // A transaction on the seat in flight (a commit, a payment, a release): it is not available now.
      const inTransaction = isTransactionConflict(error);
      if (!isConditionFailure(error) && !inTransaction) throw error;
      // The failed condition hands back the seat as it stood, so a refusal can say why without a read.
      const old = isConditionFailure(error) && error.Item ? unmarshall(error.Item) : undefined;
      const current = old ?? (await findSeatItem(scheduleId, seatNumber));
      return current ? { kind: 'refused', seat: toSeat(current) } : { kind: 'refused' };
    }
  }

  /**
   * Claims of one seat (of one concert) that this instance's requests make at once share calls
   * (createSharedCalls): one in flight per seat, and the claims asked meanwhile go together in the
   * next, which claims for the first of them. The others asked before it was sent, so they lose to
   * its claim, or share its refusal, as their own claims would have: a seat race on one instance
   * costs its losers no write. A Lambda instance serves one request at a time, so deployed every
   * claim is its own write; the local server, which serves a whole race in one process, makes two.
   */
  const sharedClaims = createSharedCalls<{ claim: SeatClaim; claimExpiresAt: number; now: number }, ClaimOutcome>({
    maxInFlight: 1,
    async call(asks) {
      // Checked at the latest `now` of those it answers, so a hold that ended before any of them asked never refuses them.
      const latest = asks.reduce((a, b) => (b.now > a.now ? b : a));
      const outcome = await claimOnce(asks[0].claim, latest.claimExpiresAt, latest.now);
      const theirs: ClaimOutcome = outcome.kind === 'claimed' ? { kind: 'refused', seat: outcome.seat } : outcome;
      return [outcome, ...asks.slice(1).map(() => theirs)];
    },
  });

  return {
    async findHoldSlots(userId, scheduleId) {
      const result = await client.send(new QueryCommand(holdSlotsQuery(tables.reservations, userId, scheduleId)));
      return (result.Items ?? []).map(toHoldSlot);
    },

    claimSeat: (claim, claimExpiresAt, now) =>
      sharedClaims(`${claim.scheduleId}#${claim.seatNumber}#${claim.concertId}`, { claim, claimExpiresAt, now }),

    async commitHold(reservation, slot, now, attempt, token): Promise<CommitOutcome> {
      const { scheduleId, seatNumber, reservationId, expiresAt } = reservation;
      // A token revoked (or spent) after the ACTIVE check, before this commit, stops the hold here.
      const tokenCheck = token && tables.queue ? [tokenUnspentCheck(tables.queue, token)] : [];
      try {
        await client.send(
          new TransactWriteCommand({
            // A resend of the same try (network hiccup) is then not applied twice.
            ClientRequestToken: `${reservationId}-${attempt}`,
            TransactItems: [
              seatHoldCommitUpdate(tables.catalogue, { scheduleId, seatNumber, reservationId, expiresAt }),
              holdSlotClaimUpdate(tables.reservations, reservation, slot, now),
              reservationPut(tables.reservations, reservation, slot),
              ...tokenCheck,
            ],
          }),
        );
        return 'held';
      } catch (error) {
        return commitFailure(error);
      }
    },

    async releaseClaim(claim) {
      const { scheduleId, seatNumber, reservationId } = claim;
      try {
        await client.send(new UpdateCommand(seatClaimRelease(tables.catalogue, { scheduleId, seatNumber, reservationId })));
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async findReservation(userId, reservationId) {
      const result = await client.send(
        new GetCommand({ TableName: tables.reservations, Key: reservationKeys.reservation(userId, reservationId), ConsistentRead: true }),
      );
      if (!result.Item) return undefined;
      const holdSlot = holdSlotOf(result.Item);
      return { reservation: toReservation(result.Item), ...(holdSlot !== undefined ? { holdSlot } : {}) };
    },

    async releaseHold(reservation, slot, now): Promise<ReleaseOutcome> {
      const { userId, reservationId, scheduleId, seatNumber } = reservation;
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              reservationReleasedUpdate(tables.reservations, userId, reservationId, now),
              seatHoldRelease(tables.catalogue, { scheduleId, seatNumber, reservationId }),
              ...(slot !== undefined ? [holdSlotReleaseDelete(tables.reservations, userId, scheduleId, slot, reservationId)] : []),
            ],
          }),
        );
        return { kind: 'released' };
      } catch (error) {
        const reasons = transactionCancellations(error);
        if (!reasons) throw error;
        const [held] = reasons;
        if (failedCondition(held)) return { kind: 'refused', ...(held.item ? { current: toReservation(held.item) } : {}) };
        return { kind: 'conflict' };
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

/** Reads the cancellation reasons in the order of the transaction's items: seat, slot, reservation, token. */
function commitFailure(error: unknown): CommitOutcome {
  const reasons = transactionCancellations(error);
  if (!reasons) throw error;
  const [seat, slot, reservation, token] = reasons;
  // Only this hold's own commit writes its reservation: a resend of a try that had landed.
  if (failedCondition(reservation)) return 'held';
  if (failedCondition(token)) return 'tokenSpent';
  if (failedCondition(seat)) return 'claimLost';
  if (failedCondition(slot)) return 'slotTaken';
  if (reasons.some((reason) => reason.code === 'TransactionConflict')) return 'conflict';
  throw error;
}
