import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { catalogueKeys } from '../../functions/catalogue/catalogue-keys';
import { reservationKeys } from '../../functions/reservations/reservation-keys';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { activeUser, activeUsers, type ActiveUser } from '../support/active-users';
import { startLocalApi, type LocalApi } from '../support/local-api';
import { chargeOverHttp, endHold, holdOverHttp } from '../support/wallet-fixture';

/**
 * `DELETE /reservations/{reservationId}` over HTTP on DynamoDB Local: a live hold given back at once
 * (reservation RELEASED, seat AVAILABLE, hold slot free), its refusals, and its races with payments
 * and with itself, each with exactly one outcome.
 */
let api: LocalApi;

beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(() => api.stop());

const CONCERT = 'aurora-live';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const release = (user: ActiveUser, reservationId: string) => api.request('DELETE', `/reservations/${reservationId}`, { token: user.token });
const pay = (user: ActiveUser, reservationIds: string[]) =>
  api.request('POST', '/payments', { token: user.token, queueToken: user.queueToken, body: { reservationIds } });
const seatMap = async (user: ActiveUser, scheduleId: string) => {
  const response = await api.request('GET', `/concerts/${CONCERT}/schedules/${scheduleId}/seats`, {
    token: user.token,
    queueToken: user.queueToken,
  });
  expect(response.status).toBe(200);
  return new Map<number, string>(response.body.seats.map((seat: { seatNumber: number; status: string }) => [seat.seatNumber, seat.status]));
};
const listed = async (user: ActiveUser, reservationId: string) =>
  (await api.request('GET', '/reservations', { token: user.token })).body.reservations.find(
    (r: { reservationId: string }) => r.reservationId === reservationId,
  );
const seatItem = async (scheduleId: string, seatNumber: number) =>
  (
    await documentClient.send(
      new GetCommand({ TableName: tableName('catalogue'), Key: catalogueKeys.seat(scheduleId, seatNumber), ConsistentRead: true }),
    )
  ).Item!;
const reservationItem = async (userId: string, reservationId: string) =>
  (
    await documentClient.send(
      new GetCommand({
        TableName: tableName('reservations'),
        Key: reservationKeys.reservation(userId, reservationId),
        ConsistentRead: true,
      }),
    )
  ).Item!;

test('a released hold reads RELEASED, its seat is AVAILABLE at once, and the hold limit counts one less', async () => {
  const user = await activeUser(api, CONCERT, 'rel-alice');
  const held = await Promise.all([1, 2, 3, 4].map((seat) => holdOverHttp(api, user, CONCERT, 'aurora-live-1', seat)));
  const full = await api.request('POST', '/reservations', {
    token: user.token,
    queueToken: user.queueToken,
    body: { concertId: CONCERT, scheduleId: 'aurora-live-1', seatNumber: 5 },
  });
  expect([full.status, full.body.error.code]).toEqual([409, 'HOLD_LIMIT_REACHED']);

  const released = await release(user, held[1].reservationId);
  expect(released.status).toBe(200);
  expect(released.body).toEqual({ ...(await listed(user, held[1].reservationId)), status: 'RELEASED' });
  expect(Object.keys(released.body).sort()).toEqual(
    ['concertId', 'createdAt', 'date', 'expiresAt', 'price', 'reservationId', 'scheduleId', 'seatNumber', 'status'].sort(),
  );
  expect((await listed(user, held[1].reservationId)).status).toBe('RELEASED');
  expect((await seatMap(user, 'aurora-live-1')).get(2)).toBe('AVAILABLE');
  // The seat left the seatsTaken index with its hold: the dates count it available again.
  expect(await seatItem('aurora-live-1', 2)).toEqual(expect.not.objectContaining({ takenIn: expect.anything() }));

  // One slot free: a fifth seat can be held now, and anyone may hold the released one.
  expect((await holdOverHttp(api, user, CONCERT, 'aurora-live-1', 5)).seatNumber).toBe(5);
  const other = await activeUser(api, CONCERT, 'rel-bob');
  expect((await holdOverHttp(api, other, CONCERT, 'aurora-live-1', 2)).seatNumber).toBe(2);
});

test('releasing again answers the same RELEASED reservation; a paid one is 409 ALREADY_PAID, an ended one 409 RESERVATION_EXPIRED', async () => {
  const user = await activeUser(api, CONCERT, 'rel-carol');
  const [first, second, third] = await Promise.all([6, 7, 8].map((seat) => holdOverHttp(api, user, CONCERT, 'aurora-live-1', seat)));
  const once = await release(user, first.reservationId);
  const twice = await release(user, first.reservationId);
  expect([once.status, twice.status]).toEqual([200, 200]);
  expect(twice.body).toEqual(once.body);

  await endHold(user.userId, third.reservationId);
  const ended = await release(user, third.reservationId);
  expect([ended.status, ended.body.error.code]).toEqual([409, 'RESERVATION_EXPIRED']);
  expect((await listed(user, third.reservationId)).status).toBe('EXPIRED');

  await chargeOverHttp(api, user.token, 1_000_000);
  expect((await pay(user, [second.reservationId])).status).toBe(201);
  const paid = await release(user, second.reservationId);
  expect([paid.status, paid.body.error.code]).toEqual([409, 'ALREADY_PAID']);
  expect((await seatItem('aurora-live-1', 7)).status).toBe('SOLD');

  // A released hold cannot be paid: the hold has ended.
  const again = await activeUser(api, CONCERT, 'rel-carol');
  const refused = await pay(again, [first.reservationId]);
  expect([refused.status, refused.body.error.code]).toEqual([409, 'RESERVATION_EXPIRED']);
});

test("another user's reservation, an unknown one and a malformed id: 404 or 400, and nothing changes", async () => {
  const [owner, mallory] = await activeUsers(api, CONCERT, ['rel-owner', 'rel-mallory']);
  const held = await holdOverHttp(api, owner, CONCERT, 'aurora-live-1', 9);
  const theirs = await release(mallory, held.reservationId);
  expect([theirs.status, theirs.body.error.code]).toEqual([404, 'NOT_FOUND']);
  const unknown = await release(owner, '01ARZ3NDEKTSV4RRFFQ69G5FAV');
  expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
  const malformed = await release(owner, 'x'.repeat(65));
  expect(malformed.status).toBe(400);
  expect(malformed.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: 'reservationId' }] });
  const withBody = await api.request('DELETE', `/reservations/${held.reservationId}`, { token: owner.token, body: { force: true } });
  expect(withBody.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: 'force', message: 'unknown field' }] });
  const anonymous = await api.request('DELETE', `/reservations/${held.reservationId}`);
  expect(anonymous.status).toBe(401);
  expect((await listed(owner, held.reservationId)).status).toBe('HELD');
  expect((await seatItem('aurora-live-1', 9)).status).toBe('HELD');
});

test('release racing payment, 8 times: exactly one wins each time, and the tables say which', async () => {
  const seats = [21, 22, 23, 24, 25, 26, 27, 28];
  const outcomes: string[] = [];
  for (const [round, seatNumber] of seats.entries()) {
    const user = await activeUser(api, CONCERT, `rel-race-${round}`);
    const held = await holdOverHttp(api, user, CONCERT, 'aurora-live-2', seatNumber);
    await chargeOverHttp(api, user.token, held.price);
    // The release starts a little later each round, so both sides get to win some.
    const [paid, released] = await Promise.all([
      pay(user, [held.reservationId]),
      pause(round * 4).then(() => release(user, held.reservationId)),
    ]);
    const reservation = await reservationItem(user.userId, held.reservationId);
    const seat = await seatItem('aurora-live-2', seatNumber);
    const balance = (await api.request('GET', '/balance', { token: user.token })).body.balance;
    if (paid.status === 201) {
      outcomes.push('paid');
      expect([released.status, released.body.error?.code]).toEqual([409, 'ALREADY_PAID']);
      expect([reservation.status, seat.status, balance]).toEqual(['PAID', 'SOLD', 0]);
    } else {
      outcomes.push('released');
      expect(released.status).toBe(200);
      expect(released.body.status).toBe('RELEASED');
      expect([409, 403]).toContain(paid.status);
      expect(['RESERVATION_EXPIRED', 'QUEUE_TOKEN_NOT_ACTIVE']).toContain(paid.body.error.code);
      expect([reservation.status, seat.status, balance]).toEqual(['RELEASED', 'AVAILABLE', held.price]);
    }
  }
  console.log(`release racing payment: ${outcomes.join(', ')}`);
});

test('five releases of one hold at once: all 200 RELEASED, one transition', async () => {
  const user = await activeUser(api, CONCERT, 'rel-five');
  const held = await holdOverHttp(api, user, CONCERT, 'aurora-live-2', 30);
  const answers = await Promise.all(Array.from({ length: 5 }, () => release(user, held.reservationId)));
  expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
  expect(new Set(answers.map((answer) => JSON.stringify(answer.body))).size).toBe(1);
  expect(answers[0].body.status).toBe('RELEASED');
  // One transition: the reservation was released once (releasedAt written once), its seat freed once.
  const reservation = await reservationItem(user.userId, held.reservationId);
  expect(reservation).toMatchObject({ status: 'RELEASED', releasedAt: expect.any(Number) });
  expect((await seatItem('aurora-live-2', 30)).status).toBe('AVAILABLE');
  // The hold slot is free: four more holds of the date fit.
  const more = await Promise.all([31, 32, 33, 34].map((seat) => holdOverHttp(api, user, CONCERT, 'aurora-live-2', seat)));
  expect(more).toHaveLength(4);
});
