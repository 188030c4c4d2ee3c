/** What is on: every concert, with the way into its waiting room (or back to a place already held). */
import { liveTurn, type Context } from '../context';
import { button, h, link, notice, replace } from '../dom';
import { formatCountdown } from '../format';
import { session } from '../session';

export async function concertsView(ctx: Context): Promise<void> {
  document.title = 'Concerts · Concert tickets';
  // What the last view did, e.g. leaving a line, said here where the user lands.
  const handedOver = ctx.notice && notice('success', ctx.notice);
  replace(ctx.main, h('h1', null, 'Concerts'), handedOver, h('p', { class: 'loading' }, 'Loading concerts…'));
  let concerts;
  try {
    concerts = (await ctx.scope.live(ctx.api.listConcerts())).body.concerts;
  } catch (error) {
    replace(
      ctx.main,
      h('h1', null, 'Concerts'),
      handedOver,
      notice('error', ctx.describe(error)),
      button('Try again', () => ctx.reload()),
    );
    return;
  }
  const cards = concerts.map((concert) => {
    const turn = liveTurn(ctx.user, concert.concertId);
    const waiting = !turn && session.queue(ctx.user.userId, concert.concertId);
    const action = turn
      ? link(
          `#/concerts/${encodeURIComponent(concert.concertId)}/dates`,
          `Continue booking (${formatCountdown(Date.parse(turn.activeUntil) - Date.now())} left)`,
          { class: 'button primary' },
        )
      : link(`#/concerts/${encodeURIComponent(concert.concertId)}/queue`, waiting ? 'Back to your place in line' : 'Get tickets', {
          class: 'button primary',
        });
    return h('li', { class: 'card concert' }, h('h2', null, concert.title), h('p', { class: 'venue' }, concert.venue), action);
  });
  replace(
    ctx.main,
    h('h1', null, 'Concerts'),
    handedOver,
    concerts.length === 0
      ? notice('info', 'No concerts are on sale right now. Please look again later.')
      : [
          h('p', { class: 'lead' }, 'Pick a concert to join its waiting room. When it is your turn, you choose a date and seats.'),
          h('ul', { class: 'cards' }, cards),
        ],
  );
}
