import { activeUsers, type ActiveUser } from '../support/active-users';
import { challengeFor, setChallengeWork, solvedFor } from '../support/join-challenge';
import { startLocalApi, type LocalApi } from '../support/local-api';
import { chargeOverHttp, holdOverHttp } from '../support/wallet-fixture';
import { snapshotTables } from './support';

/**
 * No route lets one user see or touch another's balance, reservations, payments or queue token,
 * nor give back or revoke what is another's.
 * Alice has money, holds, a payment and a token; Mallory, signed in as herself, tries everything.
 */
let api: LocalApi;
let alice: ActiveUser;
let mallory: ActiveUser;
let aliceHeld: string;
let alicePaid: string;
let alicePaymentId: string;

beforeAll(async () => {
  api = await startLocalApi();
  [alice, mallory] = await activeUsers(api, 'aurora-live', ['alice', 'mallory']);
  await chargeOverHttp(api, alice.token, 500_000);
  alicePaid = (await holdOverHttp(api, alice, 'aurora-live', 'aurora-live-1', 21)).reservationId;
  const payment = await api.request('POST', '/payments', {
    token: alice.token,
    queueToken: alice.queueToken,
    body: { reservationIds: [alicePaid] },
  });
  expect(payment.status).toBe(201);
  alicePaymentId = payment.body.paymentId;
  // Paying spent Alice's token: she queues again for a live one and holds another seat.
  const rejoined = await api.request('POST', '/concerts/aurora-live/queue', { token: alice.token });
  await api.runtime.runJob('admission');
  alice = { ...alice, queueToken: rejoined.body.token };
  aliceHeld = (await holdOverHttp(api, alice, 'aurora-live', 'aurora-live-1', 22)).reservationId;
});
afterAll(() => api.stop());

test('balance: each user reads only their own; a charge adds only to the caller', async () => {
  expect((await api.request('GET', '/balance', { token: mallory.token })).body).toEqual({ balance: 0 });
  // No way to name another user: the user id is the JWT's sub, and unknown query parameters or body fields are refused.
  expect((await api.request('GET', '/balance?userId=alice', { token: mallory.token })).body).toEqual({ balance: 0 });
  const charge = await api.request('POST', '/balance/charge', { token: mallory.token, body: { amount: 1000, userId: 'alice' } });
  expect(charge.status).toBe(400);
  expect(charge.body.error.details).toEqual([expect.objectContaining({ path: 'userId' })]);
  expect((await api.request('GET', '/balance', { token: alice.token })).body).toEqual({ balance: 500_000 - 132_000 });
});

test("reservations: none of Alice's are listed to Mallory", async () => {
  const mine = await api.request('GET', '/reservations', { token: mallory.token });
  expect(mine.body.reservations).toEqual([]);
  const withQuery = await api.request('GET', '/reservations?userId=alice', { token: mallory.token });
  expect(withQuery.status).toBe(400);
});

test("payments: Alice's history is hers; Mallory cannot pay with or for Alice's reservations", async () => {
  expect((await api.request('GET', '/payments', { token: mallory.token })).body.payments).toEqual([]);
  expect((await api.request('GET', `/payments?cursor=${alicePaymentId}`, { token: mallory.token })).body.payments ?? []).toEqual([]);
  await chargeOverHttp(api, mallory.token, 500_000);
  const before = await snapshotTables();
  for (const reservationIds of [[aliceHeld], [alicePaid]]) {
    const response = await api.request('POST', '/payments', {
      token: mallory.token,
      queueToken: mallory.queueToken,
      body: { reservationIds },
    });
    expect([response.status, response.body.error.code]).toEqual([404, 'NOT_FOUND']);
  }
  expect(await snapshotTables()).toEqual(before);
});

test("queue token: Mallory cannot poll, hold or pay with Alice's token", async () => {
  const before = await snapshotTables();
  const poll = await api.request('GET', '/concerts/aurora-live/queue', { token: mallory.token, queueToken: alice.queueToken });
  expect([poll.status, poll.body.error.code]).toEqual([403, 'QUEUE_TOKEN_INVALID']);
  expect(JSON.stringify(poll.body)).not.toContain(alice.queueToken);
  const hold = await api.request('POST', '/reservations', {
    token: mallory.token,
    queueToken: alice.queueToken,
    body: { concertId: 'aurora-live', scheduleId: 'aurora-live-2', seatNumber: 1 },
  });
  expect([hold.status, hold.body.error.code]).toEqual([403, 'QUEUE_TOKEN_INVALID']);
  const seats = await api.request('GET', '/concerts/aurora-live/schedules/aurora-live-1/seats', {
    token: mallory.token,
    queueToken: alice.queueToken,
  });
  expect(seats.status).toBe(403);
  const pay = await api.request('POST', '/payments', {
    token: mallory.token,
    queueToken: alice.queueToken,
    body: { reservationIds: [aliceHeld] },
  });
  expect(pay.status).toBe(403);
  expect(await snapshotTables()).toEqual(before);
  // Joining again hands Mallory her own (ACTIVE) token, never Alice's. That join took a number it
  // did not keep (API.md's widened rule): the line's counter moved by one, and nothing else changed.
  const joined = await api.request('POST', '/concerts/aurora-live/queue', { token: mallory.token });
  expect(joined.body.token).toBe(mallory.queueToken);
  const counter = (items: string[]) => items.find((item) => item.includes('"pk":"SEQ#aurora-live"'))!;
  const after = await snapshotTables();
  expect(JSON.parse(counter(after.queue)).lastSeq).toBe(JSON.parse(counter(before.queue)).lastSeq + 1);
  const withoutCounter = (tables: typeof before) => ({ ...tables, queue: tables.queue.filter((item) => item !== counter(tables.queue)) });
  expect(withoutCounter(after)).toEqual(withoutCounter(before));
});

test("giving back: Mallory cannot release Alice's hold, give back Alice's token, or revoke anyone", async () => {
  const before = await snapshotTables();
  for (const reservationId of [aliceHeld, alicePaid]) {
    const release = await api.request('DELETE', `/reservations/${reservationId}`, { token: mallory.token });
    expect([release.status, release.body.error.code]).toEqual([404, 'NOT_FOUND']);
  }
  const leave = await api.request('DELETE', '/concerts/aurora-live/queue', { token: mallory.token, queueToken: alice.queueToken });
  expect([leave.status, leave.body.error.code]).toEqual([403, 'QUEUE_TOKEN_INVALID']);
  expect(JSON.stringify(leave.body)).not.toContain(alice.queueToken);
  const revoke = await api.request('POST', '/admin/concerts/aurora-live/queue/revocations', {
    token: mallory.token,
    body: { userId: 'alice', ban: true },
  });
  expect([revoke.status, revoke.body.error.code]).toEqual([403, 'FORBIDDEN']);
  expect(await snapshotTables()).toEqual(before);
  // Alice's token and hold are still hers and live.
  const poll = await api.request('GET', '/concerts/aurora-live/queue', { token: alice.token, queueToken: alice.queueToken });
  expect(poll.body.status).toBe('ACTIVE');
});

test("Idempotency-Key: Mallory replaying Alice's key gets her own answer, never Alice's", async () => {
  const key = 'shared-key-1';
  const aliceCharge = await api.request('POST', '/balance/charge', {
    token: alice.token,
    body: { amount: 7 },
    headers: { 'idempotency-key': key },
  });
  const malloryCharge = await api.request('POST', '/balance/charge', {
    token: mallory.token,
    body: { amount: 7 },
    headers: { 'idempotency-key': key },
  });
  expect(malloryCharge.headers.get('idempotent-replayed')).toBeNull();
  expect(malloryCharge.body.balance).not.toBe(aliceCharge.body.balance);
  expect(malloryCharge.body).toEqual({ balance: 500_000 + 7 });
});

test("a seat Alice holds is not Mallory's to hold or see as hers", async () => {
  const hold = await api.request('POST', '/reservations', {
    token: mallory.token,
    queueToken: mallory.queueToken,
    body: { concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 22 },
  });
  expect([hold.status, hold.body.error.code]).toEqual([409, 'SEAT_UNAVAILABLE']);
  const seatMap = await api.request('GET', '/concerts/aurora-live/schedules/aurora-live-1/seats', {
    token: mallory.token,
    queueToken: mallory.queueToken,
  });
  const seat = seatMap.body.seats.find((s: { seatNumber: number }) => s.seatNumber === 22);
  // The map says the seat is taken and nothing about by whom.
  expect(seat).toEqual({ seatNumber: 22, price: expect.any(Number), status: 'HELD' });
});

test('waiting-room settings: Mallory, not an admin, can neither read nor change them, nor read who changed them', async () => {
  const admin = await api.tokenFor('ada', ['admin']);
  const changed = await api.request('PATCH', '/admin/concerts/midnight-orchestra/waiting-room', { token: admin, body: { maxActive: 500 } });
  expect(changed.status).toBe(200);
  const before = await snapshotTables();
  for (const [method, path, body] of [
    ['GET', '/admin/concerts/midnight-orchestra/waiting-room', undefined],
    ['PATCH', '/admin/concerts/midnight-orchestra/waiting-room', { admission: 'PAUSED' }],
    ['GET', '/admin/concerts/midnight-orchestra/waiting-room/changes', undefined],
  ] as const) {
    const response = await api.request(method, path, { token: mallory.token, queueToken: mallory.queueToken, body });
    expect([response.status, response.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(JSON.stringify(response.body)).not.toContain('ada');
  }
  expect(await snapshotTables()).toEqual(before);
});

test("join challenge: Mallory's join with Alice's solved challenge is CHALLENGE_FAILED and changes nothing; it still lets Alice in", async () => {
  const concertId = 'midnight-orchestra';
  await setChallengeWork(api, concertId, 20);
  // A challenge names the user it was issued to: Mallory's is hers.
  expect((await challengeFor(api, mallory.token, concertId)).parameters.data).toMatchObject({ userId: 'mallory', concertId });
  const alicesSolution = await solvedFor(api, alice.token, concertId);
  const before = await snapshotTables();
  const stolen = await api.request('POST', `/concerts/${concertId}/queue`, { token: mallory.token, body: { altcha: alicesSolution } });
  expect([stolen.status, stolen.body.error.code]).toEqual([403, 'CHALLENGE_FAILED']);
  expect(await snapshotTables()).toEqual(before);
  const own = await api.request('POST', `/concerts/${concertId}/queue`, { token: alice.token, body: { altcha: alicesSolution } });
  expect(own.status).toBe(201);
});
