/**
 * Checkout: the user's running holds on this concert, each with a way to release it, the total and
 * the balance, and one Pay button. Each attempt to pay carries an Idempotency-Key kept in session storage, so a double
 * click, a retry after no answer, or a reload mid-payment pays once.
 */
import { ApiFailure } from '../api';
import type { Reservation } from '../api-types';
import { attemptFor, paymentFingerprint, settleAttempt } from '../attempts';
import { endsTurn, newKey, type Context } from '../context';
import { button, h, link, messageArea, notice, replace } from '../dom';
import { formatCountdown, formatDate, formatWon } from '../format';
import { liveHolds, releaseHold } from '../holds';
import { session } from '../session';
import { LIMITS } from '../limits';
import { chargeForm } from './charge-form';
import { requireTurn } from './dates';

export async function checkoutView(ctx: Context, { concertId }: { concertId: string }): Promise<void> {
  const turn = requireTurn(ctx, concertId);
  if (!turn) return;
  const { api, scope, user } = ctx;
  const concert = await scope.live(ctx.concert(concertId));
  document.title = `Checkout · ${concert?.title ?? 'Concert'}`;
  const seatsHref = `#/concerts/${encodeURIComponent(concertId)}/dates`;
  replace(ctx.main, h('h1', null, 'Checkout'), h('p', { class: 'loading' }, 'Loading your seats…'));

  let holds: Reservation[];
  let balance: number;
  try {
    const [reservations, wallet] = await scope.live(Promise.all([api.listReservations(), api.balance()]));
    holds = liveHolds(reservations.body.reservations, concertId);
    balance = wallet.body.balance;
  } catch (error) {
    replace(
      ctx.main,
      h('h1', null, 'Checkout'),
      notice('error', ctx.describe(error)),
      button('Try again', () => ctx.reload()),
    );
    return;
  }
  if (holds.length === 0) {
    replace(
      ctx.main,
      h('h1', null, 'Checkout'),
      notice('info', 'You hold no seats for this concert right now.'),
      link(seatsHref, 'Choose seats', { class: 'button primary' }),
    );
    return;
  }

  const selected = new Set(holds.slice(0, LIMITS.reservationsPerPayment).map((r) => r.reservationId));
  const messages = messageArea();
  const rows = h('ul', { class: 'hold-list checkout-list' });
  const summary = h('div', { class: 'summary', 'aria-live': 'polite' });
  const topUp = h('div', { class: 'top-up' });
  const pay = h('button', { type: 'button', class: 'primary pay' }, 'Pay');
  const store = session.attempts(user.userId);
  let paying = false;
  const releasing = new Set<string>();

  const total = () => holds.filter((r) => selected.has(r.reservationId)).reduce((sum, r) => sum + r.price, 0);

  function draw(): void {
    const now = Date.now();
    replace(
      rows,
      holds.length === 0 && h('li', { class: 'hint' }, 'You hold no seats for this concert now.'),
      holds.map((r) => {
        const box = h('input', { type: 'checkbox', id: `pay-${r.reservationId}`, checked: selected.has(r.reservationId) });
        box.addEventListener('change', () => {
          if (box.checked) selected.add(r.reservationId);
          else selected.delete(r.reservationId);
          draw();
        });
        return h(
          'li',
          null,
          h('label', { for: `pay-${r.reservationId}` }, box, ` Seat ${r.seatNumber} · ${formatDate(r.date)} · ${formatWon(r.price)}`),
          h(
            'span',
            { class: 'hold-end' },
            h('span', { class: 'countdown', 'data-hold': r.reservationId }, `${formatCountdown(Date.parse(r.expiresAt) - now)} left`),
            button('Release', () => void release(r), {
              class: 'secondary',
              'aria-label': `Release seat ${r.seatNumber}`,
              'aria-busy': String(releasing.has(r.reservationId)),
              disabled: paying,
            }),
          ),
        );
      }),
    );
    const sum = total();
    const short = sum - balance;
    replace(
      summary,
      h('p', null, 'Total: ', h('strong', { class: 'total' }, formatWon(sum))),
      h('p', null, `Your balance: ${formatWon(balance)}`),
      selected.size > LIMITS.reservationsPerPayment &&
        notice('warning', `You can pay for at most ${LIMITS.reservationsPerPayment} seats at once: untick some and pay for them next.`),
    );
    pay.textContent = `Pay ${formatWon(sum)}`;
    // While a release is out, its seat may or may not still be the user's to pay for.
    pay.disabled = paying || releasing.size > 0 || selected.size === 0 || selected.size > LIMITS.reservationsPerPayment;
    if (short > 0 && selected.size > 0) {
      if (!topUp.firstChild) {
        replace(
          topUp,
          notice('info', `Your balance is ${formatWon(short)} short. Add money to pay.`),
          chargeForm(ctx, {
            suggested: short,
            onCharged: (value) => {
              balance = value;
              messages.show('success', `Money added: your balance is now ${formatWon(value)}.`);
              draw();
            },
          }),
        );
      }
    } else {
      topUp.replaceChildren();
    }
  }

  function tick(): void {
    const now = Date.now();
    const ended = holds.filter((r) => Date.parse(r.expiresAt) <= now);
    if (ended.length > 0) {
      holds = holds.filter((r) => !ended.includes(r));
      ended.forEach((r) => selected.delete(r.reservationId));
      messages.show(
        'warning',
        `Your hold on seat ${ended.map((r) => r.seatNumber).join(', ')} ran out before payment, so it was not charged.`,
      );
      if (holds.length === 0) pay.disabled = true;
      draw();
      return;
    }
    for (const r of holds) {
      const countdown = rows.querySelector(`[data-hold="${r.reservationId}"]`);
      if (countdown) countdown.textContent = `${formatCountdown(Date.parse(r.expiresAt) - now)} left`;
    }
  }

  async function release(hold: Reservation): Promise<void> {
    if (paying || releasing.has(hold.reservationId)) return;
    releasing.add(hold.reservationId);
    draw();
    const outcome = await releaseHold(ctx, hold);
    releasing.delete(hold.reservationId);
    if (outcome.kind === 'kept') {
      messages.show('error', outcome.sentence);
    } else {
      holds = holds.filter((r) => r.reservationId !== hold.reservationId);
      selected.delete(hold.reservationId);
      if (outcome.kind === 'released') messages.show('success', outcome.sentence);
      else messages.show('info', outcome.sentence, ...(outcome.paid ? [' ', link('#/payments', 'See your payments')] : []));
    }
    draw();
  }

  pay.addEventListener('click', async () => {
    if (paying || releasing.size > 0) return; // the button is disabled too; this also stops a click queued before that
    const reservationIds = holds.filter((r) => selected.has(r.reservationId)).map((r) => r.reservationId);
    if (reservationIds.length === 0 || reservationIds.length > LIMITS.reservationsPerPayment) return;
    paying = true;
    pay.disabled = true;
    pay.setAttribute('aria-busy', 'true');
    rows.querySelectorAll('button').forEach((release) => (release.disabled = true)); // a seat being paid for stays held
    messages.show('info', 'Paying…');
    const attempt = attemptFor(store, 'payment', paymentFingerprint(reservationIds), newKey);
    try {
      const { body } = await scope.live(api.pay(reservationIds, turn.token, attempt.key));
      settleAttempt(store, 'payment', attempt, false);
      const paid = holds.filter((r) => reservationIds.includes(r.reservationId));
      session.setReceipt(user.userId, {
        payment: body,
        concertTitle: concert?.title ?? concertId,
        seats: paid.map(({ date, seatNumber, price }) => ({ date, seatNumber, price })),
      });
      session.setQueue(user.userId, concertId, undefined); // paying spends the turn
      ctx.navigate(`#/receipt/${encodeURIComponent(body.paymentId)}`);
    } catch (error) {
      const unknown = error instanceof ApiFailure && error.outcomeUnknown;
      settleAttempt(store, 'payment', attempt, unknown);
      if (endsTurn(error)) return ctx.turnEnded(concertId);
      const sentence = ctx.describe(error, { thing: 'reservation' });
      if (unknown) {
        messages.show('error', `We could not confirm the payment. ${sentence} Pressing Pay again is safe: you will never pay twice.`);
      } else if (error instanceof ApiFailure && error.kind === 'ALREADY_PAID') {
        messages.show('error', sentence, ' ', link('#/payments', 'See your payments'));
      } else if (error instanceof ApiFailure && error.kind === 'RESERVATION_EXPIRED') {
        messages.show('error', sentence, ' ', link(seatsHref, 'Choose seats again'));
      } else {
        messages.show('error', sentence);
      }
      if (error instanceof ApiFailure && error.kind === 'INSUFFICIENT_BALANCE') {
        const { body } = await scope.live(api.balance()).catch(() => ({ body: { balance } }));
        balance = body.balance;
      }
    } finally {
      paying = false;
      pay.removeAttribute('aria-busy');
      draw();
    }
  });

  replace(
    ctx.main,
    h('h1', null, 'Checkout'),
    h('p', { class: 'lead' }, concert ? `${concert.title} · ${concert.venue}` : ''),
    messages.element,
    h('section', { class: 'card' }, h('h2', null, 'Seats to pay for'), rows, summary, pay),
    topUp,
    h('p', null, link(seatsHref, 'Choose more seats')),
  );
  draw();
  scope.every(1_000, tick);
}
