/** The concerts an operator can run: those the public list shows (a date today or later), each with its console. */
import { h, link, notice, replace } from '../../dom';
import type { ConsoleContext } from '../console-context';

export async function concertsView(ctx: ConsoleContext): Promise<void> {
  document.title = 'Concerts · Operator console';
  const { body } = await ctx.scope.live(ctx.api.listConcerts());
  const list =
    body.concerts.length === 0
      ? notice('info', 'No concert has a date today or later. Create one to start selling.')
      : h(
          'ul',
          { class: 'cards' },
          body.concerts.map((concert) =>
            h(
              'li',
              { class: 'card concert' },
              h('h2', null, concert.title),
              h('p', { class: 'venue' }, concert.venue),
              link(`#/concerts/${encodeURIComponent(concert.concertId)}`, 'Open its console', {
                class: 'button primary',
                'aria-label': `Open the console of ${concert.title}`,
              }),
            ),
          ),
        );
  replace(
    ctx.main,
    h('div', { class: 'title-row' }, h('h1', null, 'Concerts'), link('#/new', 'New concert', { class: 'button' })),
    h('p', { class: 'lead' }, 'Concerts with a date today or later.'),
    list,
  );
}
