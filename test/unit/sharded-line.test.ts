import fc from 'fast-check';
import {
  admitInLine,
  emptyLine,
  isAdmittedIn,
  positionIn,
  waitingCount,
  type ShardedLine,
  type ShardPlace,
} from '../../functions/queue/sharded-line';

const SHARDS = 4;

describe('a sharded line', () => {
  test('admits epoch by epoch, and round by round across shards inside an epoch', () => {
    // Epoch 1: shard 0 has 3 joiners, shard 1 one, shard 2 none, shard 3 two.
    let line = admitInLine(emptyLine(SHARDS), [3, 1, 0, 2], 0);
    expect(line.epochs).toEqual([
      [0, 0, 0, 0],
      [3, 1, 0, 2],
    ]);
    // Order: (0,1) (1,1) (3,1) | (0,2) (3,2) | (0,3)
    expect(
      [
        { shard: 0, seq: 1 },
        { shard: 1, seq: 1 },
        { shard: 3, seq: 1 },
        { shard: 0, seq: 2 },
        { shard: 3, seq: 2 },
        { shard: 0, seq: 3 },
      ].map((p) => positionIn(line, p)),
    ).toEqual([1, 2, 3, 4, 5, 6]);
    line = admitInLine(line, [3, 1, 0, 2], 4);
    expect(line.admitted).toEqual([2, 1, 0, 1]);
    expect(positionIn(line, { shard: 3, seq: 2 })).toBe(1);
    expect(positionIn(line, { shard: 0, seq: 3 })).toBe(2);
    // Someone joining shard 2 now is behind all of epoch 1, however low their number.
    line = admitInLine(line, [3, 1, 1, 2], 0);
    expect(positionIn(line, { shard: 2, seq: 1 })).toBe(3);
    line = admitInLine(line, [3, 1, 1, 2], 3);
    expect(line.admitted).toEqual([3, 1, 1, 2]);
    expect(line.epochs).toEqual([[3, 1, 1, 2]]); // fully admitted epochs are forgotten
  });

  test('in the open epoch a position is an upper bound: every shard counted as full as the own one', () => {
    const line = admitInLine(emptyLine(SHARDS), [2, 2, 2, 2], 0);
    // 8 wait in the closed epoch; the 3rd of shard 1 in the open epoch: 8 + 2 rounds x 4 + 1 shard before it + 1.
    expect(positionIn(line, { shard: 1, seq: 5 })).toBe(8 + 2 * SHARDS + 1 + 1);
  });

  test('random joins and runs: no one admitted twice or skipped, exact places once an epoch closes, never growing, FIFO across runs', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('join' as const), shard: fc.integer({ min: 0, max: SHARDS - 1 }) }),
      fc.record({ kind: fc.constant('run' as const), count: fc.integer({ min: 0, max: 7 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        let line: ShardedLine = emptyLine(SHARDS);
        const counters = Array.from({ length: SHARDS }, () => 0);
        const joined: (ShardPlace & { run: number })[] = [];
        const admittedAt = new Map<string, number>();
        const lastPosition = new Map<string, number>();
        let runs = 0;
        for (const s of steps) {
          if (s.kind === 'join') {
            joined.push({ shard: s.shard, seq: ++counters[s.shard], run: runs });
            continue;
          }
          // Places before the run, the open epoch's upper bounds included: none may grow.
          for (const p of joined) if (!isAdmittedIn(line, p)) lastPosition.set(`${p.shard}:${p.seq}`, positionIn(line, p));
          const before = waitingCount(line, counters);
          line = admitInLine(line, counters, Math.min(s.count, before));
          runs++;
          expect(waitingCount(line, counters)).toBe(before - Math.min(s.count, before));
          const waiting = joined.filter((p) => !isAdmittedIn(line, p));
          for (const p of joined) {
            const key = `${p.shard}:${p.seq}`;
            if (isAdmittedIn(line, p) && !admittedAt.has(key)) admittedAt.set(key, runs);
          }
          // Everyone numbered so far is in a closed epoch now: places are exactly 1..W.
          const positions = waiting.map((p) => positionIn(line, p));
          expect([...positions].sort((a, b) => a - b)).toEqual(waiting.map((_, i) => i + 1));
          for (const [i, p] of waiting.entries()) {
            const key = `${p.shard}:${p.seq}`;
            expect(positions[i]).toBeLessThanOrEqual(lastPosition.get(key) ?? Infinity);
            lastPosition.set(key, positions[i]);
          }
        }
        // FIFO across runs: whoever joined before a run is admitted no later than whoever joined after it.
        for (const a of joined) {
          for (const b of joined) {
            const at = admittedAt.get(`${a.shard}:${a.seq}`);
            const bt = admittedAt.get(`${b.shard}:${b.seq}`);
            if (a.run < b.run && bt !== undefined) expect(at).toBeDefined();
            if (a.run < b.run && at !== undefined && bt !== undefined) expect(at).toBeLessThanOrEqual(bt);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
