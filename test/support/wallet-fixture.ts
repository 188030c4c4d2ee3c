import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { catalogueKeys } from '../../functions/catalogue/catalogue-keys';
import { createDynamoCatalogueRepository } from '../../functions/catalogue/dynamo-catalogue-repository';
import { queueKeys } from '../../functions/queue/queue-keys';
import { reservationRepositories } from '../../functions/reservations/default-reservation-deps';
import type { ReservationDeps } from '../../functions/reservations/reservation-deps';
import { reservationKeys } from '../../functions/reservations/reservation-keys';
import { tableName, type Settings } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { walletRepositories } from '../../functions/wallet/default-wallet-deps';
import type { WalletDeps } from '../../functions/wallet/wallet-deps';
import { testSettings, type TestClock } from './queue-fixture';
import type { ApiResponse, LocalApi } from './local-api';
import type { ActiveUser } from './active-users';

/** The wallet's use cases on the real tables, with the test's clock and settings. */
export function walletDepsForTest(clock: TestClock, settings: Partial<Settings> = {}): WalletDeps {
  return {
    ...walletRepositories(),
    settings: { ...testSettings, ...settings },
    now: clock.now,
    newId: monotonicFactory(),
    pause: async () => undefined,
    random: Math.random,
  };
}

/** Seat holds on the real tables, with the test's clock and settings. */
export function reservationDepsForTest(clock: TestClock, settings: Partial<Settings> = {}): ReservationDeps {
  return {
    ...reservationRepositories(),
    settings: { ...testSettings, ...settings },
    now: clock.now,
    newReservationId: monotonicFactory(),
    pause: async () => undefined,
  };
}

/** Holds a seat over HTTP and returns the reservation; fails the test when the hold is refused. */
export async function holdOverHttp(api: LocalApi, user: ActiveUser, concertId: string, scheduleId: string, seatNumber: number) {
  const response = await api.request('POST', '/reservations', {
    token: user.token,
    queueToken: user.queueToken,
    body: { concertId, scheduleId, seatNumber },
  });
  if (response.status !== 201) throw new Error(`hold failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { reservationId: string; price: number; scheduleId: string; seatNumber: number };
}

export async function chargeOverHttp(api: LocalApi, token: string, amount: number): Promise<ApiResponse> {
  const response = await api.request('POST', '/balance/charge', { token, body: { amount } });
  if (response.status !== 200) throw new Error(`charge failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response;
}

type Item = Record<string, unknown> | undefined;

const get = async (table: string, key: Record<string, unknown>): Promise<Item> =>
  (await documentClient.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;

const queryPartition = async (table: string, pk: string): Promise<Record<string, unknown>[]> =>
  (
    await documentClient.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];

/**
 * Every item a payment could touch for these users, reservations, seats and concert: compared
 * before and after a refused payment to show that nothing changed.
 */
export async function paymentFootprint(input: {
  userIds: readonly string[];
  seats: readonly { scheduleId: string; seatNumber: number }[];
  concertId: string;
}): Promise<unknown> {
  const users = await Promise.all(
    input.userIds.map(async (userId) => ({
      userId,
      wallet: await queryPartition(tableName('wallet'), `USER#${userId}`),
      reservations: await queryPartition(tableName('reservations'), reservationKeys.user(userId).pk),
      token: await get(tableName('queue'), queueKeys.token(input.concertId, userId)),
    })),
  );
  const seats = await Promise.all(
    input.seats.map((seat) => get(tableName('catalogue'), catalogueKeys.seat(seat.scheduleId, seat.seatNumber))),
  );
  const admission = await get(tableName('queue'), queueKeys.admission(input.concertId));
  return { users, seats, admission };
}

/** Moves a hold's end into the past, as if its time had run out (the reservation, its seat and its slot). */
export async function endHold(userId: string, reservationId: string, at = Date.now() - 1): Promise<void> {
  const reservation = await get(tableName('reservations'), reservationKeys.reservation(userId, reservationId));
  if (!reservation) throw new Error('no such reservation');
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName('reservations'),
      Key: reservationKeys.reservation(userId, reservationId),
      UpdateExpression: 'SET expiresAt = :at',
      ExpressionAttributeValues: { ':at': at },
    }),
  );
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName('catalogue'),
      Key: catalogueKeys.seat(reservation.scheduleId as string, reservation.seatNumber as number),
      UpdateExpression: 'SET holdExpiresAt = :at, takenUntil = :at',
      ExpressionAttributeValues: { ':at': at },
    }),
  );
  const slots = await queryPartition(tableName('reservations'), reservationKeys.user(userId).pk);
  for (const slot of slots.filter((item) => String(item.sk).startsWith('HOLDSLOT#') && item.reservationId === reservationId)) {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName('reservations'),
        Key: { pk: slot.pk, sk: slot.sk },
        UpdateExpression: 'SET expiresAt = :at',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }
}

/** A small concert of its own: one date, `seats` seats priced 10,000 × seat number. */
export async function createSmallConcert(concertId: string, seats: number, date = '2099-01-01'): Promise<{ scheduleId: string }> {
  const scheduleId = `${concertId}-1`;
  const catalogue = createDynamoCatalogueRepository(documentClient, tableName('catalogue'));
  await catalogue.createConcert({ concertId, title: concertId, venue: 'Test Hall', firstDate: date, lastDate: date }, [
    {
      schedule: { concertId, scheduleId, date, seatCount: seats },
      seats: Array.from({ length: seats }, (_, i) => ({ seatNumber: i + 1, price: 10_000 * (i + 1) })),
    },
  ]);
  return { scheduleId };
}
