/** Adding money to the wallet: amount checked before sending, one Idempotency-Key per attempt. */
import { ApiFailure } from '../api';
import { attemptFor, chargeFingerprint, settleAttempt } from '../attempts';
import { newKey, type Context } from '../context';
import { button, h, messageArea } from '../dom';
import { formatWon, parseAmount } from '../format';
import { session } from '../session';
import { LIMITS } from '../limits';

const QUICK_AMOUNTS = [50_000, 100_000, 200_000];

export function chargeForm(ctx: Context, options: { suggested?: number; onCharged: (balance: number) => void }): HTMLElement {
  const id = 'charge-amount';
  const messages = messageArea();
  const amount = h('input', {
    id,
    name: 'amount',
    inputmode: 'numeric',
    autocomplete: 'off',
    'aria-describedby': `${id}-hint ${id}-problem`,
    value: options.suggested ? String(options.suggested) : '',
  });
  const problem = h('p', { id: `${id}-problem`, class: 'field-problem', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add money');
  const store = session.attempts(ctx.user.userId);

  const check = () => {
    const checked = parseAmount(amount.value, LIMITS.minCharge, LIMITS.maxCharge);
    problem.textContent = checked.ok ? '' : checked.problem;
    amount.setAttribute('aria-invalid', String(!checked.ok));
    return checked;
  };

  const form = h(
    'form',
    { class: 'form charge', novalidate: true },
    h('label', { for: id }, 'Amount to add (KRW)'),
    amount,
    h('p', { id: `${id}-hint`, class: 'hint' }, `Whole won, ${formatWon(LIMITS.minCharge)} to ${formatWon(LIMITS.maxCharge)} at a time.`),
    problem,
    h(
      'div',
      { class: 'quick-amounts' },
      QUICK_AMOUNTS.map((value) =>
        button(
          `+${value.toLocaleString('en-US')}`,
          () => {
            const current = parseAmount(amount.value, 0, Number.MAX_SAFE_INTEGER);
            amount.value = String((current.ok ? current.amount : 0) + value);
            check();
          },
          { class: 'secondary', 'aria-label': `Add ${formatWon(value)} to the amount` },
        ),
      ),
    ),
    submit,
    messages.element,
  );

  // Re-checked while typing once a problem shows, so it goes away when fixed. Not on blur: that would
  // move the button between the press and the release of a click, and the click would be lost.
  amount.addEventListener('input', () => problem.textContent && check());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    const checked = check();
    if (!checked.ok) {
      amount.focus();
      return;
    }
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    messages.clear();
    const attempt = attemptFor(store, 'charge', chargeFingerprint(checked.amount), newKey);
    try {
      const { body } = await ctx.scope.live(ctx.api.charge(checked.amount, attempt.key));
      settleAttempt(store, 'charge', attempt, false);
      amount.value = '';
      messages.show('success', `Added ${formatWon(checked.amount)}. Your balance is now ${formatWon(body.balance)}.`);
      options.onCharged(body.balance);
    } catch (error) {
      const unknown = error instanceof ApiFailure && error.outcomeUnknown;
      settleAttempt(store, 'charge', attempt, unknown);
      const sentence = ctx.describe(error);
      messages.show('error', unknown ? `${sentence} Adding the same amount again is safe: it is never added twice.` : sentence);
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
  return form;
}
