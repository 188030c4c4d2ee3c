/**
 * Seats sold and revenue by concert date, from the stats' `salesByDate` (counters the sales counter
 * keeps beside the totals: no read of the seat maps), with the whole concert's total under them.
 */
import { h, replace } from '../../dom';
import { formatDate, formatWon } from '../../format';
import type { WaitingRoomStats } from '../console-types';

export function salesByDate(): { element: HTMLElement; show(stats: WaitingRoomStats): void } {
  const body = h('div', null, h('p', { class: 'hint' }, 'Reading the sales…'));
  const element = h(
    'section',
    { class: 'card sales', 'aria-labelledby': 'sales-title' },
    h('h2', { id: 'sales-title' }, 'Sales by date'),
    body,
  );
  const count = (n: number) => n.toLocaleString('en-US');
  const show = (stats: WaitingRoomStats) => {
    if (stats.salesByDate.length === 0) {
      replace(body, h('p', { class: 'hint' }, `No seat sold yet, of ${count(stats.seatsTotal)}.`));
      return;
    }
    replace(
      body,
      h(
        'table',
        { class: 'table' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'Date'),
            h('th', { scope: 'col', class: 'number' }, 'Seats sold'),
            h('th', { scope: 'col', class: 'number' }, 'Revenue'),
          ),
        ),
        h(
          'tbody',
          null,
          stats.salesByDate.map((day) =>
            h(
              'tr',
              { 'data-date': day.date },
              h('th', { scope: 'row' }, formatDate(day.date)),
              h('td', { class: 'number' }, count(day.seatsSold)),
              h('td', { class: 'number' }, formatWon(day.revenue)),
            ),
          ),
        ),
        h(
          'tfoot',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, 'All dates'),
            h('td', { class: 'number' }, `${count(stats.seatsSold)} of ${count(stats.seatsTotal)}`),
            h('td', { class: 'number' }, formatWon(stats.revenue)),
          ),
        ),
      ),
      h('p', { class: 'hint' }, 'Dates with no seat sold yet are not listed.'),
    );
  };
  return { element, show };
}
