/**
 * The waiting room's rules, as plain functions of its state and the time.
 *
 * Each join takes the concert's next sequence number. Admission never touches tokens one by
 * one: it raises the concert's watermark (`admittedSeq`) and records the batch it admitted
 * (first and last sequence, time, how many of it finished early by paying). A token's status
 * follows from those facts and now, so it is exact at every read whatever the jobs have done.
 */
import type { Settings } from '../shared/config';
import type { AdmissionLimits, RateWindow, WaitingRoom } from './waiting-room-rules';
import {
  admitInLine,
  admittedRanges,
  closingCounters,
  emptyLine,
  isAdmittedIn,
  sameLine,
  waitingCount,
  type ShardedLine,
  type ShardPlace,
} from './sharded-line';
import { inPlaceRange, placesLeft, shuffledPlace, type PlaceRange, type PreQueue } from './pre-queue';
import {
  lineOffset as placeLineOffset,
  MAX_POLL_SECONDS,
  pollSeconds,
  standingOf,
  waitingRetrySeconds,
  type PublicLine,
} from './waiting-place';

export type QueueStatus = 'WAIT' | 'ACTIVE' | 'EXPIRED';

export interface AdmissionBatch {
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** Epoch milliseconds. Every token of the batch is ACTIVE until `admittedAt + activeSeconds`. */
  readonly admittedAt: number;
  /**
   * The turn length this batch was given, so a later change of the concert's setting moves no
   * admitted user's time. Batches recorded before it existed take the deployment's ACTIVE_SECONDS.
   */
  readonly activeSeconds?: number;
  /** Tokens of this batch that finished early (paid), freeing their places. */
  readonly finished: number;
  /**
   * Sharded line only (QUEUE_SHARDS > 1): per shard, the numbers admitted, `[first, last]`.
   * `firstSeq`..`lastSeq` then count admissions overall, so sizes and names work as without shards.
   */
  readonly shardRanges?: readonly (readonly [number, number])[];
  /**
   * The pre-queue's shuffled places this batch admitted, `[first, last]` (pre-queue.ts); they come
   * before its line numbers, which may then be none (`lastSeq` = `firstSeq` − 1).
   */
  readonly preQueuePlaces?: PlaceRange;
}

export interface AdmissionState {
  /** Every sequence up to this one has been admitted. */
  readonly admittedSeq: number;
  /** Batches not yet tidied away by the expiry job; an expired one may still be listed. */
  readonly batches: readonly AdmissionBatch[];
  /** The sharded line's state (QUEUE_SHARDS > 1); absent for the one-counter line. */
  readonly line?: ShardedLine;
  /** The concert's waiting-room settings, once an admin changed them (absent: revision 0, the deployment's). */
  readonly settings?: WaitingRoom;
  /** What admission let in during the current admission window (waiting-room-rules `admissionLimits`). */
  readonly rateWindow?: RateWindow;
  /**
   * Places given back while waiting (their holder left, or an admin revoked the token), as `placeKey`s:
   * such a place reads EXPIRED and admission passes over it. Tidied once the watermark passes it.
   */
  readonly givenBack?: ReadonlySet<string>;
  /**
   * Users an admin banned from joining this concert, as an earlier version recorded them. Bans now
   * live on the users' token items (`QueueTokenRecord.banned`); this set is only read, never added to.
   */
  readonly banned?: ReadonlySet<string>;
  /** Given-back places admission passed over so far (counted in `admittedSeq`, which counts places, not people). */
  readonly passedOverTotal?: number;
  /** The scheduled opening, once a run recorded it: the pre-queue's size, seed and how far it is admitted. */
  readonly preQueue?: PreQueue;
  /**
   * An opening was scheduled (a saleOpensAt was set) at some time: kept when an admin clears
   * saleOpensAt, so an opening not yet recorded stays due and nobody in the pre-queue is stranded.
   */
  readonly saleScheduled?: boolean;
}

export const EMPTY_ADMISSION: AdmissionState = { admittedSeq: 0, batches: [] };

export interface QueueTokenRecord {
  readonly token: string;
  readonly concertId: string;
  readonly userId: string;
  /** Every token is written with its number; only items of an earlier version may lack one. */
  readonly seq?: number;
  /** Which of the concert's counters gave `seq` (QUEUE_SHARDS > 1); absent with one counter. */
  readonly shard?: number;
  readonly joinedAt: number;
  /** Set when the token ended early (its holder paid or left, or an admin revoked it): the token is spent. */
  readonly finishedAt?: number;
  /** A pre-queue token: `seq` (and `shard`) is its arrival number in the pre-queue, not a number in line. */
  readonly preQueue?: boolean;
  /** The replay key of the join challenge that let this user in last (challenge-replay-guard.ts). */
  readonly challenge?: string;
  /** An admin banned the user from this concert: no join writes over this item again. */
  readonly banned?: true;
}

/** Where a token stands: its number, the counter that gave it (sharded line), and whether that was the pre-queue's. */
export interface TokenPlace {
  readonly seq: number;
  readonly shard?: number;
  readonly preQueue?: boolean;
}

export type TokenState =
  /**
   * `position` null: an opening is scheduled and not recorded yet, so no place is known. `place`: a
   * pre-queue token's shuffled place, once the opening gave it one.
   */
  | { readonly status: 'WAIT'; readonly position: number | null; readonly place?: number }
  | { readonly status: 'ACTIVE'; readonly activeUntil: number; readonly batch: AdmissionBatch }
  | { readonly status: 'EXPIRED' };

type QueueSettings = Pick<Settings, 'activeSeconds' | 'admitPerTick' | 'maxActivePerConcert' | 'admissionIntervalSeconds'>;

export const batchSize = (batch: AdmissionBatch) =>
  batch.lastSeq - batch.firstSeq + 1 + (batch.preQueuePlaces ? batch.preQueuePlaces[1] - batch.preQueuePlaces[0] + 1 : 0);
/**
 * A batch's turn length: its own, or `fallback` (the deployment's ACTIVE_SECONDS) for a batch
 * recorded before batches kept theirs. Every `activeSeconds` parameter below is that fallback.
 */
export const batchActiveSeconds = (batch: AdmissionBatch, fallback: number) => batch.activeSeconds ?? fallback;
export const activeUntilOf = (batch: AdmissionBatch, activeSeconds: number) =>
  batch.admittedAt + batchActiveSeconds(batch, activeSeconds) * 1000;
const isLive = (batch: AdmissionBatch, now: number, activeSeconds: number) => now < activeUntilOf(batch, activeSeconds);

/**
 * WAIT with its place in line, ACTIVE until its batch's time runs out, or EXPIRED. `shard` is the
 * counter a sharded line's token was numbered by; `preQueue` marks a pre-queue token. Where a place
 * stands is waiting-place.ts's rule, the one the page follows too; what needs the record's secrets
 * (the pre-queue's seed, the places given back) and the batches is decided here.
 */
export function tokenState(
  seq: number,
  finished: boolean,
  admission: AdmissionState,
  now: number,
  activeSeconds: number,
  shard?: number,
  preQueue = false,
): TokenState {
  if (finished) return { status: 'EXPIRED' };
  const place: TokenPlace = { seq, ...(shard !== undefined ? { shard } : {}), ...(preQueue ? { preQueue } : {}) };
  let shuffled: number | undefined;
  if (preQueue && admission.preQueue) {
    try {
      shuffled = shuffledPlace(admission.preQueue, place);
    } catch {
      return { status: 'EXPIRED' }; // an arrival the closed counters never gave (QUEUE_SHARDS changed meanwhile)
    }
  }
  const standing = standingOf(place, publicLineOf(admission), shuffled);
  switch (standing.stage) {
    case 'WAITING':
      if (isGivenBack(admission, place)) return { status: 'EXPIRED' };
      return { status: 'WAIT', position: standing.position, ...(standing.place !== undefined ? { place: standing.place } : {}) };
    case 'ADMITTED':
      return admittedState(batchHolding(admission, place, standing.place), now, activeSeconds);
    case 'UNPLACED':
      throw new Error('a pre-queue place is always known to the server');
  }
}

/** The admission record as the place rule reads it: what the public state shows of it. */
export function publicLineOf(admission: AdmissionState): PublicLine {
  return {
    admittedSeq: admission.admittedSeq,
    ...(admission.line ? { line: admission.line } : {}),
    ...(admission.preQueue ? { preQueue: admission.preQueue } : {}),
    openingDue: openingScheduled(admission),
  };
}

/** The batch that admitted a place: by line number, by shard range, or by shuffled place (pre-queue.ts). */
function batchHolding(admission: AdmissionState, place: TokenPlace, shuffled: number | undefined): AdmissionBatch | undefined {
  if (place.preQueue) return shuffled === undefined ? undefined : admission.batches.find((b) => inPlaceRange(b.preQueuePlaces, shuffled));
  const shard = place.shard;
  if (shard === undefined) return admission.batches.find((b) => b.firstSeq <= place.seq && place.seq <= b.lastSeq);
  return admission.batches.find((b) => {
    const range = b.shardRanges?.[shard];
    return range !== undefined && range[0] <= place.seq && place.seq <= range[1];
  });
}

function admittedState(batch: AdmissionBatch | undefined, now: number, activeSeconds: number): TokenState {
  if (batch && isLive(batch, now, activeSeconds)) {
    return { status: 'ACTIVE', activeUntil: activeUntilOf(batch, activeSeconds), batch };
  }
  return { status: 'EXPIRED' };
}

/**
 * Added to an ordinary line's positions: the pre-queue places still ahead once the opening is
 * recorded, none without a scheduled opening, and unknown (null) while one is due and not recorded.
 */
export const lineOffset = (admission: AdmissionState): number | null => placeLineOffset(publicLineOf(admission));

/** An opening is scheduled and not yet recorded: a saleOpensAt is set, or was set and then cleared. */
export function openingScheduled(admission: AdmissionState): boolean {
  return (
    admission.preQueue === undefined && (admission.saleScheduled === true || (admission.settings?.settings.saleOpensAt ?? null) !== null)
  );
}

/** A waiting pre-queue token's shuffled place, once the opening gave it one: what its give-back is conditioned on. */
export const placeOf = (state: TokenState): { place?: number } =>
  state.status === 'WAIT' && state.place !== undefined ? { place: state.place } : {};

/**
 * How a place is named in the admission record's given-back set: `<seq>`, or `<shard>.<seq>` in a
 * sharded line; a pre-queue arrival the same with a `p` before it (`p<seq>`, `p<shard>.<seq>`).
 */
export const placeKey = (place: TokenPlace) =>
  `${place.preQueue ? PRE_QUEUE_KEY : ''}${place.shard === undefined ? `${place.seq}` : `${place.shard}.${place.seq}`}`;

const PRE_QUEUE_KEY = 'p';

function placeOfKey(key: string): { seq: number; shard?: number; preQueue?: true } {
  const preQueue = key.startsWith(PRE_QUEUE_KEY);
  const rest = preQueue ? key.slice(PRE_QUEUE_KEY.length) : key;
  const dot = rest.indexOf('.');
  const place = dot < 0 ? { seq: Number(rest) } : { shard: Number(rest.slice(0, dot)), seq: Number(rest.slice(dot + 1)) };
  return preQueue ? { ...place, preQueue } : place;
}

/** Given-back places of the line (not of the pre-queue). */
const lineGivenBack = (admission: AdmissionState) =>
  [...(admission.givenBack ?? [])].map(placeOfKey).filter((place) => place.preQueue === undefined);

export const isGivenBack = (admission: AdmissionState, place: TokenPlace) => admission.givenBack?.has(placeKey(place)) ?? false;

/** How many pre-queue places were given back and are not yet passed by admission (before the opening: all of them). */
export const preQueueGivenBackCount = (admission: AdmissionState) =>
  [...(admission.givenBack ?? [])].filter((key) => placeOfKey(key).preQueue).length;

/**
 * Banned by the admission record's set, as the earlier version recorded bans: those users stay refused.
 * Bans made now are on the token item (`QueueTokenRecord.banned`), which the join's write checks.
 */
export const isBanned = (admission: AdmissionState, userId: string) => admission.banned?.has(userId) ?? false;

/**
 * Past this many places given back and not yet passed by admission, a user who leaves the line no
 * longer adds one: the set lives on the admission record, which every ACTIVE check reads (its size is
 * what that read costs), and 1,000 short entries keep it a few KB. Such a token is still spent at
 * once (ACTIVE routes refuse it and its holder may join again), but a poll may read WAIT until admission
 * passes its place, which then holds an ACTIVE place nobody uses, like a number a join took and did
 * not keep. Revocations always add theirs.
 */
export const MAX_GIVEN_BACK_PLACES = 1000;

/**
 * Per counter (one entry without shards), the number at or below which every token is EXPIRED:
 * everything below the first live batch (batches are admitted in line order; one given a shorter
 * turn than an earlier one may end first, and is then not counted, which only lowers the bound).
 * An older admission record gives lower bounds, never one that covers a live token, so a cached
 * record will do.
 */
export function expiredThrough(admission: AdmissionState, now: number, activeSeconds: number, shards = 1): number[] {
  // Batches of pre-queue places alone hold no line number.
  const live = admission.batches.filter((b) => isLive(b, now, activeSeconds) && b.lastSeq >= b.firstSeq);
  if (shards <= 1) {
    return [live.length > 0 ? Math.min(...live.map((b) => b.firstSeq)) - 1 : admission.admittedSeq];
  }
  const line = admission.line ?? emptyLine(shards);
  return Array.from({ length: shards }, (_, k) => {
    const starts = live.flatMap((b) => {
      const range = b.shardRanges?.[k];
      return range && range[0] <= range[1] ? [range[0]] : [];
    });
    return starts.length > 0 ? Math.min(...starts) - 1 : (line.admitted[k] ?? 0);
  });
}

/** A token still holds its user's place: waiting, or admitted and not yet expired. */
export const isLiveState = (state: TokenState) => state.status !== 'EXPIRED';

/** Tokens admitted and not yet expired or finished: the places taken under MAX_ACTIVE_PER_CONCERT. */
export function activeCount(admission: AdmissionState, now: number, activeSeconds: number): number {
  return admission.batches.filter((b) => isLive(b, now, activeSeconds)).reduce((sum, b) => sum + batchSize(b) - b.finished, 0);
}

export function expiredBatches(admission: AdmissionState, now: number, activeSeconds: number): AdmissionBatch[] {
  return admission.batches.filter((b) => !isLive(b, now, activeSeconds));
}

/**
 * Live batches the admission record holds at most: each run that admits adds one for its turn, about
 * 90 bytes and 14 more a shard (its per-shard ranges), and the record must stay under DynamoDB's
 * 400 KB with its epochs and given-back places beside them. Deployed (a run a minute, turns of an
 * hour at most) a record holds 61 at most; only local runs a few seconds apart with hour-long turns
 * reach this, and then a run admits nobody until a batch runs out, as when the room is full.
 */
export const maxLiveBatches = (shards: number) => Math.floor(256_000 / (90 + 14 * (shards > 1 ? shards : 0)));

const liveBatches = (admission: AdmissionState, now: number, activeSeconds: number) =>
  admission.batches.filter((b) => isLive(b, now, activeSeconds)).length;

export interface AdmissionPlan {
  /** The batch to admit now, or undefined when nobody waits or there is no room. */
  readonly batch?: AdmissionBatch;
  readonly waiting: number;
  readonly activeBefore: number;
  /** Given-back places this batch passes (or that an earlier run passed): the run's write removes them from the set. */
  readonly passedGivenBack?: readonly string[];
  /** The pre-queue after this run (its `admitted` raised by the batch's places), when there is one. */
  readonly preQueue?: PreQueue;
}

/** A run's share of the pre-queue (pre-queue.ts `admitFromPreQueue`, passing over places given back). */
interface PreQueueShare {
  /** Pre-queue members still waiting, less places given back. */
  readonly waiting: number;
  readonly preQueue?: PreQueue;
  readonly places?: PlaceRange;
  /** People admitted: the places, less the given-back ones among them. */
  readonly people: number;
  /** Given-back places among `places`: counted finished from the start. */
  readonly skipped: number;
  readonly passedGivenBack: readonly string[];
}

/**
 * Up to `count` people from the pre-queue, shuffled places first to last. Places given back (keys
 * `p<arrival>`) are passed over as in the line: the range reaches as far as it takes to admit that
 * many, and over given-back places right after them.
 */
function sharePreQueue(admission: AdmissionState, count: number | undefined): PreQueueShare {
  const preQueue = admission.preQueue;
  if (!preQueue) return { waiting: 0, people: 0, skipped: 0, passedGivenBack: [] };
  const keys = [...(admission.givenBack ?? [])].filter((key) => placeOfKey(key).preQueue);
  const placed = keys.map((key) => ({ key, place: givenBackPlace(preQueue, key) }));
  const gaps = placed
    .map(({ place }) => place)
    .filter((place) => place > preQueue.admitted)
    .sort((a, b) => a - b);
  const waiting = Math.max(0, placesLeft(preQueue) - gaps.length);
  if (count === undefined) return { waiting, preQueue, people: 0, skipped: 0, passedGivenBack: [] };
  const people = Math.min(count, waiting);
  let last = preQueue.admitted + people;
  let skipped = 0;
  for (const gap of gaps) {
    if (gap > last + 1) break;
    last++;
    skipped++;
  }
  last = Math.min(last, preQueue.size);
  const passedGivenBack = placed.filter(({ place }) => place <= last).map(({ key }) => key);
  if (last === preQueue.admitted) return { waiting, preQueue, people: 0, skipped: 0, passedGivenBack };
  return { waiting, preQueue: { ...preQueue, admitted: last }, places: [preQueue.admitted + 1, last], people, skipped, passedGivenBack };
}

/** The shuffled place of a given-back pre-queue arrival; 0 (passed, to be tidied) for one the closed counters never gave. */
function givenBackPlace(preQueue: PreQueue, key: string): number {
  const { seq, shard } = placeOfKey(key);
  try {
    return shuffledPlace(preQueue, { seq, ...(shard !== undefined ? { shard } : {}) });
  } catch {
    return 0;
  }
}

/** The deployment's limits, as a run of a never-configured concert uses them. */
const deploymentLimits = (settings: QueueSettings): Omit<AdmissionLimits, 'window'> => ({
  admit: settings.admitPerTick,
  maxActive: settings.maxActivePerConcert,
  activeSeconds: settings.activeSeconds,
});

/**
 * How many to admit now: at most `limits.admit` (ADMIT_PER_TICK unless the concert's settings say
 * otherwise), at most who waits, never past `limits.maxActive` (MAX_ACTIVE_PER_CONCERT), and nobody
 * while the record holds `maxLiveBatches` live batches. The batch
 * records its turn length; `settings.activeSeconds` is the fallback of batches that record none.
 * Places given back are passed over: the batch reaches as far as it takes to admit that many people
 * still in line (and over given-back places right after them), and counts the given-back places in it
 * as finished from the start, so they take no room.
 */
export function planAdmission(
  lastSeq: number,
  admission: AdmissionState,
  now: number,
  settings: QueueSettings,
  limits: Omit<AdmissionLimits, 'window'> = deploymentLimits(settings),
): AdmissionPlan {
  const gaps = givenBackSeqs(admission).filter((seq) => seq > admission.admittedSeq && seq <= lastSeq);
  const waiting = Math.max(0, lastSeq - admission.admittedSeq - gaps.length) + sharePreQueue(admission, undefined).waiting;
  const activeBefore = activeCount(admission, now, settings.activeSeconds);
  const full = liveBatches(admission, now, settings.activeSeconds) >= maxLiveBatches(1);
  const room = full ? 0 : Math.max(0, limits.maxActive - activeBefore);
  const count = Math.min(limits.admit, waiting, room);
  // The pre-queue's places first; the line gets what is left of the count.
  const share = sharePreQueue(admission, count);
  const preQueue = share.preQueue ? { preQueue: share.preQueue } : {};
  // `count` numbers from the watermark, one more for each given-back place among them or right after them.
  let last = admission.admittedSeq + count - share.people;
  let skipped = 0;
  for (const gap of gaps) {
    if (gap > last + 1) break;
    last++;
    skipped++;
  }
  if (last === admission.admittedSeq && !share.places)
    return { waiting, activeBefore, passedGivenBack: share.passedGivenBack, ...preQueue };
  const firstSeq = admission.admittedSeq + 1;
  return {
    waiting,
    activeBefore,
    batch: {
      firstSeq,
      lastSeq: last,
      admittedAt: now,
      finished: skipped + share.skipped,
      activeSeconds: limits.activeSeconds,
      ...(share.places ? { preQueuePlaces: share.places } : {}),
    },
    passedGivenBack: [...passedBy(admission, (place) => place.shard === undefined && place.seq <= last), ...share.passedGivenBack],
    ...preQueue,
  };
}

/** The single line's given-back numbers, ascending. */
function givenBackSeqs(admission: AdmissionState): number[] {
  return lineGivenBack(admission)
    .filter((place) => place.shard === undefined)
    .map((place) => place.seq)
    .sort((a, b) => a - b);
}

/** The line's given-back entries a run's new state has passed: the run's write removes them. */
function passedBy(admission: AdmissionState, passed: (place: { seq: number; shard?: number }) => boolean): string[] {
  return [...(admission.givenBack ?? [])].filter((key) => {
    const place = placeOfKey(key);
    return place.preQueue === undefined && passed(place);
  });
}

export interface ShardedAdmissionPlan extends AdmissionPlan {
  /** The line after this run: a new epoch closed at the counters read, and whoever was admitted. */
  readonly line: ShardedLine;
  /** False when the run has nothing to write (no one joined since the last run, no one admitted). */
  readonly changed: boolean;
}

/**
 * The sharded line's admission (QUEUE_SHARDS > 1): the same limits as `planAdmission`, taken in
 * line order over the counters read (see sharded-line.ts).
 */
export function planShardedAdmission(
  counters: readonly number[],
  admission: AdmissionState,
  now: number,
  settings: QueueSettings,
  limits: Omit<AdmissionLimits, 'window'> = deploymentLimits(settings),
): ShardedAdmissionPlan {
  const line = admission.line ?? emptyLine(counters.length);
  // Who can be admitted: everyone numbered, unless the line keeps no more epochs (then the closed ones).
  const closing = closingCounters(line, counters);
  const gaps = lineGivenBack(admission)
    .filter((place): place is ShardPlace => place.shard !== undefined && place.shard < counters.length)
    .filter((place) => !isAdmittedIn(line, place) && place.seq <= counters[place.shard]);
  const waiting = waitingCount(line, counters) - gaps.length + sharePreQueue(admission, undefined).waiting;
  const activeBefore = activeCount(admission, now, settings.activeSeconds);
  const full = liveBatches(admission, now, settings.activeSeconds) >= maxLiveBatches(counters.length);
  const room = full ? 0 : Math.max(0, limits.maxActive - activeBefore);
  const all = Math.min(limits.admit, waiting, room);
  // The pre-queue's places first; the line gets what is left of the count.
  const share = sharePreQueue(admission, all);
  const preQueue = share.preQueue ? { preQueue: share.preQueue } : {};
  const closable = gaps.filter((place) => place.seq <= closing[place.shard]);
  const count = Math.min(all - share.people, waitingCount(line, closing) - closable.length);
  // Admit `count` people still in line: as many places more as given-back ones fall among them.
  let places = count;
  let after = admitInLine(line, closing, places);
  let skipped = gaps.filter((place) => isAdmittedIn(after, place)).length;
  while (places - skipped < count) {
    places = count + skipped;
    after = admitInLine(line, closing, places);
    skipped = gaps.filter((place) => isAdmittedIn(after, place)).length;
  }
  // And over given-back places next in line, which take no room.
  while (skipped < closable.length) {
    const next = admitInLine(line, closing, places + 1);
    const nextSkipped = gaps.filter((place) => isAdmittedIn(next, place)).length;
    if (nextSkipped === skipped) break;
    [places, after, skipped] = [places + 1, next, nextSkipped];
  }
  const changed = !sameLine(line, after) || share.places !== undefined;
  const passedGivenBack = [
    ...passedBy(admission, (place) => place.shard !== undefined && isAdmittedIn(after, place as ShardPlace)),
    ...share.passedGivenBack,
  ];
  if (places === 0 && !share.places) return { waiting, activeBefore, line: after, changed, passedGivenBack, ...preQueue };
  const firstSeq = admission.admittedSeq + 1;
  const shardRanges = admittedRanges(line, after);
  return {
    waiting,
    activeBefore,
    line: after,
    changed,
    passedGivenBack,
    batch: {
      firstSeq,
      lastSeq: firstSeq + places - 1,
      admittedAt: now,
      finished: skipped + share.skipped,
      activeSeconds: limits.activeSeconds,
      shardRanges,
      ...(share.places ? { preQueuePlaces: share.places } : {}),
    },
    ...preQueue,
  };
}

export { estimatedWaitSeconds } from './waiting-place';

/**
 * When to poll next: a waiting token as waiting-place.ts says (about four times over its wait,
 * which counts the time until the sale opens); an ACTIVE one when its turn ends.
 */
export function retryAfterSeconds(state: TokenState, now: number, settings: QueueSettings, secondsUntilSale = 0): number {
  switch (state.status) {
    case 'WAIT':
      return waitingRetrySeconds(state.position, settings, secondsUntilSale);
    case 'ACTIVE':
      return pollSeconds((state.activeUntil - now) / 1000);
    case 'EXPIRED':
      return MAX_POLL_SECONDS;
  }
}
