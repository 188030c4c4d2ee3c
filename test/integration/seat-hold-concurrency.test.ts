import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { callsSettled, countDynamoDbCalls, criticalPathRoundTrips } from '../../bench/dynamodb-calls';
import { createDynamoCatalogueRepository } from '../../functions/catalogue/dynamo-catalogue-repository';
import { queueDeps, queueRepository } from '../../functions/queue/default-queue-deps';
import type { QueueDeps } from '../../functions/queue/queue-deps';
import { requireActiveToken, seemsActive } from '../../functions/queue/require-active-token';
import { reservationDeps } from '../../functions/reservations/default-reservation-deps';
import { CLAIM_MS } from '../../functions/reservations/hold-rules';
import { holdSeat } from '../../functions/reservations/hold-seat';
import { createHoldSlotHints } from '../../functions/reservations/hold-slot-hints';
import { releaseReservation } from '../../functions/reservations/release-reservation';
import type { ReservationDeps } from '../../functions/reservations/reservation-deps';
import { reservationKeys } from '../../functions/reservations/reservation-keys';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { activeUsers, type ActiveUser } from '../support/active-users';
import { startLocalApi, type LocalApi } from '../support/local-api';
import { chargeOverHttp } from '../support/wallet-fixture';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(() => api.stop());

// Making 200 users ACTIVE over HTTP takes most of the time; give a loaded 2-core machine room.
jest.setTimeout(180_000);

const hold = (user: ActiveUser, scheduleId: string, seatNumber: number) =>
  api.request('POST', '/reservations', {
    token: user.token,
    queueToken: user.queueToken,
    body: { concertId: 'neon-harbor', scheduleId, seatNumber },
  });
const outcome = (response: { status: number; body: { error?: { code: string } } }) =>
  response.status === 201 ? '201' : `${response.status} ${response.body.error?.code}`;
const tally = (outcomes: string[]) =>
  outcomes.reduce<Record<string, number>>((counts, o) => ({ ...counts, [o]: (counts[o] ?? 0) + 1 }), {});
const seatMap = async (user: ActiveUser, scheduleId: string) =>
  (await api.request('GET', `/concerts/neon-harbor/schedules/${scheduleId}/seats`, { token: user.token, queueToken: user.queueToken })).body
    .seats as {
    seatNumber: number;
    status: string;
  }[];
const availableSeats = async (user: ActiveUser, scheduleId: string) =>
  (
    (await api.request('GET', '/concerts/neon-harbor/schedules', { token: user.token, queueToken: user.queueToken })).body.schedules as {
      scheduleId: string;
      availableSeats: number;
    }[]
  ).find((s) => s.scheduleId === scheduleId)?.availableSeats;
const reservationsOf = async (user: ActiveUser) =>
  (await api.request('GET', '/reservations', { token: user.token })).body.reservations as unknown[];
const holdSlotsOf = async (userId: string) =>
  (
    await documentClient.send(
      new QueryCommand({
        TableName: tableName('reservations'),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :slot)',
        ExpressionAttributeValues: { ':pk': reservationKeys.user(userId).pk, ':slot': 'HOLDSLOT#' },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];
/** More users than one admission run admits: run it until all are ACTIVE. */
async function manyActiveUsers(prefix: string, count: number): Promise<ActiveUser[]> {
  const users = await activeUsers(
    api,
    'neon-harbor',
    Array.from({ length: count }, (_, i) => `${prefix}-${i}`),
  );
  for (let admitted = 100; admitted < count; admitted += 100) await api.runtime.runJob('admission');
  return users;
}

/** The tables a hold writes to, as each recorded call names them. */
const HOLD_TABLES = () => [tableName('catalogue'), tableName('reservations')];
function writesTo(tables: string[], records: { command: string; input?: Record<string, unknown> }[]) {
  const named = (input: Record<string, unknown> | undefined): string[] => {
    if (!input) return [];
    if (typeof input.TableName === 'string') return [input.TableName];
    const items = (input.TransactItems ?? []) as Record<string, { TableName?: string }>[];
    return items.flatMap((item) => Object.values(item).map((part) => part.TableName ?? ''));
  };
  return records.filter(
    (call) => !/^(Get|BatchGet|Query|Scan|TransactGet)/.test(call.command) && named(call.input).some((t) => tables.includes(t)),
  );
}

test('200 simultaneous holds of one seat by 200 ACTIVE users: exactly one 201 and 199 × 409 SEAT_UNAVAILABLE; each loser one write at most, never a transaction', async () => {
  const users = await manyActiveUsers('fan', 200);
  // A seat map first reads the admission record fresh: racers within the second send their claims alongside their token checks.
  await seatMap(users[0], 'neon-harbor-1');
  const calls = countDynamoDbCalls(documentClient, { inputs: true });
  let responses;
  try {
    responses = await Promise.all(users.map((user) => hold(user, 'neon-harbor-1', 7)));
  } finally {
    calls.detach();
  }
  expect(tally(responses.map(outcome))).toEqual({ '201': 1, '409 SEAT_UNAVAILABLE': 199 });

  // Every write of the race, all racers together: one claim UpdateItem each at most, and one
  // transaction (the winner's commit). The winner made one claim, so the 199 losers made at most 199.
  const writes = writesTo(HOLD_TABLES(), calls.records);
  const byCommand = tally(writes.map((call) => call.command));
  expect(byCommand.TransactWriteItemsCommand).toBe(1);
  expect(Object.keys(byCommand).sort()).toEqual(['TransactWriteItemsCommand', 'UpdateItemCommand']);
  expect(byCommand.UpdateItemCommand).toBeLessThanOrEqual(200);

  const winner = users[responses.findIndex((response) => response.status === 201)];
  expect((await seatMap(winner, 'neon-harbor-1'))[6]).toEqual({ seatNumber: 7, price: 143_000, status: 'HELD' });
  expect(await availableSeats(winner, 'neon-harbor-1')).toBe(49);
  // Exactly one reservation and one hold slot were written, the winner's.
  const lists = await Promise.all(users.map(reservationsOf));
  expect(lists.map((list) => list.length).reduce((a, b) => a + b, 0)).toBe(1);
  expect(lists[users.indexOf(winner)][0]).toMatchObject({
    seatNumber: 7,
    status: 'HELD',
    reservationId: responses[users.indexOf(winner)].body.reservationId,
  });
  const slots = await Promise.all(users.map((user) => holdSlotsOf(user.userId)));
  expect(slots.map((s) => s.length).reduce((a, b) => a + b, 0)).toBe(1);
  expect(slots[users.indexOf(winner)][0]).toMatchObject({ reservationId: responses[users.indexOf(winner)].body.reservationId });
});

test('claims of one seat made at once on one instance share calls: one claim lands, the others lose to it, in at most 2 UpdateItems; claims naming another concert share nothing with them', async () => {
  const { reservations, newReservationId } = reservationDeps();
  const claimOf = (i: number, concertId = 'neon-harbor') => ({
    reservationId: newReservationId(),
    userId: `sharer-${i}`,
    concertId,
    scheduleId: 'neon-harbor-3',
    seatNumber: 25,
  });
  const claims = Array.from({ length: 50 }, (_, i) => claimOf(i, i % 10 === 9 ? 'aurora-live' : 'neon-harbor'));
  const calls = countDynamoDbCalls(documentClient, { inputs: true });
  let outcomes;
  try {
    const now = Date.now();
    outcomes = await Promise.all(claims.map((claim) => reservations.claimSeat(claim, now + CLAIM_MS, now)));
  } finally {
    calls.detach();
  }
  const won = outcomes.flatMap((outcome, i) => (outcome.kind === 'claimed' ? [claims[i]] : []));
  expect(won).toHaveLength(1);
  expect(won[0].concertId).toBe('neon-harbor');
  // Every loser of the right concert is told the seat is the winner's claim; the others see a seat of another concert.
  for (const [i, outcome] of outcomes.entries()) {
    if (claims[i] === won[0]) continue;
    expect(outcome.kind).toBe('refused');
    if (claims[i].concertId === 'neon-harbor')
      expect(outcome.seat).toMatchObject({ status: 'CLAIMED', reservationId: won[0].reservationId });
    else expect(outcome.seat?.concertId).toBe('neon-harbor');
  }
  // Per concert named: the first claim, then one for all that asked while it was in flight.
  const claimCalls = calls.records.filter((call) => call.command === 'UpdateItemCommand');
  expect(claimCalls.length).toBeLessThanOrEqual(4);
  expect(
    new Set(claimCalls.map((call) => JSON.stringify((call.input?.ExpressionAttributeValues as Record<string, unknown>)[':concertId']))),
  ).toEqual(new Set(['{"S":"neon-harbor"}', '{"S":"aurora-live"}']));
  await reservations.releaseClaim(won[0]);

  // A seat already taken: every claim refused, seeing it as it stands, in 2 calls at most again.
  const taken = claimOf(99);
  expect((await reservations.claimSeat(taken, Date.now() + CLAIM_MS, Date.now())).kind).toBe('claimed');
  const again = countDynamoDbCalls(documentClient);
  let refused;
  try {
    const now = Date.now();
    refused = await Promise.all(Array.from({ length: 20 }, (_, i) => reservations.claimSeat(claimOf(100 + i), now + CLAIM_MS, now)));
  } finally {
    again.detach();
  }
  expect(refused.map((outcome) => [outcome.kind, outcome.seat?.heldBy])).toEqual(Array(20).fill(['refused', 'sharer-99']));
  expect(again.calls.length).toBeLessThanOrEqual(2);
  expect(new Set(again.calls)).toEqual(new Set(['UpdateItemCommand']));
  await reservations.releaseClaim(taken);
});

test('5 simultaneous holds of different seats by one user, for 5 users at once: each user gets exactly 4', async () => {
  const users = await activeUsers(api, 'neon-harbor', ['five-0', 'five-1', 'five-2', 'five-3', 'five-4']);
  const perUser = await Promise.all(
    users.map((user, u) => Promise.all([1, 2, 3, 4, 5].map((i) => hold(user, 'neon-harbor-2', u * 5 + i)))),
  );
  for (const responses of perUser) {
    expect(tally(responses.map(outcome))).toEqual({ '201': 4, '409 HOLD_LIMIT_REACHED': 1 });
  }
  const lists = await Promise.all(users.map(reservationsOf));
  expect(lists.map((list) => list.length)).toEqual([4, 4, 4, 4, 4]);
});

test('one user holding 12 seats of one date at once: exactly 4 holds, and the 8 refused seats are AVAILABLE as soon as the answers come', async () => {
  const [greedy, watcher] = await activeUsers(api, 'neon-harbor', ['greedy', 'greedy-watcher']);
  const seats = Array.from({ length: 12 }, (_, i) => 31 + i);
  const responses = await Promise.all(seats.map((seatNumber) => hold(greedy, 'neon-harbor-3', seatNumber)));
  expect(tally(responses.map(outcome))).toEqual({ '201': 4, '409 HOLD_LIMIT_REACHED': 8 });

  const held = seats.filter((_, i) => responses[i].status === 201);
  const map = await seatMap(watcher, 'neon-harbor-3');
  expect(seats.map((seatNumber) => `${seatNumber} ${map[seatNumber - 1].status}`)).toEqual(
    seats.map((seatNumber) => `${seatNumber} ${held.includes(seatNumber) ? 'HELD' : 'AVAILABLE'}`),
  );
  expect(await availableSeats(watcher, 'neon-harbor-3')).toBe(50 - 4);
  expect(((await reservationsOf(greedy)) as { seatNumber: number }[]).map((r) => r.seatNumber).sort()).toEqual(held);
  expect((await holdSlotsOf('greedy')).map((slot) => slot.sk)).toHaveLength(4);
  // A refused seat can be held by someone else at once, well before any claim would have lapsed.
  const refused = seats.find((seatNumber) => !held.includes(seatNumber))!;
  expect(outcome(await hold(watcher, 'neon-harbor-3', refused))).toBe('201');
});

test('a winner that dies between its claim and its commit leaves no hold: nothing written, and the seat AVAILABLE again once its claim lapses', async () => {
  const [dying, ...rivals] = await activeUsers(api, 'neon-harbor', ['dying', ...Array.from({ length: 20 }, (_, i) => `heir-${i}`)]);
  // The winner's function dies right after its claim: the commit and any giving back never happen.
  const deps = reservationDeps();
  const died = () => Promise.reject(new Error('the function died'));
  const dyingDeps: ReservationDeps = { ...deps, reservations: { ...deps.reservations, commitHold: died, releaseClaim: died } };
  const catalogue = createDynamoCatalogueRepository(documentClient, tableName('catalogue'));
  const availableBefore = await availableSeats(rivals[0], 'neon-harbor-1');
  const claimedBefore = Date.now();
  await expect(
    holdSeat(dyingDeps, { userId: 'dying', concertId: 'neon-harbor', scheduleId: 'neon-harbor-1', seatNumber: 20 }, async () => undefined),
  ).rejects.toThrow('the function died');
  const claimedAfter = Date.now();
  const claim = await catalogue.findSeat('neon-harbor-1', 20);
  expect(claim).toMatchObject({ status: 'CLAIMED', heldBy: 'dying' });
  const claimEnd = claim!.holdExpiresAt!;
  expect(claimEnd).toBeGreaterThanOrEqual(claimedBefore + CLAIM_MS);
  expect(claimEnd).toBeLessThanOrEqual(claimedAfter + CLAIM_MS);

  // While the claim is live nobody gets the seat, and nothing of the dead hold is visible as a hold.
  const during = await Promise.all(rivals.map((rival) => hold(rival, 'neon-harbor-1', 20)));
  const duringEnded = Date.now();
  // (A machine too loaded to answer 20 holds within the claim's seconds sees the claim lapse meanwhile.)
  if (duringEnded < claimEnd) {
    expect(tally(during.map(outcome))).toEqual({ '409 SEAT_UNAVAILABLE': 20 });
    expect((await seatMap(rivals[0], 'neon-harbor-1'))[19]).toMatchObject({ seatNumber: 20, status: 'HELD' });
  }
  expect(await reservationsOf(dying)).toEqual([]);
  expect(await holdSlotsOf('dying')).toEqual([]);

  // From the claim's end on, with no job run: the seat is AVAILABLE and counted again, and one rival wins it.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, claimEnd - Date.now()) + 20));
  const wonDuring = during.some((response) => response.status === 201);
  if (!wonDuring) {
    expect((await seatMap(rivals[0], 'neon-harbor-1'))[19]).toMatchObject({ seatNumber: 20, status: 'AVAILABLE' });
    expect(await availableSeats(rivals[0], 'neon-harbor-1')).toBe(availableBefore);
  }
  const after = await Promise.all(rivals.map((rival) => hold(rival, 'neon-harbor-1', 20)));
  expect(tally([...during, ...after].map(outcome))).toEqual({ '201': 1, '409 SEAT_UNAVAILABLE': 39 });
  expect(await reservationsOf(dying)).toEqual([]);
  expect(await holdSlotsOf('dying')).toEqual([]);
});

test('a hold racing the payment of the same seat: the payment sells it, every racer gets 409 SEAT_UNAVAILABLE, and nothing else is written', async () => {
  const [payer, ...racers] = await activeUsers(api, 'neon-harbor', ['payer', ...Array.from({ length: 20 }, (_, i) => `snatcher-${i}`)]);
  const held = await hold(payer, 'neon-harbor-2', 40);
  expect(held.status).toBe(201);
  await chargeOverHttp(api, payer.token, 200_000);
  const [paid, ...holds] = await Promise.all([
    api.request('POST', '/payments', {
      token: payer.token,
      queueToken: payer.queueToken,
      body: { reservationIds: [held.body.reservationId] },
    }),
    ...racers.map((racer) => hold(racer, 'neon-harbor-2', 40)),
  ]);
  expect(paid.status).toBe(201);
  expect(tally(holds.map(outcome))).toEqual({ '409 SEAT_UNAVAILABLE': 20 });
  expect((await seatMap(racers[0], 'neon-harbor-2'))[39]).toMatchObject({ seatNumber: 40, status: 'SOLD' });
  expect((await Promise.all(racers.map(reservationsOf))).flat()).toEqual([]);
  expect(await reservationsOf(payer)).toEqual([expect.objectContaining({ reservationId: held.body.reservationId, status: 'PAID' })]);
});

describe('the round trips of a hold', () => {
  /** An instance's queue deps whose recent admission record stays recent for a minute, so no test depends on this machine's speed (deployed it is 1 s). */
  const instance = (): QueueDeps => ({ ...queueDeps(), queue: queueRepository({ admissionCacheMs: 60_000 }) });
  const holdOn = (queue: QueueDeps, user: ActiveUser, scheduleId: string, seatNumber: number, reservations = reservationDeps()) => {
    const presented = { userId: user.userId, token: user.queueToken, concertId: 'neon-harbor' };
    return holdSeat(
      reservations,
      { userId: user.userId, concertId: 'neon-harbor', scheduleId, seatNumber },
      () => requireActiveToken(queue, presented),
      () => seemsActive(queue, presented),
    );
  };
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => '201',
      (error: { code?: string }) => error.code ?? String(error),
    );
  const measured = async <T>(work: () => Promise<T>) => {
    const counter = countDynamoDbCalls(documentClient, { inputs: true });
    try {
      const outcome = await work();
      // Should a refused hold answer before one of its calls lands, let it land, or its unset end
      // would count as a round trip of its own.
      await callsSettled(counter, 2000);
      const writes = writesTo(HOLD_TABLES(), counter.records).map((call) => call.command);
      return { outcome, roundTrips: criticalPathRoundTrips(counter.records), calls: [...counter.calls].sort(), writes };
    } finally {
      counter.detach();
    }
  };

  test('2 once the instance has read the admission record within POLL_ADMISSION_CACHE_MS (the seat map did): the claim alongside the token check, then the commit, with no read of the slots', async () => {
    const [user, rival] = await activeUsers(api, 'neon-harbor', ['trips', 'trips-rival']);
    const queue = instance();
    await requireActiveToken(queue, { userId: user.userId, token: user.queueToken, concertId: 'neon-harbor' }); // the seat map's check
    const held = await measured(() => codeOf(holdOn(queue, user, 'neon-harbor-2', 45)));
    expect(held).toEqual({
      outcome: '201',
      roundTrips: 2,
      calls: ['BatchGetItemCommand', 'TransactWriteItemsCommand', 'UpdateItemCommand'],
      writes: ['UpdateItemCommand', 'TransactWriteItemsCommand'],
    });
    // A loser: the token check and the claim, its one write, and the refusal says why without a read of the seat. Its own
    // seat map comes first, so the record is recent however long the winner's hold took.
    await requireActiveToken(queue, { userId: rival.userId, token: rival.queueToken, concertId: 'neon-harbor' });
    const lost = await measured(() => codeOf(holdOn(queue, rival, 'neon-harbor-2', 45)));
    expect(lost).toEqual({
      outcome: 'SEAT_UNAVAILABLE',
      roundTrips: 1,
      calls: ['BatchGetItemCommand', 'UpdateItemCommand'],
      writes: ['UpdateItemCommand'],
    });
  });

  test('a guessed slot that is live (holds made on another instance) costs a failed commit, a read of the slots and a commit in the free one; the 5th hold is refused without a transaction', async () => {
    const [user] = await activeUsers(api, 'neon-harbor', ['trips-two-instances']);
    const queue = instance();
    await requireActiveToken(queue, { userId: user.userId, token: user.queueToken, concertId: 'neon-harbor' });
    const elsewhere = { ...reservationDeps(), holdSlotHints: createHoldSlotHints() };
    for (const seatNumber of [41, 42, 43]) expect(await codeOf(holdOn(queue, user, 'neon-harbor-1', seatNumber, elsewhere))).toBe('201');
    const taken = (await holdSlotsOf(user.userId)).map((item) => Number(String(item.sk).split('#').pop()));
    const [free] = [1, 2, 3, 4].filter((slot) => !taken.includes(slot));
    // This instance saw the free slot live (a hold since paid, say) and none of the others: its guess is one of the 3 taken.
    const here = { ...reservationDeps(), holdSlotHints: createHoldSlotHints() };
    here.holdSlotHints.saw(user.userId, 'neon-harbor-1', [{ slot: free, reservationId: 'paid', expiresAt: Date.now() + 60_000 }]);
    const held = await measured(() => codeOf(holdOn(queue, user, 'neon-harbor-1', 44, here)));
    expect(held).toEqual({
      outcome: '201',
      roundTrips: 4,
      calls: ['BatchGetItemCommand', 'QueryCommand', 'TransactWriteItemsCommand', 'TransactWriteItemsCommand', 'UpdateItemCommand'],
      writes: ['UpdateItemCommand', 'TransactWriteItemsCommand', 'TransactWriteItemsCommand'],
    });
    expect((await holdSlotsOf(user.userId)).map((item) => item.sk).sort()).toHaveLength(4);
    // Now it has seen the 4 live: it reads them once more before refusing, and never commits.
    const fifth = await measured(() => codeOf(holdOn(queue, user, 'neon-harbor-1', 45, here)));
    expect(fifth).toEqual({
      outcome: 'HOLD_LIMIT_REACHED',
      roundTrips: 3,
      calls: ['BatchGetItemCommand', 'QueryCommand', 'UpdateItemCommand', 'UpdateItemCommand'],
      writes: ['UpdateItemCommand', 'UpdateItemCommand'],
    });
    expect((await reservationsOf(user)).length).toBe(4);
    expect((await seatMap(user, 'neon-harbor-1'))[44]).toMatchObject({ seatNumber: 45, status: 'AVAILABLE' });
  });

  test('a hold after one of 4 was given back on the same instance takes the freed slot: 2 round trips, no read of the slots', async () => {
    const [user] = await activeUsers(api, 'neon-harbor', ['trips-give-back']);
    const queue = instance();
    await requireActiveToken(queue, { userId: user.userId, token: user.queueToken, concertId: 'neon-harbor' });
    const here = { ...reservationDeps(), holdSlotHints: createHoldSlotHints() };
    const held = [];
    for (const seatNumber of [46, 47, 48, 49]) held.push(await holdOn(queue, user, 'neon-harbor-1', seatNumber, here));
    await releaseReservation(here, { userId: user.userId, reservationId: held[1].reservationId });
    const again = await measured(() => codeOf(holdOn(queue, user, 'neon-harbor-1', 50, here)));
    expect(again).toEqual({
      outcome: '201',
      roundTrips: 2,
      calls: ['BatchGetItemCommand', 'TransactWriteItemsCommand', 'UpdateItemCommand'],
      writes: ['UpdateItemCommand', 'TransactWriteItemsCommand'],
    });
    expect((await holdSlotsOf(user.userId)).map((item) => item.reservationId)).not.toContain(held[1].reservationId);
  });

  test('3 on an instance with no recent admission record: the token check first, then the claim, then the commit', async () => {
    const [user] = await activeUsers(api, 'neon-harbor', ['trips-cold']);
    const held = await measured(() => codeOf(holdOn(instance(), user, 'neon-harbor-2', 46)));
    expect(held).toMatchObject({ outcome: '201', roundTrips: 3, writes: ['UpdateItemCommand', 'TransactWriteItemsCommand'] });
  });

  test('a caller still waiting never claims: 403 QUEUE_TOKEN_NOT_ACTIVE and no write, the instance having seen the record or not', async () => {
    const waiting = await api.tokenFor('trips-waiting');
    const joined = await api.request('POST', '/concerts/neon-harbor/queue', { token: waiting });
    const user = { userId: 'trips-waiting', token: waiting, queueToken: joined.body.token as string };
    const queue = instance();
    await queue.queue.findAdmission('neon-harbor', { recentAdmission: true });
    for (const on of [queue, instance()]) {
      expect(await measured(() => codeOf(holdOn(on, user, 'neon-harbor-2', 47)))).toMatchObject({
        outcome: 'QUEUE_TOKEN_NOT_ACTIVE',
        writes: [],
      });
    }
  });

  test('a caller the recent record shows admitted, whose token has ended since (it left), claims alongside the check: the claim is given back at once and the answer is 403', async () => {
    const [leaver, other] = await activeUsers(api, 'neon-harbor', ['trips-leaver', 'trips-other']);
    const queue = instance();
    await requireActiveToken(queue, { userId: leaver.userId, token: leaver.queueToken, concertId: 'neon-harbor' });
    const left = await api.request('DELETE', '/concerts/neon-harbor/queue', { token: leaver.token, queueToken: leaver.queueToken });
    expect(left.body.status).toBe('EXPIRED');

    const refused = await measured(() => codeOf(holdOn(queue, leaver, 'neon-harbor-2', 48)));
    // The claim went out with the check (one round trip), then was given back: two writes on the seat, no transaction.
    expect(refused).toEqual({
      outcome: 'QUEUE_TOKEN_NOT_ACTIVE',
      roundTrips: 2,
      calls: ['BatchGetItemCommand', 'UpdateItemCommand', 'UpdateItemCommand'],
      writes: ['UpdateItemCommand', 'UpdateItemCommand'],
    });
    const seat = await createDynamoCatalogueRepository(documentClient, tableName('catalogue')).findSeat('neon-harbor-2', 48);
    expect(seat?.status).toBe('AVAILABLE');
    expect(seat).not.toHaveProperty('reservationId');
    expect(await reservationsOf(leaver)).toEqual([]);
    expect(await holdSlotsOf('trips-leaver')).toEqual([]);
    // Over HTTP too: 403, and the seat is anyone's at once.
    expect(outcome(await hold(leaver, 'neon-harbor-2', 48))).toBe('403 QUEUE_TOKEN_NOT_ACTIVE');
    expect(outcome(await hold(other, 'neon-harbor-2', 48))).toBe('201');
  });

  test('admitted racers and racers whose tokens ended, over HTTP at once: every ended one 403, at most one 201, and no claim of theirs left on the seat', async () => {
    const users = await activeUsers(
      api,
      'neon-harbor',
      Array.from({ length: 30 }, (_, i) => `mixed-${i}`),
    );
    const [ended, admitted] = [users.slice(0, 15), users.slice(15)];
    for (const user of ended)
      await api.request('DELETE', '/concerts/neon-harbor/queue', { token: user.token, queueToken: user.queueToken });
    await seatMap(admitted[0], 'neon-harbor-3'); // the instance's record, fresh: every racer claims alongside its check
    const responses = await Promise.all(users.map((user) => hold(user, 'neon-harbor-3', 49)));
    expect(tally(responses.slice(0, 15).map(outcome))).toEqual({ '403 QUEUE_TOKEN_NOT_ACTIVE': 15 });
    const won = responses.slice(15).filter((response) => response.status === 201);
    expect(won.length).toBeLessThanOrEqual(1);
    expect(tally(responses.slice(15).map(outcome))['409 SEAT_UNAVAILABLE']).toBe(15 - won.length);
    const seat = await createDynamoCatalogueRepository(documentClient, tableName('catalogue')).findSeat('neon-harbor-3', 49);
    if (won.length === 1) expect(seat).toMatchObject({ status: 'HELD', reservationId: won[0].body.reservationId });
    else expect(seat?.status).toBe('AVAILABLE');
    expect((await Promise.all(ended.map(reservationsOf))).flat()).toEqual([]);
  });
});
