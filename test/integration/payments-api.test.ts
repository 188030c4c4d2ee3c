import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { toReservation } from '../../functions/reservations/reservation-keys';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { createDynamoWalletRepository } from '../../functions/wallet/dynamo-wallet-repository';
import { paymentItem } from '../../functions/wallet/wallet-keys';
import { replayLedger } from '../../functions/wallet/wallet-rules';
import { activeUser, activeUsers, type ActiveUser } from '../support/active-users';
import { startLocalApi, type LocalApi } from '../support/local-api';
import { chargeOverHttp, endHold, holdOverHttp, paymentFootprint } from '../support/wallet-fixture';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(() => api.stop());

const CONCERT = 'aurora-live';
const SCHEDULE = 'aurora-live-1';
const wallets = () => createDynamoWalletRepository(documentClient, tableName('wallet'));

const pay = (user: ActiveUser, reservationIds: unknown, headers: Record<string, string> = {}) =>
  api.request('POST', '/payments', { token: user.token, queueToken: user.queueToken, body: { reservationIds }, headers });
const balanceOf = async (user: ActiveUser) => (await api.request('GET', '/balance', { token: user.token })).body.balance as number;
const hold = (user: ActiveUser, seatNumber: number, concertId = CONCERT, scheduleId = SCHEDULE) =>
  holdOverHttp(api, user, concertId, scheduleId, seatNumber);

/** Joins again (the old token is spent or expired) and is admitted: a new ACTIVE token. */
async function rejoin(user: ActiveUser, concertId = CONCERT): Promise<ActiveUser> {
  const joined = await api.request('POST', `/concerts/${concertId}/queue`, { token: user.token });
  expect(joined.status).toBe(201);
  await api.runtime.runJob('admission');
  return { ...user, queueToken: joined.body.token };
}

describe('POST /payments: the walkthrough from held seats', () => {
  test('charge, pay two holds with an Idempotency-Key, the token is spent, the history shows it, a replay answers the same', async () => {
    const user = await activeUser(api, CONCERT, 'payer');
    const [vip, r] = [await hold(user, 1), await hold(user, 12)];
    expect([vip.price, r.price]).toEqual([165_000, 132_000]);
    await chargeOverHttp(api, user.token, 500_000);

    const paid = await pay(user, [vip.reservationId, r.reservationId], { 'idempotency-key': 'pay-1' });
    expect(paid.status).toBe(201);
    expect(Object.keys(paid.body).sort()).toEqual(['amount', 'balance', 'paidAt', 'paymentId', 'reservationIds']);
    expect(paid.body).toMatchObject({ reservationIds: [vip.reservationId, r.reservationId], amount: 297_000, balance: 203_000 });
    expect(paid.body.paidAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await balanceOf(user)).toBe(203_000);

    // Reservations PAID, the queue token EXPIRED at once, the seats SOLD for everyone.
    const reservations = await api.request('GET', '/reservations', { token: user.token });
    expect(reservations.body.reservations.map((x: { status: string }) => x.status)).toEqual(['PAID', 'PAID']);
    const poll = await api.request('GET', `/concerts/${CONCERT}/queue`, { token: user.token, queueToken: user.queueToken });
    expect(poll.body.status).toBe('EXPIRED');
    const viewer = await activeUser(api, CONCERT, 'payer-viewer');
    const seats = await api.request('GET', `/concerts/${CONCERT}/schedules/${SCHEDULE}/seats`, {
      token: viewer.token,
      queueToken: viewer.queueToken,
    });
    const statusOf = (n: number) => seats.body.seats.find((s: { seatNumber: number }) => s.seatNumber === n).status;
    expect([statusOf(1), statusOf(12)]).toEqual(['SOLD', 'SOLD']);

    // History, newest first.
    const history = await api.request('GET', '/payments', { token: user.token });
    expect(history.status).toBe(200);
    expect(history.body).toEqual({ payments: [paid.body] });

    // The ledger explains the balance.
    const ledger = await wallets().listLedger('payer');
    expect(
      ledger.map(({ version, kind, amount, balanceAfter, paymentId }) => ({ version, kind, amount, balanceAfter, paymentId })),
    ).toEqual([
      { version: 1, kind: 'CHARGE', amount: 500_000, balanceAfter: 500_000, paymentId: undefined },
      { version: 2, kind: 'PAYMENT', amount: 297_000, balanceAfter: 203_000, paymentId: paid.body.paymentId },
    ]);

    // The same key and body: the first answer again, although the token is spent now; nothing moves.
    const replay = await pay(user, [vip.reservationId, r.reservationId], { 'idempotency-key': 'pay-1' });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(paid.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const reused = await pay(user, [vip.reservationId], { 'idempotency-key': 'pay-1' });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await balanceOf(user)).toBe(203_000);

    // Paid holds no longer count against the 4-per-date limit: four more can be held.
    const again = await rejoin(user);
    for (const seat of [2, 3, 4, 5]) await hold(again, seat);
  });
});

describe('POST /payments: every refusal is the contract code and changes nothing', () => {
  const footprint = (users: ActiveUser[], seatNumbers: number[]) =>
    paymentFootprint({
      userIds: users.map((u) => u.userId),
      seats: seatNumbers.map((seatNumber) => ({ scheduleId: SCHEDULE, seatNumber })),
      concertId: CONCERT,
    });

  test('409 INSUFFICIENT_BALANCE', async () => {
    const user = await activeUser(api, CONCERT, 'poor');
    const held = await hold(user, 20);
    await chargeOverHttp(api, user.token, 100_000);
    const before = await footprint([user], [20]);
    const response = await pay(user, [held.reservationId]);
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('INSUFFICIENT_BALANCE');
    expect(await footprint([user], [20])).toEqual(before);
  });

  test("404 NOT_FOUND: an unknown reservation, another user's, or one of another concert", async () => {
    const [user, other] = await activeUsers(api, CONCERT, ['finder', 'finder-other']);
    const mine = await hold(user, 21);
    const theirs = await hold(other, 22);
    const elsewhereUser = await activeUser(api, 'neon-harbor', 'finder');
    const elsewhere = await hold(elsewhereUser, 1, 'neon-harbor', 'neon-harbor-1');
    await chargeOverHttp(api, user.token, 1_000_000);
    const before = await footprint([user, other], [21, 22]);
    for (const ids of [
      ['01ARZ3NDEKTSV4RRFFQ69G5FAV'],
      [mine.reservationId, theirs.reservationId],
      [elsewhere.reservationId],
      [mine.reservationId, elsewhere.reservationId],
    ]) {
      const response = await pay(user, ids);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
    }
    expect(await footprint([user, other], [21, 22])).toEqual(before);
    expect(await balanceOf(user)).toBe(1_000_000);
  });

  test('409 RESERVATION_EXPIRED: a hold whose time ran out', async () => {
    const user = await activeUser(api, CONCERT, 'late');
    const [live, ended] = [await hold(user, 23), await hold(user, 24)];
    await chargeOverHttp(api, user.token, 1_000_000);
    await endHold('late', ended.reservationId);
    const before = await footprint([user], [23, 24]);
    const response = await pay(user, [live.reservationId, ended.reservationId]);
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('RESERVATION_EXPIRED');
    expect(await footprint([user], [23, 24])).toEqual(before);
  });

  test('409 ALREADY_PAID: paying a paid reservation again with a new token', async () => {
    const user = await activeUser(api, CONCERT, 'twice');
    const held = await hold(user, 25);
    await chargeOverHttp(api, user.token, 1_000_000);
    expect((await pay(user, [held.reservationId])).status).toBe(201);
    const again = await rejoin(user);
    const before = await footprint([again], [25]);
    const response = await pay(again, [held.reservationId]);
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('ALREADY_PAID');
    expect(await footprint([again], [25])).toEqual(before);
  });

  test('403: no queue token, a spent one, one still waiting', async () => {
    const user = await activeUser(api, CONCERT, 'tokenless');
    const [first, second] = [await hold(user, 26), await hold(user, 27)];
    await chargeOverHttp(api, user.token, 1_000_000);

    const missing = await api.request('POST', '/payments', { token: user.token, body: { reservationIds: [first.reservationId] } });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('QUEUE_TOKEN_REQUIRED');

    expect((await pay(user, [first.reservationId])).status).toBe(201);
    const spent = await pay(user, [second.reservationId]);
    expect(spent.status).toBe(403);
    expect(spent.body.error.code).toBe('QUEUE_TOKEN_NOT_ACTIVE');

    const waiting = await api.request('POST', `/concerts/${CONCERT}/queue`, { token: user.token });
    const before = await footprint([user], [27]);
    const notYet = await pay({ ...user, queueToken: waiting.body.token }, [second.reservationId]);
    expect(notYet.status).toBe(403);
    expect(notYet.body.error.code).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    expect(await footprint([user], [27])).toEqual(before);
  });

  test('400 for a bad body, before anything is read', async () => {
    const user = await activeUser(api, CONCERT, 'sloppy');
    const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    for (const body of [
      { reservationIds: [] },
      { reservationIds: [id, id] },
      {
        reservationIds: Array(5)
          .fill(id)
          .map((x, i) => x.slice(0, 25) + i),
      },
      { reservationIds: ['bad id!'] },
      { reservationIds: id },
      {},
      { reservationIds: [id], concertId: CONCERT },
    ]) {
      const response = await api.request('POST', '/payments', { token: user.token, queueToken: user.queueToken, body });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
      expect(response.body.error.details.length).toBeGreaterThan(0);
    }
  });
});

describe('POST /payments under concurrency', () => {
  test('10 simultaneous payments of one reservation with different keys: exactly one 201 and one debit', async () => {
    const user = await activeUser(api, CONCERT, 'racer');
    const held = await hold(user, 30);
    await chargeOverHttp(api, user.token, 1_000_000);
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => pay(user, [held.reservationId], { 'idempotency-key': `race-${i}` })),
    );
    const created = responses.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    for (const loser of responses.filter((r) => r.status !== 201)) {
      expect([`409 ALREADY_PAID`, `403 QUEUE_TOKEN_NOT_ACTIVE`]).toContain(`${loser.status} ${loser.body.error.code}`);
    }
    expect(await balanceOf(user)).toBe(1_000_000 - held.price);
    const ledger = await wallets().listLedger('racer');
    expect(ledger.filter((e) => e.kind === 'PAYMENT')).toHaveLength(1);
    expect(replayLedger(ledger)).toBe(1_000_000 - held.price);
    expect((await api.request('GET', '/payments', { token: user.token })).body.payments).toHaveLength(1);
  });

  test('identical payments with one key racing: one debit, every answer the same 201', async () => {
    const user = await activeUser(api, CONCERT, 'double-click');
    const held = await hold(user, 31);
    await chargeOverHttp(api, user.token, 1_000_000);
    const responses = await Promise.all(
      Array.from({ length: 3 }, () => pay(user, [held.reservationId], { 'idempotency-key': 'one-click' })),
    );
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(responses.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(await balanceOf(user)).toBe(1_000_000 - held.price);
  });
});

describe('GET /payments pages', () => {
  test('newest first; limit and cursor walk the history', async () => {
    let user = await activeUser(api, CONCERT, 'collector');
    await chargeOverHttp(api, user.token, 2_000_000);
    const paid: string[] = [];
    for (const seat of [40, 41, 42]) {
      const held = await hold(user, seat);
      const response = await pay(user, [held.reservationId]);
      paid.push(response.body.paymentId);
      user = await rejoin(user);
    }
    const first = await api.request('GET', '/payments?limit=2', { token: user.token });
    expect(first.body.payments.map((p: { paymentId: string }) => p.paymentId)).toEqual([paid[2], paid[1]]);
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await api.request('GET', `/payments?limit=2&cursor=${first.body.nextCursor}`, { token: user.token });
    expect(second.body).toEqual({ payments: [expect.objectContaining({ paymentId: paid[0] })] });
    const all = await api.request('GET', '/payments', { token: user.token });
    expect(all.body.payments).toHaveLength(3);
    expect(all.body.nextCursor).toBeUndefined();
  });

  test('past 100 payments: the default page is 100 and the cursor gives the rest', async () => {
    const token = await api.tokenFor('hoarder');
    const newId = monotonicFactory();
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    const ids: string[] = [];
    for (let i = 0; i < 101; i++) {
      const paymentId = newId(start + i * 1000);
      ids.push(paymentId);
      const payment = {
        paymentId,
        userId: 'hoarder',
        concertId: CONCERT,
        reservationIds: [newId()],
        amount: 1_000,
        balance: 0,
        paidAt: start + i * 1000,
      };
      await documentClient.send(new PutCommand({ TableName: tableName('wallet'), Item: paymentItem(payment, i + 1) }));
    }
    const first = await api.request('GET', '/payments', { token });
    expect(first.body.payments).toHaveLength(100);
    expect(first.body.payments[0].paymentId).toBe(ids[100]);
    expect(first.body.payments[99].paymentId).toBe(ids[1]);
    const rest = await api.request('GET', `/payments?cursor=${first.body.nextCursor}`, { token });
    expect(rest.body).toEqual({ payments: [expect.objectContaining({ paymentId: ids[0] })] });
    // Another user's history is not reachable with this cursor: pages are always the caller's.
    const stranger = await api.tokenFor('stranger');
    expect((await api.request('GET', `/payments?cursor=${first.body.nextCursor}`, { token: stranger })).body).toEqual({ payments: [] });
  });
});

test('paid reservations read PAID with the payment id kept on the item', async () => {
  const user = await activeUser(api, CONCERT, 'receipt');
  const held = await hold(user, 45);
  await chargeOverHttp(api, user.token, 1_000_000);
  const paid = await pay(user, [held.reservationId]);
  const { Items } = await documentClient.send(
    new (await import('@aws-sdk/lib-dynamodb')).QueryCommand({
      TableName: tableName('reservations'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
      ExpressionAttributeValues: { ':pk': 'USER#receipt', ':r': 'RESERVATION#' },
    }),
  );
  expect(Items!.map(toReservation)).toEqual([expect.objectContaining({ status: 'PAID', paymentId: paid.body.paymentId })]);
});
