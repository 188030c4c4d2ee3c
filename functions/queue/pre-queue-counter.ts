import type { Item } from '../shared/dynamodb-item';
import type { QueuePlace } from './queue-repository';

/** The pre-queue's counters as an admission run reads them: per shard, the value and whether the opening closed it. */
export interface PreQueueCounters {
  readonly values: readonly number[];
  readonly closed: readonly boolean[];
}

/**
 * The pre-queue's arrival counter: `PREQ#<concert>`, or one per shard with QUEUE_SHARDS > 1 (as the
 * line's, sequence-counter.ts). A join's increment holds only while the counter is open, so every
 * number it gives is at or below the value the opening run reads when it closes it.
 */
export interface PreQueueCounter {
  /** The next arrival number, or undefined once the opening closed the counter (the join is then an ordinary one). */
  next(concertId: string): Promise<QueuePlace | undefined>;
  /** Keys of every counter, read with the admission record in the run's one BatchGet. */
  keys(concertId: string): Item[];
  read(concertId: string, items: readonly Item[]): PreQueueCounters;
  /** Closes the counters not closed yet, and answers every counter's final value (the same for every caller). */
  close(concertId: string, counters: PreQueueCounters, now: number): Promise<number[]>;
}
