/**
 * The waiting room's line when its counter is split into QUEUE_SHARDS counters, so no single
 * item takes every join of a rush. Plain functions of the line's state, without AWS types.
 *
 * A join takes the next number of one shard chosen at random: its place is (shard, number).
 * Numbers of different shards say nothing about who came first, so each admission run first
 * reads every shard's counter and records them as an **epoch** boundary: everyone numbered at or
 * below it joined before that run, everyone above it after. Admission then goes epoch by epoch,
 * and inside an epoch round by round: the first joiner of every shard in that epoch, then the
 * second of every shard, and so on (shards in index order within a round).
 *
 * FIFO bound: whoever had their number when an admission run read the counters is admitted before
 * anyone who got a number after that read. Only people who joined between the same two admission
 * runs (one admission interval, JOB_INTERVAL_SECONDS) can pass each other, and then by the round
 * order: about (joins in that interval) / shards positions at the very most. (Past MAX_CLOSED_EPOCHS
 * runs of people still waiting, the runs close no epoch until the oldest drain: those joining
 * meanwhile share one, and the bound is that stretch instead of one interval.)
 *
 * Positions: exact for everyone in a closed epoch (they count only real people still waiting ahead,
 * and never grow). Someone who joined since the last run is counted as if every shard had as many
 * joiners ahead of them in the open epoch as their own shard has: an upper bound, until the next run
 * closes the epoch and makes it exact.
 */

export interface ShardedLine {
  /** Per shard: every number up to this one has been admitted. */
  readonly admitted: readonly number[];
  /**
   * Epoch boundaries, oldest first: per shard, the counter an admission run read. The first is the
   * lower edge of the oldest epoch that still has someone waiting; numbers above the last one are
   * the open epoch, which no run has closed yet.
   */
  readonly epochs: readonly (readonly number[])[];
  /** Incremented by every recorded admission run: a run writes only over the state it read. */
  readonly revision: number;
}

/** What a place in the line follows from (the public state shows it; the revision is the jobs' alone). */
export type LineShape = Pick<ShardedLine, 'admitted' | 'epochs'>;

/** Where a token stands in a sharded line. */
export interface ShardPlace {
  readonly shard: number;
  readonly seq: number;
}

/**
 * Closed epochs a line keeps at most. Each is a counter per shard on the admission record (about
 * 320 bytes at 64 shards), and a line admitting slower than people join (paused, full, or a long
 * rush) closes one a run: unbounded, the record would pass DynamoDB's 400 KB an item, and every
 * run after would fail. At this many, a run closes none (`closingCounters`): it admits from the
 * closed ones, and whoever joined since waits in the open epoch, closed as one once they drain.
 */
export const MAX_CLOSED_EPOCHS = 200;

/**
 * The counters a run closes the open epoch at: those it read, or the last boundary again (no new
 * epoch) while the line holds MAX_CLOSED_EPOCHS closed epochs.
 */
export function closingCounters(line: LineShape, counters: readonly number[]): readonly number[] {
  return line.epochs.length > MAX_CLOSED_EPOCHS && counters.length === line.admitted.length
    ? line.epochs[line.epochs.length - 1]
    : counters;
}

export function emptyLine(shards: number): ShardedLine {
  const zeros = Array.from({ length: shards }, () => 0);
  return { admitted: zeros, epochs: [zeros], revision: 0 };
}

export const isAdmittedIn = (line: LineShape, place: ShardPlace) => place.seq <= line.admitted[place.shard];

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** People of closed epoch `j` (1-based) not admitted yet. */
function waitingInEpoch(line: LineShape, j: number): number {
  const lower = line.epochs[j - 1];
  const upper = line.epochs[j];
  return sum(upper.map((top, k) => Math.max(0, top - Math.max(line.admitted[k], lower[k]))));
}

/** Everyone numbered on some shard and not admitted yet (the counters are what joins have taken). */
export function waitingCount(line: ShardedLine, counters: readonly number[]): number {
  return sum(counters.map((counter, k) => Math.max(0, counter - line.admitted[k])));
}

/**
 * 1 for the next to be admitted. Exact in a closed epoch; in the open epoch an upper bound that
 * assumes every shard had as many joiners ahead as the token's own shard.
 */
export function positionIn(line: LineShape, place: ShardPlace): number {
  const { shard, seq } = place;
  const shards = line.admitted.length;
  let ahead = 0;
  for (let j = 1; j < line.epochs.length; j++) {
    if (seq <= line.epochs[j][shard]) {
      const lower = line.epochs[j - 1];
      const upper = line.epochs[j];
      const offset = seq - lower[shard];
      for (let k = 0; k < shards; k++) {
        const inRound = offset - 1 + (k < shard ? 1 : 0); // ahead of us on shard k: earlier rounds, or this round at a lower index
        const admittedOffset = Math.max(0, line.admitted[k] - lower[k]);
        ahead += Math.max(0, Math.min(upper[k] - lower[k], inRound) - admittedOffset);
      }
      return ahead + 1;
    }
    ahead += waitingInEpoch(line, j);
  }
  const offset = seq - line.epochs[line.epochs.length - 1][shard];
  return ahead + (offset - 1) * shards + shard + 1;
}

/**
 * The state after an admission run that read `counters` and admits `count` people: the open
 * epoch is closed at the counters, then the first `count` waiting are admitted in line order.
 */
export function admitInLine(line: ShardedLine, counters: readonly number[], count: number): ShardedLine {
  if (counters.length !== line.admitted.length) {
    throw new Error(
      `the line has ${line.admitted.length} shards but ${counters.length} counters were read: QUEUE_SHARDS changed while a line was open`,
    );
  }
  const last = line.epochs[line.epochs.length - 1];
  const closing = counters.map((counter, k) => Math.max(counter, last[k]));
  const epochs = closing.some((top, k) => top > last[k]) ? [...line.epochs, closing] : [...line.epochs];
  const admitted = [...line.admitted];
  let left = count;
  for (let j = 1; j < epochs.length && left > 0; j++) {
    const lower = epochs[j - 1];
    const size = epochs[j].map((top, k) => top - lower[k]);
    const done = admitted.map((value, k) => Math.min(size[k], Math.max(0, value - lower[k])));
    // Admitted from this epoch if it is taken through round r: f(r), non-decreasing in r.
    const through = (r: number) => sum(size.map((s, k) => Math.max(0, Math.min(s, r) - done[k])));
    let low = 0;
    let high = Math.max(...size);
    if (through(high) <= left) {
      left -= through(high);
      epochs[j].forEach((top, k) => (admitted[k] = Math.max(admitted[k], top)));
      continue;
    }
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (through(mid) <= left) low = mid;
      else high = mid - 1;
    }
    // Whole rounds up to `low`, then the next round shard by shard.
    const taken = done.map((d, k) => Math.max(d, Math.min(size[k], low)));
    left -= through(low);
    for (let k = 0; k < taken.length && left > 0; k++) {
      if (taken[k] < low + 1 && low + 1 <= size[k]) {
        taken[k] = low + 1;
        left--;
      }
    }
    taken.forEach((t, k) => (admitted[k] = lower[k] + t));
  }
  // Epochs whose every member is admitted are forgotten; the last of them stays as the lower edge.
  while (epochs.length > 1 && epochs[1].every((top, k) => top <= admitted[k])) epochs.shift();
  return { admitted, epochs, revision: line.revision + 1 };
}

/** Per shard, the numbers a run admitted: `[first, last]`, empty when first > last. */
export function admittedRanges(before: ShardedLine, after: ShardedLine): [number, number][] {
  return before.admitted.map((value, k) => [value + 1, after.admitted[k]]);
}

/** True when a run changed nothing worth writing: no new epoch, nobody admitted. */
export function sameLine(before: ShardedLine, after: ShardedLine): boolean {
  return JSON.stringify([before.admitted, before.epochs]) === JSON.stringify([after.admitted, after.epochs]);
}
