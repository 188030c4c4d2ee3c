/**
 * A join challenge opens the door once. The guard is on the user's token item, which the join writes
 * anyway: its `challenge` attribute holds the key of the last solution that let this user into this
 * concert's line (a challenge is bound to one user and one concert), and a join with a solution
 * writes only over a smaller key. Keys sort by the challenge's end, then by a digest of its signature,
 * so a solution that was used, or one older than the last one used, never opens the door again; a
 * client solves the challenge it fetched last. Nothing but a join's write replaces a token item
 * (leaving, paying or a revocation update it; TTL removes it a week on), so the key outlives the
 * challenge, and every write of the item keeps it while it matters:
 * - a join with a solution: over a smaller key only (`below` its own);
 * - a re-signed place: over the key it read and carries, or a smaller one (`atOrBelow`);
 * - a join without one (the concert asks no work now): only over a key whose challenge has ended,
 *   a minute of clock slack included; over one that has not, it carries that key (join-queue.ts).
 */
import type { ChallengeCheck } from './join-challenge';

/** Which replay key a write of a token item may write over (an item without one, always). */
export type ChallengeGuard = { readonly below: string } | { readonly atOrBelow: string };

/** A key keeps its item's writes guarded this long past its challenge's end (clocks of instances differ). */
const CLOCK_SLACK_MS = 60_000;

const seconds = (ms: number) => String(Math.floor(ms / 1000)).padStart(10, '0');

/** The replay key of a checked solution: its end in seconds, then its digest. */
export const challengeKey = (check: Extract<ChallengeCheck, { passed: true }>) => `${seconds(check.expiresAt)}:${check.spentId}`;

/** A join with the solution `key`. */
export const freshGuard = (key: string): ChallengeGuard => ({ below: key });

/** A write that carries the item's key as it read it (undefined: it read none), or a join without a solution. */
export const carriedGuard = (key: string | undefined, now: number): ChallengeGuard =>
  key !== undefined ? { atOrBelow: key } : { below: seconds(now - CLOCK_SLACK_MS) };

/** Whether an item's key stops a write under `guard`. */
export const guardRefuses = (guard: ChallengeGuard, itemKey: string | undefined): boolean =>
  itemKey !== undefined && ('below' in guard ? itemKey >= guard.below : itemKey > guard.atOrBelow);

/** Past this many, the memory starts over: it only saves numbers, the token item decides. */
const MAX_REMEMBERED = 20_000;

/**
 * The solutions this instance is using or has used, until their challenges end. A join claims its
 * solution before it takes a number; one that shows a solution claimed already (the same solution
 * sent twice at once, or again later) takes no number and is answered as a used one. Across instances
 * the token item's guard decides, at the cost of the number a repeat took on an instance that had
 * not seen the solution yet: at most one number per instance for each solution.
 */
export class ClaimedChallenges {
  private readonly claims = new Map<string, number>();

  /** False when this instance is using the solution, or used it. */
  claim(key: string, now: number): boolean {
    const until = this.claims.get(key);
    if (until !== undefined && until > now) return false;
    if (this.claims.size >= MAX_REMEMBERED) this.claims.clear();
    this.claims.set(key, Infinity);
    return true;
  }

  /** The join is over: a solution it used (or found used) stays claimed until its challenge ends; any other is free again. */
  settle(key: string, expiresAt: number, used: boolean): void {
    if (used) this.claims.set(key, expiresAt + CLOCK_SLACK_MS);
    else this.claims.delete(key);
  }
}
