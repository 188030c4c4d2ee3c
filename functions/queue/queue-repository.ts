import type { AdmissionBatch, AdmissionState, QueueTokenRecord } from './queue-rules';
import type { ShardedLine } from './sharded-line';

export type ClaimResult = { readonly claimed: true } | { readonly claimed: false; readonly current?: QueueTokenRecord };

export interface QueueSnapshot {
  /** Numbers taken so far (with shards: over all counters). */
  readonly lastSeq: number;
  readonly admission: AdmissionState;
  /** With QUEUE_SHARDS > 1: each counter's value, by shard. */
  readonly counters?: readonly number[];
}

/** A number in line: `shard` says which of the concert's counters gave it (absent with one counter). */
export interface QueuePlace {
  readonly seq: number;
  readonly shard?: number;
}

/** What the waiting room needs from storage. Every write is conditional; nothing here locks. */
export interface QueueRepository {
  /** Takes the user's place for a concert if they have none (`replacing` undefined) or still hold `replacing`. */
  claimPlace(record: QueueTokenRecord, replacing?: string): Promise<ClaimResult>;
  /** Gives a claimed place its number; false if the place was claimed by another token meanwhile. */
  assignSequence(concertId: string, userId: string, token: string, place: QueuePlace): Promise<boolean>;
  /** The next number in the concert's line (an atomic counter, or one of QUEUE_SHARDS counters). */
  nextSequence(concertId: string): Promise<QueuePlace>;
  findToken(concertId: string, userId: string): Promise<QueueTokenRecord | undefined>;
  /**
   * The user's token and the concert's admission state, read together in one call. With
   * `recentAdmission` (polls only) an admission record read within POLL_ADMISSION_CACHE_MS may be
   * reused: admission only moves forward and every time check uses now, so a reused record can
   * show WAIT a moment after admission, never ACTIVE when it is not.
   */
  findTokenWithAdmission(concertId: string, userId: string, read?: { recentAdmission?: boolean }): Promise<{ token?: QueueTokenRecord; admission: AdmissionState }>;
  /** `recentAdmission`: as for `findTokenWithAdmission`, for answers that only show the status. */
  findAdmission(concertId: string, read?: { recentAdmission?: boolean }): Promise<AdmissionState>;
  /** Concerts whose waiting room has ever been joined. */
  listQueues(): Promise<string[]>;
  snapshot(concertId: string): Promise<QueueSnapshot>;
  /**
   * Records an admitted batch and raises the watermark, only if the watermark is still
   * `expectedAdmittedSeq`: of two overlapping runs, one admits and the other gets false.
   */
  recordAdmission(concertId: string, expectedAdmittedSeq: number, batch: AdmissionBatch, tidy: readonly AdmissionBatch[]): Promise<boolean>;
  /**
   * The sharded line's run: records the line's new state (a closed epoch, who was admitted) and the
   * batch, only if the line is still at the revision this run read.
   */
  recordShardedAdmission(
    concertId: string,
    expected: ShardedLine,
    line: ShardedLine,
    batch: AdmissionBatch | undefined,
    tidy: readonly AdmissionBatch[],
  ): Promise<boolean>;
  /** Removes expired batches; returns those this call removed (not ones a concurrent call did). */
  removeBatches(concertId: string, batches: readonly AdmissionBatch[]): Promise<AdmissionBatch[]>;
}
