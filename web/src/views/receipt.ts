/** The receipt of one payment: from this tab's memory, or rebuilt from the payment history. */
import type { Context } from '../context';
import { button, h, link, notice, replace } from '../dom';
import { formatDate, formatInstant, formatWon } from '../format';
import { session, type Receipt } from '../session';

export async function receiptView(ctx: Context, { paymentId }: { paymentId: string }): Promise<void> {
  document.title = 'Receipt · Concert tickets';
  let receipt = session.receipt(ctx.user.userId, paymentId);
  if (!receipt) {
    replace(ctx.main, h('h1', null, 'Receipt'), h('p', { class: 'loading' }, 'Loading your receipt…'));
    try {
      receipt = await ctx.scope.live(rebuild(ctx, paymentId));
    } catch (error) {
      replace(
        ctx.main,
        h('h1', null, 'Receipt'),
        notice('error', ctx.describe(error)),
        button('Try again', () => ctx.reload()),
      );
      return;
    }
    if (!receipt) {
      replace(
        ctx.main,
        h('h1', null, 'Receipt'),
        notice('error', 'We could not find that payment among yours.'),
        link('#/payments', 'Your payments'),
      );
      return;
    }
  }
  const { payment, concertTitle, seats } = receipt;
  replace(
    ctx.main,
    h('h1', null, 'Payment complete'),
    notice('success', `You have ${seats.length === 1 ? 'your ticket' : `${seats.length} tickets`} for ${concertTitle}.`),
    h(
      'section',
      { class: 'card receipt', 'aria-labelledby': 'receipt-title' },
      h('h2', { id: 'receipt-title' }, 'Receipt'),
      h(
        'table',
        null,
        h('caption', { class: 'visually-hidden' }, 'Seats paid for'),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'Date'),
            h('th', { scope: 'col' }, 'Seat'),
            h('th', { scope: 'col', class: 'amount' }, 'Price'),
          ),
        ),
        h(
          'tbody',
          null,
          seats.map((seat) =>
            h(
              'tr',
              null,
              h('td', null, formatDate(seat.date)),
              h('td', null, `Seat ${seat.seatNumber}`),
              h('td', { class: 'amount' }, formatWon(seat.price)),
            ),
          ),
        ),
        h(
          'tfoot',
          null,
          h('tr', null, h('th', { scope: 'row', colspan: 2 }, 'Total paid'), h('td', { class: 'amount total' }, formatWon(payment.amount))),
        ),
      ),
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, 'Concert'),
        h('dd', null, concertTitle),
        h('dt', null, 'Paid at'),
        h('dd', null, formatInstant(payment.paidAt)),
        h('dt', null, 'Balance after'),
        h('dd', null, formatWon(payment.balance)),
        h('dt', null, 'Payment id'),
        h('dd', { class: 'id' }, payment.paymentId),
      ),
    ),
    h(
      'p',
      { class: 'actions' },
      link('#/payments', 'All your payments', { class: 'button' }),
      link('#/', 'Back to the concerts', { class: 'button' }),
    ),
  );
}

async function rebuild(ctx: Context, paymentId: string): Promise<Receipt | undefined> {
  const [payments, reservations] = await Promise.all([ctx.api.listPayments(), ctx.api.listReservations()]);
  const payment = payments.body.payments.find((p) => p.paymentId === paymentId);
  if (!payment) return undefined;
  const seats = reservations.body.reservations.filter((r) => payment.reservationIds.includes(r.reservationId));
  const concert = seats[0] ? await ctx.concert(seats[0].concertId) : undefined;
  return {
    payment,
    concertTitle: concert?.title ?? 'your concert',
    seats: seats.map(({ date, seatNumber, price }) => ({ date, seatNumber, price })),
  };
}
