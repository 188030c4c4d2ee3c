import {
  activeCount,
  estimatedWaitSeconds,
  expiredBatches,
  expiredThrough,
  planAdmission,
  retryAfterSeconds,
  tokenState,
  type AdmissionState,
} from '../../functions/queue/queue-rules';

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
