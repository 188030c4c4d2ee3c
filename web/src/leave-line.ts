/**
 * Leaving the line, or ending a turn early (`DELETE /concerts/{concertId}/queue`, after a
 * confirmation), so the next person gets the place at once instead of when it runs out.
 */
import type { Api } from './api';
import { confirmAction } from './confirm';
import { endsTurn, type Context } from './context';
import { liveHolds } from './holds';
import { session } from './session';

/**
 * Asks first, then gives the user's place back: a waiting user leaves the line; a user whose turn
 * is running ends it, and their unpaid holds on the concert go back on sale (they could not be paid
 * for without the turn). Then the concert list, with what happened said there, and the token
 * forgotten. `problem`: the service could not be told, and the place is kept.
 */
export async function leaveLine(
  ctx: Context,
  { concertId, token, title, turn }: { concertId: string; token: string; title: string; turn: boolean },
): Promise<{ left: boolean; problem?: string }> {
  const question = turn
    ? {
        title: 'End your turn?',
        consequences: [
          'Your turn to book ends now, and the next person in line gets your place.',
          'Seats you hold and have not paid for go back on sale at once.',
          'You can join the waiting room again later, at the back of the line.',
        ],
        confirm: 'Yes, end my turn',
        cancel: 'Keep booking',
      }
    : {
        title: 'Leave the line?',
        consequences: [
          'You give up your place in line for good: the people behind you move up.',
          'You can join the waiting room again later, at the back of the line.',
        ],
        confirm: 'Yes, leave the line',
        cancel: 'Stay in line',
      };
  if (!(await ctx.scope.live(confirmAction(ctx.main, question)))) return { left: false };

  try {
    await ctx.scope.live(ctx.api.leaveQueue(concertId, token));
  } catch (error) {
    // A token the service no longer honours is a place already given up: there is nothing left to give.
    if (!endsTurn(error))
      return { left: false, problem: `We could not give your place back. ${ctx.describe(error, { thing: 'concert' })}` };
  }
  session.setQueue(ctx.user.userId, concertId, undefined);
  // From here on the place is given back, so the page moves on even if the view ends meanwhile (its turn seen ended).
  const released = turn ? await releaseHoldsOf(ctx.api, concertId) : 0;
  const seats =
    released === 0 ? '' : ` The ${released === 1 ? 'seat' : `${released} seats`} you held ${released === 1 ? 'is' : 'are'} on sale again.`;
  ctx.navigate('#/', {
    notice: turn ? `You ended your turn for ${title}.${seats}` : `You left the line for ${title}. You can join again at any time.`,
  });
  return { left: true };
}

/** Every live hold of the user on the concert, released together; how many were. Best effort: a hold not released runs out by itself. */
async function releaseHoldsOf(api: Api, concertId: string): Promise<number> {
  try {
    const { body } = await api.listReservations();
    const outcomes = await Promise.allSettled(liveHolds(body.reservations, concertId).map((hold) => api.releaseHold(hold.reservationId)));
    return outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
  } catch {
    return 0;
  }
}
