import {
  BatchGetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { seatSaleUpdate } from '../catalogue/dynamo-catalogue-repository';
import { batchAttribute, queueKeys } from '../queue/dynamo-queue-repository';
import { holdSlotOf, holdSlotPrefix, reservationKeys, toHoldSlot, toReservation } from '../reservations/reservation-keys';
import { failedCondition, transactionCancellations, type Cancellation } from '../shared/dynamodb-transactions';
import { UnavailableError } from '../shared/errors';
import type { PaymentRefusal } from './payment';
import { paymentWalletWrites, paymentItem, toWallet } from './dynamo-wallet-repository';
import type { PayableReservation, PaymentCommit, PaymentRepository } from './wallet-repository';

export interface PaymentTables {
  readonly wallet: string;
  readonly reservations: string;
  readonly catalogue: string;
  readonly queue: string;
}

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What each item of the payment transaction stands for, so a cancellation reason can be read by its index. */
type Role =
  | { readonly kind: 'reservation'; readonly reservationId: string }
  | { readonly kind: 'seat' | 'holdSlot' | 'token' | 'admission' | 'wallet' | 'ledger' | 'payment' };

const BATCH_GET_ATTEMPTS = 5;

/**
 * Payments: the reads that learn what to write (reservations and their hold slots, never used to
 * decide), and the one transaction that checks and writes everything.
 */
export function createDynamoPaymentRepository(client: DynamoDBDocumentClient, tables: PaymentTables): PaymentRepository {
  async function getReservations(userId: string, reservationIds: readonly string[]): Promise<Item[]> {
    let keys: Item[] = reservationIds.map((id) => reservationKeys.reservation(userId, id));
    const items: Item[] = [];
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt === BATCH_GET_ATTEMPTS) throw new UnavailableError(1);
      const result = await client.send(
        new BatchGetCommand({ RequestItems: { [tables.reservations]: { Keys: keys, ConsistentRead: true } } }),
      );
      items.push(...(result.Responses?.[tables.reservations] ?? []));
      keys = result.UnprocessedKeys?.[tables.reservations]?.Keys ?? [];
    }
    return items;
  }

  async function holdSlots(userId: string, scheduleId: string) {
    const page = await client.send(
      new QueryCommand({
        TableName: tables.reservations,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :slots)',
        ExpressionAttributeValues: { ':pk': reservationKeys.holdSlot(userId, scheduleId, 1).pk, ':slots': holdSlotPrefix(scheduleId) },
        ConsistentRead: true,
      }),
    );
    return (page.Items ?? []).map(toHoldSlot);
  }

  return {
    async findPayable(userId, reservationIds) {
      const items = await getReservations(userId, reservationIds);
      // A reservation names the slot its hold claimed; only items without one need the slots looked up.
      const unnamed = items.filter((item) => holdSlotOf(item) === undefined).map(toReservation);
      const schedules = [...new Set(unnamed.map((r) => r.scheduleId))];
      const slots = new Map((await Promise.all(schedules.map((s) => holdSlots(userId, s)))).flat().map((slot) => [slot.reservationId, slot.slot]));
      return items.map((item): PayableReservation => {
        const reservation = toReservation(item);
        const holdSlot = holdSlotOf(item) ?? slots.get(reservation.reservationId);
        return holdSlot === undefined ? { reservation } : { reservation, holdSlot };
      });
    },

    async commitPayment(plan): Promise<PaymentCommit> {
      const { payment, now } = plan;
      const roles: Role[] = [];
      const items: TransactItem[] = [];
      const add = (role: Role, item: TransactItem) => {
        roles.push(role);
        items.push(item);
      };

      for (const { reservation } of plan.reservations) {
        add(
          { kind: 'reservation', reservationId: reservation.reservationId },
          {
            Update: {
              TableName: tables.reservations,
              Key: reservationKeys.reservation(payment.userId, reservation.reservationId),
              UpdateExpression: 'SET #status = :paid, paymentId = :paymentId, paidAt = :now',
              ConditionExpression: '#status = :held AND expiresAt > :now AND concertId = :concertId AND price = :price',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':paid': 'PAID',
                ':held': 'HELD',
                ':paymentId': payment.paymentId,
                ':now': now,
                ':concertId': payment.concertId,
                ':price': reservation.price,
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        );
      }
      for (const { reservation } of plan.reservations) {
        const sale = seatSaleUpdate({ scheduleId: reservation.scheduleId, seatNumber: reservation.seatNumber, reservationId: reservation.reservationId, now });
        add({ kind: 'seat' }, { Update: { TableName: tables.catalogue, ...sale } });
      }
      for (const { reservation, holdSlot } of plan.reservations) {
        if (holdSlot === undefined) continue;
        // The slot frees a place under the user's hold limit; it must still be this reservation's.
        add(
          { kind: 'holdSlot' },
          {
            Delete: {
              TableName: tables.reservations,
              Key: reservationKeys.holdSlot(payment.userId, reservation.scheduleId, holdSlot),
              ConditionExpression: 'reservationId = :reservationId',
              ExpressionAttributeValues: { ':reservationId': reservation.reservationId },
            },
          },
        );
      }
      const { queueToken } = plan;
      add(
        { kind: 'token' },
        {
          Update: {
            TableName: tables.queue,
            Key: queueKeys.token(queueToken.concertId, queueToken.userId),
            UpdateExpression: 'SET finishedAt = :now',
            ConditionExpression: '#token = :token AND attribute_not_exists(finishedAt)',
            ExpressionAttributeNames: { '#token': 'token' },
            ExpressionAttributeValues: { ':token': queueToken.token, ':now': now },
          },
        },
      );
      add(
        { kind: 'admission' },
        {
          // ACTIVE until admittedAt + ACTIVE_SECONDS, checked here; the paid token's place is freed.
          Update: {
            TableName: tables.queue,
            Key: queueKeys.admission(queueToken.concertId),
            UpdateExpression: 'SET #batch.finished = #batch.finished + :one',
            ConditionExpression: 'attribute_exists(#batch) AND #batch.admittedAt > :admittedAfter',
            ExpressionAttributeNames: { '#batch': batchAttribute(queueToken.batch) },
            ExpressionAttributeValues: { ':one': 1, ':admittedAfter': plan.admittedAfter },
          },
        },
      );
      const [walletWrite, ledgerWrite] = paymentWalletWrites(tables.wallet, payment.userId, plan.expected, plan.entry);
      add({ kind: 'wallet' }, walletWrite);
      add({ kind: 'ledger' }, ledgerWrite);
      add(
        { kind: 'payment' },
        { Put: { TableName: tables.wallet, Item: paymentItem(payment, plan.entry.version), ConditionExpression: 'attribute_not_exists(pk)' } },
      );

      try {
        // The token makes a resend of the same transaction (SDK retry after a lost answer) a no-op success.
        await client.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: payment.paymentId }));
        return { committed: true };
      } catch (error) {
        const reasons = transactionCancellations(error);
        if (!reasons) throw error;
        if (!reasons.some(failedCondition)) return { committed: false };
        return { committed: false, refusal: readRefusal(roles, reasons) };
      }
    },
  };
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
