import fc from 'fast-check';
import {
  admitFromPreQueue,
  arrivalAtPlace,
  arrivalIndex,
  arrivalOf,
  inPlaceRange,
  joinPhase,
  mayAdmit,
  openingDue,
  openPreQueue,
  placesLeft,
  shuffledPlace,
  type PreQueue,
  type PreQueueArrival,
  type SaleSchedule,
} from '../../functions/queue/pre-queue';
import { lineOffset, standingOf } from '../../functions/queue/waiting-place';

const SEED = 'c0ffee'.repeat(6);
const PRE_OPENS = Date.UTC(2030, 4, 1, 9, 0);
const SALE_OPENS = Date.UTC(2030, 4, 1, 10, 0);
const SCHEDULE: SaleSchedule = { preQueueOpensAt: PRE_OPENS, saleOpensAt: SALE_OPENS };

/** A small seeded generator (mulberry32), so the simulated joins and runs are the same every time. */
function randomFrom(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A pre-queue token's standing as the server works it out: its shuffled place (the seed is the server's) through the shared rule. */
const preQueueStanding = (preQueue: PreQueue | undefined, arrival: PreQueueArrival) =>
  standingOf(
    { ...arrival, preQueue: true },
    { admittedSeq: 0, ...(preQueue ? { preQueue } : {}), openingDue: preQueue === undefined },
    preQueue ? shuffledPlace(preQueue, arrival) : undefined,
  );

/** The pre-queue places ahead of the ordinary line (null while the opening is due and not recorded). */
const ordinaryLineOffset = (schedule: SaleSchedule, preQueue: PreQueue | undefined) =>
  lineOffset({ admittedSeq: 0, ...(preQueue ? { preQueue } : {}), openingDue: !preQueue && schedule.saleOpensAt !== undefined });

describe('the pre-queue of a scheduled opening', () => {
  test('joins are refused before the pre-queue opens, go into it until the sale opens, and into the line after', () => {
    expect(joinPhase(SCHEDULE, PRE_OPENS - 90_500)).toEqual({ phase: 'NOT_OPEN', retryAfterSeconds: 91 });
    expect(joinPhase(SCHEDULE, PRE_OPENS - 1)).toEqual({ phase: 'NOT_OPEN', retryAfterSeconds: 1 });
    expect(joinPhase(SCHEDULE, PRE_OPENS)).toEqual({ phase: 'PRE_QUEUE', opensAt: SALE_OPENS });
    expect(joinPhase(SCHEDULE, SALE_OPENS - 1)).toEqual({ phase: 'PRE_QUEUE', opensAt: SALE_OPENS });
    expect(joinPhase(SCHEDULE, SALE_OPENS)).toEqual({ phase: 'OPEN' });
    expect(joinPhase({ saleOpensAt: SALE_OPENS }, 0)).toEqual({ phase: 'PRE_QUEUE', opensAt: SALE_OPENS });
    expect(joinPhase({ preQueueOpensAt: PRE_OPENS }, PRE_OPENS)).toEqual({ phase: 'OPEN' });
    expect(joinPhase({}, 0)).toEqual({ phase: 'OPEN' });
  });

  test('nobody is admitted until a run at or after saleOpensAt records the opening', () => {
    expect(openingDue(SCHEDULE, undefined, SALE_OPENS - 1)).toBe(false);
    expect(openingDue(SCHEDULE, undefined, SALE_OPENS)).toBe(true);
    expect(mayAdmit(SCHEDULE, undefined)).toBe(false);
    const opened = openPreQueue([3, 4], SEED, SALE_OPENS + 800);
    expect(opened).toEqual({ size: 7, shardSizes: [3, 4], seed: SEED, openedAt: SALE_OPENS + 800, admitted: 0 });
    expect(openingDue(SCHEDULE, opened, SALE_OPENS + 5_000)).toBe(false);
    expect(mayAdmit(SCHEDULE, opened)).toBe(true);
    expect(mayAdmit({}, undefined)).toBe(true);
    expect(openingDue({}, undefined, SALE_OPENS)).toBe(false);
  });

  test('before the opening a pre-queue token has no place, and an ordinary one no position', () => {
    expect(preQueueStanding(undefined, { seq: 1 })).toEqual({ stage: 'WAITING', position: null });
    expect(ordinaryLineOffset(SCHEDULE, undefined)).toBeNull();
    expect(ordinaryLineOffset({}, undefined)).toBe(0);
  });

  test('arrivals are numbered 1..n across shards, and back', () => {
    const preQueue = openPreQueue([3, 0, 2, 1], SEED, SALE_OPENS);
    const arrivals: PreQueueArrival[] = [
      { shard: 0, seq: 1 },
      { shard: 0, seq: 2 },
      { shard: 0, seq: 3 },
      { shard: 2, seq: 1 },
      { shard: 2, seq: 2 },
      { shard: 3, seq: 1 },
    ];
    expect(arrivals.map((a) => arrivalIndex(preQueue, a))).toEqual([1, 2, 3, 4, 5, 6]);
    expect([1, 2, 3, 4, 5, 6].map((i) => arrivalOf(preQueue, i))).toEqual(arrivals);
    const places = arrivals.map((a) => shuffledPlace(preQueue, a));
    expect([...places].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    places.forEach((place, i) => expect(arrivalAtPlace(preQueue, place)).toEqual(arrivals[i]));
    // One counter: the token has no shard.
    expect(arrivalIndex(openPreQueue([5], SEED, SALE_OPENS), { seq: 5 })).toBe(5);
  });

  test('refuses arrivals the closed counters never gave, and openings it cannot record', () => {
    const preQueue = openPreQueue([3, 0, 2], SEED, SALE_OPENS);
    for (const bad of [{ shard: 1, seq: 1 }, { shard: 0, seq: 4 }, { shard: 3, seq: 1 }, { shard: 0, seq: 0 }, { seq: 1.5 }]) {
      expect(() => arrivalIndex(preQueue, bad)).toThrow(RangeError);
    }
    expect(() => arrivalOf(preQueue, 6)).toThrow(RangeError);
    expect(() => openPreQueue([], SEED, SALE_OPENS)).toThrow(RangeError);
    expect(() => openPreQueue([1, -1], SEED, SALE_OPENS)).toThrow(RangeError);
    expect(() => openPreQueue([2], 'not a seed', SALE_OPENS)).toThrow(RangeError);
  });

  test('a run admits pre-queue places first and gives the ordinary line only the rest', () => {
    let preQueue: PreQueue | undefined = openPreQueue([4, 6], SEED, SALE_OPENS);
    expect(ordinaryLineOffset(SCHEDULE, preQueue)).toBe(10);
    let run = admitFromPreQueue(preQueue, 0);
    expect(run).toEqual({ preQueue, forLine: 0 });
    run = admitFromPreQueue(preQueue, 7);
    expect(run.places).toEqual([1, 7]);
    expect(run.forLine).toBe(0);
    preQueue = run.preQueue;
    expect(ordinaryLineOffset(SCHEDULE, preQueue)).toBe(3);
    run = admitFromPreQueue(preQueue, 5);
    expect(run.places).toEqual([8, 10]);
    expect(run.forLine).toBe(2);
    expect(placesLeft(run.preQueue)).toBe(0);
    expect(admitFromPreQueue(run.preQueue, 5)).toEqual({ preQueue: run.preQueue, forLine: 5 });
    expect(admitFromPreQueue(undefined, 5)).toEqual({ preQueue: undefined, forLine: 5 });
    expect(() => admitFromPreQueue(preQueue, -1)).toThrow(RangeError);
    expect(inPlaceRange([8, 10], 8) && inPlaceRange([8, 10], 10) && !inPlaceRange([8, 10], 11) && !inPlaceRange(undefined, 1)).toBe(true);
  });

  test('a token waits at place − admitted, and is admitted once its place is passed', () => {
    const opened = openPreQueue([2, 3], SEED, SALE_OPENS);
    const arrival = { shard: 1, seq: 2 };
    const place = shuffledPlace(opened, arrival);
    expect(preQueueStanding(opened, arrival)).toEqual({ stage: 'WAITING', place, position: place });
    const before = { ...opened, admitted: place - 1 };
    expect(preQueueStanding(before, arrival)).toEqual({ stage: 'WAITING', place, position: 1 });
    expect(preQueueStanding({ ...opened, admitted: place }, arrival)).toEqual({ stage: 'ADMITTED', place });
  });

  test('1,000 pre-queue arrivals on 4 shards are admitted in shuffled order over several runs, all before any later joiner, with positions that never grow', () => {
    const random = randomFrom(16);
    const shards = 4;
    const counters = Array.from({ length: shards }, () => 0);
    type Tracked = { kind: 'pre'; arrival: PreQueueArrival } | { kind: 'line'; seq: number };
    const tokens: { tracked: Tracked; lastPosition: number | null; admittedInRun?: number; admittedAs?: number }[] = [];

    // Everyone joining between the two times goes into the pre-queue, on a random shard.
    for (let i = 0; i < 1_000; i++) {
      const now = PRE_OPENS + Math.floor(random() * (SALE_OPENS - PRE_OPENS));
      expect(joinPhase(SCHEDULE, now).phase).toBe('PRE_QUEUE');
      const shard = Math.floor(random() * shards);
      tokens.push({ tracked: { kind: 'pre', arrival: { shard, seq: ++counters[shard] } }, lastPosition: null });
    }
    // The ordinary line: one counter, numbered from 1, and its own watermark.
    let lineSeq = 0;
    let lineAdmitted = 0;
    const joinLine = (count: number) => {
      for (let i = 0; i < count; i++) tokens.push({ tracked: { kind: 'line', seq: ++lineSeq }, lastPosition: null });
    };
    joinLine(5); // joined at or after 10:00, before the run that opens the sale

    let preQueue: PreQueue | undefined;
    let admittedSoFar = 0;
    const poll = () => {
      for (const token of tokens) {
        if (token.admittedAs !== undefined) continue;
        let position: number | null;
        if (token.tracked.kind === 'pre') {
          const standing = preQueueStanding(preQueue, token.tracked.arrival);
          expect(standing.stage).not.toBe('ADMITTED');
          position = standing.stage === 'WAITING' ? standing.position : null;
        } else {
          const offset = ordinaryLineOffset(SCHEDULE, preQueue);
          position = offset === null ? null : offset + token.tracked.seq - lineAdmitted;
        }
        if (token.lastPosition !== null) {
          expect(position).not.toBeNull();
          expect(position!).toBeLessThanOrEqual(token.lastPosition);
        }
        token.lastPosition = position;
      }
    };

    // A run before 10:00 admits nobody.
    poll();
    expect(openingDue(SCHEDULE, preQueue, SALE_OPENS - 1_000) || mayAdmit(SCHEDULE, preQueue)).toBe(false);

    const counts = [137, 0, 250, 333, 400, 60];
    counts.forEach((count, run) => {
      const now = SALE_OPENS + 2_000 + run * 10_000;
      if (openingDue(SCHEDULE, preQueue, now)) preQueue = openPreQueue(counters, '5eed'.repeat(16), now);
      expect(mayAdmit(SCHEDULE, preQueue)).toBe(true);
      poll();
      const shared = admitFromPreQueue(preQueue, count);
      preQueue = shared.preQueue;
      const fromLine = Math.min(shared.forLine, lineSeq - lineAdmitted);
      // The FIFO rule: a run gives the ordinary line anything only once no pre-queue place is left.
      if (fromLine > 0) expect(placesLeft(preQueue)).toBe(0);
      for (const token of tokens) {
        if (token.admittedAs !== undefined) continue;
        const t = token.tracked;
        const admitted =
          t.kind === 'pre'
            ? inPlaceRange(shared.places, shuffledPlace(preQueue!, t.arrival))
            : lineAdmitted < t.seq && t.seq <= lineAdmitted + fromLine;
        if (!admitted) continue;
        // Admitted in place order: pre-queue places first, then line numbers.
        token.admittedAs = t.kind === 'pre' ? shuffledPlace(preQueue!, t.arrival) : 1_000 + t.seq;
        token.admittedInRun = run;
        admittedSoFar++;
      }
      lineAdmitted += fromLine;
      expect(admittedSoFar).toBe(preQueue!.admitted + lineAdmitted);
      joinLine(20); // later joiners keep coming between runs
      poll();
    });

    const pre = tokens.filter((t) => t.tracked.kind === 'pre');
    const line = tokens.filter((t) => t.tracked.kind === 'line');
    expect(pre.every((t) => t.admittedAs !== undefined)).toBe(true);
    expect(new Set(pre.map((t) => t.admittedAs))).toEqual(new Set(Array.from({ length: 1_000 }, (_, i) => i + 1)));
    const lastPreRun = Math.max(...pre.map((t) => t.admittedInRun!));
    const firstLineRun = Math.min(...line.filter((t) => t.admittedInRun !== undefined).map((t) => t.admittedInRun!));
    expect(lastPreRun).toBeGreaterThan(2); // spread over several runs
    expect(firstLineRun).toBeGreaterThanOrEqual(lastPreRun);
    // Runs admitted whole ranges of places: who came in which run follows the places, not the arrivals.
    const byPlace = [...pre].sort((a, b) => a.admittedAs! - b.admittedAs!);
    byPlace.forEach((t, i) => i > 0 && expect(t.admittedInRun!).toBeGreaterThanOrEqual(byPlace[i - 1].admittedInRun!));
    // Shuffled: the order of admission says next to nothing about the order of arrival.
    // Spearman's rho of arrival index against place; |rho| > 0.155 has a chance of about 1e-6 for a uniform order.
    const ranks = pre.map((t) => [arrivalIndex(preQueue!, (t.tracked as { arrival: PreQueueArrival }).arrival), t.admittedAs!]);
    const n = ranks.length;
    const d2 = ranks.reduce((sum, [a, p]) => sum + (a - p) ** 2, 0);
    const rho = 1 - (6 * d2) / (n * (n * n - 1));
    expect(Math.abs(rho)).toBeLessThan(0.155);
  });

  test('any pre-queue, any run sizes: places go out once each, in order, and never after a line number', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 30 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat({ max: 25 }), { maxLength: 12 }),
        (sizes, counts) => {
          let preQueue: PreQueue | undefined = openPreQueue(sizes, SEED, SALE_OPENS);
          const n = preQueue.size;
          let next = 1;
          let lineGiven = 0;
          for (const count of counts) {
            const run = admitFromPreQueue(preQueue, count);
            if (run.places) {
              expect(lineGiven).toBe(0);
              expect(run.places[0]).toBe(next);
              next = run.places[1] + 1;
            }
            expect((run.places ? run.places[1] - run.places[0] + 1 : 0) + run.forLine).toBe(count);
            if (run.forLine > 0) expect(placesLeft(run.preQueue)).toBe(0);
            lineGiven += run.forLine;
            preQueue = run.preQueue;
          }
          expect(next - 1).toBe(preQueue!.admitted);
          expect(preQueue!.admitted).toBe(
            Math.min(
              n,
              counts.reduce((a, b) => a + b, 0),
            ),
          );
        },
      ),
    );
  });
});
