/** Ending one user's place in a concert's line at once, and barring them from joining it again if asked. */
import { h, messageArea } from '../../dom';
import { confirmChange } from '../confirm';
import type { ConsoleContext } from '../console-context';

export function revocationForm(ctx: ConsoleContext, concertId: string, onDone: () => void): HTMLElement {
  const messages = messageArea();
  const userId = h('input', { id: 'revoke-user', maxlength: 128, spellcheck: 'false', autocomplete: 'off' });
  const ban = h('input', { id: 'revoke-ban', type: 'checkbox' });
  const submit = h('button', { type: 'submit', class: 'primary danger' }, 'Revoke');
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    h('label', { for: 'revoke-user' }, 'User id'),
    userId,
    h('p', { class: 'hint' }, 'Their place in line or their turn ends at once; any seats they hold unpaid free up when their holds end.'),
    h('label', { class: 'check' }, ban, ' Also ban them from joining this concert again'),
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    messages.clear();
    const id = userId.value.trim();
    if (!id) {
      messages.show('error', 'Enter the user id to revoke.');
      userId.focus();
      return;
    }
    const banned = ban.checked;
    const ok = await confirmChange(ctx.scope, {
      title: banned ? `Revoke and ban ${id}?` : `Revoke ${id}'s place?`,
      consequences: [
        `${id}'s place in line, or turn to book, ends now.`,
        ...(banned ? [`${id} can no longer join this concert's line.`] : [`${id} may join again, at the back of the line.`]),
      ],
      confirm: banned ? 'Revoke and ban' : 'Revoke',
    });
    if (!ok) return;
    submit.disabled = true;
    try {
      const { body } = await ctx.scope.live(ctx.api.revoke(concertId, id, banned));
      messages.show(
        'success',
        body.revoked ? `${body.userId}'s place was revoked.` : `${body.userId} had no place in line or turn to revoke.`,
        body.banned ? ` ${body.userId} is banned from joining this concert.` : '',
      );
      userId.value = '';
      ban.checked = false;
      onDone();
    } catch (error) {
      messages.show('error', ctx.describe(error, { thing: 'concert' }));
    } finally {
      submit.disabled = false;
    }
  });
  return h(
    'section',
    { class: 'card revoke', 'aria-labelledby': 'revoke-title' },
    h('h2', { id: 'revoke-title' }, 'Revoke or ban a user'),
    messages.element,
    form,
  );
}
