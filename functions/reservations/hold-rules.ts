/**
 * The rules of a seat hold, as plain functions of the seat, the user's hold slots and the time.
 * The seat's claim and the hold's commit re-check the same conditions in DynamoDB; these decide
 * what to try and how to answer without a write that would fail anyway.
 */
import { seatStatusAt, type Seat } from '../catalogue/seat';
import type { HoldSlot } from './reservation';

/** Live holds one user may have on one schedule: the slots numbered 1..4. */
export const HOLD_LIMIT_PER_SCHEDULE = 4;
export const HOLD_SLOT_NUMBERS: readonly number[] = Array.from({ length: HOLD_LIMIT_PER_SCHEDULE }, (_, i) => i + 1);

export type HoldDecision =
  | { readonly kind: 'hold'; readonly freeSlots: readonly number[] }
  | { readonly kind: 'seatUnavailable'; readonly reason: 'held' | 'sold' | 'datePassed' }
  | { readonly kind: 'limitReached' };

/** The UTC calendar date of an instant, `YYYY-MM-DD`. */
export const dateOf = (now: number) => new Date(now).toISOString().slice(0, 10);

/** A slot is free when nobody claimed it, or its hold has ended (a paid hold's slot is deleted). */
export function freeHoldSlots(claimed: readonly HoldSlot[], now: number): number[] {
  const live = new Set(claimed.filter((slot) => now < slot.expiresAt).map((slot) => slot.slot));
  return HOLD_SLOT_NUMBERS.filter((slot) => !live.has(slot));
}

/**
 * May this user hold this seat now? Only an AVAILABLE seat (never held, or its hold ended) of a
 * date that has not passed, and only while the user has fewer than 4 live holds on the schedule.
 * A seat held by the caller is unavailable too.
 */
export function decideHold(seat: Pick<Seat, 'status' | 'holdExpiresAt' | 'date'>, claimed: readonly HoldSlot[], now: number): HoldDecision {
  const status = seatStatusAt(seat, now);
  if (status === 'SOLD') return { kind: 'seatUnavailable', reason: 'sold' };
  if (status === 'HELD') return { kind: 'seatUnavailable', reason: 'held' };
  if (seat.date < dateOf(now)) return { kind: 'seatUnavailable', reason: 'datePassed' };
  const freeSlots = freeHoldSlots(claimed, now);
  return freeSlots.length === 0 ? { kind: 'limitReached' } : { kind: 'hold', freeSlots };
}

/** When a hold made now ends. */
export const holdExpiresAt = (now: number, holdSeconds: number) => now + holdSeconds * 1000;

/**
 * A seat's claim keeps others off this long unless the hold commits first: long enough for the
 * commit's few round trips (and its retries when one user holds several seats at once), short
 * enough that a claim whose hold never commits (its function died, say) frees the seat soon.
 */
export const CLAIM_MS = 5_000;

/** When a claim made now lapses by itself. */
export const claimExpiresAt = (now: number) => now + CLAIM_MS;
