import type { SalesDelta, SeriesPoint, StatsFacts } from './stats-rules';

/** What the stats route needs from storage: reads of known keys, never a scan. */
export interface StatsReader {
  /**
   * Everything one concert's stats are computed from, read together in one batch of known keys:
   * the line's counters, the admission record, the sales counters, the holds ending from now to
   * `holdHorizonSeconds` ahead, the series of the last hours, and the concert (undefined: no such concert).
   */
  readFacts(concertId: string, now: number, holdHorizonSeconds: number): Promise<StatsFacts | undefined>;
}

/** The sales counters, as the reservations table's stream consumer keeps them. */
export interface SalesCounter {
  /**
   * Adds one concert's delta to its counters, all at once, once: `alreadyFolded` when the same
   * changes were folded before (a batch delivered again), which then changes nothing.
   */
  foldSales(delta: SalesDelta, now: number): Promise<'folded' | 'alreadyFolded'>;
}

/** Where the admission run leaves its series point; one write per concert per run. */
export interface SeriesRecorder {
  append(concertId: string, point: SeriesPoint): Promise<void>;
}
