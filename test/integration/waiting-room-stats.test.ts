// Holds end within the test, so it can watch them run out (40 s: long enough for the payments to come
// first on a busy machine); a run admits part of the line, so some wait.
process.env.HOLD_SECONDS = '40';
process.env.ADMIT_PER_TICK = '40';

import { ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { countDynamoDbCalls } from '../../bench/dynamodb-calls';
import { handler as countSales } from '../../functions/jobs/sales-counter';
import { admitWaitingTokens } from '../../functions/queue/admit-waiting-tokens';
import { queueKeys, toAdmissionState, toTokenRecord } from '../../functions/queue/queue-keys';
import { tokenState } from '../../functions/queue/queue-rules';
import { settings, tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import type { Item } from '../../functions/shared/dynamodb-item';
import { seriesRecorder } from '../../functions/stats/default-stats-deps';
import { statsKeys } from '../../functions/stats/stats-keys';
import type { WaitingRoomStatsView } from '../../functions/stats/stats-rules';
import { waitingRoomStatsSchema } from '../../functions/http/response-schemas';
import { pause } from '../../functions/shared/pause';
import { lengthenLine, onlyConcert, queueDepsForTest, TestClock } from '../support/queue-fixture';
import { startLocalApi, type LocalApi } from '../support/local-api';

/**
 * GET /admin/concerts/{concertId}/waiting-room/stats over real HTTP, after real concurrent joins,
 * holds, payments and hold expiry: every figure equals what a scan of the tables says (the test
 * scans; the route reads a few known keys), the series gains one point per admission run, and
 * the route's DynamoDB calls are the same for 10 users as for 200.
 */
let api: LocalApi;
let admin: string;
beforeAll(async () => {
  api = await startLocalApi({ seed: false });
  admin = await api.tokenFor('operator', ['admin']);
});
afterAll(() => api.stop());

// Hundreds of users over HTTP on a loaded 2-core machine, and holds left to run out.
jest.setTimeout(180_000);

interface User {
  readonly userId: string;
  readonly token: string;
  readonly queueToken: string;
  /** Place in line when joining, before anyone was admitted. */
  readonly position: number;
}

const DAY_MS = 24 * 3600 * 1000;
const dateIn = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
const priceOf = (seatNumber: number) => 10_000 + (seatNumber % 7) * 1_000;

async function newConcert(seatsPerDate: number): Promise<{ concertId: string; scheduleIds: string[] }> {
  const seats = Array.from({ length: seatsPerDate }, (_, i) => ({ seatNumber: i + 1, price: priceOf(i + 1) }));
  const created = await api.request('POST', '/admin/concerts', {
    token: admin,
    body: { title: 'Stats', venue: 'Hall', schedules: [10, 11].map((d) => ({ date: dateIn(d), seats })) },
  });
  expect(created.status).toBe(201);
  return { concertId: created.body.concertId, scheduleIds: created.body.schedules.map((s: { scheduleId: string }) => s.scheduleId) };
}

/** Users who join at once, in their order in line. */
async function join(concertId: string, userIds: readonly string[]): Promise<User[]> {
  const users = await Promise.all(
    userIds.map(async (userId) => {
      const token = await api.tokenFor(userId);
      const response = await api.request('POST', `/concerts/${concertId}/queue`, { token });
      expect(response.status).toBe(201);
      return { userId, token, queueToken: response.body.token as string, position: response.body.position as number };
    }),
  );
  return users.sort((a, b) => a.position - b.position);
}

const outcome = (response: { status: number; body?: { error?: { code: string } } }) =>
  response.status === 201 || response.status === 200 ? `${response.status}` : `${response.status} ${response.body?.error?.code}`;

const stats = async (concertId: string, token = admin) =>
  api.request<WaitingRoomStatsView & { error?: { code: string } }>('GET', `/admin/concerts/${concertId}/waiting-room/stats`, { token });

async function scan(table: string, input: Omit<ScanCommandInput, 'TableName'> = {}): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await documentClient.send(
      new ScanCommand({ ...input, TableName: tableName(table as never), ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * The figures as the tables say, one token, reservation and seat at a time, at the instant `at`.
 * `leftWaiting`: the users who left the line before admission reached them (a token item does not
 * say when it was given back, and admission later passes over its place).
 */
async function groundTruth(concertId: string, at: number, leftWaiting: ReadonlySet<string>) {
  const [queueItems, reservations, seats] = await Promise.all([
    scan('queue'),
    scan('reservations'),
    scan('catalogue', {
      FilterExpression: 'concertId = :c AND begins_with(sk, :seat)',
      ExpressionAttributeValues: { ':c': concertId, ':seat': 'SEAT#' },
    }),
  ]);
  const admission = toAdmissionState(queueItems.find((item) => item.pk === queueKeys.admission(concertId).pk));
  const tokens = queueItems
    .filter((item) => (item.pk as string).startsWith(`TOKEN#${concertId}#`))
    .flatMap((item) => toTokenRecord(item) ?? []);
  const stateOf = (t: (typeof tokens)[number], finished: boolean) =>
    tokenState(t.seq!, finished, admission, at, settings().activeSeconds, t.shard, t.preQueue ?? false).status;
  const states = tokens.map((t) => stateOf(t, t.finishedAt !== undefined));
  const ofConcert = reservations.filter((r) => (r.sk as string).startsWith('RESERVATION#') && r.concertId === concertId);
  const paid = ofConcert.filter((r) => r.status === 'PAID');
  const held = ofConcert.filter((r) => r.status === 'HELD');
  const payers = new Set(paid.map((r) => r.userId));
  const dates = [...new Set(paid.map((r) => r.date as string))].sort();
  return {
    waiting: states.filter((s) => s === 'WAIT').length,
    active: states.filter((s) => s === 'ACTIVE').length,
    joinedTotal: tokens.length,
    // Admission reached their place (whatever they did since), and they had not left it before.
    admittedTotal: tokens.filter((t) => stateOf(t, false) !== 'WAIT' && !leftWaiting.has(t.userId)).length,
    // A token ends early when its holder pays or gives it back (no admin revokes one here).
    leftTotal: tokens.filter((t) => t.finishedAt !== undefined && !payers.has(t.userId)).length,
    holdsLive: held.filter((r) => (r.expiresAt as number) > at).length,
    /** Holds that ended within the second before `at`: the route may count these still (it counts by whole seconds). */
    holdsJustEnded: held.filter((r) => (r.expiresAt as number) <= at && Math.ceil((r.expiresAt as number) / 1000) * 1000 > at).length,
    seatsSold: paid.length,
    seatsSoldInCatalogue: seats.filter((s) => s.status === 'SOLD').length,
    seatsTotal: seats.length,
    revenue: paid.reduce((sum, r) => sum + (r.price as number), 0),
    salesByDate: dates.map((date) => {
      const onDate = paid.filter((r) => r.date === date);
      return { date, seatsSold: onDate.length, revenue: onDate.reduce((sum, r) => sum + (r.price as number), 0) };
    }),
    lastHoldEnds: Math.max(0, ...held.map((r) => r.expiresAt as number)),
    /** Holds that ran out unpaid by `at` (a loaded machine may take that long). */
    holdsEnded: held.filter((r) => (r.expiresAt as number) <= at).length,
  };
}

async function expectStatsToMatchTables(concertId: string, leftWaiting: ReadonlySet<string> = new Set()) {
  await api.runtime.pollStream('sales-counter');
  const response = await stats(concertId);
  expect(response.status).toBe(200);
  waitingRoomStatsSchema.parse(response.body);
  const figures = response.body;
  const truth = await groundTruth(concertId, Date.parse(figures.at), leftWaiting);
  expect(truth.seatsSoldInCatalogue).toBe(truth.seatsSold);
  expect(figures.holdsLive).toBeGreaterThanOrEqual(truth.holdsLive);
  expect(figures.holdsLive).toBeLessThanOrEqual(truth.holdsLive + truth.holdsJustEnded);
  expect({
    waiting: figures.waiting,
    active: figures.active,
    joinedTotal: figures.joinedTotal,
    admittedTotal: figures.admittedTotal,
    leftTotal: figures.leftTotal,
    seatsSold: figures.seatsSold,
    seatsTotal: figures.seatsTotal,
    revenue: figures.revenue,
    salesByDate: figures.salesByDate,
  }).toEqual({
    waiting: truth.waiting,
    active: truth.active,
    joinedTotal: truth.joinedTotal,
    admittedTotal: truth.admittedTotal,
    leftTotal: truth.leftTotal,
    seatsSold: truth.seatsSold,
    seatsTotal: truth.seatsTotal,
    revenue: truth.revenue,
    salesByDate: truth.salesByDate,
  });
  return { figures, truth };
}

test('after concurrent joins, holds, payments, releases, leaves and expiry, every figure equals what the tables say', async () => {
  const { concertId, scheduleIds } = await newConcert(40);
  const empty = await expectStatsToMatchTables(concertId);
  expect(empty.figures).toMatchObject({
    waiting: 0,
    active: 0,
    joinedTotal: 0,
    holdsLive: 0,
    seatsSold: 0,
    seatsTotal: 80,
    revenue: 0,
    series: [],
  });

  // 60 join at once; a run admits 40, 20 wait.
  const users = await join(
    concertId,
    Array.from({ length: 60 }, (_, i) => `fan-${i}`),
  );
  await api.runtime.runJob('admission');
  const afterJoins = await expectStatsToMatchTables(concertId);
  expect(afterJoins.figures).toMatchObject({ waiting: 20, active: 40, joinedTotal: 60, admittedTotal: 40 });
  expect(afterJoins.figures.estimatedWaitSecondsForNewJoiner).toBeGreaterThan(0);

  // The 40 admitted race for the first date's 25 first seats, then each holds a seat of its own on the second date.
  const admitted = users.slice(0, 40);
  const holdWave = (seatOf: (i: number) => { scheduleId: string; seatNumber: number }) =>
    Promise.all(
      admitted.map((user, i) =>
        api
          .request('POST', '/reservations', { token: user.token, queueToken: user.queueToken, body: { concertId, ...seatOf(i) } })
          .then((r) => ({ user, r })),
      ),
    );
  const holds = [
    ...(await holdWave((i) => ({ scheduleId: scheduleIds[0], seatNumber: (i % 25) + 1 }))),
    ...(await holdWave((i) => ({ scheduleId: scheduleIds[1], seatNumber: i + 1 }))),
  ];
  // A loaded machine may answer a hold 503 (to be retried); none is answered anything else but a lost race.
  expect(holds.map(({ r }) => outcome(r)).filter((o) => !['201', '409 SEAT_UNAVAILABLE', '503 UNAVAILABLE'].includes(o))).toEqual([]);
  const won = holds.filter(({ r }) => r.status === 201);
  expect(won.length).toBeGreaterThan(0);
  const afterHolds = await expectStatsToMatchTables(concertId);
  // A hold answered 503 may still have landed (the answer was lost, not the write), so it may count.
  const unsure = holds.filter(({ r }) => r.status === 503).length;
  expect(afterHolds.figures.holdsLive).toBeGreaterThanOrEqual(won.length - afterHolds.truth.holdsEnded);
  expect(afterHolds.figures.holdsLive).toBeLessThanOrEqual(won.length + unsure - afterHolds.truth.holdsEnded);

  // At once: 15 pay for everything they hold (one sends the payment twice), 5 others release a hold,
  // 5 who wait leave the line and 3 admitted who hold nothing paid end their turn.
  const payers = admitted.filter((user) => won.some((h) => h.user === user)).slice(0, 15);
  const releasers = admitted.filter((user) => !payers.includes(user) && won.some((h) => h.user === user)).slice(0, 5);
  const leavers = [...users.slice(40, 45), ...admitted.filter((user) => !payers.includes(user) && !releasers.includes(user)).slice(0, 3)];
  const leftWaiting = new Set(users.slice(40, 45).map((user) => user.userId));
  await Promise.all(payers.map((user) => api.request('POST', '/balance/charge', { token: user.token, body: { amount: 1_000_000 } })));
  const [payments, releases, leaves] = await Promise.all([
    Promise.all(
      [...payers, payers[0]].map((user) => {
        const reservationIds = won.filter((h) => h.user === user).map((h) => h.r.body.reservationId as string);
        return api.request('POST', '/payments', { token: user.token, queueToken: user.queueToken, body: { reservationIds } });
      }),
    ),
    Promise.all(
      releasers.map((user) =>
        api.request('DELETE', `/reservations/${won.find((h) => h.user === user)!.r.body.reservationId}`, { token: user.token }),
      ),
    ),
    Promise.all(
      leavers.map((user) => api.request('DELETE', `/concerts/${concertId}/queue`, { token: user.token, queueToken: user.queueToken })),
    ),
  ]);
  // A loaded machine may be slow enough for a hold to end first (RESERVATION_EXPIRED), or answer 503.
  const allowed = ['201', '409 ALREADY_PAID', '403 QUEUE_TOKEN_NOT_ACTIVE', '409 RESERVATION_EXPIRED', '503 UNAVAILABLE'];
  expect(payments.map(outcome).filter((o) => !allowed.includes(o))).toEqual([]);
  const succeeded = payments.filter((p) => p.status === 201);
  expect(succeeded.length).toBeGreaterThan(0);
  const released = releases.filter((r) => r.status === 200);
  expect(released.map((r) => r.body.status)).toEqual(released.map(() => 'RELEASED'));
  expect(releases.map(outcome).filter((o) => !['200', '409 RESERVATION_EXPIRED', '503 UNAVAILABLE'].includes(o))).toEqual([]);
  expect(leaves.map((r) => `${r.status} ${r.body.status}`)).toEqual(leavers.map(() => '200 EXPIRED'));
  const afterGivingBack = await expectStatsToMatchTables(concertId, leftWaiting);
  expect(afterGivingBack.figures).toMatchObject({ waiting: 15, leftTotal: 8 });
  if (payments.every((p) => p.status !== 503)) {
    // Every answer says whether its payment landed (a 503 might not).
    expect(afterGivingBack.figures.revenue).toBe(succeeded.reduce((sum, p) => sum + (p.body.amount as number), 0));
    expect(afterGivingBack.figures.active).toBe(40 - succeeded.length - 3); // a payment ends its payer's turn, as leaving does
  }
  const stillHeld = won.length - afterGivingBack.figures.seatsSold - released.length - afterGivingBack.truth.holdsEnded;
  expect(afterGivingBack.figures.holdsLive).toBeGreaterThanOrEqual(stillHeld);
  expect(afterGivingBack.figures.holdsLive).toBeLessThanOrEqual(stillHeld + unsure);

  // The next run admits the 15 still waiting and passes over the 5 places given back.
  await api.runtime.runJob('admission');
  const afterSecondRun = await expectStatsToMatchTables(concertId, leftWaiting);
  expect(afterSecondRun.figures).toMatchObject({ waiting: 0, admittedTotal: 55, joinedTotal: 60, leftTotal: 8 });
  const afterPayments = afterSecondRun;

  // The unpaid holds run out; nothing is written when they do, and nothing else moves.
  await pause(Math.max(0, afterPayments.truth.lastHoldEnds - Date.now()) + 1_100);
  const afterExpiry = await expectStatsToMatchTables(concertId, leftWaiting);
  expect(afterExpiry.figures).toMatchObject({
    holdsLive: 0,
    seatsSold: afterPayments.figures.seatsSold,
    revenue: afterPayments.figures.revenue,
  });
});

test('the series gains one point per admission run: the line as the run left it, with the sales so far', async () => {
  const { concertId } = await newConcert(5);
  await join(
    concertId,
    Array.from({ length: 50 }, (_, i) => `series-${i}`),
  );
  const points: number[] = [];
  for (let run = 0; run < 3; run++) {
    await api.runtime.runJob('admission');
    const { body } = await stats(concertId);
    points.push(body.series.length);
    expect(body.series[body.series.length - 1]).toMatchObject({
      waiting: body.waiting,
      active: body.active,
      joined: 50,
      admitted: body.admittedTotal,
      sold: 0,
      revenue: 0,
    });
    // Points are per second: the next run is in another one.
    await pause(1_050 - (Date.now() % 1000) + 10);
  }
  expect(points).toEqual([1, 2, 3]);
  const { body } = await stats(concertId);
  expect(body.series.map((p) => p.admitted)).toEqual([40, 50, 50]);
  expect(body.series.map((p) => p.waiting)).toEqual([10, 0, 0]);
  expect([...body.series.map((p) => p.at)].sort()).toEqual(body.series.map((p) => p.at));
});

test("a new joiner's wait is what a join then answers, at the concert's own rate", async () => {
  const { concertId } = await newConcert(5);
  await join(
    concertId,
    Array.from({ length: 50 }, (_, i) => `wait-${i}`),
  );
  await api.runtime.runJob('admission'); // 40 in, 10 wait
  const patched = await api.request('PATCH', `/admin/concerts/${concertId}/waiting-room`, { token: admin, body: { admitPerMinute: 3 } });
  expect(patched.status).toBe(200);
  await pause(1_100); // joins read the settings through a cache of at most a second
  const { body } = await stats(concertId);
  const joined = await api.request('POST', `/concerts/${concertId}/queue`, { token: await api.tokenFor('wait-late') });
  expect(joined.body.position).toBe(body.waiting + 1);
  expect(joined.body.estimatedWaitSeconds).toBe(body.estimatedWaitSecondsForNewJoiner);
  expect(body.estimatedWaitSecondsForNewJoiner).toBe(4 * 60); // 11th at 3 a run, a run a minute with the timer off: 4 runs
});

test('a scheduled opening: the pre-queue waits before it and goes in ahead of the line after it, and the figures equal the tables throughout', async () => {
  const { concertId } = await newConcert(5);
  const opensAt = Date.now() + 6_000;
  const scheduled = await api.request('PATCH', `/admin/concerts/${concertId}/waiting-room`, {
    token: admin,
    body: { saleOpensAt: new Date(opensAt).toISOString() },
  });
  expect(scheduled.status).toBe(200);
  await pause(1_100);
  const early = await join(
    concertId,
    Array.from({ length: 30 }, (_, i) => `early-${i}`),
  );
  const leftWaiting = new Set(early.slice(0, 2).map((user) => user.userId));
  for (const user of early.slice(0, 2)) {
    expect((await api.request('DELETE', `/concerts/${concertId}/queue`, { token: user.token, queueToken: user.queueToken })).status).toBe(
      200,
    );
  }
  const before = await expectStatsToMatchTables(concertId, leftWaiting);
  expect(before.figures).toMatchObject({ joinedTotal: 30, waiting: 28, admittedTotal: 0, leftTotal: 2 });
  // A pre-queue joiner is told no wait (the opening shuffles); this is the most it can be, the opening included.
  expect(before.figures.estimatedWaitSecondsForNewJoiner).toBeGreaterThanOrEqual(
    Math.floor((opensAt - Date.parse(before.figures.at)) / 1000),
  );

  await pause(Math.max(0, opensAt - Date.now()) + 1_100);
  await join(
    concertId,
    Array.from({ length: 10 }, (_, i) => `late-${i}`),
  );
  await api.runtime.runJob('admission'); // opens the sale: the pre-queue's 28 first, then the line's 10
  const after = await expectStatsToMatchTables(concertId, leftWaiting);
  expect(after.figures).toMatchObject({ joinedTotal: 40, waiting: 0, admittedTotal: 38, active: 38, leftTotal: 2 });
  expect(after.figures.series.at(-1)).toMatchObject({ joined: 40, waiting: 0, admitted: 38, active: 38 });
});

describe('cost', () => {
  test('the route is one BatchGetItem for 10 users as for 200, with or without sales', async () => {
    const measure = async (people: number) => {
      const { concertId, scheduleIds } = await newConcert(40);
      const users = await join(
        concertId,
        Array.from({ length: people }, (_, i) => `cost-${people}-${i}`),
      );
      await api.runtime.runJob('admission');
      const buyers = users.slice(0, Math.min(people, 40));
      const held = await Promise.all(
        buyers.map((user, i) =>
          api.request('POST', '/reservations', {
            token: user.token,
            queueToken: user.queueToken,
            body: { concertId, scheduleId: scheduleIds[0], seatNumber: i + 1 },
          }),
        ),
      );
      await Promise.all(buyers.map((user) => api.request('POST', '/balance/charge', { token: user.token, body: { amount: 100_000 } })));
      await Promise.all(
        buyers.slice(0, buyers.length / 2).map((user, i) =>
          api.request('POST', '/payments', {
            token: user.token,
            queueToken: user.queueToken,
            body: { reservationIds: [held[i].body.reservationId] },
          }),
        ),
      );
      await api.runtime.pollStream('sales-counter');
      const counter = countDynamoDbCalls(documentClient);
      try {
        const response = await stats(concertId);
        return { joined: response.body.joinedTotal, sold: response.body.seatsSold, calls: [...counter.calls] };
      } finally {
        counter.detach();
      }
    };
    const small = await measure(10);
    const large = await measure(200);
    expect(small.joined).toBe(10);
    expect(large.joined).toBe(200);
    expect(Math.min(small.sold, large.sold)).toBeGreaterThan(0);
    expect(small.calls).toEqual(['BatchGetItemCommand']);
    expect(large.calls).toEqual(small.calls);
  });

  test('an admission run adds one write per concert for its series point, for a line of 10 as of 100,000', async () => {
    const deps = { ...queueDepsForTest(new TestClock(Date.now())), series: seriesRecorder() };
    const concertId = `stats-run-${Date.now()}`;
    const counter = countDynamoDbCalls(documentClient);
    const measure = async (waiting: number) => {
      await lengthenLine(concertId, waiting);
      counter.reset();
      await admitWaitingTokens(onlyConcert(deps, concertId));
      return [...counter.calls];
    };
    try {
      const small = await measure(10);
      const large = await measure(100_000);
      expect(small).toEqual(['BatchGetItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
      expect(large).toEqual(small);
    } finally {
      counter.detach();
    }
  });
});

describe('the sales counter', () => {
  const T = Date.now() + 600_000;
  const change = (eventID: string, oldImage: Item | undefined, newImage: Item) => ({
    eventID,
    eventName: (oldImage ? 'MODIFY' : 'INSERT') as 'MODIFY' | 'INSERT',
    dynamodb: {
      Keys: marshall({ pk: 'USER#u', sk: `RESERVATION#${eventID}` }),
      ...(oldImage ? { OldImage: marshall(oldImage) } : {}),
      NewImage: marshall(newImage),
    },
  });
  const reservation = (concertId: string, status: string, price: number) => ({
    pk: 'USER#u',
    sk: 'RESERVATION#r',
    concertId,
    status,
    expiresAt: T,
    price,
  });

  test('a batch delivered again counts once: each concert it folded is recognised, and only the others are folded', async () => {
    const a = `redelivered-a-${Date.now()}`;
    const b = `redelivered-b-${Date.now()}`;
    const event = {
      Records: [
        change('e1', undefined, reservation(a, 'HELD', 5_000)),
        change('e2', reservation(a, 'HELD', 5_000), reservation(a, 'PAID', 5_000)),
        change('e3', undefined, reservation(b, 'HELD', 7_000)),
      ],
    } as unknown as DynamoDBStreamEvent;
    expect(await countSales(event)).toEqual({ changes: 3, concerts: 2, repeated: 0 });
    expect(await countSales(event)).toEqual({ changes: 3, concerts: 2, repeated: 2 });
    const { Items } = await documentClient.send(new ScanCommand({ TableName: tableName('queue'), ConsistentRead: true }));
    const sales = (concertId: string) => Items!.find((item) => item.pk === statsKeys.sales(concertId).pk);
    expect(sales(a)).toMatchObject({ seatsSold: 1, revenue: 5_000 });
    expect(sales(b)).toBeUndefined();
    const holds = (concertId: string) =>
      Items!
        .filter((item) => (item.pk as string).startsWith(`HOLDS#${concertId}#`))
        .flatMap((item) =>
          Object.entries(item)
            .filter(([name]) => /^s\d+$/.test(name))
            .map(([, n]) => n),
        );
    expect(holds(a)).toEqual([]); // held and paid within the batch: no hold to count
    expect(holds(b)).toEqual([1]);
  });
});

test('an unknown concert is 404; a user without the admin group is 403 FORBIDDEN', async () => {
  expect((await stats('no-such-concert')).body.error?.code).toBe('NOT_FOUND');
  const { concertId } = await newConcert(1);
  const refused = await stats(concertId, await api.tokenFor('not-an-admin'));
  expect(refused.status).toBe(403);
  expect(refused.body.error?.code).toBe('FORBIDDEN');
});
