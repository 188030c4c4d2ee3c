import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createConcert } from '../../functions/catalogue/create-concert';
import { seatSaleUpdate } from '../../functions/catalogue/catalogue-keys';
import { createDynamoCatalogueRepository } from '../../functions/catalogue/dynamo-catalogue-repository';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { activeUser, type ActiveUser } from '../support/active-users';
import { startLocalApi, type LocalApi } from '../support/local-api';

let api: LocalApi;
let alice: ActiveUser;
let admin: string;

beforeAll(async () => {
  api = await startLocalApi();
  alice = await activeUser(api, 'aurora-live', 'alice');
  admin = await api.tokenFor('ada', ['admin']);
});
afterAll(() => api.stop());

const DAY_MS = 24 * 3600 * 1000;
const dateIn = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
const as = (user: ActiveUser) => ({ token: user.token, queueToken: user.queueToken });
const schedules = (user: ActiveUser, concertId = 'aurora-live') => api.request('GET', `/concerts/${concertId}/schedules`, as(user));
const seats = (user: ActiveUser, scheduleId: string, concertId = 'aurora-live') =>
  api.request('GET', `/concerts/${concertId}/schedules/${scheduleId}/seats`, as(user));
const hold = (user: ActiveUser, concertId: string, scheduleId: string, seatNumber: number) =>
  api.request('POST', '/reservations', { ...as(user), body: { concertId, scheduleId, seatNumber } });
const createConcertRequest = (body: unknown, token = admin) => api.request('POST', '/admin/concerts', { token, body });
const concertIds = async () => (await api.request('GET', '/concerts')).body.concerts.map((c: { concertId: string }) => c.concertId).sort();
const sell = async (scheduleId: string, seatNumber: number, reservationId: string) =>
  documentClient.send(
    new UpdateCommand(seatSaleUpdate(tableName('catalogue'), { scheduleId, seatNumber, reservationId, now: Date.now() }).Update!),
  );
const errorCode = (response: { body: { error?: { code: string } } }) => response.body.error?.code;

describe('GET /concerts/{concertId}/schedules', () => {
  test('the demo dates of a concert, each with every seat available', async () => {
    const response = await schedules(alice);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      schedules: [
        { scheduleId: 'aurora-live-1', date: dateIn(30), availableSeats: 50 },
        { scheduleId: 'aurora-live-2', date: dateIn(31), availableSeats: 50 },
        { scheduleId: 'aurora-live-3', date: dateIn(32), availableSeats: 50 },
      ],
    });
  });

  test('availableSeats counts live holds and sales; a sold-out date is not listed', async () => {
    const first = await hold(alice, 'aurora-live', 'aurora-live-2', 11);
    const second = await hold(alice, 'aurora-live', 'aurora-live-2', 12);
    expect([first.status, second.status]).toEqual([201, 201]);
    await sell('aurora-live-2', 12, second.body.reservationId);
    expect((await schedules(alice)).body.schedules[1]).toEqual({ scheduleId: 'aurora-live-2', date: dateIn(31), availableSeats: 48 });

    const created = await createConcertRequest({
      title: 'Tiny Room',
      venue: 'Closet',
      schedules: [
        { date: dateIn(10), seats: [{ seatNumber: 1, price: 1000 }] },
        {
          date: dateIn(11),
          seats: [
            { seatNumber: 1, price: 1000 },
            { seatNumber: 2, price: 2000 },
          ],
        },
      ],
    });
    expect(created.status).toBe(201);
    const {
      concertId,
      schedules: [soloDate, pairDate],
    } = created.body;
    const bob = await activeUser(api, concertId, 'bob');
    expect((await hold(bob, concertId, soloDate.scheduleId, 1)).status).toBe(201);
    expect((await schedules(bob, concertId)).body).toEqual({
      schedules: [{ scheduleId: pairDate.scheduleId, date: dateIn(11), availableSeats: 2 }],
    });
  });
});

describe('GET /concerts/{concertId}/schedules/{scheduleId}/seats', () => {
  test('the whole seat map by number, in three price tiers, with held and sold seats', async () => {
    const held = await hold(alice, 'aurora-live', 'aurora-live-3', 1);
    const sold = await hold(alice, 'aurora-live', 'aurora-live-3', 50);
    await sell('aurora-live-3', 50, sold.body.reservationId);
    expect(held.status).toBe(201);

    const response = await seats(alice, 'aurora-live-3');
    expect(response.status).toBe(200);
    const map = response.body.seats as Array<{ seatNumber: number; price: number; status: string }>;
    expect(map).toHaveLength(50);
    expect(map.map((seat) => seat.seatNumber)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(map[0]).toEqual({ seatNumber: 1, price: 165_000, status: 'HELD' });
    expect(map[10]).toEqual({ seatNumber: 11, price: 132_000, status: 'AVAILABLE' });
    expect(map[49]).toEqual({ seatNumber: 50, price: 99_000, status: 'SOLD' });
    expect(new Set(map.map((seat) => seat.price))).toEqual(new Set([165_000, 132_000, 99_000]));
    expect(map.filter((seat) => seat.status === 'AVAILABLE')).toHaveLength(48);
  });

  test('404 for an unknown schedule and for a schedule of another concert; 400 for an id that cannot exist', async () => {
    const unknown = await seats(alice, 'no-such-schedule');
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'NOT_FOUND']);
    const elsewhere = await seats(alice, 'midnight-orchestra-1');
    expect([elsewhere.status, errorCode(elsewhere)]).toEqual([404, 'NOT_FOUND']);
    const malformed = await seats(alice, 'a.b');
    expect([malformed.status, errorCode(malformed)]).toEqual([400, 'VALIDATION_ERROR']);
    expect(malformed.body.error.details).toEqual([{ path: 'scheduleId', message: expect.any(String) }]);
  });
});

describe('the ACTIVE guard on dates and seat maps', () => {
  const both = (user: Partial<ActiveUser>, concertId = 'aurora-live') =>
    Promise.all([
      api.request('GET', `/concerts/${concertId}/schedules`, { token: user.token, queueToken: user.queueToken }),
      api.request('GET', `/concerts/${concertId}/schedules/${concertId}-1/seats`, { token: user.token, queueToken: user.queueToken }),
    ]);
  const codes = (responses: Array<{ status: number; body: { error?: { code: string } } }>) =>
    responses.map((response) => `${response.status} ${errorCode(response)}`);

  test('401 without a JWT; 403 QUEUE_TOKEN_REQUIRED without a queue token', async () => {
    expect(codes(await both({ queueToken: alice.queueToken }))).toEqual(['401 UNAUTHENTICATED', '401 UNAUTHENTICATED']);
    expect(codes(await both({ token: alice.token }))).toEqual(['403 QUEUE_TOKEN_REQUIRED', '403 QUEUE_TOKEN_REQUIRED']);
  });

  test('403 QUEUE_TOKEN_INVALID for a token of another user, of another concert, or made up', async () => {
    const mallory = await api.tokenFor('mallory');
    expect(codes(await both({ token: mallory, queueToken: alice.queueToken }))).toEqual([
      '403 QUEUE_TOKEN_INVALID',
      '403 QUEUE_TOKEN_INVALID',
    ]);
    expect(codes(await both(alice, 'midnight-orchestra'))).toEqual(['403 QUEUE_TOKEN_INVALID', '403 QUEUE_TOKEN_INVALID']);
    expect(codes(await both({ token: alice.token, queueToken: 'qt.made.up' }))).toEqual([
      '403 QUEUE_TOKEN_INVALID',
      '403 QUEUE_TOKEN_INVALID',
    ]);
  });

  test('403 QUEUE_TOKEN_NOT_ACTIVE for a token still waiting', async () => {
    const token = await api.tokenFor('walter');
    const joined = await api.request('POST', '/concerts/neon-harbor/queue', { token });
    expect(joined.body.status).toBe('WAIT');
    expect(codes(await both({ token, queueToken: joined.body.token }, 'neon-harbor'))).toEqual([
      '403 QUEUE_TOKEN_NOT_ACTIVE',
      '403 QUEUE_TOKEN_NOT_ACTIVE',
    ]);
  });
});

describe('POST /admin/concerts', () => {
  // Dates a few months ahead whenever the test runs: a concert is listed only until its last date.
  const [FIRST, SECOND, LATER] = [dateIn(120), dateIn(121), dateIn(150)];
  const validBody = () => ({
    title: 'Spring Gala',
    venue: 'Lotte Concert Hall',
    schedules: [
      {
        date: SECOND,
        seats: [
          { seatNumber: 2, price: 90_000 },
          { seatNumber: 1, price: 120_000 },
        ],
      },
      { date: FIRST, seats: [{ seatNumber: 1, price: 100_000 }] },
    ],
  });

  test('201 with the concert and its schedules by date; then listed, dated and seated', async () => {
    const response = await createConcertRequest(validBody());
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      concertId: expect.stringMatching(/^[a-z0-9]{26}$/),
      title: 'Spring Gala',
      venue: 'Lotte Concert Hall',
      schedules: [
        { scheduleId: expect.stringMatching(/^[a-z0-9]{26}$/), date: FIRST, seatCount: 1 },
        { scheduleId: expect.stringMatching(/^[a-z0-9]{26}$/), date: SECOND, seatCount: 2 },
      ],
    });
    const { concertId, schedules: created } = response.body;
    expect(await concertIds()).toContain(concertId);

    const carol = await activeUser(api, concertId, 'carol');
    expect((await schedules(carol, concertId)).body.schedules).toEqual([
      { scheduleId: created[0].scheduleId, date: FIRST, availableSeats: 1 },
      { scheduleId: created[1].scheduleId, date: SECOND, availableSeats: 2 },
    ]);
    expect((await seats(carol, created[1].scheduleId, concertId)).body).toEqual({
      seats: [
        { seatNumber: 1, price: 120_000, status: 'AVAILABLE' },
        { seatNumber: 2, price: 90_000, status: 'AVAILABLE' },
      ],
    });
  });

  test('1,000 seats a schedule are accepted (a body over 16 KiB); 1,001 are not', async () => {
    const seatsOf = (count: number) => Array.from({ length: count }, (_, i) => ({ seatNumber: i + 1, price: 50_000 + (i % 3) * 10_000 }));
    const big = await createConcertRequest({
      title: 'Stadium',
      venue: 'Jamsil',
      schedules: [{ date: LATER, seats: seatsOf(1000) }],
    });
    expect(big.status).toBe(201);
    expect(big.body.schedules[0].seatCount).toBe(1000);
    const dave = await activeUser(api, big.body.concertId, 'dave');
    expect((await seats(dave, big.body.schedules[0].scheduleId, big.body.concertId)).body.seats).toHaveLength(1000);

    const tooMany = await createConcertRequest({
      title: 'Stadium',
      venue: 'Jamsil',
      schedules: [{ date: LATER, seats: seatsOf(1001) }],
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details).toEqual([{ path: 'schedules.0.seats', message: expect.any(String) }]);
  });

  test.each([
    ['a date that does not exist', (b: any) => (b.schedules[0].date = '2027-02-29'), 'schedules.0.date'],
    ['a date of another shape', (b: any) => (b.schedules[0].date = '2027-4-2'), 'schedules.0.date'],
    ['a price of zero', (b: any) => (b.schedules[0].seats[0].price = 0), 'schedules.0.seats.0.price'],
    ['a price with decimals', (b: any) => (b.schedules[0].seats[0].price = 99.5), 'schedules.0.seats.0.price'],
    ['a price as a string', (b: any) => (b.schedules[0].seats[0].price = '1000'), 'schedules.0.seats.0.price'],
    ['a seat number twice', (b: any) => (b.schedules[0].seats[1].seatNumber = 2), 'schedules.0.seats.1.seatNumber'],
    ['seat number 0', (b: any) => (b.schedules[0].seats[0].seatNumber = 0), 'schedules.0.seats.0.seatNumber'],
    ['no seats', (b: any) => (b.schedules[1].seats = []), 'schedules.1.seats'],
    ['no schedules', (b: any) => (b.schedules = []), 'schedules'],
    ['a date twice', (b: any) => (b.schedules[1].date = SECOND), 'schedules.1.date'],
    ['a blank title', (b: any) => (b.title = '   '), 'title'],
    ['no venue', (b: any) => delete b.venue, 'venue'],
    ['an unknown field', (b: any) => (b.schedules[0].seats[0].row = 'A'), 'schedules.0.seats.0.row'],
  ])('400 VALIDATION_ERROR for %s, and nothing is created', async (_, spoil, path) => {
    const before = await concertIds();
    const body = validBody();
    spoil(body);
    const response = await createConcertRequest(body);
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: expect.any(String),
      details: [{ path, message: expect.any(String) }],
    });
    expect(await concertIds()).toEqual(before);
  });

  test('401 without a JWT, 403 FORBIDDEN outside the admin group, 413 over 256 KiB, 415 not JSON, 400 bad JSON', async () => {
    const before = await concertIds();
    const noJwt = await api.request('POST', '/admin/concerts', { body: validBody() });
    expect([noJwt.status, errorCode(noJwt)]).toEqual([401, 'UNAUTHENTICATED']);
    const notAdmin = await createConcertRequest(validBody(), alice.token);
    expect([notAdmin.status, errorCode(notAdmin)]).toEqual([403, 'FORBIDDEN']);
    const huge = await createConcertRequest({ ...validBody(), title: 'x'.repeat(257 * 1024) });
    expect([huge.status, errorCode(huge)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const text = await api.request('POST', '/admin/concerts', {
      token: admin,
      body: JSON.stringify(validBody()),
      headers: { 'content-type': 'text/plain' },
    });
    expect([text.status, errorCode(text)]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const broken = await api.request('POST', '/admin/concerts', { token: admin, body: '{"title":' });
    expect([broken.status, errorCode(broken)]).toEqual([400, 'VALIDATION_ERROR']);
    expect(await concertIds()).toEqual(before);
  });

  test.each([
    ['a comma inside one group name', ['ops,admin']],
    ['a longer name', ['xadmin']],
    ['a bracket in the name', ['admin]']],
    ['another case', ['Admin']],
  ])('403 FORBIDDEN for %s: only the exact group admin may create', async (_, groups) => {
    const before = await concertIds();
    const response = await createConcertRequest(validBody(), await api.tokenFor('mallory', groups));
    expect([response.status, errorCode(response)]).toEqual([403, 'FORBIDDEN']);
    expect(await concertIds()).toEqual(before);
  });

  test('admin among other groups may create', async () => {
    const response = await createConcertRequest({ ...validBody(), title: 'Two Hats' }, await api.tokenFor('olive', ['ops', 'admin']));
    expect(response.status).toBe(201);
  });

  test.each([
    ['a line break', 'title', 'Late\nShow'],
    ['a trailing tab', 'title', 'Late Show\t'],
    ['a NUL', 'venue', 'Hall\u0000'],
    ['DEL', 'venue', 'Hall\u007f'],
    ['a C1 control', 'venue', 'Hall\u0085'],
    ['a right-to-left override', 'title', 'Show \u202Eevil'],
    ['a left-to-right isolate', 'venue', '\u2066Hall\u2069'],
    ['a right-to-left mark', 'title', 'Show\u200F'],
  ])('400 VALIDATION_ERROR for %s in a text field, and nothing is created', async (_, field, text) => {
    const before = await concertIds();
    const response = await createConcertRequest({ ...validBody(), [field]: text });
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: expect.any(String),
      details: [{ path: field, message: expect.stringContaining('control') }],
    });
    expect(await concertIds()).toEqual(before);
  });

  test('letters of any script, accents and emoji are fine in text fields', async () => {
    const response = await createConcertRequest({ ...validBody(), title: 'Café ★ 서울 — שלום 🎵', venue: 'Olympiahalle, München' });
    expect(response.status).toBe(201);
  });

  test('a create that fails before its concert item is written leaves nothing anyone can reach; sending it again works', async () => {
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: process.env.DYNAMODB_ENDPOINT,
        region: 'local',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    client.middlewareStack.add(
      (next) => async (args) => {
        const item = (args.input as { Item?: { sk?: string } }).Item;
        if (item?.sk === 'CONCERT') throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
        return next(args);
      },
      { step: 'initialize', name: 'failConcertPut' },
    );
    const failing = createDynamoCatalogueRepository(client, tableName('catalogue'));
    const ids = ['halfmade-concert', 'halfmade-date-1', 'halfmade-date-2'];
    const before = await concertIds();
    await expect(createConcert({ catalogue: failing, newId: () => ids.shift()! }, validBody())).rejects.toThrow('connection reset');

    // Its schedules and seats were written, but nothing leads to them: no concert item.
    expect(await failing.listSchedules('halfmade-concert')).toHaveLength(2);
    expect(await failing.findConcert('halfmade-concert')).toBeUndefined();
    expect(await concertIds()).toEqual(before);
    const join = await api.request('POST', '/concerts/halfmade-concert/queue', { token: await api.tokenFor('erin') });
    expect([join.status, errorCode(join)]).toEqual([404, 'NOT_FOUND']);

    const again = await createConcertRequest(validBody());
    expect(again.status).toBe(201);
    expect(await concertIds()).toEqual([...before, again.body.concertId].sort());
    client.destroy();
  });
});
