/**
 * Where a waiting token stands, from what the token itself says (its number, its shard, whether it
 * joined a pre-queue) and the line's public state (`GET /concerts/{concertId}/queue/state`): its
 * place in line, and the wait and polling pace that go with it. The one rule the server's poll
 * (queue-rules.ts `tokenState`, queue-status.ts `describeToken`) and the web page both follow, so a
 * page that works out its own place shows what the authenticated poll would say.
 *
 * Page-safe: no Node.js, no AWS types, nothing secret. web/build.ts lets the page bundle this file
 * and sharded-line.ts. What needs a secret stays on the server: a pre-queue token's shuffled place
 * (the seed), and whether a place was given back (the set of them); the caller passes the former in.
 */
import { emptyLine, isAdmittedIn, positionIn, type LineShape } from './sharded-line';

/** A token's place as its claims give it: its number, the counter that gave it, and whether that was the pre-queue's. */
export interface ClaimedPlace {
  readonly seq: number;
  readonly shard?: number;
  readonly preQueue?: boolean;
}

/** What a place follows from: the line's public state (the server's admission record is one). */
export interface PublicLine {
  /** Every number up to this one has been admitted (the one-counter line). */
  readonly admittedSeq: number;
  /** The sharded line (QUEUE_SHARDS > 1): per shard the numbers admitted, and the epoch boundaries. */
  readonly line?: LineShape;
  /** The recorded opening: how many joined the pre-queue, and how many of its shuffled places are admitted. */
  readonly preQueue?: { readonly size: number; readonly admitted: number };
  /** An opening is scheduled and not recorded yet: nobody has a place. */
  readonly openingDue: boolean;
}

export type Standing =
  /** Position null: a scheduled opening is not recorded yet. `place`: a pre-queue token's shuffled place. */
  | { readonly stage: 'WAITING'; readonly position: number | null; readonly place?: number }
  /** Admission reached the place: the batch that admitted it (server-side) says ACTIVE or EXPIRED. */
  | { readonly stage: 'ADMITTED'; readonly place?: number }
  /** A pre-queue token after the opening, whose shuffled place the caller does not know (only the server can work it out). */
  | { readonly stage: 'UNPLACED' };

/**
 * Pre-queue places still ahead of everyone in the ordinary line: none without a scheduled opening,
 * and unknown (null) while one is due and not recorded, since a number shown then would grow at it.
 */
export function lineOffset(state: PublicLine): number | null {
  if (state.preQueue) return state.preQueue.size - state.preQueue.admitted;
  return state.openingDue ? null : 0;
}

/** Where `place` stands. `shuffledPlace`: a pre-queue token's place in the opening's order, when the caller knows it. */
export function standingOf(place: ClaimedPlace, state: PublicLine, shuffledPlace?: number): Standing {
  if (place.preQueue) {
    if (!state.preQueue) return { stage: 'WAITING', position: null };
    if (shuffledPlace === undefined) return { stage: 'UNPLACED' };
    if (shuffledPlace <= state.preQueue.admitted) return { stage: 'ADMITTED', place: shuffledPlace };
    return { stage: 'WAITING', position: shuffledPlace - state.preQueue.admitted, place: shuffledPlace };
  }
  const offset = lineOffset(state);
  const waiting = (position: number): Standing => ({ stage: 'WAITING', position: offset === null ? null : offset + position });
  if (place.shard === undefined) {
    return place.seq <= state.admittedSeq ? { stage: 'ADMITTED' } : waiting(place.seq - state.admittedSeq);
  }
  const line = state.line ?? emptyLine(place.shard + 1);
  const shardPlace = { shard: place.shard, seq: place.seq };
  return isAdmittedIn(line, shardPlace) ? { stage: 'ADMITTED' } : waiting(positionIn(line, shardPlace));
}

/** The admission rate the wait is estimated from (the concert's own once an admin set it, else the deployment's). */
export interface AdmissionRate {
  /** Admitted per admission run at most (a share of admitPerMinute: may be fractional). */
  readonly admitPerTick: number;
  readonly maxActivePerConcert: number;
  readonly activeSeconds: number;
  readonly admissionIntervalSeconds: number;
}

/** What a waiting answer says besides the position. */
export interface WaitTerms {
  readonly rate: AdmissionRate;
  readonly paused: boolean;
  /** Epoch milliseconds, or null when no opening is set. */
  readonly saleOpensAt: number | null;
}

/** A WAIT answer of the contract, times as epoch milliseconds. */
export interface WaitingAnswer {
  readonly position: number | null;
  readonly estimatedWaitSeconds: number | null;
  /** Only while the position is null: when the sale opens. */
  readonly opensAt?: number;
  readonly paused?: true;
  readonly retryAfterSeconds: number;
}

/**
 * Seconds until a waiting user at `position` is admitted, from the admission rate: ADMIT_PER_TICK
 * per run, or, when the room is full, as many per run as places free up (MAX_ACTIVE per
 * ACTIVE_SECONDS). Counted in whole runs, since admission happens only when a run does.
 */
export function estimatedWaitSeconds(position: number, rate: AdmissionRate): number {
  if (position <= 0) return 0;
  const interval = rate.admissionIntervalSeconds;
  const perRun = Math.min(rate.admitPerTick, (rate.maxActivePerConcert * interval) / rate.activeSeconds);
  return Math.ceil(position / perRun) * interval;
}

export const MIN_POLL_SECONDS = 1;
export const MAX_POLL_SECONDS = 30;
export const pollSeconds = (seconds: number) => Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, Math.ceil(seconds)));

/**
 * When a waiting user polls next: about four times over their estimated wait (with the seconds
 * until the sale opens, if it has not), so the far end of a long line costs little and the front
 * hears of admission within a few seconds.
 */
export const waitingRetrySeconds = (position: number | null, rate: AdmissionRate, secondsUntilSale: number) =>
  pollSeconds((estimatedWaitSeconds(position ?? 0, rate) + secondsUntilSale) / 4);

/** A waiting token's answer. While the sale has not opened the wait counts the time until it does. */
export function waitingAnswer(position: number | null, terms: WaitTerms, now: number): WaitingAnswer {
  const { saleOpensAt } = terms;
  const untilSale = saleOpensAt !== null ? Math.max(0, Math.ceil((saleOpensAt - now) / 1000)) : 0;
  return {
    position,
    estimatedWaitSeconds: position === null ? null : estimatedWaitSeconds(position, terms.rate) + untilSale,
    ...(position === null && saleOpensAt !== null ? { opensAt: saleOpensAt } : {}),
    ...(terms.paused ? { paused: true as const } : {}),
    retryAfterSeconds: waitingRetrySeconds(position, terms.rate, untilSale),
  };
}

/**
 * The body of `GET /concerts/{concertId}/queue/state`: the same for everyone, cached for a second.
 * Nothing in it is secret or about one user.
 */
export interface QueueStateBody {
  readonly concertId: string;
  /** Every number of the one-counter line up to this one has been admitted (with shards: admissions overall). */
  readonly admittedSeq: number;
  /** The sharded line's state (QUEUE_SHARDS > 1, once an admission run recorded it); null otherwise. */
  readonly shards: { readonly admitted: readonly number[]; readonly epochs: readonly (readonly number[])[] } | null;
  readonly paused: boolean;
  /** When the sale opens (ISO), if an opening is set. */
  readonly saleOpensAt: string | null;
  /** The scheduled opening's pre-queue; null when none was ever scheduled. */
  readonly preQueue: {
    /** The opening was recorded: pre-queue tokens have places, and `size` and `admitted` count them. */
    readonly opened: boolean;
    readonly size: number | null;
    /** Shuffled places 1..admitted are admitted. */
    readonly admitted: number;
  } | null;
  /** The admission rate wait estimates follow. */
  readonly rate: {
    readonly admitPerRun: number;
    readonly runEverySeconds: number;
    readonly maxActive: number;
    readonly activeSeconds: number;
  };
  /** When the server worked this answer out (ISO), from an admission record read at most a second before. */
  readonly updatedAt: string;
}

/** The state body read back as the rule's inputs. */
export function fromStateBody(body: QueueStateBody): { line: PublicLine; terms: WaitTerms } {
  const pre = body.preQueue;
  return {
    line: {
      admittedSeq: body.admittedSeq,
      ...(body.shards ? { line: body.shards } : {}),
      ...(pre?.opened ? { preQueue: { size: pre.size ?? 0, admitted: pre.admitted } } : {}),
      openingDue: pre !== null && !pre.opened,
    },
    terms: {
      rate: {
        admitPerTick: body.rate.admitPerRun,
        maxActivePerConcert: body.rate.maxActive,
        activeSeconds: body.rate.activeSeconds,
        admissionIntervalSeconds: body.rate.runEverySeconds,
      },
      paused: body.paused,
      saleOpensAt: body.saleOpensAt === null ? null : Date.parse(body.saleOpensAt),
    },
  };
}
