/** Payment history, newest first, with the seats each payment bought. */
import type { Context } from '../context';
import { button, h, link, notice, replace } from '../dom';
import { formatDate, formatInstant, formatWon } from '../format';

export async function historyView(ctx: Context): Promise<void> {
  document.title = 'Payments · Concert tickets';
  replace(ctx.main, h('h1', null, 'Your payments'), h('p', { class: 'loading' }, 'Loading your payments…'));
  let payments, reservations;
  try {
    const [p, r] = await ctx.scope.live(Promise.all([ctx.api.listPayments(), ctx.api.listReservations()]));
    payments = p.body.payments;
    reservations = r.body.reservations;
  } catch (error) {
    replace(
      ctx.main,
      h('h1', null, 'Your payments'),
      notice('error', ctx.describe(error)),
      button('Try again', () => ctx.reload()),
    );
    return;
  }
  if (payments.length === 0) {
    replace(
      ctx.main,
      h('h1', null, 'Your payments'),
      notice('info', 'You have not paid for any seats yet.'),
      link('#/', 'See the concerts', { class: 'button primary' }),
    );
    return;
  }
  const titles = new Map<string, string>();
  for (const concertId of new Set(reservations.map((r) => r.concertId))) {
    titles.set(concertId, (await ctx.scope.live(ctx.concert(concertId)))?.title ?? concertId);
  }
  const seatsOf = (ids: readonly string[]) => reservations.filter((r) => ids.includes(r.reservationId));
  replace(
    ctx.main,
    h('h1', null, 'Your payments'),
    h(
      'ul',
      { class: 'cards payments' },
      payments.map((payment) => {
        const seats = seatsOf(payment.reservationIds);
        const first = seats[0];
        return h(
          'li',
          { class: 'card payment' },
          h('h2', null, first ? `${titles.get(first.concertId)} · ${formatDate(first.date)}` : 'Payment'),
          h(
            'p',
            null,
            seats.length > 0
              ? `Seat${seats.length === 1 ? '' : 's'} ${seats.map((s) => s.seatNumber).join(', ')}`
              : `${payment.reservationIds.length} seat(s)`,
          ),
          h('p', null, h('strong', null, formatWon(payment.amount)), ` paid ${formatInstant(payment.paidAt)}`),
          link(`#/receipt/${encodeURIComponent(payment.paymentId)}`, 'Receipt'),
        );
      }),
    ),
  );
}
