import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { seatSaleUpdate } from '../catalogue/catalogue-keys';
import { tokenSpendUpdate, turnFinishedUpdate } from '../queue/queue-keys';
import {
  holdSlotOf,
  holdSlotReleaseDelete,
  holdSlotsQuery,
  reservationKeys,
  reservationPaidUpdate,
  toHoldSlot,
  toReservation,
} from '../reservations/reservation-keys';
import { getAll } from '../shared/dynamodb-batch-get';
import type { TransactItem } from '../shared/dynamodb-item';
import { failedCondition, transactionCancellations, type Cancellation } from '../shared/dynamodb-transactions';
import type { PaymentRefusal } from './payment';
import { ledgerEntryPut, paymentKeyPut, paymentPut, toKeyedPayment, toWallet, walletDebitUpdate, walletKeys } from './wallet-keys';
import type { PayableReservation, PaymentCommit, PaymentRepository } from './wallet-repository';

export interface PaymentTables {
  readonly wallet: string;
  readonly reservations: string;
  readonly catalogue: string;
  readonly queue: string;
}

/** What each item of the payment transaction stands for, so a cancellation reason can be read by its index. */
type Role =
  | { readonly kind: 'reservation'; readonly reservationId: string }
  | { readonly kind: 'seat' | 'holdSlot' | 'token' | 'admission' | 'wallet' | 'ledger' | 'payment' | 'paymentKey' };

/**
 * Payments: the reads that learn what to write (reservations and their hold slots, never used to
 * decide), and the one transaction that checks and writes everything.
 */
export function createDynamoPaymentRepository(client: DynamoDBDocumentClient, tables: PaymentTables): PaymentRepository {
  const getReservations = (userId: string, reservationIds: readonly string[]) =>
    getAll(
      client,
      tables.reservations,
      reservationIds.map((id) => reservationKeys.reservation(userId, id)),
    );

  async function holdSlots(userId: string, scheduleId: string) {
    const page = await client.send(new QueryCommand(holdSlotsQuery(tables.reservations, userId, scheduleId)));
    return (page.Items ?? []).map(toHoldSlot);
  }

  return {
    async findKeyedPayment(userId, keyHash, now) {
      const result = await client.send(
        new GetCommand({ TableName: tables.wallet, Key: walletKeys.paymentKey(userId, keyHash), ConsistentRead: true }),
      );
      return toKeyedPayment(result.Item, now);
    },

    async findPayable(userId, reservationIds) {
      const items = await getReservations(userId, reservationIds);
      // A reservation names the slot its hold claimed; only items without one need the slots looked up.
      const unnamed = items.filter((item) => holdSlotOf(item) === undefined).map(toReservation);
      const schedules = [...new Set(unnamed.map((r) => r.scheduleId))];
      const slots = new Map(
        (await Promise.all(schedules.map((s) => holdSlots(userId, s)))).flat().map((slot) => [slot.reservationId, slot.slot]),
      );
      return items.map((item): PayableReservation => {
        const reservation = toReservation(item);
        const holdSlot = holdSlotOf(item) ?? slots.get(reservation.reservationId);
        return holdSlot === undefined ? { reservation } : { reservation, holdSlot };
      });
    },

    async commitPayment(plan): Promise<PaymentCommit> {
      const { payment, now, queueToken } = plan;
      const { userId, paymentId, concertId } = payment;
      const reservations = plan.reservations.map(({ reservation }) => reservation);
      const slots = plan.reservations.filter((r): r is Required<PayableReservation> => r.holdSlot !== undefined);
      const named: [Role, TransactItem][] = [
        ...reservations.map((r): [Role, TransactItem] => [
          { kind: 'reservation', reservationId: r.reservationId },
          reservationPaidUpdate(tables.reservations, { userId, reservationId: r.reservationId, concertId, price: r.price, paymentId, now }),
        ]),
        ...reservations.map((r): [Role, TransactItem] => [
          { kind: 'seat' },
          seatSaleUpdate(tables.catalogue, { scheduleId: r.scheduleId, seatNumber: r.seatNumber, reservationId: r.reservationId, now }),
        ]),
        ...slots.map(({ reservation: r, holdSlot }): [Role, TransactItem] => [
          { kind: 'holdSlot' },
          holdSlotReleaseDelete(tables.reservations, userId, r.scheduleId, holdSlot, r.reservationId),
        ]),
        [{ kind: 'token' }, tokenSpendUpdate(tables.queue, queueToken, now)],
        [{ kind: 'admission' }, turnFinishedUpdate(tables.queue, queueToken.concertId, queueToken.batch, plan.admittedAfter)],
        [{ kind: 'wallet' }, walletDebitUpdate(tables.wallet, userId, plan.expected, plan.entry)],
        [{ kind: 'ledger' }, ledgerEntryPut(tables.wallet, userId, plan.entry)],
        [{ kind: 'payment' }, paymentPut(tables.wallet, payment, plan.entry.version)],
        ...(plan.key ? [[{ kind: 'paymentKey' }, paymentKeyPut(tables.wallet, payment, plan.key, now)] as [Role, TransactItem]] : []),
      ];
      const parts = oncePerItem(named);

      try {
        // The token makes a resend of the same transaction (SDK retry after a lost answer) a no-op success.
        await client.send(new TransactWriteCommand({ TransactItems: parts.map(([, item]) => item), ClientRequestToken: paymentId }));
        return { committed: true };
      } catch (error) {
        const reasons = transactionCancellations(error);
        if (!reasons) throw error;
        if (!reasons.some(failedCondition)) return { committed: false };
        // The key already paid: whatever else failed (the seats are sold, the token spent), that is the answer.
        const keyIndex = parts.findIndex(([role]) => role.kind === 'paymentKey');
        const keyed = keyIndex >= 0 && failedCondition(reasons[keyIndex]) ? toKeyedPayment(reasons[keyIndex].item, now) : undefined;
        if (keyed) return { committed: false, keyed };
        return {
          committed: false,
          refusal: readRefusal(
            parts.map(([role]) => role),
            reasons,
          ),
        };
      }
    },
  };
}

/**
 * The parts without a second write of an item already named: DynamoDB refuses a transaction that
 * names one item twice. Only a seat or a hold slot can be, by two reservations of it (a hold that
 * ended, and the one after it); at most one of them still holds it, so the other's own check fails
 * and the transaction is refused either way, as it should be.
 */
function oncePerItem(parts: readonly [Role, TransactItem][]): [Role, TransactItem][] {
  const seen = new Set<string>();
  return parts.filter(([, item]) => {
    const write = item.Update ?? item.Delete ?? item.ConditionCheck;
    if (!write) return true;
    const key = `${write.TableName} ${JSON.stringify(write.Key)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function readRefusal(roles: readonly Role[], reasons: readonly Cancellation[]): PaymentRefusal {
  const failed = (kind: Role['kind']) => roles.some((role, i) => role.kind === kind && failedCondition(reasons[i]));
  const reservations = roles.flatMap((role, i) =>
    role.kind === 'reservation' && failedCondition(reasons[i])
      ? [{ reservationId: role.reservationId, ...(reasons[i].item ? { current: toReservation(reasons[i].item) } : {}) }]
      : [],
  );
  const walletIndex = roles.findIndex((role) => role.kind === 'wallet');
  return {
    reservations,
    holdEnded: failed('seat') || failed('holdSlot'),
    tokenNotActive: failed('token') || failed('admission'),
    ...(failedCondition(reasons[walletIndex]) ? { wallet: { current: toWallet(reasons[walletIndex].item) } } : {}),
    entryTaken: failed('ledger') || failed('payment'),
  };
}
