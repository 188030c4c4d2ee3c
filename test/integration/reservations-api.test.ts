import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { seatSaleUpdate } from '../../functions/catalogue/catalogue-keys';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { activeUser, activeUsers, type ActiveUser } from '../support/active-users';
import { startLocalApi, type LocalApi } from '../support/local-api';

let api: LocalApi;
let alice: ActiveUser;
let bob: ActiveUser;

beforeAll(async () => {
  api = await startLocalApi();
  [alice, bob] = await activeUsers(api, 'aurora-live', ['alice', 'bob']);
});
afterAll(() => api.stop());

const DAY_MS = 24 * 3600 * 1000;
const dateIn = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
const as = (user: ActiveUser) => ({ token: user.token, queueToken: user.queueToken });
const hold = (user: ActiveUser, scheduleId: string, seatNumber: number, concertId = 'aurora-live') =>
  api.request('POST', '/reservations', { ...as(user), body: { concertId, scheduleId, seatNumber } });
const list = (token: string, query = '') => api.request('GET', `/reservations${query}`, { token });
const seatStatus = async (user: ActiveUser, scheduleId: string, seatNumber: number) =>
  (await api.request('GET', `/concerts/aurora-live/schedules/${scheduleId}/seats`, as(user))).body.seats[seatNumber - 1].status;
const errorOf = (response: { status: number; body: { error?: { code: string } } }) => `${response.status} ${response.body.error?.code}`;

describe('POST /reservations', () => {
  test('201 with the reservation: the seat is HELD for HOLD_SECONDS', async () => {
    const response = await hold(alice, 'aurora-live-1', 3);
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      reservationId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      concertId: 'aurora-live',
      scheduleId: 'aurora-live-1',
      date: dateIn(30),
      seatNumber: 3,
      price: 165_000,
      status: 'HELD',
      expiresAt: expect.any(String),
      createdAt: expect.any(String),
    });
    expect(Date.parse(response.body.expiresAt) - Date.parse(response.body.createdAt)).toBe(300_000);
    expect(new Date(response.body.createdAt).toISOString()).toBe(response.body.createdAt);
    expect(await seatStatus(bob, 'aurora-live-1', 3)).toBe('HELD');
  });

  test('409 SEAT_UNAVAILABLE for a seat held by another, held by the caller, or sold', async () => {
    expect((await hold(alice, 'aurora-live-1', 20)).status).toBe(201);
    expect(errorOf(await hold(bob, 'aurora-live-1', 20))).toBe('409 SEAT_UNAVAILABLE');
    expect(errorOf(await hold(alice, 'aurora-live-1', 20))).toBe('409 SEAT_UNAVAILABLE');

    const sold = await hold(bob, 'aurora-live-1', 21);
    await documentClient.send(
      new UpdateCommand(
        seatSaleUpdate(tableName('catalogue'), {
          scheduleId: 'aurora-live-1',
          seatNumber: 21,
          reservationId: sold.body.reservationId,
          now: Date.now(),
        }).Update!,
      ),
    );
    expect(errorOf(await hold(alice, 'aurora-live-1', 21))).toBe('409 SEAT_UNAVAILABLE');
    expect(errorOf(await hold(bob, 'aurora-live-1', 21))).toBe('409 SEAT_UNAVAILABLE');
  });

  test('404 NOT_FOUND for a seat that does not exist, an unknown schedule, or a schedule of another concert', async () => {
    expect(errorOf(await hold(alice, 'aurora-live-1', 51))).toBe('404 NOT_FOUND');
    expect(errorOf(await hold(alice, 'aurora-live-1', 12_345))).toBe('404 NOT_FOUND');
    expect(errorOf(await hold(alice, 'no-such-date', 1))).toBe('404 NOT_FOUND');
    expect(errorOf(await hold(alice, 'midnight-orchestra-1', 1))).toBe('404 NOT_FOUND');
  });

  test('409 HOLD_LIMIT_REACHED past 4 live holds on one date; other dates and other users are unaffected', async () => {
    const carol = await activeUser(api, 'aurora-live', 'carol');
    for (const seat of [31, 32, 33, 34]) expect((await hold(carol, 'aurora-live-3', seat)).status).toBe(201);
    expect(errorOf(await hold(carol, 'aurora-live-3', 35))).toBe('409 HOLD_LIMIT_REACHED');
    // A seat that is taken says so first.
    expect(errorOf(await hold(carol, 'aurora-live-3', 31))).toBe('409 SEAT_UNAVAILABLE');
    expect((await hold(carol, 'aurora-live-2', 35)).status).toBe(201);
    expect((await hold(bob, 'aurora-live-3', 35)).status).toBe(201);
  });

  test('400, 413 and 415 for bodies the contract refuses; nothing is held', async () => {
    const send = (body: unknown, headers?: Record<string, string>) => api.request('POST', '/reservations', { ...as(alice), body, headers });
    const cases: Array<[unknown, string]> = [
      [{ concertId: 'aurora-live', scheduleId: 'aurora-live-1' }, 'seatNumber'],
      [{ concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 0 }, 'seatNumber'],
      [{ concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 1.5 }, 'seatNumber'],
      [{ concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: '40' }, 'seatNumber'],
      [{ concertId: 'aurora-live', scheduleId: 'a b', seatNumber: 40 }, 'scheduleId'],
      [{ concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 40, userId: 'bob' }, 'userId'],
    ];
    for (const [body, path] of cases) {
      const response = await send(body);
      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({
        code: 'VALIDATION_ERROR',
        message: expect.any(String),
        details: [{ path, message: expect.any(String) }],
      });
    }
    expect(errorOf(await send('{"concertId":'))).toBe('400 VALIDATION_ERROR');
    expect(
      errorOf(
        await send(JSON.stringify({ concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 40 }), {
          'content-type': 'text/plain',
        }),
      ),
    ).toBe('415 UNSUPPORTED_MEDIA_TYPE');
    expect(errorOf(await send({ concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 40, pad: 'x'.repeat(17 * 1024) }))).toBe(
      '413 PAYLOAD_TOO_LARGE',
    );
    expect(await seatStatus(alice, 'aurora-live-1', 40)).toBe('AVAILABLE');
  });

  test('the ACTIVE guard: 401, QUEUE_TOKEN_REQUIRED, a token of another user or concert, a waiting token; nothing is held', async () => {
    const body = { concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 41 };
    const mallory = await api.tokenFor('mallory');
    const waiting = await api.tokenFor('walter');
    const walterToken = (await api.request('POST', '/concerts/aurora-live/queue', { token: waiting })).body.token;
    const responses = [
      await api.request('POST', '/reservations', { queueToken: alice.queueToken, body }),
      await api.request('POST', '/reservations', { token: alice.token, body }),
      await api.request('POST', '/reservations', { token: mallory, queueToken: alice.queueToken, body }),
      await api.request('POST', '/reservations', {
        ...as(alice),
        body: { ...body, concertId: 'midnight-orchestra', scheduleId: 'midnight-orchestra-1' },
      }),
      await api.request('POST', '/reservations', { token: waiting, queueToken: walterToken, body }),
    ];
    expect(responses.map(errorOf)).toEqual([
      '401 UNAUTHENTICATED',
      '403 QUEUE_TOKEN_REQUIRED',
      '403 QUEUE_TOKEN_INVALID',
      '403 QUEUE_TOKEN_INVALID',
      '403 QUEUE_TOKEN_NOT_ACTIVE',
    ]);
    expect(await seatStatus(alice, 'aurora-live-1', 41)).toBe('AVAILABLE');
  });
});

describe('GET /reservations', () => {
  test("the user's own reservations, newest first, in pages", async () => {
    const dan = await activeUser(api, 'aurora-live', 'dan');
    const made: string[] = [];
    for (const seat of [44, 45, 46]) made.push((await hold(dan, 'aurora-live-1', seat)).body.reservationId);
    made.push((await hold(dan, 'aurora-live-2', 44)).body.reservationId);
    const newestFirst = [...made].reverse();

    const all = await list(dan.token);
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ reservations: expect.any(Array) });
    expect(all.body.reservations.map((r: { reservationId: string }) => r.reservationId)).toEqual(newestFirst);
    expect(all.body.reservations[3]).toMatchObject({ scheduleId: 'aurora-live-1', seatNumber: 44, status: 'HELD', price: 99_000 });

    const first = await list(dan.token, '?limit=3');
    expect(first.body.reservations.map((r: { reservationId: string }) => r.reservationId)).toEqual(newestFirst.slice(0, 3));
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await list(dan.token, `?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ reservations: [expect.objectContaining({ reservationId: newestFirst[3] })] });

    const exact = await list(dan.token, '?limit=4');
    expect(exact.body.nextCursor).toBeUndefined();
    expect(exact.body.reservations).toHaveLength(4);

    const stranger = await api.tokenFor('stranger');
    expect((await list(stranger)).body).toEqual({ reservations: [] });
    // Another user's cursor only positions within your own list.
    expect((await list(stranger, `?cursor=${first.body.nextCursor}`)).body).toEqual({ reservations: [] });
  });

  test('400 for a bad limit, a made-up cursor or an unknown parameter; 401 without a JWT', async () => {
    for (const [query, path] of [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=ten', 'limit'],
      ['?cursor=not-ours', 'cursor'],
      ['?cursor=cjpYWQ', 'cursor'],
      ['?page=2', 'page'],
    ]) {
      const response = await list(alice.token, query);
      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({
        code: 'VALIDATION_ERROR',
        message: expect.any(String),
        details: [{ path, message: expect.any(String) }],
      });
    }
    expect(errorOf(await api.request('GET', '/reservations'))).toBe('401 UNAUTHENTICATED');
  });
});
