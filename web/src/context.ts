/** What every view gets: the API, the signed-in user, the page's main region and its lifetime. */
import { ApiFailure, type Api } from './api';
import type { ConcertSummary } from './api-types';
import type { FailureContext } from './messages';
import type { PageConfig } from './page-config';
import { session, type QueueEntry, type SignedIn } from './session';

/**
 * The lifetime of one view: its timers stop and its pending answers are dropped when the user
 * goes elsewhere, so a late answer never draws over the next view.
 */
export class Scope {
  private alive = true;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly intervals = new Set<ReturnType<typeof setInterval>>();
  private readonly ended = new AbortController();

  get isAlive(): boolean {
    return this.alive;
  }

  /** Aborted when the view ends: work it started (a proof-of-work solve) stops with it. */
  get signal(): AbortSignal {
    return this.ended.signal;
  }

  after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.alive) run();
    }, ms);
    this.timers.add(timer);
  }

  every(ms: number, run: () => void): () => void {
    const interval = setInterval(() => this.alive && run(), ms);
    this.intervals.add(interval);
    return () => {
      clearInterval(interval);
      this.intervals.delete(interval);
    };
  }

  /** Resolves as `promise` does while the view lives; after that, never (so nothing runs late). */
  live<T>(promise: Promise<T>): Promise<T> {
    return promise.then(
      (value) => (this.alive ? value : new Promise<T>(() => undefined)),
      (error: unknown) => (this.alive ? Promise.reject(error) : new Promise<T>(() => undefined)),
    );
  }

  dispose(): void {
    this.alive = false;
    this.ended.abort();
    this.timers.forEach(clearTimeout);
    this.intervals.forEach(clearInterval);
    this.timers.clear();
    this.intervals.clear();
  }
}

export interface Context {
  readonly api: Api;
  readonly config: PageConfig;
  readonly user: SignedIn;
  readonly main: HTMLElement;
  readonly scope: Scope;
  /** A sentence the previous view left for this one (`navigate`'s `notice`), said once. */
  readonly notice?: string;
  /** Goes to another view; `notice` is handed to it, to say what just happened. */
  navigate(hash: string, options?: { replace?: boolean; notice?: string }): void;
  /** Draws the current view again from scratch. */
  reload(): void;
  /** The sentence for a failure; a lost sign-in also takes the user to the sign-in form. */
  describe(error: unknown, context?: FailureContext): string;
  /** Title and venue of a concert, from the public list (fetched once). */
  concert(concertId: string): Promise<ConcertSummary | undefined>;
  /** Shows the booking-time countdown of a concert (ACTIVE views). */
  showTurn(concertId: string, activeUntil: string): void;
  /** Replaces the view with "your turn has ended" and a way back into the waiting room. */
  turnEnded(concertId: string): void;
}

/** The queue token of a concert whose turn is still running, or undefined. */
export function liveTurn(user: SignedIn, concertId: string, now = Date.now()): (QueueEntry & { activeUntil: string }) | undefined {
  const entry = session.queue(user.userId, concertId);
  if (!entry?.activeUntil || Date.parse(entry.activeUntil) <= now) return undefined;
  return entry as QueueEntry & { activeUntil: string };
}

/** Errors that mean the user's turn is over: only the waiting room helps. */
export const endsTurn = (error: unknown) =>
  error instanceof ApiFailure && ['QUEUE_TOKEN_NOT_ACTIVE', 'QUEUE_TOKEN_INVALID', 'QUEUE_TOKEN_REQUIRED'].includes(error.kind);

export const newKey = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
