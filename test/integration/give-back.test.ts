import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { catalogueKeys } from '../../functions/catalogue/catalogue-keys';
import { admitWaitingTokens } from '../../functions/queue/admit-waiting-tokens';
import { queueRepository } from '../../functions/queue/default-queue-deps';
import { joinQueue } from '../../functions/queue/join-queue';
import { leaveQueue } from '../../functions/queue/leave-queue';
import { pollQueue } from '../../functions/queue/poll-queue';
import type { QueueDeps } from '../../functions/queue/queue-deps';
import { queueKeys } from '../../functions/queue/queue-keys';
import { activeCount, MAX_GIVEN_BACK_PLACES } from '../../functions/queue/queue-rules';
import type { QueueStatusView } from '../../functions/queue/queue-status';
import { expireActiveTokens } from '../../functions/queue/expire-active-tokens';
import { RecentBans } from '../../functions/queue/recent-bans';
import { RecentTokens } from '../../functions/queue/recent-tokens';
import { requireActiveToken } from '../../functions/queue/require-active-token';
import { revokeQueueToken } from '../../functions/queue/revoke-queue-token';
import { holdSeat } from '../../functions/reservations/hold-seat';
import type { Settings } from '../../functions/shared/config';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { AppError } from '../../functions/shared/errors';
import { codeOf } from '../support/error-code';
import { onlyConcert, TestClock, testQueueTokens, testSettings } from '../support/queue-fixture';
import { concertIds, useFreshTablesBeforeAll } from '../support/tables';
import { createSmallConcert, reservationDepsForTest } from '../support/wallet-fixture';

/**
 * Giving places back, on DynamoDB Local through the use cases, with the races run for real or
 * stopped exactly in their window: leaving while waiting or ACTIVE, leaving racing admission and
 * itself, revocation and bans, a revocation landing between a hold's token check and its commit,
 * polls of given-back tokens on an instance whose admission record is cached, and the sharded line.
 */
const newConcert = concertIds('gb');

useFreshTablesBeforeAll();

/** One concert's waiting room, as one function instance sees it (its own cache and memory), on the real tables. */
class Room {
  readonly deps: QueueDeps;
  readonly tokens = new Map<string, string>();

  constructor(
    readonly concertId: string,
    readonly clock: TestClock,
    settings: Partial<Settings> = {},
    options: { shards?: number; admissionCacheMs?: number; recentTokens?: RecentTokens; recentBans?: RecentBans } = {},
  ) {
    const shards = options.shards ?? 1;
    const queue = queueRepository({ shards, admissionCacheMs: options.admissionCacheMs ?? 0 });
    const deps: QueueDeps = {
      queue,
      tokens: testQueueTokens(),
      concertExists: async () => true,
      settings: { ...testSettings, queueShards: shards, ...settings },
      now: clock.now,
      ...(options.recentTokens ? { recentTokens: options.recentTokens } : {}),
      ...(options.recentBans ? { recentBans: options.recentBans } : {}),
    };
    this.deps = onlyConcert(deps, concertId);
  }

  /** The same waiting room seen by another instance. */
  instance(options: { admissionCacheMs?: number; recentBans?: RecentBans } = {}): Room {
    const other = new Room(this.concertId, this.clock, this.deps.settings, { shards: this.deps.settings.queueShards, ...options });
    this.tokens.forEach((token, userId) => other.tokens.set(userId, token));
    return other;
  }

  /** This room's deps, with `between` run once, right after the first read of a token and the admission record: a race at that instant. */
  racingAfterFirstRead(between: () => Promise<unknown>): QueueDeps {
    let ran = false;
    return {
      ...this.deps,
      queue: {
        ...this.deps.queue,
        findTokenWithAdmission: async (concertId, userId) => {
          const read = await this.deps.queue.findTokenWithAdmission(concertId, userId);
          if (!ran) {
            ran = true;
            await between();
          }
          return read;
        },
      },
    };
  }

  async join(userId: string): Promise<QueueStatusView> {
    const joined = await joinQueue(this.deps, { userId, concertId: this.concertId });
    this.tokens.set(userId, joined.status.token);
    return joined.status;
  }

  async joinAll(userIds: readonly string[]): Promise<void> {
    for (const userId of userIds) await this.join(userId);
  }

  poll(userId: string, token = this.tokens.get(userId)!) {
    return pollQueue(this.deps, { userId, concertId: this.concertId, token });
  }

  leave(userId: string, deps = this.deps) {
    return leaveQueue(deps, { userId, concertId: this.concertId, token: this.tokens.get(userId)! });
  }

  active(userId: string) {
    return requireActiveToken(this.deps, { userId, concertId: this.concertId, token: this.tokens.get(userId)! });
  }

  revoke(userId: string, ban = false) {
    return revokeQueueToken(this.deps, { concertId: this.concertId, userId, ban });
  }

  async admit(): Promise<number> {
    return (await admitWaitingTokens(this.deps)).concerts[0].admitted;
  }

  async statuses(userIds: readonly string[]): Promise<Map<string, QueueStatusView>> {
    return new Map(await Promise.all(userIds.map(async (userId) => [userId, await this.poll(userId)] as const)));
  }

  /** The admission record as stored. */
  async record(): Promise<Record<string, unknown>> {
    const result = await documentClient.send(
      new GetCommand({ TableName: tableName('queue'), Key: queueKeys.admission(this.concertId), ConsistentRead: true }),
    );
    return result.Item ?? {};
  }

  /** Numbers the line's counter gave so far (one counter). */
  async lastSeq(): Promise<number> {
    const result = await documentClient.send(
      new GetCommand({ TableName: tableName('queue'), Key: queueKeys.sequence(this.concertId), ConsistentRead: true }),
    );
    return (result.Item?.lastSeq as number | undefined) ?? 0;
  }

  async tokenItem(userId: string): Promise<Record<string, unknown> | undefined> {
    const result = await documentClient.send(
      new GetCommand({ TableName: tableName('queue'), Key: queueKeys.token(this.concertId, userId), ConsistentRead: true }),
    );
    return result.Item;
  }
}

const users = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
const finishedOf = (record: Record<string, unknown>) =>
  Object.entries(record)
    .filter(([name]) => name.startsWith('b#'))
    .reduce((sum, [, batch]) => sum + (batch as { finished: number }).finished, 0);
const givenBackOf = (record: Record<string, unknown>) => [...((record.givenBack as Set<string> | undefined) ?? [])].sort();

/** Positions of the users still waiting; fails if anyone's grew since `before`. */
function expectNoPositionGrew(before: Map<string, QueueStatusView>, after: Map<string, QueueStatusView>): void {
  for (const [userId, status] of after) {
    const earlier = before.get(userId);
    if (status.status === 'WAIT' && earlier?.status === 'WAIT')
      expect({ userId, position: status.position }).toEqual({
        userId,
        position: Math.min(status.position!, earlier.position!),
      });
  }
}

describe('a waiting user leaves the line', () => {
  test('the token reads EXPIRED at once, leaving again answers the same, and admission passes over the place', async () => {
    const room = new Room(newConcert(), new TestClock(), { admitPerTick: 2 });
    const line = users('w', 6);
    await room.joinAll(line);
    const before = await room.statuses(line);

    expect(await room.leave('w2')).toMatchObject({ status: 'EXPIRED', position: 0, estimatedWaitSeconds: 0 });
    expect(await room.leave('w2')).toMatchObject({ status: 'EXPIRED' });
    expect(await room.poll('w2')).toMatchObject({ status: 'EXPIRED' });
    expect(await codeOf(room.active('w2'))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    const record = await room.record();
    expect([givenBackOf(record), record.leftTotal]).toEqual([['2'], 1]);
    // The widened rule: the place given back may still be counted until admission passes it; nobody's position grew.
    const afterLeave = await room.statuses(line);
    expectNoPositionGrew(before, afterLeave);
    expect(afterLeave.get('w3')?.position).toBe(3);

    // ADMIT_PER_TICK 2 admits two people: w1 and w3, passing w2's place, which takes no room.
    expect(await room.admit()).toBe(2);
    const admitted = await room.statuses(line);
    expect([...admitted].map(([userId, s]) => `${userId}:${s.status}:${s.position}`)).toEqual([
      'w1:ACTIVE:0',
      'w2:EXPIRED:0',
      'w3:ACTIVE:0',
      'w4:WAIT:1',
      'w5:WAIT:2',
      'w6:WAIT:3',
    ]);
    expectNoPositionGrew(afterLeave, admitted);
    const tidied = await room.record();
    expect(tidied.givenBack).toBeUndefined();
    expect(activeCount(await room.deps.queue.findAdmission(room.concertId), room.clock.time, 600)).toBe(2);
  });

  test('the user may join again later, at the back, with a new token; the instance that left forgets the old one', async () => {
    const recentTokens = new RecentTokens();
    const room = new Room(newConcert(), new TestClock(), {}, { recentTokens });
    await room.joinAll(['a', 'b', 'c']);
    const old = room.tokens.get('b');
    await room.leave('b');
    const again = await joinQueue(room.deps, { userId: 'b', concertId: room.concertId });
    expect(again.created).toBe(true);
    expect(again.status).toMatchObject({ status: 'WAIT', position: 4 });
    expect(again.status.token).not.toBe(old);
    // The old token is gone for good: its item now holds the new one.
    expect(await codeOf(requireActiveToken(room.deps, { userId: 'b', concertId: room.concertId, token: old! }))).toBe(
      'QUEUE_TOKEN_INVALID',
    );
  });

  test('an instance that remembers a token it handed out does not answer it again once the record shows it given back', async () => {
    const recentTokens = new RecentTokens();
    const clock = new TestClock();
    const remembering = new Room(newConcert(), clock, {}, { recentTokens });
    await remembering.joinAll(['a', 'b']);
    // Another instance takes the leave: this one learns of it from the admission record alone.
    await remembering.instance().leave('b');
    const again = await joinQueue(remembering.deps, { userId: 'b', concertId: remembering.concertId });
    expect(again.created).toBe(true);
    expect(again.status.position).toBe(3);
  });

  test('polls of a left token on another instance read EXPIRED once its cached admission record is renewed (≤ 1 s deployed)', async () => {
    const clock = new TestClock();
    const room = new Room(newConcert(), clock);
    await room.joinAll(['a', 'b']);
    const cached = room.instance({ admissionCacheMs: 300 });
    expect(await cached.poll('b')).toMatchObject({ status: 'WAIT', position: 2 });
    await room.leave('b');
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await cached.poll('b')).toMatchObject({ status: 'EXPIRED' });
    expect(await cached.poll('a')).toMatchObject({ status: 'WAIT', position: 1 });
  });

  test('two leaves of one waiting token at once: one transition, both answered EXPIRED', async () => {
    const room = new Room(newConcert(), new TestClock());
    await room.joinAll(['a', 'b']);
    const answers = await Promise.all(Array.from({ length: 4 }, () => room.leave('b')));
    expect(answers.map((answer) => answer.status)).toEqual(['EXPIRED', 'EXPIRED', 'EXPIRED', 'EXPIRED']);
    const record = await room.record();
    expect([givenBackOf(record), record.leftTotal]).toEqual([['2'], 1]);
  });

  test('once the given-back set is full, a leave still spends the token and is counted, but adds no place', async () => {
    const room = new Room(newConcert(), new TestClock());
    await room.joinAll(['a', 'b']);
    const filler = new Set(Array.from({ length: MAX_GIVEN_BACK_PLACES }, (_, i) => String(1_000_000 + i)));
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName('queue'),
        Key: queueKeys.admission(room.concertId),
        UpdateExpression: 'ADD givenBack :filler',
        ExpressionAttributeValues: { ':filler': filler },
      }),
    );
    expect(await room.leave('b')).toMatchObject({ status: 'EXPIRED' });
    const record = await room.record();
    expect([(record.givenBack as Set<string>).size, record.leftTotal]).toEqual([MAX_GIVEN_BACK_PLACES, 1]);
    expect((await room.tokenItem('b'))?.finishedAt).toEqual(expect.any(Number));
    // Admitted as a place later, its token is still refused: the item says it was spent.
    await room.admit();
    expect(await room.poll('b')).toMatchObject({ status: 'EXPIRED' });
    expect(await codeOf(room.active('b'))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    // A join replaces a spent token.
    expect((await room.join('b')).status).toBe('WAIT');
  });
});

describe('an ACTIVE user ends the turn', () => {
  test('the token is spent at once and the place goes to the next user at the next run', async () => {
    const room = new Room(newConcert(), new TestClock(), { maxActivePerConcert: 2 });
    const line = users('t', 4);
    await room.joinAll(line);
    expect(await room.admit()).toBe(2);
    expect(await room.admit()).toBe(0); // full
    const before = await room.statuses(line);

    expect(await room.leave('t1')).toMatchObject({ status: 'EXPIRED', position: 0 });
    expect(await room.poll('t1')).toMatchObject({ status: 'EXPIRED' });
    expect(await codeOf(room.active('t1'))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    const record = await room.record();
    expect([finishedOf(record), record.leftTotal, record.givenBack]).toEqual([1, 1, undefined]);

    expect(await room.admit()).toBe(1);
    const after = await room.statuses(line);
    expect([...after].map(([userId, s]) => `${userId}:${s.status}`)).toEqual(['t1:EXPIRED', 't2:ACTIVE', 't3:ACTIVE', 't4:WAIT']);
    expectNoPositionGrew(before, after);
  });

  test('three leaves and a revocation of one ACTIVE token at once free the place exactly once', async () => {
    const room = new Room(newConcert(), new TestClock());
    await room.joinAll(['a', 'b']);
    await room.admit();
    const [leaves, revocation] = await Promise.all([Promise.all([room.leave('a'), room.leave('a'), room.leave('a')]), room.revoke('a')]);
    expect(leaves.map((answer) => answer.status)).toEqual(['EXPIRED', 'EXPIRED', 'EXPIRED']);
    const record = await room.record();
    // One of the four spent the token: one finished place, counted once, as left or as revoked.
    expect(finishedOf(record)).toBe(1);
    expect(((record.leftTotal as number) ?? 0) + ((record.revokedTotal as number) ?? 0)).toBe(1);
    expect(revocation.revoked).toBe(record.revokedTotal === 1);
  });
});

describe('leave racing admission', () => {
  test('read WAIT, then admitted before the leave writes: the leave ends the turn instead, once', async () => {
    const room = new Room(newConcert(), new TestClock(), { admitPerTick: 5 });
    await room.joinAll(['a', 'b', 'c']);
    const racing = room.racingAfterFirstRead(async () => expect(await room.admit()).toBe(3));
    expect(await room.leave('b', racing)).toMatchObject({ status: 'EXPIRED' });
    const record = await room.record();
    expect([finishedOf(record), record.leftTotal, record.givenBack]).toEqual([1, 1, undefined]);
    expect(activeCount(await room.deps.queue.findAdmission(room.concertId), room.clock.time, 600)).toBe(2);
    expect(await room.poll('b')).toMatchObject({ status: 'EXPIRED' });
  });

  test('a run reads, the leave lands, the run admits the place: the token stays spent and the next run tidies the set', async () => {
    const room = new Room(newConcert(), new TestClock(), { admitPerTick: 5 });
    await room.joinAll(['a', 'b', 'c', 'd']);
    let leftInBetween = false;
    const racing: QueueDeps = {
      ...room.deps,
      queue: {
        ...room.deps.queue,
        snapshot: async (concertId) => {
          const read = await room.deps.queue.snapshot(concertId);
          if (!leftInBetween) {
            leftInBetween = true;
            await room.leave('b');
          }
          return read;
        },
      },
    };
    expect((await admitWaitingTokens(racing)).concerts[0].admitted).toBe(4);
    expect(givenBackOf(await room.record())).toEqual(['2']);
    expect(await room.poll('b')).toMatchObject({ status: 'EXPIRED' });
    expect(await codeOf(room.active('b'))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    await room.join('e');
    expect(await room.admit()).toBe(1);
    expect((await room.record()).givenBack).toBeUndefined();
  });

  test('40 in line, 12 leave while overlapping admission runs go on: every leaver EXPIRED, nobody admitted twice, no position grew', async () => {
    const room = new Room(newConcert(), new TestClock(), { admitPerTick: 6, maxActivePerConcert: 25 });
    const line = users('r', 40);
    await Promise.all(line.map((userId) => room.join(userId)));
    const leavers = line.filter((_, i) => i % 3 === 1);
    const before = await room.statuses(line);
    await Promise.all([...leavers.map((userId) => room.leave(userId)), room.admit(), room.admit(), room.admit()]);
    const during = await room.statuses(line);
    expectNoPositionGrew(before, during);
    for (let run = 0; run < 8; run++) await room.admit();
    const after = await room.statuses(line);
    expectNoPositionGrew(during, after);

    for (const userId of leavers) expect({ userId, status: after.get(userId)?.status }).toEqual({ userId, status: 'EXPIRED' });
    const admission = await room.deps.queue.findAdmission(room.concertId);
    expect(activeCount(admission, room.clock.time, 600)).toBeLessThanOrEqual(25);
    // Batches never overlap, and every stayer is ACTIVE or waiting at a distinct place.
    const sorted = [...admission.batches].sort((x, y) => x.firstSeq - y.firstSeq);
    sorted.forEach((batch, i) => i > 0 && expect(batch.firstSeq).toBe(sorted[i - 1].lastSeq + 1));
    const stayers = line.filter((userId) => !leavers.includes(userId));
    const waiting = stayers.filter((userId) => after.get(userId)?.status === 'WAIT').map((userId) => after.get(userId)!.position);
    expect(new Set(waiting).size).toBe(waiting.length);
    expect(stayers.every((userId) => ['ACTIVE', 'WAIT'].includes(after.get(userId)!.status))).toBe(true);
    expect((await room.record()).leftTotal).toBe(leavers.length);
  });
});

describe('revocation', () => {
  test('a waiting token is EXPIRED at once; with a ban the user cannot join again, without one they can', async () => {
    const room = new Room(newConcert(), new TestClock());
    await room.joinAll(['a', 'b', 'c']);
    expect(await room.revoke('b')).toEqual({ userId: 'b', revoked: true, banned: false });
    expect(await room.poll('b')).toMatchObject({ status: 'EXPIRED' });
    expect((await room.join('b')).status).toBe('WAIT');
    expect(await room.revoke('b', true)).toEqual({ userId: 'b', revoked: true, banned: true });
    expect(await codeOf(room.join('b'))).toBe('QUEUE_BANNED');
    expect(await room.revoke('b')).toEqual({ userId: 'b', revoked: false, banned: true });
    // Nobody without a token: banned all the same.
    expect(await room.revoke('nobody', true)).toEqual({ userId: 'nobody', revoked: false, banned: true });
    expect(await codeOf(room.join('nobody'))).toBe('QUEUE_BANNED');
    // The bans are on the token items, which keep them past any TTL; the admission record only counts.
    const record = await room.record();
    expect([record.revokedTotal, record.banned, record.leftTotal]).toEqual([2, undefined, undefined]);
    expect(await room.tokenItem('b')).toMatchObject({ banned: expect.any(Number), finishedAt: expect.any(Number) });
    expect(await room.tokenItem('nobody')).toEqual({
      ...queueKeys.token(room.concertId, 'nobody'),
      concertId: room.concertId,
      userId: 'nobody',
      banned: expect.any(Number),
    });
    expect([(await room.tokenItem('b'))?.ttl, (await room.tokenItem('nobody'))?.ttl]).toEqual([undefined, undefined]);
  });

  test('an ACTIVE token is refused by the ACTIVE check at once, and its place freed', async () => {
    const room = new Room(newConcert(), new TestClock(), { maxActivePerConcert: 1 });
    await room.joinAll(['a', 'b']);
    await room.admit();
    await expect(room.active('a')).resolves.toMatchObject({ userId: 'a' });
    expect(await room.revoke('a')).toEqual({ userId: 'a', revoked: true, banned: false });
    expect(await codeOf(room.active('a'))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    expect(await room.poll('a')).toMatchObject({ status: 'EXPIRED' });
    expect(await room.admit()).toBe(1);
    expect(await room.poll('b')).toMatchObject({ status: 'ACTIVE' });
  });

  test('a banned user is refused on an instance that remembers their token, and within the cache window elsewhere', async () => {
    const recentTokens = new RecentTokens();
    const room = new Room(newConcert(), new TestClock(), {}, { recentTokens });
    await room.join('m');
    const elsewhere = room.instance({ admissionCacheMs: 300 });
    expect((await elsewhere.join('m')).status).toBe('WAIT'); // the same token, read through the cache
    await room.instance().revoke('m', true);
    expect(await codeOf(room.join('m'))).toBe('QUEUE_BANNED');
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await codeOf(elsewhere.join('m'))).toBe('QUEUE_BANNED');
  });

  test('a revocation that lands between a hold’s token check and its commit stops the hold: 403, no reservation, the seat free', async () => {
    const clock = new TestClock(Date.now());
    const concertId = newConcert();
    const { scheduleId } = await createSmallConcert(concertId, 3);
    const room = new Room(concertId, clock);
    await room.join('h');
    await room.admit();
    const reservationDeps = reservationDepsForTest(clock);
    const checkThenRevoke = async () => {
      const active = await room.active('h');
      await room.revoke('h');
      return active;
    };
    const hold = holdSeat(reservationDeps, { userId: 'h', concertId, scheduleId, seatNumber: 1 }, checkThenRevoke);
    expect(await codeOf(hold)).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    expect((await reservationDeps.reservations.listReservations('h', { limit: 10 })).reservations).toEqual([]);
    const seat = await documentClient.send(
      new GetCommand({ TableName: tableName('catalogue'), Key: catalogueKeys.seat(scheduleId, 1), ConsistentRead: true }),
    );
    expect(seat.Item?.status).toBe('AVAILABLE');
    expect(await reservationDeps.reservations.findHoldSlots('h', scheduleId)).toEqual([]);
  });

  test('holds racing a revocation, 6 rounds: a hold lands only before the revocation, never after', async () => {
    const clock = new TestClock(Date.now());
    const concertId = newConcert();
    const { scheduleId } = await createSmallConcert(concertId, 12);
    const room = new Room(concertId, clock);
    const reservationDeps = reservationDepsForTest(clock);
    const outcomes: string[] = [];
    for (let round = 0; round < 6; round++) {
      const userId = `hr${round}`;
      await room.join(userId);
      await room.admit();
      const seats = [2 * round + 1, 2 * round + 2];
      const holds = seats.map((seatNumber) =>
        holdSeat(reservationDeps, { userId, concertId, scheduleId, seatNumber }, () => room.active(userId)).then(
          (reservation) => reservation.reservationId,
          (error: unknown) => (error instanceof AppError ? error.code : String(error)),
        ),
      );
      // The revocation starts a little later each round, so some holds get in first.
      await new Promise((resolve) => setTimeout(resolve, round * 15));
      const revocation = await room.revoke(userId);
      const results = await Promise.all(holds);
      expect(revocation.revoked).toBe(true);
      const held = (await reservationDeps.reservations.listReservations(userId, { limit: 10 })).reservations;
      // Every hold that answered 201 exists; every other answered QUEUE_TOKEN_NOT_ACTIVE and left nothing.
      expect(held.map((r) => r.reservationId).sort()).toEqual(results.filter((r) => r.length === 26).sort());
      for (const result of results.filter((r) => r.length !== 26)) expect(result).toBe('QUEUE_TOKEN_NOT_ACTIVE');
      // After the revocation no hold can land: the token is spent.
      expect(await codeOf(holdSeat(reservationDeps, { userId, concertId, scheduleId, seatNumber: 12 }, () => room.active(userId)))).toBe(
        'QUEUE_TOKEN_NOT_ACTIVE',
      );
      outcomes.push(`${held.length} held`);
    }
    console.log(`holds racing a revocation: ${outcomes.join(', ')}`);
  });
});

describe('bans, on the token item', () => {
  /** What a join ends in: 'joined' (201 or 200), or its error's code. */
  const outcomeOf = (joining: Promise<QueueStatusView>) =>
    joining.then(
      () => 'joined',
      (error: unknown) => (error instanceof AppError ? error.code : String(error)),
    );

  test('a ban of a user who holds no token: their join is 403 QUEUE_BANNED at once, even through a cached record, and no token is written', async () => {
    const room = new Room(newConcert(), new TestClock(), {}, { admissionCacheMs: 60_000 });
    await room.joinAll(['a', 'b']);
    // An instance that has read no admission record yet reads it before taking a number.
    const cold = room.instance({ admissionCacheMs: 60_000 });
    const before = { record: await room.record(), seq: await room.lastSeq() };

    expect(await room.instance().revoke('x', true)).toEqual({ userId: 'x', revoked: false, banned: true });
    const banItem = { ...queueKeys.token(room.concertId, 'x'), concertId: room.concertId, userId: 'x', banned: expect.any(Number) };
    expect(await room.tokenItem('x')).toEqual(banItem);

    expect(await codeOf(cold.join('x'))).toBe('QUEUE_BANNED');
    expect([await room.record(), await room.tokenItem('x')]).toEqual([before.record, banItem]);
    // This instance's record, cached for a minute, predates the ban: the token write refuses it all the same.
    expect(await codeOf(room.join('x'))).toBe('QUEUE_BANNED');
    expect([await room.record(), await room.tokenItem('x')]).toEqual([before.record, banItem]);
    // Each took the number its token write would have carried (the record does not name the ban); no token holds it.
    expect(await room.lastSeq()).toBe(before.seq + 2);
  });

  test('a ban while WAIT and while ACTIVE: the token EXPIRED at once, later joins 403, and the token item keeps no TTL', async () => {
    const room = new Room(newConcert(), new TestClock(), { admitPerTick: 1 });
    await room.joinAll(['act', 'wait', 'other']);
    await room.admit();
    expect([(await room.poll('act')).status, (await room.poll('wait')).status]).toEqual(['ACTIVE', 'WAIT']);
    expect(await room.tokenItem('wait')).toHaveProperty('ttl');

    expect(await room.revoke('act', true)).toEqual({ userId: 'act', revoked: true, banned: true });
    expect(await room.revoke('wait', true)).toEqual({ userId: 'wait', revoked: true, banned: true });
    expect(await codeOf(room.active('act'))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    expect([(await room.poll('act')).status, (await room.poll('wait')).status]).toEqual(['EXPIRED', 'EXPIRED']);
    for (const userId of ['act', 'wait']) {
      const token = room.tokens.get(userId);
      expect(await codeOf(room.join(userId))).toBe('QUEUE_BANNED');
      const item = await room.tokenItem(userId);
      expect(item).toMatchObject({ token, banned: expect.any(Number), finishedAt: expect.any(Number) });
      expect(item).not.toHaveProperty('ttl');
      // A week on, well past the retention TTL would have given the item: still banned.
      room.clock.advance(8 * 24 * 3600);
      expect(await codeOf(room.join(userId))).toBe('QUEUE_BANNED');
    }
    // The admission record counts the revocations and lists the given-back place; it names nobody.
    const record = await room.record();
    expect([record.revokedTotal, givenBackOf(record), record.banned]).toEqual([2, ['2'], undefined]);
  });

  test('20 joins at once of a banned user, on four instances, and 10 more in turn on one: every one 403, and the later ones take no number', async () => {
    const room = new Room(newConcert(), new TestClock(), {}, { admissionCacheMs: 60_000, recentBans: new RecentBans() });
    await room.joinAll(['a', 'bot']);
    await room.instance().revoke('bot', true);
    const instances = [room, ...Array.from({ length: 3 }, () => room.instance({ admissionCacheMs: 60_000 }))];
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => outcomeOf(instances[i % 4].join('bot'))));
    expect(outcomes).toEqual(Array(20).fill('QUEUE_BANNED'));
    // Refused once, this instance refuses at once: no number taken alongside its cached record.
    const seq = await room.lastSeq();
    for (let i = 0; i < 10; i++) expect(await codeOf(room.join('bot'))).toBe('QUEUE_BANNED');
    expect(await room.lastSeq()).toBe(seq);
    expect(await room.tokenItem('bot')).toMatchObject({ token: room.tokens.get('bot'), banned: expect.any(Number) });
  });

  test('a join that lands between a ban’s read and its write: the ban’s write is refused, and it reads again and revokes that token', async () => {
    const room = new Room(newConcert(), new TestClock());
    let joinedInBetween: QueueStatusView | undefined;
    const racing = room.racingAfterFirstRead(async () => (joinedInBetween = await room.instance().join('j')));
    expect(await revokeQueueToken(racing, { concertId: room.concertId, userId: 'j', ban: true })).toEqual({
      userId: 'j',
      revoked: true,
      banned: true,
    });
    expect(joinedInBetween?.status).toBe('WAIT');
    expect((await room.poll('j', joinedInBetween!.token)).status).toBe('EXPIRED');
    expect(await room.tokenItem('j')).toMatchObject({
      token: joinedInBetween!.token,
      finishedAt: expect.any(Number),
      banned: expect.any(Number),
    });
    expect(await codeOf(room.join('j'))).toBe('QUEUE_BANNED');
  });

  test('a ban racing the user’s own joins, 6 rounds: whichever lands first, the user ends banned and holds no live token', async () => {
    const rounds: string[] = [];
    for (let round = 0; round < 6; round++) {
      const room = new Room(newConcert(), new TestClock());
      const issued: string[] = [];
      const joins = Array.from({ length: 6 }, () =>
        outcomeOf(
          room
            .instance()
            .join('r')
            .then((status) => (issued.push(status.token), status)),
        ),
      );
      // The revocation starts a little later each round, so some joins land first.
      const revoking = new Promise((resolve) => setTimeout(resolve, 4 * round)).then(() => room.instance().revoke('r', true));
      const [revocation, ...outcomes] = await Promise.all([revoking, ...joins]);
      expect(outcomes.every((outcome) => outcome === 'joined' || outcome === 'QUEUE_BANNED')).toBe(true);
      // A join that landed before the ban is what the ban revoked; none landed after it.
      expect(revocation).toEqual({ userId: 'r', revoked: outcomes.includes('joined'), banned: true });
      for (const token of new Set(issued)) expect((await room.poll('r', token)).status).toBe('EXPIRED');
      expect(await codeOf(room.join('r'))).toBe('QUEUE_BANNED');
      const item = await room.tokenItem('r');
      expect(item).toMatchObject({ banned: expect.any(Number) });
      expect(item).not.toHaveProperty('ttl');
      rounds.push(`${outcomes.filter((outcome) => outcome === 'joined').length} joined`);
    }
    console.log(`a ban racing joins: ${rounds.join(', ')}`);
  });

  test('an item that holds only a ban: polls, the ACTIVE check, leave and revocation answer it, and the jobs run past it', async () => {
    const room = new Room(newConcert(), new TestClock());
    await room.joinAll(['a', 'b']);
    expect(await room.admit()).toBe(2);
    expect(await room.revoke('p', true)).toEqual({ userId: 'p', revoked: false, banned: true });
    // A validly signed token of p's at a place admission has reached (as if p held it once and its item had gone).
    room.tokens.set('p', await room.deps.tokens.issue({ concertId: room.concertId, userId: 'p', seq: 1 }));
    expect(await codeOf(room.poll('p'))).toBe('QUEUE_TOKEN_INVALID');
    expect(await codeOf(room.active('p'))).toBe('QUEUE_TOKEN_INVALID');
    expect(await codeOf(room.leave('p'))).toBe('QUEUE_TOKEN_INVALID');
    expect(await room.revoke('p')).toEqual({ userId: 'p', revoked: false, banned: true });
    expect(await room.revoke('p', true)).toEqual({ userId: 'p', revoked: false, banned: true });
    expect(await codeOf(room.join('p'))).toBe('QUEUE_BANNED');

    // An ended token banned after: the item keeps it (spent), gains the ban and loses its TTL.
    await room.join('e');
    await room.leave('e');
    expect(await room.revoke('e', true)).toEqual({ userId: 'e', revoked: false, banned: true });
    expect(await room.tokenItem('e')).toMatchObject({
      token: room.tokens.get('e'),
      finishedAt: expect.any(Number),
      banned: expect.any(Number),
    });
    expect(await room.tokenItem('e')).not.toHaveProperty('ttl');
    expect((await room.poll('e')).status).toBe('EXPIRED');
    expect(await codeOf(room.leave('e'))).toBe('no error');
    expect(await codeOf(room.join('e'))).toBe('QUEUE_BANNED');

    // The admission and expiry jobs: the ACTIVE turns run out and are tidied, the next in line admitted.
    await room.join('c');
    room.clock.advance(601);
    expect((await expireActiveTokens(room.deps)).concerts).toEqual([{ concertId: room.concertId, expired: 2 }]);
    // The refused joins' numbers are admitted too (as any number a join took and did not keep).
    expect(await room.admit()).toBeGreaterThanOrEqual(1);
    expect((await room.poll('c')).status).toBe('ACTIVE');
  });

  test('a user in the banned set an earlier version kept on the admission record is still refused', async () => {
    const room = new Room(newConcert(), new TestClock(), {}, { admissionCacheMs: 60_000 });
    await room.join('a');
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName('queue'),
        Key: queueKeys.admission(room.concertId),
        UpdateExpression: 'ADD banned :users',
        ExpressionAttributeValues: { ':users': new Set(['old', 'older']) },
      }),
    );
    const fresh = room.instance();
    const seq = await room.lastSeq();
    expect(await codeOf(fresh.join('old'))).toBe('QUEUE_BANNED');
    expect(await room.lastSeq()).toBe(seq);
    expect(await room.tokenItem('old')).toBeUndefined();
    expect(await fresh.revoke('old')).toEqual({ userId: 'old', revoked: false, banned: true });
    // Banned again now, it is marked on the token item too: refused even through a record cached before the set.
    expect(await fresh.revoke('older', true)).toEqual({ userId: 'older', revoked: false, banned: true });
    expect(await codeOf(room.join('older'))).toBe('QUEUE_BANNED');
  });

  test('bans no longer write the admission record: 120 bans leave it exactly as it was', async () => {
    const room = new Room(newConcert(), new TestClock());
    await room.joinAll(['a', 'b', 'c']);
    await room.admit();
    const before = await room.record();
    const banned = users('bot', 120);
    for (let i = 0; i < banned.length; i += 20) {
      const answers = await Promise.all(banned.slice(i, i + 20).map((userId) => room.revoke(userId, true)));
      expect(answers.every((answer) => answer.revoked === false && answer.banned)).toBe(true);
    }
    // The earlier version added each to the record's `banned` set, about 36 bytes a user, up to DynamoDB's 400 KB.
    expect(await room.record()).toEqual(before);
    expect(await codeOf(room.join('bot120'))).toBe('QUEUE_BANNED');
  });
});

describe('the sharded line (QUEUE_SHARDS 4)', () => {
  test('leaves while waiting read EXPIRED, admission passes over their places, positions never grow', async () => {
    const room = new Room(newConcert(), new TestClock(), { admitPerTick: 5 }, { shards: 4 });
    const line = users('s', 16);
    await Promise.all(line.map((userId) => room.join(userId)));
    expect(await room.admit()).toBe(5); // closes the first epoch: positions are exact from here
    const before = await room.statuses(line);
    const waiting = line.filter((userId) => before.get(userId)?.status === 'WAIT');
    const leavers = waiting.filter((_, i) => i % 2 === 0);
    await Promise.all(leavers.map((userId) => room.leave(userId)));
    const afterLeave = await room.statuses(line);
    expectNoPositionGrew(before, afterLeave);
    for (const userId of leavers) expect(afterLeave.get(userId)?.status).toBe('EXPIRED');
    expect(givenBackOf(await room.record())).toHaveLength(leavers.length);

    let admitted = 0;
    for (let run = 0; run < 4; run++) admitted += await room.admit();
    const after = await room.statuses(line);
    expectNoPositionGrew(afterLeave, after);
    expect(admitted).toBe(waiting.length - leavers.length);
    expect(line.filter((userId) => after.get(userId)?.status === 'ACTIVE')).toHaveLength(line.length - leavers.length);
    const record = await room.record();
    expect([record.givenBack, record.leftTotal]).toEqual([undefined, leavers.length]);
  });

  test('a sharded leave racing admission: admitted first, the leave ends the turn instead', async () => {
    const room = new Room(newConcert(), new TestClock(), {}, { shards: 4 });
    await Promise.all(users('x', 6).map((userId) => room.join(userId)));
    const racing = room.racingAfterFirstRead(() => room.admit());
    expect(await room.leave('x3', racing)).toMatchObject({ status: 'EXPIRED' });
    const record = await room.record();
    expect([finishedOf(record), record.leftTotal, record.givenBack]).toEqual([1, 1, undefined]);
    expect(await room.poll('x3')).toMatchObject({ status: 'EXPIRED' });
  });
});
