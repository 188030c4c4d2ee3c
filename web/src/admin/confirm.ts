/** A modal question before a change that hurts people in line: what it does, then go ahead or cancel. */
import { button, h } from '../dom';
import type { Scope } from '../context';

export function confirmChange(
  scope: Scope,
  question: { title: string; consequences: readonly string[]; confirm: string },
): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' });
    const close = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    dialog.append(
      h('h2', { id: 'confirm-title' }, question.title),
      h(
        'ul',
        null,
        question.consequences.map((line) => h('li', null, line)),
      ),
      h(
        'div',
        { class: 'actions' },
        button(question.confirm, () => close(true), { class: 'primary danger' }),
        button('Cancel', () => close(false)),
      ),
    );
    // Escape cancels, as it does for any dialog.
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(false);
    });
    scope.signal.addEventListener('abort', () => dialog.isConnected && close(false), { once: true });
    document.body.append(dialog);
    dialog.showModal();
  });
}
