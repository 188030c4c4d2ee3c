/** What every console view gets: the admin API, the operator, the main region and the view's lifetime. */
import type { Scope } from '../context';
import type { FailureContext } from '../messages';
import type { SignedIn } from '../session';
import type { ConsoleApi } from './console-api';

export interface ConsoleContext {
  readonly api: ConsoleApi;
  readonly user: SignedIn;
  readonly main: HTMLElement;
  readonly scope: Scope;
  navigate(hash: string): void;
  /** Draws the current view again from scratch. */
  reload(): void;
  /** The sentence for a failure; a lost sign-in also goes back to the sign-in form, a refusal to the refusal. */
  describe(error: unknown, context?: FailureContext): string;
}
