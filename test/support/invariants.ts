import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoCatalogueRepository } from '../../functions/catalogue/dynamo-catalogue-repository';
import type { Reservation } from '../../functions/reservations/reservation';
import { RESERVATION_PREFIX, reservationKeys, toReservation } from '../../functions/reservations/reservation-keys';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { createDynamoWalletRepository } from '../../functions/wallet/dynamo-wallet-repository';

/**
 * The money and seat invariants of the wallet's property test, read straight from the tables
 * (consistent reads) for any set of users and schedules: ledgers gapless and replaying to their
 * balances, balances never negative, every successful charge in the ledger once and nothing else
 * putting money in, every payment exactly its reservations' prices with one ledger entry, every
 * PAID reservation in exactly one payment, no money made or lost, no seat sold twice, and no seat
 * held by two live holds.
 * Returns what it counted, so a caller can show that something was checked.
 */
export async function expectMoneyAndSeatsAddUp(input: {
  readonly userIds: readonly string[];
  readonly scheduleIds: readonly string[];
  /** What each user's successful charges added, as the clients saw them. */
  readonly charged: ReadonlyMap<string, number>;
  /** Epoch milliseconds: holds ending after this are live. */
  readonly now?: number;
}): Promise<{ payments: number; soldSeats: number; liveHolds: number; money: number }> {
  const wallet = createDynamoWalletRepository(documentClient, tableName('wallet'));
  const catalogue = createDynamoCatalogueRepository(documentClient, tableName('catalogue'));
  const users = await Promise.all(
    input.userIds.map(async (userId) => {
      const [balance, ledger, payments, reservations] = await Promise.all([
        wallet.findWallet(userId),
        wallet.listLedger(userId),
        allPayments(wallet, userId),
        reservationsOf(userId),
      ]);
      return { userId, balance, ledger, payments, reservations };
    }),
  );
  const seats = (await Promise.all(input.scheduleIds.map((scheduleId) => catalogue.listSeats(scheduleId)))).flat();

  let charged = 0;
  let paid = 0;
  let balances = 0;
  for (const u of users) {
    expect(u.ledger.map((entry) => entry.version)).toEqual(u.ledger.map((_, i) => i + 1));
    let running = 0;
    for (const entry of u.ledger) {
      running += entry.kind === 'CHARGE' ? entry.amount : -entry.amount;
      expect(entry.balanceAfter).toBe(running);
      expect(entry.balanceAfter).toBeGreaterThanOrEqual(0);
    }
    expect(u.balance.balance).toBe(running);
    expect(u.balance.version).toBe(u.ledger.length);

    const ledgerCharges = u.ledger.filter((entry) => entry.kind === 'CHARGE').reduce((sum, entry) => sum + entry.amount, 0);
    expect({ userId: u.userId, charged: ledgerCharges }).toEqual({ userId: u.userId, charged: input.charged.get(u.userId) ?? 0 });

    const byId = new Map(u.reservations.map((reservation) => [reservation.reservationId, reservation]));
    for (const payment of u.payments) {
      const entries = u.ledger.filter((entry) => entry.paymentId === payment.paymentId);
      expect(entries).toEqual([expect.objectContaining({ kind: 'PAYMENT', amount: payment.amount, balanceAfter: payment.balance })]);
      const bought = payment.reservationIds.map((id) => byId.get(id));
      expect(bought.every((reservation) => reservation?.status === 'PAID' && reservation.paymentId === payment.paymentId)).toBe(true);
      expect(bought.reduce((sum, reservation) => sum + (reservation?.price ?? 0), 0)).toBe(payment.amount);
    }
    expect(u.ledger.filter((entry) => entry.kind === 'PAYMENT')).toHaveLength(u.payments.length);
    for (const reservation of u.reservations.filter((r) => r.status === 'PAID')) {
      expect(u.payments.filter((payment) => payment.reservationIds.includes(reservation.reservationId))).toHaveLength(1);
    }
    charged += ledgerCharges;
    paid += u.payments.reduce((sum, payment) => sum + payment.amount, 0);
    balances += u.balance.balance;
  }
  expect(charged - paid).toBe(balances);

  // No seat sold twice: a SOLD seat names the one PAID reservation of it, and no other seat is paid for.
  const paidReservations = users.flatMap((u) => u.reservations.filter((reservation) => reservation.status === 'PAID'));
  const soldSeats = seats.filter((seat) => seat.status === 'SOLD');
  for (const seat of seats) {
    const paidForSeat = paidReservations.filter((r) => r.scheduleId === seat.scheduleId && r.seatNumber === seat.seatNumber);
    if (seat.status === 'SOLD') expect(paidForSeat.map((r) => r.reservationId)).toEqual([seat.reservationId]);
    else expect(paidForSeat).toEqual([]);
  }
  // No seat held twice: at most one live hold per seat, and it is the one the seat names.
  const now = input.now ?? Date.now();
  const liveHolds = users.flatMap((u) => u.reservations.filter((r) => r.status === 'HELD' && r.expiresAt > now));
  const seatKey = (scheduleId: string, seatNumber: number) => `${scheduleId}#${seatNumber}`;
  const seatsByKey = new Map(seats.map((seat) => [seatKey(seat.scheduleId, seat.seatNumber), seat]));
  const holdsBySeat = new Map<string, string[]>();
  for (const hold of liveHolds) {
    const key = seatKey(hold.scheduleId, hold.seatNumber);
    holdsBySeat.set(key, [...(holdsBySeat.get(key) ?? []), hold.reservationId]);
  }
  for (const [key, holders] of holdsBySeat) {
    expect({ seat: key, holders }).toEqual({ seat: key, holders: [seatsByKey.get(key)?.reservationId] });
  }
  return {
    payments: users.reduce((sum, u) => sum + u.payments.length, 0),
    soldSeats: soldSeats.length,
    liveHolds: liveHolds.length,
    money: charged,
  };
}

async function allPayments(wallet: ReturnType<typeof createDynamoWalletRepository>, userId: string) {
  const payments = [];
  let after: string | undefined;
  do {
    const page = await wallet.listPayments(userId, { limit: 100, after });
    payments.push(...page.payments);
    after = page.nextAfter;
  } while (after);
  return payments;
}

async function reservationsOf(userId: string): Promise<Reservation[]> {
  const reservations: Reservation[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName('reservations'),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
        ExpressionAttributeValues: { ':pk': reservationKeys.user(userId).pk, ':r': RESERVATION_PREFIX },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    reservations.push(...(page.Items ?? []).map(toReservation));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return reservations;
}
