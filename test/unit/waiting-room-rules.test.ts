import {
  admissionLimits,
  admissionRates,
  changeSettings,
  defaultWaitingRoomSettings,
  joinRefusal,
  listedRevisions,
  waitingRoomOf,
  type DeploymentSettings,
  type RateWindow,
  type WaitingRoom,
  type WaitingRoomSettings,
} from '../../functions/queue/waiting-room-rules';

const deployment: DeploymentSettings = {
  holdSeconds: 300,
  activeSeconds: 600,
  admitPerTick: 100,
  maxActivePerConcert: 1000,
  admissionIntervalSeconds: 10,
};
const MINUTE = Date.parse('2026-12-01T10:00:00.000Z');
const configured = (settings: Partial<WaitingRoomSettings>, at = deployment): WaitingRoom => ({
  revision: 1,
  settings: { ...defaultWaitingRoomSettings(at), ...settings },
  updatedAt: MINUTE,
  updatedBy: 'ada',
});

describe('revision 0: the deployment', () => {
  test("a concert never configured reads the environment's settings; admitPerMinute is ADMIT_PER_TICK × runs a minute", () => {
    expect(waitingRoomOf(undefined, deployment)).toEqual({
      revision: 0,
      settings: {
        joining: 'OPEN',
        admission: 'RUNNING',
        admitPerMinute: 600,
        maxActive: 1000,
        activeSeconds: 600,
        holdSeconds: 300,
        preQueueOpensAt: null,
        saleOpensAt: null,
        challengeWork: 0,
      },
    });
    expect(defaultWaitingRoomSettings({ ...deployment, admissionIntervalSeconds: 60 }).admitPerMinute).toBe(100);
    expect(defaultWaitingRoomSettings({ ...deployment, admissionIntervalSeconds: 7 }).admitPerMinute).toBe(857);
  });

  test('admits ADMIT_PER_TICK a run, however often it runs, as before', () => {
    const room = waitingRoomOf(undefined, deployment);
    for (const second of [0, 5, 10, 59]) {
      const window: RateWindow = { start: MINUTE, admitted: 5000 };
      expect(admissionLimits(room, window, MINUTE + second * 1000, deployment)).toMatchObject({
        admit: 100,
        maxActive: 1000,
        activeSeconds: 600,
      });
    }
    expect(admissionRates(room, deployment)).toBe(deployment);
  });

  test('stored settings lacking a field (a later version added it) take its default', () => {
    const stored = { revision: 2, settings: { joining: 'CLOSED' } as WaitingRoomSettings, updatedAt: MINUTE, updatedBy: 'ada' };
    expect(waitingRoomOf(stored, deployment).settings).toMatchObject({ joining: 'CLOSED', holdSeconds: 300, challengeWork: 0 });
  });
});

describe('changeSettings', () => {
  const room = waitingRoomOf(undefined, deployment);

  test('records only the fields whose value changes, from → to, as the next revision', () => {
    const outcome = changeSettings(room, { admission: 'PAUSED', holdSeconds: 300, maxActive: 50 }, 'ada', MINUTE);
    expect(outcome).toEqual({
      kind: 'changed',
      room: { revision: 1, settings: { ...room.settings, admission: 'PAUSED', maxActive: 50 }, updatedAt: MINUTE, updatedBy: 'ada' },
      change: {
        revision: 1,
        at: MINUTE,
        by: 'ada',
        changed: { admission: { from: 'RUNNING', to: 'PAUSED' }, maxActive: { from: 1000, to: 50 } },
      },
    });
  });

  test('a patch that changes nothing is no change', () => {
    expect(changeSettings(room, {}, 'ada', MINUTE)).toEqual({ kind: 'unchanged' });
    expect(changeSettings(room, { joining: 'OPEN', saleOpensAt: null }, 'ada', MINUTE)).toEqual({ kind: 'unchanged' });
  });

  test('the pre-queue may not open after the sale, as the settings would be after the change', () => {
    const sale = configured({ saleOpensAt: MINUTE });
    expect(changeSettings(sale, { preQueueOpensAt: MINUTE + 1 }, 'ada', MINUTE)).toMatchObject({
      kind: 'invalid',
      field: 'preQueueOpensAt',
    });
    const pre = configured({ preQueueOpensAt: MINUTE });
    expect(changeSettings(pre, { saleOpensAt: MINUTE - 1 }, 'ada', MINUTE)).toMatchObject({ kind: 'invalid', field: 'saleOpensAt' });
    expect(changeSettings(pre, { saleOpensAt: MINUTE }, 'ada', MINUTE)).toMatchObject({ kind: 'changed' });
    // Either time alone is fine, and unsetting one lifts the rule.
    expect(changeSettings(sale, { saleOpensAt: null, preQueueOpensAt: MINUTE + 1 }, 'ada', MINUTE)).toMatchObject({ kind: 'changed' });
  });

  test('the audit lists the newest 50 revisions, newest first', () => {
    expect(listedRevisions(0)).toEqual([]);
    expect(listedRevisions(3)).toEqual([3, 2, 1]);
    expect(listedRevisions(120)).toHaveLength(50);
    expect(listedRevisions(120).slice(0, 2)).toEqual([120, 119]);
    expect(listedRevisions(120).at(-1)).toBe(71);
  });
});

describe('joinRefusal', () => {
  test('closed refuses; before preQueueOpensAt, not open with the seconds until it opens', () => {
    expect(joinRefusal(configured({ joining: 'CLOSED' }), MINUTE)).toEqual({ code: 'QUEUE_CLOSED' });
    const opening = configured({ preQueueOpensAt: MINUTE + 90_500 });
    expect(joinRefusal(opening, MINUTE)).toEqual({ code: 'QUEUE_NOT_OPEN', opensAt: MINUTE + 90_500, retryAfterSeconds: 91 });
    expect(joinRefusal(opening, MINUTE + 90_499)).toMatchObject({ retryAfterSeconds: 1 });
    expect(joinRefusal(opening, MINUTE + 90_500)).toBeUndefined();
    expect(joinRefusal(configured({ saleOpensAt: MINUTE + 60_000 }), MINUTE)).toBeUndefined();
    expect(joinRefusal(waitingRoomOf(undefined, deployment), MINUTE)).toBeUndefined();
  });
});

describe('admissionLimits once configured', () => {
  /** Runs at the given seconds of consecutive minutes, each admitting all it may; what each run admitted. */
  function simulate(room: WaitingRoom, seconds: readonly number[], minutes = 3, at = deployment) {
    let window: RateWindow | undefined;
    const perMinute: number[][] = [];
    for (let m = 0; m < minutes; m++) {
      const runs: number[] = [];
      for (const second of seconds) {
        const limits = admissionLimits(room, window, MINUTE + m * 60_000 + second * 1000, at);
        runs.push(limits.admit);
        window = { start: limits.window.start, admitted: limits.window.admitted + limits.admit };
      }
      perMinute.push(runs);
    }
    return perMinute;
  }

  test('a run admits admitPerMinute × interval / 60, rounded so that each clock minute admits exactly admitPerMinute', () => {
    const runs = simulate(configured({ admitPerMinute: 65 }), [3, 13, 23, 33, 43, 53]);
    for (const minute of runs) {
      expect(minute).toEqual([10, 11, 11, 11, 11, 11]);
      expect(minute.reduce((a, b) => a + b, 0)).toBe(65);
    }
    expect(simulate(configured({ admitPerMinute: 600 }), [0, 10, 20, 30, 40, 50])[0]).toEqual([100, 100, 100, 100, 100, 100]);
  });

  test('a second run in the same interval adds nothing; a missed run leaves its share to the rest of the minute', () => {
    const room = configured({ admitPerMinute: 60 });
    expect(simulate(room, [1, 2, 12, 22, 32, 42, 52], 2)).toEqual([
      [10, 0, 10, 10, 10, 10, 10],
      [10, 0, 10, 10, 10, 10, 10],
    ]);
    expect(simulate(room, [1, 21, 31, 41, 51], 2)).toEqual([
      [10, 20, 10, 10, 10],
      [10, 20, 10, 10, 10],
    ]);
  });

  test('deployed (one run a minute) a run admits admitPerMinute; with a longer interval a run admits its share of it', () => {
    const minute = { ...deployment, admissionIntervalSeconds: 60 };
    expect(simulate(configured({ admitPerMinute: 65 }, minute), [17], 3, minute)).toEqual([[65], [65], [65]]);
    const slow = { ...deployment, admissionIntervalSeconds: 120 };
    expect(admissionLimits(configured({ admitPerMinute: 65 }, slow), undefined, MINUTE, slow).admit).toBe(130);
  });

  test('uses the concert’s cap and turn length; paused or before the sale opens, admits nobody', () => {
    const room = configured({ admitPerMinute: 60, maxActive: 7, activeSeconds: 120 });
    expect(admissionLimits(room, undefined, MINUTE, deployment)).toMatchObject({ admit: 10, maxActive: 7, activeSeconds: 120 });
    expect(admissionLimits(configured({ admission: 'PAUSED' }), undefined, MINUTE, deployment).admit).toBe(0);
    const scheduled = configured({ saleOpensAt: MINUTE + 10_000 });
    expect(admissionLimits(scheduled, undefined, MINUTE + 9_999, deployment).admit).toBe(0);
    expect(admissionLimits(scheduled, undefined, MINUTE + 10_000, deployment).admit).toBeGreaterThan(0);
  });

  test('wait estimates follow the concert’s own rate', () => {
    expect(admissionRates(configured({ admitPerMinute: 60, maxActive: 5, activeSeconds: 120 }), deployment)).toEqual({
      admitPerTick: 10,
      maxActivePerConcert: 5,
      activeSeconds: 120,
      admissionIntervalSeconds: 10,
    });
  });
});
