/**
 * The seat map of one date: a grid of seats coloured by status and price tier, refreshed while
 * open. A click holds the seat; the user's holds count down to their `expiresAt`, and each can be
 * released, which shows its seat available at once. Losing a race for a seat (409) or a hold
 * running out is said in words, and the map is read again.
 */
import { ApiFailure } from '../api';
import type { Reservation, Seat } from '../api-types';
import { endsTurn, type Context } from '../context';
import { button, h, link, messageArea, replace } from '../dom';
import { formatCountdown, formatClock, formatDate, formatWon, priceTiers } from '../format';
import { liveHolds, releaseHold } from '../holds';
import { requireTurn } from './dates';

const REFRESH_MS = 5_000;
const COLUMNS = 10;

type SeatState = 'available' | 'held' | 'sold' | 'mine';

export async function seatMapView(ctx: Context, { concertId, scheduleId }: { concertId: string; scheduleId: string }): Promise<void> {
  const turn = requireTurn(ctx, concertId);
  if (!turn) return;
  const { api, scope } = ctx;
  const concert = await scope.live(ctx.concert(concertId));
  document.title = `Seats · ${concert?.title ?? 'Concert'}`;

  let seats: readonly Seat[] = [];
  let holds: Reservation[] = [];
  let date: string | undefined;
  const pending = new Set<number>();
  const releasing = new Set<string>();
  /** Counts the holds and releases made here, so a refresh that was asked before one of them does not draw over it. */
  let changes = 0;
  const buttons = new Map<number, HTMLButtonElement>();
  let focused = 1;

  const messages = messageArea();
  const lead = h('p', { class: 'lead' }, concert ? `${concert.title} · ${concert.venue}` : '');
  const legend = h('ul', { class: 'legend', 'aria-label': 'What the colours mean' });
  const grid = h('div', { class: 'seat-grid', role: 'group', 'aria-label': 'Seats, by number; use the arrow keys to move' });
  const holdsPanel = h('section', { class: 'card holds', 'aria-labelledby': 'holds-title' });
  replace(
    ctx.main,
    h('h1', null, 'Choose your seats'),
    lead,
    messages.element,
    h('section', { class: 'card seat-map' }, h('div', { class: 'stage', 'aria-hidden': 'true' }, 'Stage'), grid, legend),
    holdsPanel,
    h('p', null, link(`#/concerts/${encodeURIComponent(concertId)}/dates`, 'Other dates')),
  );
  grid.append(h('p', { class: 'loading' }, 'Loading seats…'));

  const stateOf = (seat: Seat): SeatState => {
    if (holds.some((r) => r.scheduleId === scheduleId && r.seatNumber === seat.seatNumber)) return 'mine';
    return seat.status === 'AVAILABLE' ? 'available' : seat.status === 'HELD' ? 'held' : 'sold';
  };
  const STATE_WORDS: Record<SeatState, string> = {
    available: 'available',
    held: 'held by someone else',
    sold: 'sold',
    mine: 'held by you',
  };

  function drawSeats(): void {
    const tiers = priceTiers(seats.map((seat) => seat.price));
    if (buttons.size === 0) grid.replaceChildren();
    for (const seat of seats) {
      let seatButton = buttons.get(seat.seatNumber);
      if (!seatButton) {
        seatButton = button(String(seat.seatNumber), () => void hold(seat.seatNumber), { class: 'seat', 'data-seat': seat.seatNumber });
        buttons.set(seat.seatNumber, seatButton);
        grid.append(seatButton);
      }
      const state = stateOf(seat);
      const tier = tiers.indexOf(seat.price);
      seatButton.className = `seat seat-${state} tier-${Math.min(tier, 3) + 1}`;
      seatButton.setAttribute('aria-label', `Seat ${seat.seatNumber}, ${formatWon(seat.price)}, ${STATE_WORDS[state]}`);
      seatButton.setAttribute('aria-disabled', String(state !== 'available'));
      seatButton.setAttribute('aria-busy', String(pending.has(seat.seatNumber)));
      seatButton.tabIndex = seat.seatNumber === focused ? 0 : -1;
    }
    replace(
      legend,
      tiers
        .slice(0, 4)
        .map((price, i) =>
          h('li', null, h('span', { class: `swatch seat-available tier-${i + 1}`, 'aria-hidden': 'true' }), formatWon(price)),
        ),
      h('li', null, h('span', { class: 'swatch seat-mine', 'aria-hidden': 'true' }), 'Yours'),
      h('li', null, h('span', { class: 'swatch seat-held', 'aria-hidden': 'true' }), 'Held'),
      h('li', null, h('span', { class: 'swatch seat-sold', 'aria-hidden': 'true' }), 'Sold'),
    );
  }

  function drawHolds(): void {
    const now = Date.now();
    const total = holds.reduce((sum, r) => sum + r.price, 0);
    replace(
      holdsPanel,
      h('h2', { id: 'holds-title' }, 'Your seats'),
      holds.length === 0
        ? h('p', { class: 'hint' }, 'Pick a free seat to hold it while you pay. You can hold up to 4 seats a date.')
        : [
            h(
              'ul',
              { class: 'hold-list' },
              holds.map((r) =>
                h(
                  'li',
                  null,
                  h('span', null, `Seat ${r.seatNumber} · ${formatDate(r.date)} · ${formatWon(r.price)}`),
                  h(
                    'span',
                    { class: 'hold-end' },
                    h(
                      'span',
                      { class: 'countdown', 'data-hold': r.reservationId },
                      `${formatCountdown(Date.parse(r.expiresAt) - now)} left`,
                    ),
                    button('Release', () => void release(r), {
                      class: 'secondary',
                      'aria-label': `Release seat ${r.seatNumber}`,
                      'aria-busy': String(releasing.has(r.reservationId)),
                    }),
                  ),
                ),
              ),
            ),
            link(
              `#/concerts/${encodeURIComponent(concertId)}/checkout`,
              `Go to checkout: ${holds.length} seat${holds.length === 1 ? '' : 's'}, ${formatWon(total)}`,
              { class: 'button primary' },
            ),
          ],
    );
  }

  function tickHolds(): void {
    const now = Date.now();
    const ended = holds.filter((r) => Date.parse(r.expiresAt) <= now);
    if (ended.length > 0) {
      holds = holds.filter((r) => !ended.includes(r));
      const numbers = ended.map((r) => r.seatNumber).join(', ');
      messages.show(
        'warning',
        `Your hold on seat ${numbers} ran out, so ${ended.length === 1 ? 'it is' : 'they are'} free for others again.`,
      );
      drawHolds();
      void refresh();
      return;
    }
    for (const r of holds) {
      const countdown = holdsPanel.querySelector(`[data-hold="${r.reservationId}"]`);
      if (countdown) countdown.textContent = `${formatCountdown(Date.parse(r.expiresAt) - now)} left`;
    }
  }

  let refreshing: Promise<void> | undefined;
  function refresh(): Promise<void> {
    refreshing ??= (async () => {
      const asked = changes;
      try {
        const [map, mine] = await scope.live(Promise.all([api.seatMap(concertId, scheduleId, turn!.token), api.listReservations()]));
        if (asked !== changes) return; // older than what the page did meanwhile: the next refresh brings it
        seats = map.body.seats;
        holds = liveHolds(mine.body.reservations, concertId);
        drawSeats();
        drawHolds();
      } catch (error) {
        if (endsTurn(error)) return ctx.turnEnded(concertId);
        const sentence = ctx.describe(error, { thing: 'date' });
        if (seats.length === 0) {
          replace(
            grid,
            h('p', null, sentence),
            button('Try again', () => ctx.reload()),
          );
        } else {
          messages.show('warning', `The seat map could not be brought up to date. ${sentence}`);
        }
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  }

  async function hold(seatNumber: number): Promise<void> {
    const seat = seats.find((s) => s.seatNumber === seatNumber);
    if (!seat || pending.has(seatNumber)) return;
    focused = seatNumber;
    const state = stateOf(seat);
    if (state !== 'available') {
      messages.show(
        'info',
        state === 'mine' ? `Seat ${seatNumber} is already yours.` : `Seat ${seatNumber} is ${STATE_WORDS[state]}. Please pick a free seat.`,
      );
      return;
    }
    pending.add(seatNumber);
    drawSeats();
    try {
      const { body } = await scope.live(api.holdSeat({ concertId, scheduleId, seatNumber }, turn!.token));
      changes++;
      holds = [...holds, body].sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
      seats = seats.map((s) => (s.seatNumber === seatNumber ? { ...s, status: 'HELD' } : s));
      messages.show('success', `Seat ${seatNumber} is yours until ${formatClock(body.expiresAt)}. Pay before the time runs out.`);
    } catch (error) {
      if (endsTurn(error)) return ctx.turnEnded(concertId);
      messages.show('error', ctx.describe(error, { seatNumber, thing: 'seat' }));
      if (error instanceof ApiFailure && error.kind === 'SEAT_UNAVAILABLE') {
        seats = seats.map((s) => (s.seatNumber === seatNumber ? { ...s, status: 'HELD' } : s));
      }
      void refresh();
    } finally {
      pending.delete(seatNumber);
      drawSeats();
      drawHolds();
    }
  }

  async function release(hold: Reservation): Promise<void> {
    if (releasing.has(hold.reservationId)) return;
    releasing.add(hold.reservationId);
    drawHolds();
    const outcome = await releaseHold(ctx, hold);
    releasing.delete(hold.reservationId);
    if (outcome.kind === 'kept') {
      messages.show('error', outcome.sentence);
      drawHolds();
      return;
    }
    changes++;
    holds = holds.filter((r) => r.reservationId !== hold.reservationId);
    if (!(outcome.kind === 'gone' && outcome.paid) && hold.scheduleId === scheduleId) {
      seats = seats.map((s) => (s.seatNumber === hold.seatNumber ? { ...s, status: 'AVAILABLE' } : s));
    }
    if (outcome.kind === 'released') messages.show('success', outcome.sentence);
    else messages.show('info', outcome.sentence, ...(outcome.paid ? [' ', link('#/payments', 'See your payments')] : []));
    drawSeats();
    drawHolds();
    if (outcome.kind === 'gone') void refresh();
  }

  grid.addEventListener('keydown', (event) => {
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS };
    let target: number | undefined;
    if (event.key in moves) target = focused + moves[event.key]!;
    else if (event.key === 'Home') target = 1;
    else if (event.key === 'End') target = seats.length;
    if (target === undefined || !buttons.has(target)) return;
    event.preventDefault();
    buttons.get(focused)?.setAttribute('tabindex', '-1');
    focused = target;
    const next = buttons.get(target)!;
    next.tabIndex = 0;
    next.focus();
  });
  grid.addEventListener('focusin', (event) => {
    const seat = Number((event.target as HTMLElement).dataset.seat);
    if (seat) focused = seat;
  });

  // The date of this schedule, for the heading; a sold-out date is not listed and keeps none.
  void scope.live(api.listSchedules(concertId, turn.token)).then(
    ({ body }) => {
      date = body.schedules.find((s) => s.scheduleId === scheduleId)?.date;
      if (date && concert) lead.textContent = `${concert.title} · ${concert.venue} · ${formatDate(date)}`;
    },
    () => undefined,
  );
  await refresh();
  scope.every(REFRESH_MS, () => {
    if (!document.hidden) void refresh();
  });
  scope.every(1_000, tickHolds);
}
