/**
 * The user's holds: which are still running, and giving one back (`DELETE /reservations/{id}`) so
 * the seat is on sale again at once instead of when the hold runs out.
 */
import { ApiFailure } from './api';
import type { Reservation } from './api-types';
import type { Context } from './context';

/** The user's holds on a concert that are still running now, soonest to end first. */
export function liveHolds(reservations: readonly Reservation[], concertId: string, now = Date.now()): Reservation[] {
  return reservations
    .filter((r) => r.concertId === concertId && r.status === 'HELD' && Date.parse(r.expiresAt) > now)
    .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
}

/** Released, or no longer live anyway (either way no longer the user's to pay for), or kept because the service could not be told. */
export type ReleaseOutcome =
  | { readonly kind: 'released'; readonly sentence: string }
  | { readonly kind: 'gone'; readonly sentence: string; readonly paid: boolean }
  | { readonly kind: 'kept'; readonly sentence: string };

export async function releaseHold(ctx: Context, hold: Pick<Reservation, 'reservationId' | 'seatNumber'>): Promise<ReleaseOutcome> {
  const seat = `seat ${hold.seatNumber}`;
  try {
    await ctx.scope.live(ctx.api.releaseHold(hold.reservationId));
    return { kind: 'released', sentence: `You released ${seat}: it is on sale again.` };
  } catch (error) {
    const kind = error instanceof ApiFailure ? error.kind : undefined;
    if (kind === 'RESERVATION_EXPIRED') return { kind: 'gone', paid: false, sentence: `Your hold on ${seat} had already run out.` };
    if (kind === 'ALREADY_PAID') return { kind: 'gone', paid: true, sentence: `You have already paid for ${seat}, so it stays yours.` };
    if (kind === 'NOT_FOUND') return { kind: 'gone', paid: false, sentence: `You no longer hold ${seat}.` };
    return { kind: 'kept', sentence: `We could not release ${seat}. ${ctx.describe(error, { thing: 'reservation' })}` };
  }
}
