/**
 * The pre-queue of a scheduled opening, as plain functions of what the opening recorded.
 *
 * From preQueueOpensAt until saleOpensAt a join takes an arrival number from the pre-queue counter
 * (one per shard). The first admission run at or after saleOpensAt closes those counters, draws a
 * secret seed and records a `PreQueue`. From then on arrival i (numbered across shards, 1..n) stands
 * at place π(i) of the keyed order of 1..n in shuffled-order.ts: no item is rewritten, and a place
 * costs O(1) to find.
 *
 * Fairness: when and on which shard someone joins decides only their arrival number, and every
 * arrival number is fixed before the seed exists. The seed then picks the order, and every order
 * of the n arrivals is as likely as any other (up to the shuffle's bias, too small for any test we
 * can run to see). Arriving early in the pre-queue gives no advantage, and nobody can know their
 * place before the opening.
 *
 * FIFO rule: nobody from after the opening is admitted before anyone from the pre-queue. A run
 * admits shuffled places 1, 2, … first, and the ordinary line gets only what is left of its count.
 * Ordinary positions count every pre-queue place not yet admitted as ahead of them. Positions never
 * grow: a place is fixed at the opening, and `admitted` only rises.
 */
import { shuffledOrder, MAX_SHUFFLED_SIZE } from './shuffled-order';

/** A concert's scheduled opening, epoch milliseconds; either may be absent. */
export interface SaleSchedule {
  readonly preQueueOpensAt?: number;
  readonly saleOpensAt?: number;
}

/** What the opening run records on the admission record. */
export interface PreQueue {
  /** n: everyone numbered by the pre-queue counters, over all shards. */
  readonly size: number;
  /** Per shard (one entry without shards), the counter's final value when the opening closed it. */
  readonly shardSizes: readonly number[];
  /** The secret the order is keyed by, hex. Never shown to users. */
  readonly seed: string;
  /** Epoch milliseconds of the run that opened the sale. */
  readonly openedAt: number;
  /** Every shuffled place up to this one has been admitted. */
  readonly admitted: number;
}

/** A pre-queue token's number, as on the token: `shard` is absent with one counter. */
export interface PreQueueArrival {
  readonly shard?: number;
  readonly seq: number;
}

/** Shuffled places `[first, last]`, both included: what one batch admitted from the pre-queue. */
export type PlaceRange = readonly [number, number];

export type JoinPhase =
  | { readonly phase: 'NOT_OPEN'; readonly retryAfterSeconds: number }
  | { readonly phase: 'PRE_QUEUE'; readonly opensAt: number }
  | { readonly phase: 'OPEN' };

/**
 * Where a join goes now: refused until preQueueOpensAt, into the pre-queue until saleOpensAt, and
 * into the ordinary line after. Without saleOpensAt there is no pre-queue, and preQueueOpensAt is
 * simply when the line opens.
 */
export function joinPhase(schedule: SaleSchedule, now: number): JoinPhase {
  const { preQueueOpensAt, saleOpensAt } = schedule;
  if (preQueueOpensAt !== undefined && now < preQueueOpensAt) {
    return { phase: 'NOT_OPEN', retryAfterSeconds: Math.max(1, Math.ceil((preQueueOpensAt - now) / 1000)) };
  }
  if (saleOpensAt !== undefined && now < saleOpensAt) return { phase: 'PRE_QUEUE', opensAt: saleOpensAt };
  return { phase: 'OPEN' };
}

/** True when this run must open the sale: saleOpensAt has come and no opening is recorded yet. */
export function openingDue(schedule: SaleSchedule, preQueue: PreQueue | undefined, now: number): boolean {
  return preQueue === undefined && schedule.saleOpensAt !== undefined && now >= schedule.saleOpensAt;
}

/**
 * Nobody is admitted before the opening is recorded. Once it is, the schedule no longer matters
 * to this line. A run that opens the sale admits with the `PreQueue` it is about to record.
 */
export function mayAdmit(schedule: SaleSchedule, preQueue: PreQueue | undefined): boolean {
  return schedule.saleOpensAt === undefined || preQueue !== undefined;
}

/** The state the opening records, from the closed counters' final values and a fresh seed (`drawShuffleSeed`). */
export function openPreQueue(shardSizes: readonly number[], seed: string, openedAt: number): PreQueue {
  if (shardSizes.length === 0 || shardSizes.some((s) => !Number.isSafeInteger(s) || s < 0)) {
    throw new RangeError(`pre-queue sizes are one whole number per shard, not [${shardSizes.join(', ')}]`);
  }
  const size = shardSizes.reduce((total, s) => total + s, 0);
  if (size > MAX_SHUFFLED_SIZE) throw new RangeError(`a pre-queue of ${size} is more than a shuffle can order`);
  shuffledOrder(size, seed); // rejects a malformed seed now rather than at the first poll
  return { size, shardSizes: [...shardSizes], seed, openedAt, admitted: 0 };
}

/** Arrival numbered 1..n across shards: shard 0's numbers first, then shard 1's, and so on. */
export function arrivalIndex(preQueue: PreQueue, arrival: PreQueueArrival): number {
  const shard = arrival.shard ?? 0;
  const sizes = preQueue.shardSizes;
  if (!Number.isSafeInteger(shard) || shard < 0 || shard >= sizes.length) {
    throw new RangeError(`the pre-queue has ${sizes.length} shards, not shard ${shard}: QUEUE_SHARDS changed while a pre-queue was open`);
  }
  if (!Number.isSafeInteger(arrival.seq) || arrival.seq < 1 || arrival.seq > sizes[shard]) {
    throw new RangeError(`shard ${shard} of the pre-queue numbered 1..${sizes[shard]}, not ${arrival.seq}`);
  }
  let before = 0;
  for (let k = 0; k < shard; k++) before += sizes[k];
  return before + arrival.seq;
}

/** The inverse of `arrivalIndex`. */
export function arrivalOf(preQueue: PreQueue, index: number): PreQueueArrival & { readonly shard: number } {
  let seq = index;
  for (let shard = 0; shard < preQueue.shardSizes.length; shard++) {
    if (seq >= 1 && seq <= preQueue.shardSizes[shard]) return { shard, seq };
    seq -= preQueue.shardSizes[shard];
  }
  throw new RangeError(`arrival ${index} is outside the pre-queue's 1..${preQueue.size}`);
}

/** The shuffled place (1..n) of a pre-queue arrival. */
export function shuffledPlace(preQueue: PreQueue, arrival: PreQueueArrival): number {
  return shuffledOrder(preQueue.size, preQueue.seed).place(arrivalIndex(preQueue, arrival));
}

/** Who stands at shuffled place `place`. */
export function arrivalAtPlace(preQueue: PreQueue, place: number): PreQueueArrival & { readonly shard: number } {
  return arrivalOf(preQueue, shuffledOrder(preQueue.size, preQueue.seed).arrivalAt(place));
}

/** Pre-queue places not yet admitted. */
export function placesLeft(preQueue: PreQueue | undefined): number {
  return preQueue === undefined ? 0 : preQueue.size - preQueue.admitted;
}

export interface PreQueueAdmission {
  /** The pre-queue after the run; undefined when there is none. */
  readonly preQueue?: PreQueue;
  /** The shuffled places this run admits, for the batch; absent when none. */
  readonly places?: PlaceRange;
  /** What is left of the run's count for the ordinary line. */
  readonly forLine: number;
}

/** Share a run's `count` (already capped by rate and room): pre-queue places first, the rest to the ordinary line. */
export function admitFromPreQueue(preQueue: PreQueue | undefined, count: number): PreQueueAdmission {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`a run admits a whole number ≥ 0, not ${count}`);
  const taken = Math.min(count, placesLeft(preQueue));
  if (preQueue === undefined || taken === 0) return { preQueue, forLine: count };
  const after = { ...preQueue, admitted: preQueue.admitted + taken };
  return { preQueue: after, places: [preQueue.admitted + 1, after.admitted], forLine: count - taken };
}

export const inPlaceRange = (range: PlaceRange | undefined, place: number) => range !== undefined && range[0] <= place && place <= range[1];
