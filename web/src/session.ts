/**
 * What the page keeps across a reload, in sessionStorage (one tab, gone when it closes): the
 * sign-in, each concert's queue token, pending payment attempts and receipts. Kept per user, so
 * signing in as someone else in the same tab never mixes their places in line.
 */
import type { Attempt, AttemptStore } from './attempts';
import type { Payment, Reservation } from './api-types';

export interface SignedIn {
  /** The token's subject: the user id the API knows. */
  readonly userId: string;
  /** What the page calls the user: the id typed locally, the email deployed. */
  readonly name: string;
  readonly accessToken: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  /** Deployed: Cognito's refresh token, for new access tokens before this one expires (auth.ts). */
  readonly refreshToken?: string;
}

export interface QueueEntry {
  readonly token: string;
  /** The first position heard (null in a pre-queue, until places are drawn): the start of the progress bar. */
  readonly firstPosition: number | null;
  /** Epoch milliseconds before which the page must not poll again (the last `Retry-After`). */
  readonly nextPollAt: number;
  /** The last place in line, wait estimate and state of the sale heard, shown again at once after a reload. */
  readonly position: number | null;
  readonly estimatedWaitSeconds: number | null;
  /** In a pre-queue: the ISO time of the sale's opening. */
  readonly opensAt?: string;
  readonly paused?: boolean;
  /** A pre-queue token's shuffled place, once an authenticated answer after the opening gave it away. */
  readonly place?: number;
  /** ISO time, once ACTIVE. */
  readonly activeUntil?: string;
}

export interface Receipt {
  readonly payment: Payment;
  readonly concertTitle: string;
  readonly seats: readonly Pick<Reservation, 'date' | 'seatNumber' | 'price'>[];
}

function read<T>(key: string): T | undefined {
  try {
    const text = sessionStorage.getItem(key);
    return text === null ? undefined : (JSON.parse(text) as T);
  } catch {
    return undefined;
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value === undefined) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the page still works, it only forgets on reload.
  }
}

/** A sign-in kept under its own key: the page's and the operator console's, so neither signs the other out. */
export function signInStore(key: string) {
  return {
    signedIn(): SignedIn | undefined {
      const auth = read<SignedIn>(key);
      return auth && auth.expiresAt > Date.now() ? auth : undefined;
    },
    signIn(auth: SignedIn): void {
      write(key, auth);
    },
    signOut(): void {
      write(key, undefined);
    },
  };
}

export const session = {
  ...signInStore('auth'),

  queue(userId: string, concertId: string): QueueEntry | undefined {
    return read<QueueEntry>(`queue:${userId}:${concertId}`);
  },
  setQueue(userId: string, concertId: string, entry: QueueEntry | undefined): void {
    write(`queue:${userId}:${concertId}`, entry);
  },

  attempts(userId: string): AttemptStore {
    return {
      read: (name) => read<Attempt>(`attempt:${userId}:${name}`),
      write: (name, attempt) => write(`attempt:${userId}:${name}`, attempt),
    };
  },

  receipt(userId: string, paymentId: string): Receipt | undefined {
    return read<Receipt>(`receipt:${userId}:${paymentId}`);
  },
  setReceipt(userId: string, receipt: Receipt): void {
    write(`receipt:${userId}:${receipt.payment.paymentId}`, receipt);
  },
};
