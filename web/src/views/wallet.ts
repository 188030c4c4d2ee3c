/** The wallet: the balance and a form to add money. */
import type { Context } from '../context';
import { button, h, notice, replace } from '../dom';
import { formatWon } from '../format';
import { chargeForm } from './charge-form';

export async function walletView(ctx: Context): Promise<void> {
  document.title = 'Wallet · Concert tickets';
  const balance = h('p', { class: 'balance', 'aria-live': 'polite' }, 'Loading your balance…');
  replace(ctx.main, h('h1', null, 'Wallet'), balance);
  try {
    const { body } = await ctx.scope.live(ctx.api.balance());
    balance.textContent = `Balance: ${formatWon(body.balance)}`;
  } catch (error) {
    replace(
      ctx.main,
      h('h1', null, 'Wallet'),
      notice('error', ctx.describe(error)),
      button('Try again', () => ctx.reload()),
    );
    return;
  }
  ctx.main.append(
    h(
      'section',
      { class: 'card' },
      h('h2', null, 'Add money'),
      chargeForm(ctx, { onCharged: (value) => (balance.textContent = `Balance: ${formatWon(value)}`) }),
    ),
  );
}
