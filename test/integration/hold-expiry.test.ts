// Holds last one second here, so the HTTP test can watch one end; the use-case tests move a clock instead.
process.env.HOLD_SECONDS = '1';

import { monotonicFactory } from 'ulid';
import { createDynamoCatalogueRepository } from '../../functions/catalogue/dynamo-catalogue-repository';
import { getSeatMap } from '../../functions/catalogue/get-seat-map';
import { listSchedules } from '../../functions/catalogue/list-schedules';
import { createDynamoReservationRepository } from '../../functions/reservations/dynamo-reservation-repository';
import { CLAIM_MS, claimExpiresAt } from '../../functions/reservations/hold-rules';
import { createHoldSlotHints } from '../../functions/reservations/hold-slot-hints';
import { holdSeat } from '../../functions/reservations/hold-seat';
import { listReservations } from '../../functions/reservations/list-reservations';
import type { Reservation } from '../../functions/reservations/reservation';
import type { ReservationDeps } from '../../functions/reservations/reservation-deps';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { codeOf } from '../support/error-code';
import { countDynamoDbCalls } from '../../bench/dynamodb-calls';
import { activeUsers } from '../support/active-users';
import { startLocalApi, type LocalApi } from '../support/local-api';
import { TestClock } from '../support/queue-fixture';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(() => api.stop());

const HOLD_MS = 300_000;
const catalogue = () => createDynamoCatalogueRepository(documentClient, tableName('catalogue'));
const repository = () =>
  createDynamoReservationRepository(documentClient, { reservations: tableName('reservations'), catalogue: tableName('catalogue') });
const depsAt = (clock: TestClock): ReservationDeps => ({
  reservations: repository(),
  settings: { holdSeconds: HOLD_MS / 1000 },
  now: clock.now,
  newReservationId: monotonicFactory(),
  holdSlotHints: createHoldSlotHints(),
  pause: async () => undefined,
});
const active = async () => undefined;
const hold = (deps: ReservationDeps, userId: string, scheduleId: string, seatNumber: number) =>
  holdSeat(deps, { userId, concertId: 'neon-harbor', scheduleId, seatNumber }, active);

test('a hold ends at expiresAt with no job run: refused a millisecond before, available and holdable at that instant', async () => {
  const clock = new TestClock(Date.now());
  const deps = depsAt(clock);
  const first = await hold(deps, 'alice', 'neon-harbor-3', 5);

  clock.time += HOLD_MS - 1;
  expect(await codeOf(hold(deps, 'bob', 'neon-harbor-3', 5))).toBe('SEAT_UNAVAILABLE');
  expect((await getSeatMap(catalogue(), { concertId: 'neon-harbor', scheduleId: 'neon-harbor-3' }, clock.time))[4].status).toBe('HELD');
  expect((await listSchedules(catalogue(), 'neon-harbor', clock.time)).find((s) => s.scheduleId === 'neon-harbor-3')?.availableSeats).toBe(
    49,
  );

  clock.time += 1;
  expect((await getSeatMap(catalogue(), { concertId: 'neon-harbor', scheduleId: 'neon-harbor-3' }, clock.time))[4].status).toBe(
    'AVAILABLE',
  );
  expect((await listSchedules(catalogue(), 'neon-harbor', clock.time)).find((s) => s.scheduleId === 'neon-harbor-3')?.availableSeats).toBe(
    50,
  );
  expect((await listReservations(deps, { userId: 'alice' })).reservations).toEqual([{ ...first, status: 'EXPIRED' }]);

  const second = await hold(deps, 'bob', 'neon-harbor-3', 5);
  expect(second).toMatchObject({ seatNumber: 5, status: 'HELD' });
  expect((await getSeatMap(catalogue(), { concertId: 'neon-harbor', scheduleId: 'neon-harbor-3' }, clock.time))[4].status).toBe('HELD');
  expect((await listSchedules(catalogue(), 'neon-harbor', clock.time)).find((s) => s.scheduleId === 'neon-harbor-3')?.availableSeats).toBe(
    49,
  );
  // The first holder's reservation stays EXPIRED: the seat is someone else's now.
  expect((await listReservations(deps, { userId: 'alice' })).reservations[0].status).toBe('EXPIRED');
});

test('hold slots free themselves when their holds end: 4 more holds on the same date, no job run', async () => {
  const clock = new TestClock(Date.now());
  const deps = depsAt(clock);
  for (const seat of [11, 12, 13, 14]) await hold(deps, 'carol', 'neon-harbor-3', seat);
  expect(await codeOf(hold(deps, 'carol', 'neon-harbor-3', 15))).toBe('HOLD_LIMIT_REACHED');
  clock.time += HOLD_MS;
  for (const seat of [15, 16, 17, 18]) await hold(deps, 'carol', 'neon-harbor-3', seat);
  expect(await codeOf(hold(deps, 'carol', 'neon-harbor-3', 19))).toBe('HOLD_LIMIT_REACHED');
  const statuses = (await listReservations(deps, { userId: 'carol' })).reservations.map((r) => `${r.seatNumber} ${r.status}`);
  expect(statuses).toEqual(['18 HELD', '17 HELD', '16 HELD', '15 HELD', '14 EXPIRED', '13 EXPIRED', '12 EXPIRED', '11 EXPIRED']);
});

test('the claim and the commit themselves refuse a live hold or claim, a missing seat and a taken slot, whatever was read before', async () => {
  const now = Date.now();
  const reservation = (userId: string, seatNumber: number, id: string, at = now): Reservation => ({
    reservationId: id,
    userId,
    concertId: 'neon-harbor',
    scheduleId: 'neon-harbor-2',
    date: '2027-01-01',
    seatNumber,
    price: 1,
    status: 'HELD',
    expiresAt: at + HOLD_MS,
    createdAt: at,
  });
  const repo = repository();
  const kindOf = async (claim: Promise<{ kind: string }>) => (await claim).kind;
  const a1 = reservation('dan', 40, '01JD00000000000000000000A1');
  expect(await kindOf(repo.claimSeat(a1, claimExpiresAt(now), now))).toBe('claimed');
  expect(await repo.commitHold(a1, 1, now, 1)).toBe('held');
  // A commit sent again after it landed (its answer lost) is known by its reservation, and changes nothing.
  expect(await repo.commitHold(a1, 2, now, 2)).toBe('held');
  expect(await repo.findHoldSlots('dan', 'neon-harbor-2')).toEqual([{ slot: 1, reservationId: a1.reservationId, expiresAt: a1.expiresAt }]);
  expect(await kindOf(repo.claimSeat(reservation('erin', 40, '01JD00000000000000000000A2'), claimExpiresAt(now), now))).toBe('refused');
  const a3 = reservation('erin', 40, '01JD00000000000000000000A3', now + HOLD_MS);
  expect(await kindOf(repo.claimSeat(a3, claimExpiresAt(now + HOLD_MS), now + HOLD_MS))).toBe('claimed');
  expect(await repo.commitHold(a3, 1, now + HOLD_MS, 1)).toBe('held');
  // A seat that does not exist is never made by a claim.
  expect(await kindOf(repo.claimSeat(reservation('erin', 51, '01JD00000000000000000000A4'), claimExpiresAt(now), now))).toBe('refused');
  expect(await catalogue().findSeat('neon-harbor-2', 51)).toBeUndefined();
  expect(await repo.claimSeat(reservation('erin', 51, '01JD00000000000000000000B1'), claimExpiresAt(now), now)).toEqual({
    kind: 'refused',
  });
  // Nor is a seat of another concert than the claim names, nor one of a date that has passed; the refusal hands back the seat.
  const elsewhere = await repo.claimSeat(
    { ...reservation('erin', 43, '01JD00000000000000000000B2'), concertId: 'aurora-live' },
    claimExpiresAt(now),
    now,
  );
  expect(elsewhere).toEqual({ kind: 'refused', seat: expect.objectContaining({ concertId: 'neon-harbor', status: 'AVAILABLE' }) });
  const seat43 = (await catalogue().findSeat('neon-harbor-2', 43))!;
  const dayAfter = Date.parse(`${seat43.date}T00:00:00.000Z`) + 86_400_000;
  const late = reservation('erin', 43, '01JD00000000000000000000B3', dayAfter);
  expect(await repo.claimSeat(late, claimExpiresAt(dayAfter), dayAfter)).toEqual({ kind: 'refused', seat: seat43 });
  expect((await catalogue().findSeat('neon-harbor-2', 43))?.status).toBe('AVAILABLE');
  // A slot still live refuses the commit; the claim stays and may commit into a free slot.
  const a5 = reservation('dan', 41, '01JD00000000000000000000A5');
  expect(await kindOf(repo.claimSeat(a5, claimExpiresAt(now), now))).toBe('claimed');
  expect(await repo.commitHold(a5, 1, now, 1)).toBe('slotTaken');
  expect((await catalogue().findSeat('neon-harbor-2', 41))?.status).toBe('CLAIMED');
  expect(await repo.commitHold(a5, 2, now, 2)).toBe('held');
  // A claim refuses others until it lapses; a lapsed claim taken by another can no longer commit, nor be given back.
  const a7 = reservation('frank', 42, '01JD00000000000000000000A7');
  const a8 = reservation('gina', 42, '01JD00000000000000000000A8', now + CLAIM_MS);
  expect(await kindOf(repo.claimSeat(a7, claimExpiresAt(now), now))).toBe('claimed');
  expect(await kindOf(repo.claimSeat(a8, claimExpiresAt(now + CLAIM_MS - 1), now + CLAIM_MS - 1))).toBe('refused');
  expect(await kindOf(repo.claimSeat(a8, claimExpiresAt(now + CLAIM_MS), now + CLAIM_MS))).toBe('claimed');
  expect(await repo.commitHold(a7, 1, now + CLAIM_MS, 1)).toBe('claimLost');
  expect(await repo.releaseClaim(a7)).toBe(false);
  expect(await repo.releaseClaim(a8)).toBe(true);
  expect(await catalogue().findSeat('neon-harbor-2', 42)).toEqual(expect.objectContaining({ status: 'AVAILABLE' }));
  expect(await catalogue().findSeat('neon-harbor-2', 42)).not.toHaveProperty('reservationId');
  // A committed hold is not a claim: giving a claim back leaves it alone.
  expect(await repo.releaseClaim(a1)).toBe(false);
  // Nothing of the refused ones was written.
  const dans = await repo.listReservations('dan', { limit: 10 });
  expect(dans.reservations.map((r) => r.reservationId)).toEqual(['01JD00000000000000000000A5', '01JD00000000000000000000A1']);
  expect((await repo.listReservations('erin', { limit: 10 })).reservations.map((r) => r.reservationId)).toEqual([
    '01JD00000000000000000000A3',
  ]);
  expect((await repo.listReservations('frank', { limit: 10 })).reservations).toEqual([]);
  expect((await repo.listReservations('gina', { limit: 10 })).reservations).toEqual([]);
  expect(await repo.findHoldSlots('frank', 'neon-harbor-2')).toEqual([]);
});

const availableOn = async (scheduleId: string, at: number) =>
  (await listSchedules(catalogue(), 'neon-harbor', at)).find((s) => s.scheduleId === scheduleId)?.availableSeats;
const statusOf = async (scheduleId: string, seatNumber: number, at: number) =>
  (await getSeatMap(catalogue(), { concertId: 'neon-harbor', scheduleId }, at))[seatNumber - 1].status;

test('a claim whose hold never commits (its function died) keeps the seat off until the claim lapses, to the millisecond, with no job run; nothing of it is a hold', async () => {
  const clock = new TestClock(Date.now());
  const deps = depsAt(clock);
  const died = () => Promise.reject(new Error('the function died'));
  const dying: ReservationDeps = { ...deps, reservations: { ...deps.reservations, commitHold: died, releaseClaim: died } };
  const claimedAt = clock.time;
  const before = await availableOn('neon-harbor-3', claimedAt);
  expect(await codeOf(hold(dying, 'hal', 'neon-harbor-3', 30))).toBe('Error: the function died');

  clock.time = claimedAt + CLAIM_MS - 1;
  expect(await statusOf('neon-harbor-3', 30, clock.time)).toBe('HELD');
  expect(await availableOn('neon-harbor-3', clock.time)).toBe(before! - 1);
  expect(await codeOf(hold(deps, 'ivy', 'neon-harbor-3', 30))).toBe('SEAT_UNAVAILABLE');

  clock.time = claimedAt + CLAIM_MS;
  expect(await statusOf('neon-harbor-3', 30, clock.time)).toBe('AVAILABLE');
  expect(await availableOn('neon-harbor-3', clock.time)).toBe(before);
  expect((await listReservations(deps, { userId: 'hal' })).reservations).toEqual([]);
  expect(await deps.reservations.findHoldSlots('hal', 'neon-harbor-3')).toEqual([]);
  expect(await hold(deps, 'ivy', 'neon-harbor-3', 30)).toMatchObject({ seatNumber: 30, status: 'HELD' });
  expect(await statusOf('neon-harbor-3', 30, clock.time)).toBe('HELD');
});

test('a winner refused by the hold limit at its commit gives its claim back at once: claim, commit, release, and the seat AVAILABLE at the same instant', async () => {
  const clock = new TestClock(Date.now());
  const deps = depsAt(clock);
  for (const seat of [21, 22, 23, 24]) await hold(deps, 'jo', 'neon-harbor-3', seat);
  const before = await availableOn('neon-harbor-3', clock.time);
  // This instance never saw those holds (another one made them), so it guesses a slot free and the commit decides.
  const elsewhere: ReservationDeps = { ...deps, holdSlotHints: createHoldSlotHints() };
  const calls = countDynamoDbCalls(documentClient);
  try {
    expect(await codeOf(hold(elsewhere, 'jo', 'neon-harbor-3', 25))).toBe('HOLD_LIMIT_REACHED');
    expect(calls.calls.filter((name) => !/^(Get|BatchGet|Query)/.test(name))).toEqual([
      'UpdateItemCommand',
      'TransactWriteItemsCommand',
      'UpdateItemCommand',
    ]);
  } finally {
    calls.detach();
  }
  const seat = await catalogue().findSeat('neon-harbor-3', 25);
  expect(seat?.status).toBe('AVAILABLE');
  expect(seat).not.toHaveProperty('reservationId');
  expect(seat).not.toHaveProperty('holdExpiresAt');
  expect(await availableOn('neon-harbor-3', clock.time)).toBe(before);
  expect((await listReservations(deps, { userId: 'jo' })).reservations.map((r) => r.seatNumber)).toEqual([24, 23, 22, 21]);
  expect(await hold(deps, 'kim', 'neon-harbor-3', 25)).toMatchObject({ seatNumber: 25, status: 'HELD' });
});

test('over HTTP: a one-second hold is EXPIRED, AVAILABLE, counted and holdable again once its time has passed, no job run', async () => {
  const [alice, bob] = await activeUsers(api, 'neon-harbor', ['http-alice', 'http-bob']);
  const as = (user: typeof alice) => ({ token: user.token, queueToken: user.queueToken });
  const body = { concertId: 'neon-harbor', scheduleId: 'neon-harbor-1', seatNumber: 9 };
  const held = await api.request('POST', '/reservations', { ...as(alice), body });
  expect(held.status).toBe(201);
  expect(Date.parse(held.body.expiresAt) - Date.parse(held.body.createdAt)).toBe(1000);

  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(held.body.expiresAt) - Date.now()) + 20));

  const seats = await api.request('GET', '/concerts/neon-harbor/schedules/neon-harbor-1/seats', as(bob));
  expect(seats.body.seats[8]).toEqual({ seatNumber: 9, price: 143_000, status: 'AVAILABLE' });
  const dates = await api.request('GET', '/concerts/neon-harbor/schedules', as(bob));
  expect(dates.body.schedules.find((s: { scheduleId: string }) => s.scheduleId === 'neon-harbor-1').availableSeats).toBe(50);
  const listed = await api.request('GET', '/reservations', { token: alice.token });
  expect(listed.body.reservations).toEqual([{ ...held.body, status: 'EXPIRED' }]);
  const again = await api.request('POST', '/reservations', { ...as(bob), body });
  expect(again.status).toBe(201);
});
