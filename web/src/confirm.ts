/**
 * A modal question before something that cannot be undone (giving a place in line back, or an
 * operator's change that hurts people in line): what it does, then go ahead or keep things as they
 * are. Escape and "Cancel" keep them.
 */
import { button, h } from './dom';

export interface Question {
  readonly title: string;
  readonly consequences: readonly string[];
  /** The words of the button that goes ahead, e.g. "Leave the line". */
  readonly confirm: string;
  /** The words of the button that keeps things as they are. */
  readonly cancel: string;
}

/**
 * Resolves true when the user goes ahead. The dialog lives in `host` (the view's region), so a view
 * that is replaced takes its question with it, and the answer never arrives. Where it lives outside
 * the view, `signal` (the view's scope) closes it as a cancel when the view goes. The safe choice has
 * the focus, so a stray Enter keeps things as they are.
 */
export function confirmAction(host: HTMLElement, question: Question, options: { signal?: AbortSignal } = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-consequences' });
    const close = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    const keep = button(question.cancel, () => close(false));
    dialog.append(
      h('h2', { id: 'confirm-title' }, question.title),
      h(
        'ul',
        { id: 'confirm-consequences' },
        question.consequences.map((line) => h('li', null, line)),
      ),
      h(
        'div',
        { class: 'actions' },
        button(question.confirm, () => close(true), { class: 'primary danger' }),
        keep,
      ),
    );
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(false);
    });
    options.signal?.addEventListener('abort', () => dialog.isConnected && close(false), { once: true });
    host.append(dialog);
    dialog.showModal();
    keep.focus();
  });
}
