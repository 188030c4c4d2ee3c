/** The console's question before a change that hurts people in line: the page's dialog, over the whole console. */
import { confirmAction, type Question } from '../confirm';
import type { Scope } from '../context';

export const confirmChange = (scope: Scope, question: Omit<Question, 'cancel'>): Promise<boolean> =>
  confirmAction(document.body, { ...question, cancel: 'Cancel' }, { signal: scope.signal });
