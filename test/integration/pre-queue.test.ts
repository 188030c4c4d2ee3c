import { admitWaitingTokens } from '../../functions/queue/admit-waiting-tokens';
import { changeWaitingRoomSettings } from '../../functions/queue/change-waiting-room-settings';
import { queueRepository } from '../../functions/queue/default-queue-deps';
import { joinQueue } from '../../functions/queue/join-queue';
import { leaveQueue } from '../../functions/queue/leave-queue';
import { shuffledPlace, type PreQueue } from '../../functions/queue/pre-queue';
import { pollQueue } from '../../functions/queue/poll-queue';
import { unverifiedQueueTokenClaims, type QueueTokenClaims } from '../../functions/queue/queue-token';
import type { WaitingRoomSettingsPatch } from '../../functions/queue/waiting-room-settings';
import { startLocalApi, type ApiResponse, type LocalApi } from '../support/local-api';
import { onlyConcert, queueDepsForTest, TestClock, waitingRoomDepsForTest } from '../support/queue-fixture';

/**
 * The scheduled opening with a fair pre-queue against DynamoDB Local: joins and polls over real
 * HTTP (the local server, real JWTs), admission runs through the job's use case with a clock the
 * test moves (so no test waits for a minute to pass), on the same tables.
 */
let api: LocalApi;
let admin: string;

beforeAll(async () => {
  api = await startLocalApi();
  admin = await api.tokenFor('ada', ['admin']);
});
afterAll(() => api.stop());

const admittedBy = (run: Awaited<ReturnType<typeof admitWaitingTokens>>) =>
  run.concerts.reduce((sum, concert) => sum + concert.admitted, 0);
const change = (clock: TestClock, concertId: string, patch: WaitingRoomSettingsPatch) =>
  changeWaitingRoomSettings(waitingRoomDepsForTest(clock), { concertId, by: 'ada', patch });
const claimsOf = (token: string) => unverifiedQueueTokenClaims(token) as QueueTokenClaims;
/** Joins and polls read the admission record through a cache of at most a second. */
const cacheWindow = () => new Promise((resolve) => setTimeout(resolve, 1100));

/** `fn` over `items`, at most `concurrency` at a time. */
async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    }),
  );
  return results;
}

/** Spearman's rho of two rankings; |rho| > 0.155 has a chance of about 1e-6 for n = 1,000 drawn uniformly. */
function spearman(pairs: readonly (readonly [number, number])[]): number {
  const rank = (values: number[]) => {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    const ranks = new Array<number>(values.length);
    order.forEach(([, i], r) => (ranks[i] = r + 1));
    return ranks;
  };
  const a = rank(pairs.map(([x]) => x));
  const b = rank(pairs.map(([, y]) => y));
  const n = pairs.length;
  const d2 = a.reduce((sum, r, i) => sum + (r - b[i]) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

async function newConcert(): Promise<string> {
  const date = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const response = await api.request('POST', '/admin/concerts', {
    token: admin,
    body: { title: 'Opening', venue: 'Hall', schedules: [{ date, seats: [{ seatNumber: 1, price: 1000 }] }] },
  });
  expect(response.status).toBe(201);
  return response.body.concertId;
}

test('1,000 pre-queue joiners over HTTP, then the opening: shuffled, all admitted before any later joiner, positions exact and never growing', async () => {
  const concertId = await newConcert();
  const patch = (body: unknown) => api.request('PATCH', `/admin/concerts/${concertId}/waiting-room`, { token: admin, body });
  const users = Array.from({ length: 1000 }, (_, i) => `pq-${i}`);
  const bearer = new Map<string, string>();
  await pool(users, 25, async (user) => bearer.set(user, await api.tokenFor(user)));
  const join = async (user: string) => {
    if (!bearer.has(user)) bearer.set(user, await api.tokenFor(user));
    return api.request('POST', `/concerts/${concertId}/queue`, { token: bearer.get(user) });
  };
  const poll = (user: string, queueToken: string) =>
    api.request('GET', `/concerts/${concertId}/queue`, { token: bearer.get(user), queueToken });

  // Before the pre-queue opens: 409 QUEUE_NOT_OPEN with Retry-After.
  const saleOpensAt = new Date(Date.now() + 7_200_000).toISOString();
  expect((await patch({ preQueueOpensAt: new Date(Date.now() + 3_600_000).toISOString(), saleOpensAt, admitPerMinute: 1200 })).status).toBe(
    200,
  );
  await cacheWindow();
  const early = await join(users[0]);
  expect([early.status, early.body.error.code]).toEqual([409, 'QUEUE_NOT_OPEN']);
  expect(Number(early.headers.get('retry-after'))).toBeGreaterThan(3500);

  // The pre-queue opens: 1,000 concurrent joins, each WAIT with no position, no estimate, and when the sale opens.
  expect((await patch({ preQueueOpensAt: new Date(Date.now() - 1000).toISOString() })).status).toBe(200);
  await cacheWindow();
  const joined = await pool(users, 50, join);
  const tokens = new Map<string, string>();
  joined.forEach((response, i) => {
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'WAIT', position: null, estimatedWaitSeconds: null, opensAt: saleOpensAt });
    expect(claimsOf(response.body.token)).toMatchObject({ preQueue: true });
    expect(response.body.token.length).toBeLessThanOrEqual(400);
    tokens.set(users[i], response.body.token);
  });
  // Arrival numbers 1..1,000, each once.
  expect(new Set(joined.map((r) => claimsOf(r.body.token).seq))).toEqual(new Set(users.map((_, i) => i + 1)));
  const again = await join(users[1]);
  expect([again.status, again.body.token]).toEqual([200, tokens.get(users[1])]);

  // One leaves the pre-queue before the opening.
  const leaverBefore = users[7];
  const left = await api.request('DELETE', `/concerts/${concertId}/queue`, {
    token: bearer.get(leaverBefore),
    queueToken: tokens.get(leaverBefore),
  });
  expect([left.status, left.body.status]).toEqual([200, 'EXPIRED']);

  // Runs before saleOpensAt admit nobody and record nothing.
  const clock = new TestClock(Date.now());
  const deps = onlyConcert(queueDepsForTest(clock), concertId);
  expect(admittedBy(await admitWaitingTokens(deps))).toBe(0);
  expect((await deps.queue.findAdmission(concertId)).preQueue).toBeUndefined();
  const before = await pool(users.slice(0, 50), 25, (user) => poll(user, tokens.get(user)!));
  before.forEach((r, i) => {
    if (users[i] === leaverBefore) expect(r.body.status).toBe('EXPIRED');
    else expect(r.body).toMatchObject({ status: 'WAIT', position: null, estimatedWaitSeconds: null, opensAt: saleOpensAt });
  });

  // The admin opens the sale now, paused for a moment. Joins from now on are ordinary, at the back.
  const openedAt = Date.now() - 1000;
  expect((await patch({ saleOpensAt: new Date(openedAt).toISOString(), admission: 'PAUSED' })).status).toBe(200);
  await cacheWindow();
  // A poll renews the server's view of the record, which a join uses to pick its counter before its own read returns.
  await poll(users[0], tokens.get(users[0])!);
  const late: string[] = [];
  const joinLate = async (count: number) => {
    const names = Array.from({ length: count }, (_, i) => `late-${late.length + i + 1}`);
    const answers = await pool(names, 20, join);
    answers.forEach((r, i) => {
      expect(r.status).toBe(201);
      expect(claimsOf(r.body.token).preQueue).toBeUndefined();
      tokens.set(names[i], r.body.token);
    });
    late.push(...names);
  };
  await joinLate(20);

  // Three overlapping runs at the opening: exactly one opening is recorded, with all 1,000 arrivals.
  // Runs every 10 s from a minute's start, so each admits its even share of the minute's 1,200 (200).
  const minute = Math.ceil((Date.now() + 15_000) / 60_000) * 60_000 + 3000;
  clock.time = minute - 10_000;
  expect((await Promise.all([admitWaitingTokens(deps), admitWaitingTokens(deps), admitWaitingTokens(deps)])).map(admittedBy)).toEqual([
    0, 0, 0,
  ]);
  const opened = (await deps.queue.findAdmission(concertId)).preQueue as PreQueue;
  expect(opened).toMatchObject({ size: 1000, shardSizes: [1000], admitted: 0 });
  const seed = opened.seed;
  const placeOf = (user: string) => shuffledPlace(opened, { seq: claimsOf(tokens.get(user)!).seq });
  await cacheWindow();

  const pre = users.filter((user) => user !== leaverBefore);
  const lastPosition = new Map<string, number>();
  const everyone = () => [...pre, ...late];
  const pollAll = async () => {
    const answers = await pool(everyone(), 50, (user) => poll(user, tokens.get(user)!));
    for (const r of answers) expect(JSON.stringify(r.body)).not.toContain(seed);
    return new Map(everyone().map((user, i) => [user, answers[i]] as const));
  };
  const admitted = new Map<string, number>();
  let round = 0;
  const check = (answers: Map<string, ApiResponse>, preAdmitted: number) => {
    for (const [user, r] of answers) {
      expect(r.status).toBe(200);
      if (r.body.status === 'ACTIVE') {
        if (!admitted.has(user)) admitted.set(user, round);
        continue;
      }
      expect(r.body.status).toBe('WAIT');
      expect(admitted.has(user)).toBe(false);
      const position = r.body.position as number;
      expect(typeof position).toBe('number');
      expect(r.body).not.toHaveProperty('opensAt');
      // Exact: a pre-queue member stands at its shuffled place; a late joiner behind every place left.
      if (user.startsWith('pq-')) expect(position).toBe(placeOf(user) - preAdmitted);
      else expect(position).toBeGreaterThan(opened.size - preAdmitted);
      if (lastPosition.has(user)) expect(position).toBeLessThanOrEqual(lastPosition.get(user)!);
      lastPosition.set(user, position);
    }
  };

  // Paused: nobody admitted, everyone has an exact place; the order of places is not the order of arrival.
  const first = await pollAll();
  check(first, 0);
  const pairs = pre.map((user) => [claimsOf(tokens.get(user)!).seq, first.get(user)!.body.position as number] as const);
  expect(Math.abs(spearman(pairs))).toBeLessThan(0.155);
  expect(new Set(pairs.map(([, p]) => p)).size).toBe(pre.length);

  // One leaves while waiting after the opening: the place is passed over, as the one given back before it.
  const leaverAfter = pre[500];
  const leftAfter = await api.request('DELETE', `/concerts/${concertId}/queue`, {
    token: bearer.get(leaverAfter),
    queueToken: tokens.get(leaverAfter),
  });
  expect([leftAfter.status, leftAfter.body.status]).toEqual([200, 'EXPIRED']);
  pre.splice(500, 1);

  await change(clock, concertId, { admission: 'RUNNING' });
  const perRun: number[] = [];
  while (admitted.size < pre.length + late.length && round < 20) {
    round++;
    clock.time = minute + (round - 1) * 10_000;
    perRun.push(admittedBy(await admitWaitingTokens(deps)));
    await joinLate(5); // later joiners keep coming between runs
    await cacheWindow();
    const preAdmitted = (await deps.queue.findAdmission(concertId)).preQueue!.admitted;
    check(await pollAll(), preAdmitted);
    // No later joiner is admitted while anyone from the pre-queue still waits.
    if (late.some((user) => admitted.has(user))) expect(pre.every((user) => admitted.has(user))).toBe(true);
  }
  expect(perRun.slice(0, 5)).toEqual([200, 200, 200, 200, 200]); // 1,200 a minute: 200 a run, over several runs
  expect(pre.every((user) => admitted.has(user))).toBe(true);
  const lastPreRound = Math.max(...pre.map((user) => admitted.get(user)!));
  const firstLateRound = Math.min(...late.filter((user) => admitted.has(user)).map((user) => admitted.get(user)!));
  expect(lastPreRound).toBeGreaterThanOrEqual(5);
  expect(firstLateRound).toBeGreaterThanOrEqual(lastPreRound);
  // The two places given back were passed over and tidied: 998 people took the 1,000 places.
  const final = await deps.queue.findAdmission(concertId);
  expect(final.preQueue!.admitted).toBe(1000);
  expect([...(final.givenBack ?? [])].filter((key) => key.startsWith('p'))).toEqual([]);

  // A pre-queue member who left joins again: an ordinary token, at the back.
  const rejoined = await join(leaverBefore);
  expect(rejoined.status).toBe(201);
  expect(claimsOf(rejoined.body.token).preQueue).toBeUndefined();
}, 600_000); // ~8,000 polls over HTTP: two minutes on a quiet machine, nearer five on a busy one

describe('the pre-queue through the use cases', () => {
  let serial = 0;
  const concert = () => `pq-${Date.now()}-${++serial}`;
  const SALE = Date.parse('2026-12-01T10:00:00.000Z');

  test('sharded line (QUEUE_SHARDS 4): 200 concurrent pre-queue joiners, overlapping opening runs, all admitted before later joiners', async () => {
    const clock = new TestClock(SALE - 600_000);
    const concertId = concert();
    const deps = onlyConcert({ ...queueDepsForTest(clock, { queueShards: 4 }), queue: queueRepository({ shards: 4 }) }, concertId);
    await change(clock, concertId, { saleOpensAt: new Date(SALE).toISOString(), admitPerMinute: 360 });
    const joined = await Promise.all(Array.from({ length: 200 }, (_, i) => joinQueue(deps, { userId: `s${i}`, concertId })));
    for (const j of joined) {
      expect(j.status).toMatchObject({ status: 'WAIT', position: null, estimatedWaitSeconds: null });
      expect(claimsOf(j.status.token)).toMatchObject({ preQueue: true });
    }
    const tokens = joined.map((j, i) => ({ userId: `s${i}`, token: j.status.token, pre: true }));
    await leaveQueue(deps, { userId: 's3', concertId, token: tokens[3].token });
    tokens.splice(3, 1);

    // At the opening: three overlapping runs, one opening, one share admitted (60 a run).
    clock.time = SALE + 3000;
    const late = await Promise.all(Array.from({ length: 10 }, (_, i) => joinQueue(deps, { userId: `late${i}`, concertId })));
    late.forEach((j, i) => tokens.push({ userId: `late${i}`, token: j.status.token, pre: false }));
    const runs = await Promise.all([admitWaitingTokens(deps), admitWaitingTokens(deps), admitWaitingTokens(deps)]);
    expect(runs.map(admittedBy).sort()).toEqual([0, 0, 60]);
    const opened = (await deps.queue.findAdmission(concertId)).preQueue!;
    expect(opened.size).toBe(200);
    expect(opened.shardSizes).toHaveLength(4);

    const admittedAt = new Map<string, number>();
    const last = new Map<string, number>();
    for (let run = 1; run <= 6; run++) {
      const admission = await deps.queue.findAdmission(concertId);
      const states = await Promise.all(tokens.map((t) => pollQueue(deps, { userId: t.userId, concertId, token: t.token })));
      states.forEach((state, i) => {
        const t = tokens[i];
        if (state.status === 'ACTIVE') {
          if (!admittedAt.has(t.userId)) admittedAt.set(t.userId, run);
          return;
        }
        expect(state.status).toBe('WAIT');
        const claims = claimsOf(t.token);
        if (t.pre)
          expect(state.position).toBe(shuffledPlace(opened, { seq: claims.seq, shard: claims.shard }) - admission.preQueue!.admitted);
        else expect(state.position!).toBeGreaterThan(opened.size - admission.preQueue!.admitted);
        if (last.has(t.userId)) expect(state.position!).toBeLessThanOrEqual(last.get(t.userId)!);
        last.set(t.userId, state.position!);
      });
      if (tokens.some((t) => !t.pre && admittedAt.has(t.userId)))
        expect(tokens.every((t) => !t.pre || admittedAt.has(t.userId))).toBe(true);
      clock.advance(10);
      await admitWaitingTokens(deps);
    }
    expect(tokens.every((t) => admittedAt.has(t.userId))).toBe(true);
    const lastPre = Math.max(...tokens.filter((t) => t.pre).map((t) => admittedAt.get(t.userId)!));
    const firstLate = Math.min(...tokens.filter((t) => !t.pre).map((t) => admittedAt.get(t.userId)!));
    expect(firstLate).toBeGreaterThanOrEqual(lastPre);
  });

  test('a closed counter makes a join ordinary; a live pre-queue token is never replaced by the line bound; an expired one is', async () => {
    const clock = new TestClock(SALE - 3_600_000);
    const concertId = concert();
    const deps = onlyConcert(queueDepsForTest(clock, { activeSeconds: 60 }), concertId);
    // Ten ordinary joiners admitted and run out: the line's expired bound is 10.
    await Promise.all(Array.from({ length: 10 }, (_, i) => joinQueue(deps, { userId: `o${i}`, concertId })));
    expect(admittedBy(await admitWaitingTokens(deps))).toBe(10);
    clock.advance(120);

    await change(clock, concertId, { saleOpensAt: new Date(SALE).toISOString(), activeSeconds: 60 });
    // This instance sees the change (a join picks its counter by the record last seen, before its own read returns).
    await deps.queue.findAdmission(concertId, { recentAdmission: true });
    const pre = await Promise.all(Array.from({ length: 5 }, (_, i) => joinQueue(deps, { userId: `p${i}`, concertId })));
    pre.forEach((j) => expect(claimsOf(j.status.token)).toMatchObject({ preQueue: true }));
    // Arrival 3 is below the line's bound of 10, yet the live pre-queue token stands: joining again answers it.
    const again = await joinQueue(deps, { userId: 'p2', concertId });
    expect([again.created, again.status.token]).toEqual([false, pre[2].status.token]);

    // The opening run closed the counters but has not recorded the opening yet: a join before saleOpensAt goes in line.
    const snapshot = await deps.queue.snapshot(concertId);
    // Six arrivals: p2's second join took one before its write found the live token, and did not keep it.
    expect(await deps.queue.closePreQueue(concertId, snapshot.preQueueCounters, clock.time)).toEqual([6]);
    const closed = await joinQueue(deps, { userId: 'c0', concertId });
    expect(claimsOf(closed.status.token).preQueue).toBeUndefined();
    expect(closed.status).toMatchObject({ status: 'WAIT', position: null });

    // Nobody admitted before saleOpensAt; at it, the pre-queue's six places first, then the ordinary joiner.
    expect(admittedBy(await admitWaitingTokens(deps))).toBe(0);
    clock.time = SALE;
    expect(admittedBy(await admitWaitingTokens(deps))).toBe(7);
    const admission = await deps.queue.findAdmission(concertId);
    expect(admission.preQueue).toMatchObject({ size: 6, admitted: 6 });
    expect(admission.batches.at(-1)).toMatchObject({ preQueuePlaces: [1, 6], firstSeq: 11, lastSeq: 11 });
    const active = await pollQueue(deps, { userId: 'p2', concertId, token: pre[2].status.token });
    expect(active.status).toBe('ACTIVE');

    // Run out: joining again replaces the expired pre-queue token with an ordinary one.
    clock.advance(120);
    const rejoined = await joinQueue(deps, { userId: 'p2', concertId });
    expect(rejoined.created).toBe(true);
    expect(claimsOf(rejoined.status.token).preQueue).toBeUndefined();
    expect(await pollQueue(deps, { userId: 'p2', concertId, token: pre[2].status.token }).catch((e: { code: string }) => e.code)).toBe(
      'QUEUE_TOKEN_INVALID',
    );
  });

  test('an admin who clears saleOpensAt strands nobody: the next run opens the sale', async () => {
    const clock = new TestClock(SALE - 3_600_000);
    const concertId = concert();
    const deps = onlyConcert(queueDepsForTest(clock), concertId);
    await change(clock, concertId, { saleOpensAt: new Date(SALE).toISOString() });
    const pre = await Promise.all(Array.from({ length: 3 }, (_, i) => joinQueue(deps, { userId: `u${i}`, concertId })));
    await change(clock, concertId, { saleOpensAt: null });
    expect(admittedBy(await admitWaitingTokens(deps))).toBe(3);
    const states = await Promise.all(pre.map((j, i) => pollQueue(deps, { userId: `u${i}`, concertId, token: j.status.token })));
    expect(states.map((s) => s.status)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);
  });
});
