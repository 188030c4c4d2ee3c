/** A concert's dates with their available seats: the first page of the user's turn. */
import { endsTurn, liveTurn, type Context } from '../context';
import { button, h, link, notice, replace } from '../dom';
import { formatDate } from '../format';

/** The user's running turn for a concert; without one, back to the waiting room. */
export function requireTurn(ctx: Context, concertId: string) {
  const turn = liveTurn(ctx.user, concertId);
  if (!turn) {
    ctx.navigate(`#/concerts/${encodeURIComponent(concertId)}/queue`, { replace: true });
    return undefined;
  }
  ctx.showTurn(concertId, turn.activeUntil);
  return turn;
}

export async function datesView(ctx: Context, { concertId }: { concertId: string }): Promise<void> {
  const turn = requireTurn(ctx, concertId);
  if (!turn) return;
  const concert = await ctx.scope.live(ctx.concert(concertId));
  const title = concert?.title ?? 'Concert';
  document.title = `Dates · ${title}`;
  const heading = [h('h1', null, 'Choose a date'), h('p', { class: 'lead' }, `${title}${concert ? ` · ${concert.venue}` : ''}`)];
  replace(ctx.main, heading, h('p', { class: 'loading' }, 'Loading dates…'));

  let schedules;
  try {
    schedules = (await ctx.scope.live(ctx.api.listSchedules(concertId, turn.token))).body.schedules;
  } catch (error) {
    if (endsTurn(error)) return ctx.turnEnded(concertId);
    replace(
      ctx.main,
      heading,
      notice('error', ctx.describe(error, { thing: 'concert' })),
      button('Try again', () => ctx.reload()),
    );
    return;
  }
  if (schedules.length === 0) {
    replace(ctx.main, heading, notice('info', 'Every date of this concert is sold out.'), link('#/', 'Back to the concerts'));
    return;
  }
  replace(
    ctx.main,
    heading,
    h(
      'ul',
      { class: 'cards dates' },
      schedules.map((schedule) =>
        h(
          'li',
          null,
          link(
            `#/concerts/${encodeURIComponent(concertId)}/dates/${encodeURIComponent(schedule.scheduleId)}`,
            [
              h('span', { class: 'date' }, formatDate(schedule.date)),
              h('span', { class: 'seats-left' }, `${schedule.availableSeats} seat${schedule.availableSeats === 1 ? '' : 's'} available`),
            ],
            { class: 'card date-card' },
          ),
        ),
      ),
    ),
    h('p', null, link(`#/concerts/${encodeURIComponent(concertId)}/checkout`, 'Go to checkout')),
  );
}
