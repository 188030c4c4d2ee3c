import fc from 'fast-check';
import {
  activeCount,
  estimatedWaitSeconds,
  expiredBatches,
  expiredThrough,
  isBanned,
  planAdmission,
  planShardedAdmission,
  placeKey,
  retryAfterSeconds,
  tokenState,
  type AdmissionState,
} from '../../functions/queue/queue-rules';
import { emptyLine, isAdmittedIn, MAX_CLOSED_EPOCHS, positionIn } from '../../functions/queue/sharded-line';

const settings = { activeSeconds: 600, admitPerTick: 100, maxActivePerConcert: 1000, admissionIntervalSeconds: 10 };
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const batch = (firstSeq: number, lastSeq: number, admittedAt: number, finished = 0) => ({ firstSeq, lastSeq, admittedAt, finished });
/** A batch as a run records it now: with its own turn length. */
const admitted = (firstSeq: number, lastSeq: number, admittedAt: number) => ({
  ...batch(firstSeq, lastSeq, admittedAt),
  activeSeconds: 600,
});

describe('tokenState', () => {
  const admission: AdmissionState = { admittedSeq: 10, batches: [batch(1, 5, T0 - 700_000), batch(6, 10, T0)] };

  test('a token past the watermark waits, its position counting only those ahead', () => {
    expect(tokenState(11, false, admission, T0, 600)).toEqual({ status: 'WAIT', position: 1 });
    expect(tokenState(15, false, admission, T0, 600)).toEqual({ status: 'WAIT', position: 5 });
  });

  test('a token of a live batch is ACTIVE until admittedAt + ACTIVE_SECONDS', () => {
    const state = tokenState(7, false, admission, T0 + 599_999, 600);
    expect(state).toMatchObject({ status: 'ACTIVE', activeUntil: T0 + 600_000 });
    expect(tokenState(7, false, admission, T0 + 600_000, 600)).toEqual({ status: 'EXPIRED' });
  });

  test('a token of an expired or tidied-away batch is EXPIRED, with or without the job', () => {
    expect(tokenState(3, false, admission, T0, 600)).toEqual({ status: 'EXPIRED' });
    expect(tokenState(3, false, { admittedSeq: 10, batches: [] }, T0, 600)).toEqual({ status: 'EXPIRED' });
  });

  test('a finished (paid) token is EXPIRED at once', () => {
    expect(tokenState(7, true, admission, T0, 600)).toEqual({ status: 'EXPIRED' });
    expect(tokenState(12, true, admission, T0, 600)).toEqual({ status: 'EXPIRED' });
  });

  test('position never grows while the watermark only rises', () => {
    const positions = [0, 3, 3, 8, 20].map((admittedSeq) => tokenState(21, false, { admittedSeq, batches: [] }, T0, 600));
    const numbers = positions.map((s) => (s.status === 'WAIT' ? s.position : 0));
    expect(numbers).toEqual([21, 18, 18, 13, 1]);
  });
});

describe('planAdmission', () => {
  test('admits first in first out, at most ADMIT_PER_TICK', () => {
    const plan = planAdmission(250, { admittedSeq: 0, batches: [] }, T0, settings);
    expect(plan.batch).toEqual(admitted(1, 100, T0));
    expect(plan.waiting).toBe(250);
  });

  test('admits no more than are waiting', () => {
    expect(planAdmission(12, { admittedSeq: 10, batches: [] }, T0, settings).batch).toEqual(admitted(11, 12, T0));
    expect(planAdmission(10, { admittedSeq: 10, batches: [] }, T0, settings).batch).toBeUndefined();
  });

  test('never pushes a concert past MAX_ACTIVE_PER_CONCERT', () => {
    const full = { admittedSeq: 950, batches: [batch(1, 950, T0 - 1000)] };
    expect(planAdmission(2000, full, T0, settings).batch).toEqual(admitted(951, 1000, T0));
    const atMax = { admittedSeq: 1000, batches: [batch(1, 1000, T0 - 1000)] };
    expect(planAdmission(2000, atMax, T0, settings).batch).toBeUndefined();
  });

  test('places free up when a batch expires or its tokens finish early', () => {
    const expired = { admittedSeq: 1000, batches: [batch(1, 1000, T0 - 600_000)] };
    expect(planAdmission(2000, expired, T0, settings).batch).toEqual(admitted(1001, 1100, T0));
    const paid = { admittedSeq: 1000, batches: [batch(1, 1000, T0 - 1000, 30)] };
    expect(planAdmission(2000, paid, T0, settings).batch).toEqual(admitted(1001, 1030, T0));
  });

  test('activeCount counts live, unfinished tokens only', () => {
    const admission = { admittedSeq: 30, batches: [batch(1, 10, T0 - 600_000), batch(11, 30, T0 - 5, 4)] };
    expect(activeCount(admission, T0, 600)).toBe(16);
  });
});

describe('a batch keeps the turn length it was given', () => {
  const long = { ...batch(1, 5, T0), activeSeconds: 3600 };
  const short = { ...batch(6, 10, T0 + 1000), activeSeconds: 60 };
  const old = batch(11, 12, T0 + 2000); // recorded before batches kept theirs: the deployment's ACTIVE_SECONDS
  const admission: AdmissionState = { admittedSeq: 12, batches: [long, short, old] };

  test('each is ACTIVE until its own admittedAt + activeSeconds; one without its own takes the fallback', () => {
    expect(tokenState(3, false, admission, T0, 600)).toMatchObject({ status: 'ACTIVE', activeUntil: T0 + 3_600_000 });
    expect(tokenState(7, false, admission, T0, 600)).toMatchObject({ status: 'ACTIVE', activeUntil: T0 + 61_000 });
    expect(tokenState(11, false, admission, T0, 600)).toMatchObject({ status: 'ACTIVE', activeUntil: T0 + 602_000 });
    expect(tokenState(7, false, admission, T0 + 61_000, 600)).toEqual({ status: 'EXPIRED' });
    expect(tokenState(3, false, admission, T0 + 61_000, 600)).toMatchObject({ status: 'ACTIVE' });
  });

  test('a shorter later turn ends first: counted free, tidied, and the expired bound stays below every live token', () => {
    const later = T0 + 61_000;
    expect(activeCount(admission, later, 600)).toBe(7);
    expect(expiredBatches(admission, later, 600)).toEqual([short]);
    expect(expiredThrough(admission, later, 600)).toEqual([0]);
    expect(expiredThrough(admission, T0 + 3_600_000, 600)).toEqual([12]);
  });

  test('a run records the turn length it admits with', () => {
    const plan = planAdmission(20, { admittedSeq: 0, batches: [] }, T0, settings, { admit: 3, maxActive: 10, activeSeconds: 120 });
    expect(plan.batch).toEqual({ ...batch(1, 3, T0), activeSeconds: 120 });
  });
});

describe('places given back (left or revoked while waiting)', () => {
  const givenBack = (...keys: string[]) => new Set(keys);

  test('a given-back place reads EXPIRED while it waits; once admission passes it, its token item decides', () => {
    const admission: AdmissionState = { admittedSeq: 10, batches: [batch(6, 10, T0)], givenBack: givenBack('12', '8') };
    expect(tokenState(12, false, admission, T0, 600)).toEqual({ status: 'EXPIRED' });
    expect(tokenState(13, false, admission, T0, 600)).toEqual({ status: 'WAIT', position: 3 });
    // An entry the watermark passed (the leave landed between a run's read and its write) changes nothing.
    expect(tokenState(8, false, admission, T0, 600)).toMatchObject({ status: 'ACTIVE' });
    expect(tokenState(8, true, admission, T0, 600)).toEqual({ status: 'EXPIRED' });
  });

  test('a place is named by its number, and by its shard too in a sharded line', () => {
    expect([placeKey({ seq: 12 }), placeKey({ seq: 12, shard: 3 }), placeKey({ seq: 7, shard: 0 })]).toEqual(['12', '3.12', '0.7']);
    const sharded: AdmissionState = { admittedSeq: 0, batches: [], line: emptyLine(4), givenBack: givenBack('3.2') };
    expect(tokenState(2, false, sharded, T0, 600, 3)).toEqual({ status: 'EXPIRED' });
    expect(tokenState(2, false, sharded, T0, 600, 2)).toMatchObject({ status: 'WAIT' });
  });

  test('admission passes over given-back places: it admits ADMIT_PER_TICK people, and counts the places passed as finished', () => {
    const admission: AdmissionState = { admittedSeq: 10, batches: [], givenBack: givenBack('12', '13', '30', '4') };
    const plan = planAdmission(40, admission, T0, { ...settings, admitPerTick: 5 });
    expect(plan.batch).toEqual({ ...batch(11, 17, T0, 2), activeSeconds: 600 });
    expect(plan.waiting).toBe(27);
    // Passed now, or by an earlier run: the run's write removes them; 30 still waits its turn.
    expect([...(plan.passedGivenBack ?? [])].sort()).toEqual(['12', '13', '4']);
    expect(activeCount({ admittedSeq: 17, batches: [plan.batch!] }, T0, 600)).toBe(5);
  });

  test('given-back places right after the last one admitted are passed too, even with no room or nobody behind', () => {
    const tail: AdmissionState = { admittedSeq: 10, batches: [], givenBack: givenBack('11', '12') };
    expect(planAdmission(12, tail, T0, settings)).toMatchObject({ waiting: 0, batch: batch(11, 12, T0, 2), passedGivenBack: ['11', '12'] });
    const full: AdmissionState = { admittedSeq: 1000, batches: [batch(1, 1000, T0 - 1000)], givenBack: givenBack('1001') };
    expect(planAdmission(1005, full, T0, settings).batch).toEqual({ ...batch(1001, 1001, T0, 1), activeSeconds: 600 });
    expect(planAdmission(1005, { ...full, givenBack: givenBack('1002') }, T0, settings).batch).toBeUndefined();
  });

  test('a sharded line admits its count of people in line order, passing the given-back places among them', () => {
    const counters = [3, 3];
    const line = emptyLine(2);
    // Line order within the epoch: (0,1) (1,1) (0,2) (1,2) (0,3) (1,3); (1,1) and (0,2) left.
    const admission: AdmissionState = { admittedSeq: 0, batches: [], line, givenBack: givenBack('1.1', '0.2') };
    const closed = planShardedAdmission(counters, { admittedSeq: 0, batches: [], line }, T0, { ...settings, admitPerTick: 0 }).line;
    expect(positionIn(closed, { shard: 1, seq: 2 })).toBe(4);
    const plan = planShardedAdmission(counters, admission, T0, { ...settings, admitPerTick: 3 });
    expect(plan.waiting).toBe(4);
    expect(plan.batch).toMatchObject({ firstSeq: 1, lastSeq: 5, finished: 2 });
    expect(plan.line.admitted).toEqual([3, 2]);
    expect([...(plan.passedGivenBack ?? [])].sort()).toEqual(['0.2', '1.1']);
    expect(isAdmittedIn(plan.line, { shard: 1, seq: 3 })).toBe(false);
    // Given-back places next in line are passed too: (1,3) left, and nobody is behind it.
    const tail = planShardedAdmission(counters, { ...admission, givenBack: givenBack('1.1', '0.2', '1.3') }, T0, settings);
    expect(tail.batch).toMatchObject({ firstSeq: 1, lastSeq: 6, finished: 3 });
    expect([...(tail.passedGivenBack ?? [])].sort()).toEqual(['0.2', '1.1', '1.3']);
  });

  test('a sharded line holding MAX_CLOSED_EPOCHS closes no more: a run admits from the closed ones only, its batch as many as it let in', () => {
    // Closed epochs of one join each, alternating shards: (0,1) (1,1) (0,2) (1,2) ...; then two joins since, (0,101) given back.
    const epochs = Array.from({ length: MAX_CLOSED_EPOCHS + 1 }, (_, j) => [Math.ceil(j / 2), Math.floor(j / 2)]);
    const line = { admitted: [0, 0], epochs, revision: 7 };
    const counters = [101, 101];
    const admission: AdmissionState = { admittedSeq: 0, batches: [], line, givenBack: givenBack('0.101') };
    const held = planShardedAdmission(counters, admission, T0, { ...settings, admitPerTick: 0 });
    expect(held.changed).toBe(false);
    expect(held.waiting).toBe(MAX_CLOSED_EPOCHS + 1);
    const plan = planShardedAdmission(counters, admission, T0, { ...settings, admitPerTick: 1_000 });
    expect(plan.batch).toMatchObject({ firstSeq: 1, lastSeq: MAX_CLOSED_EPOCHS, finished: 0 });
    expect(plan.line.admitted).toEqual([100, 100]);
    expect(plan.passedGivenBack).toEqual([]);
    // Drained, the next run closes the open epoch and admits it, passing the place given back.
    const next = planShardedAdmission(counters, { ...admission, admittedSeq: MAX_CLOSED_EPOCHS, line: plan.line }, T0, settings);
    expect(next.batch).toMatchObject({ firstSeq: MAX_CLOSED_EPOCHS + 1, lastSeq: MAX_CLOSED_EPOCHS + 2, finished: 1 });
    expect(next.line.admitted).toEqual([101, 101]);
  });

  test('property: a run admits min(ADMIT_PER_TICK, people waiting, room) people and passes every given-back place on its way', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 60 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 120 }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        (admittedSeq, more, gaps, admitPerTick, room) => {
          const lastSeq = admittedSeq + more;
          const left = new Set(gaps.filter((seq) => seq > admittedSeq && seq <= lastSeq));
          const admission: AdmissionState = {
            admittedSeq,
            batches: [],
            givenBack: new Set(gaps.map(String)),
          };
          const plan = planAdmission(lastSeq, admission, T0, { ...settings, admitPerTick, maxActivePerConcert: room });
          const people = Math.min(admitPerTick, more - left.size, room);
          expect(plan.waiting).toBe(more - left.size);
          if (!plan.batch) {
            expect(people).toBe(0);
            expect(left.has(admittedSeq + 1)).toBe(false);
            return;
          }
          const { firstSeq, lastSeq: end, finished } = plan.batch;
          const inBatch = Array.from({ length: end - firstSeq + 1 }, (_, i) => firstSeq + i);
          expect(firstSeq).toBe(admittedSeq + 1);
          expect(end).toBeLessThanOrEqual(lastSeq);
          expect(finished).toBe(inBatch.filter((seq) => left.has(seq)).length);
          expect(inBatch.length - finished).toBe(people);
          expect(left.has(end + 1)).toBe(false);
          expect(new Set(plan.passedGivenBack)).toEqual(new Set(gaps.filter((seq) => seq <= end).map(String)));
        },
      ),
    );
  });

  test('a banned user is named in the record', () => {
    expect(isBanned({ admittedSeq: 0, batches: [], banned: new Set(['mallory']) }, 'mallory')).toBe(true);
    expect(isBanned({ admittedSeq: 0, batches: [] }, 'mallory')).toBe(false);
  });
});

describe('wait estimate and Retry-After', () => {
  test('estimate follows the admission rate, or the rate places free up when that is slower', () => {
    expect(estimatedWaitSeconds(0, settings)).toBe(0);
    expect(estimatedWaitSeconds(1, settings)).toBe(10); // one run away
    expect(estimatedWaitSeconds(17, settings)).toBe(20); // 100 a run, but only ~16.7 places free up per 10 s
    expect(estimatedWaitSeconds(500, settings)).toBe(300);
    const fast = { ...settings, maxActivePerConcert: 100_000 };
    expect(estimatedWaitSeconds(500, fast)).toBe(50);
  });

  test('the estimate stays finite when the local timer is off (60 s assumed)', () => {
    expect(Number.isFinite(estimatedWaitSeconds(10, { ...settings, admissionIntervalSeconds: 60 }))).toBe(true);
  });

  test('waiting users poll between 1 and 30 seconds, the far end of the line less often', () => {
    expect(retryAfterSeconds({ status: 'WAIT', position: 1 }, T0, settings)).toBe(3);
    expect(retryAfterSeconds({ status: 'WAIT', position: 100 }, T0, settings)).toBe(15);
    expect(retryAfterSeconds({ status: 'WAIT', position: 100_000 }, T0, settings)).toBe(30);
    expect(retryAfterSeconds({ status: 'EXPIRED' }, T0, settings)).toBe(30);
    const active = { status: 'ACTIVE' as const, activeUntil: T0 + 12_000, batch: batch(1, 1, T0) };
    expect(retryAfterSeconds(active, T0, settings)).toBe(12);
  });
});
