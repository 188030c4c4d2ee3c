import type { SalesTally } from '../stats/stats-rules';
import type { ChallengeGuard } from './challenge-replay-guard';
import type { GiveBack } from './queue-keys';
import type { AdmissionBatch, AdmissionState, QueueTokenRecord } from './queue-rules';
import type { ShardedLine } from './sharded-line';
import type { RateWindow } from './waiting-room-rules';
import type { PreQueueCounters } from './pre-queue-counter';
import type { PreQueue } from './pre-queue';

/**
 * A join's write: landed, or not, with the token that stands (if the item holds one); `banned` when the
 * item says an admin banned the user from the concert, which refuses the join whatever it holds.
 */
export type ClaimResult =
  { readonly claimed: true } | { readonly claimed: false; readonly current?: QueueTokenRecord; readonly banned?: boolean };

/** Which token a join may write over, besides a spent or unnumbered one. */
export interface ReplaceableToken {
  /** Per counter (one entry without shards): tokens numbered at or below are expired (queue-rules `expiredThrough`). */
  readonly expiredThrough: readonly number[];
  /** A token read before, to be replaced whatever its state (an earlier version's token, re-signed). */
  readonly token?: string;
  /** And in any case only an item whose join challenge key this guard lets through (challenge-replay-guard.ts). */
  readonly challenge: ChallengeGuard;
}

export interface QueueSnapshot {
  /** Numbers taken so far (with shards: over all counters). */
  readonly lastSeq: number;
  readonly admission: AdmissionState;
  /** With QUEUE_SHARDS > 1: each counter's value, by shard. */
  readonly counters?: readonly number[];
  /** The pre-queue's counters, read in the same call. */
  readonly preQueueCounters: PreQueueCounters;
  /** The concert's sales counters, read in the same call for the run's series point (stats-keys.ts). */
  readonly sales: SalesTally;
}

/** A run's write of the pre-queue: the opening (only where none is recorded), or `admitted` raised from what the run read. */
export interface PreQueueWrite {
  readonly after: PreQueue;
  readonly opening: boolean;
  readonly expectedAdmitted: number;
}

/** A token being given back, as its item holds it. */
export interface GivenBackToken {
  readonly token: string;
  readonly concertId: string;
  readonly userId: string;
  readonly shard?: number;
  /** A pre-queue token, with its shuffled `place` once the opening gave it one. */
  readonly preQueue?: boolean;
  readonly place?: number;
}

/** A number in line: `shard` says which of the concert's counters gave it (absent with one counter). */
export interface QueuePlace {
  readonly seq: number;
  readonly shard?: number;
}

/** What the waiting room needs from storage. Every write is conditional; nothing here locks. */
export interface QueueRepository {
  /**
   * Writes the user's numbered token unless they hold a live one or are banned: written when they have
   * no token, or theirs is spent, unnumbered, expired (its number at or below `replaceable.expiredThrough`
   * of its counter) or exactly `replaceable.token`, and the item carries no ban. Otherwise the token
   * that stands comes back, or `banned`.
   */
  placeToken(record: QueueTokenRecord & { readonly seq: number }, replaceable: ReplaceableToken): Promise<ClaimResult>;
  /** The next number in the concert's line (an atomic counter, or one of QUEUE_SHARDS counters). */
  nextSequence(concertId: string): Promise<QueuePlace>;
  /** The next arrival number in the concert's pre-queue, or undefined once the opening closed it. */
  nextPreQueueArrival(concertId: string): Promise<QueuePlace | undefined>;
  /** The opening run's close of the pre-queue counters (those `counters` show open): every counter's final value. */
  closePreQueue(concertId: string, counters: PreQueueCounters, now: number): Promise<number[]>;
  /** The user's token; undefined when there is none (no item, or a ban's item that holds no token). */
  findToken(concertId: string, userId: string): Promise<QueueTokenRecord | undefined>;
  /**
   * The user's token and the concert's admission state, both fresh, read together in one call (the
   * ACTIVE check); `banned` when the token item says the user is banned (also an item holding no token).
   */
  findTokenWithAdmission(
    concertId: string,
    userId: string,
  ): Promise<{ token?: QueueTokenRecord; banned: boolean; admission: AdmissionState }>;
  /**
   * The concert's admission state. With `recentAdmission` (polls and joins) a record this instance
   * read within POLL_ADMISSION_CACHE_MS is reused, and concurrent callers share one read: admission
   * only moves forward and every time check uses now, so a reused record can show WAIT a moment
   * after admission, never ACTIVE when it is not, nor EXPIRED when it is not.
   */
  findAdmission(concertId: string, read?: { recentAdmission?: boolean }): Promise<AdmissionState>;
  /**
   * The admission record this instance last read for polls and joins, however long ago; undefined
   * before the first. No call: a join uses it to decide whether to take a number before the
   * fresh record is in (a room seen closed is read first, so a refused join burns no number).
   */
  lastSeenAdmission(concertId: string): AdmissionState | undefined;
  /**
   * The admission record this instance read last, by any read (the ACTIVE checks' fresh ones
   * included), if that read began within POLL_ADMISSION_CACHE_MS; otherwise undefined. No call.
   */
  readAdmissionWithin(concertId: string): AdmissionState | undefined;
  /** Concerts whose waiting room has ever been joined. */
  listQueues(): Promise<string[]>;
  snapshot(concertId: string): Promise<QueueSnapshot>;
  /**
   * Records an admitted batch (and the admission window's new count) and raises the watermark, only
   * if the watermark is still `expectedAdmittedSeq`: of two overlapping runs, one admits and the
   * other gets false. False too when a transaction on the record was in flight (the next run admits).
   */
  recordAdmission(
    concertId: string,
    expectedAdmittedSeq: number,
    batch: AdmissionBatch | undefined,
    tidy: readonly AdmissionBatch[],
    passedGivenBack?: readonly string[],
    window?: RateWindow,
    preQueue?: PreQueueWrite,
  ): Promise<boolean>;
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
    passedGivenBack?: readonly string[],
    window?: RateWindow,
    preQueue?: PreQueueWrite,
  ): Promise<boolean>;
  /**
   * Ends an ACTIVE token's turn early (its holder left, or an admin revoked it), in one transaction:
   * the token item is spent (it must still hold this token, unspent) and its batch counts one more
   * finished (the batch still live), which frees the place. False, with nothing written, when either
   * check failed or another write collided: the caller reads again and decides anew.
   */
  giveBackTurn(token: GivenBackToken, batch: AdmissionBatch, admittedAfter: number, change: GiveBack, now: number): Promise<boolean>;
  /**
   * Gives a waiting token's place back, in one transaction: the token item is spent, and the place
   * joins the admission record's given-back set (unless `listed` is false) while admission has not
   * reached it. False as for `giveBackTurn` (admitted meanwhile, say).
   */
  giveBackPlace(token: GivenBackToken & { readonly seq: number }, change: GiveBack, listed: boolean, now: number): Promise<boolean>;
  /**
   * Bans a user who holds no live token, on their token item (made, holding only the ban, when there is
   * none), only while the item still holds `read`, the token read before (undefined: none). False, with
   * nothing written, when a join wrote another meanwhile: the caller reads again. The admission record
   * is not written: a ban costs it nothing, however many there are.
   */
  banUser(concertId: string, userId: string, read: string | undefined, now: number): Promise<boolean>;
  /** Removes expired batches; returns those this call removed (not ones a concurrent call did). */
  removeBatches(concertId: string, batches: readonly AdmissionBatch[]): Promise<AdmissionBatch[]>;
}
