/**
 * One Idempotency-Key per attempt. An attempt is one thing the user asked for (pay for these
 * seats; add this amount). Sending it again, after a double click, a lost answer or a reload,
 * reuses the attempt's key, so the service replays the first answer instead of paying twice.
 * Once an answer settles the attempt, the next request is a new attempt with a new key.
 */
export interface Attempt {
  readonly key: string;
  /** What was asked: a request with another fingerprint is another attempt. */
  readonly fingerprint: string;
}

export interface AttemptStore {
  read(name: string): Attempt | undefined;
  write(name: string, attempt: Attempt | undefined): void;
}

/** The attempt to send now: the pending one if it asked the same thing, else a new one (remembered). */
export function attemptFor(store: AttemptStore, name: string, fingerprint: string, newKey: () => string): Attempt {
  const pending = store.read(name);
  if (pending && pending.fingerprint === fingerprint) return pending;
  const attempt = { key: newKey(), fingerprint };
  store.write(name, attempt);
  return attempt;
}

/**
 * After an answer: forget the attempt when the service decided (success or a refusal), keep it
 * when nobody knows whether it happened (no answer, 5xx, 429), so a retry replays rather than repeats.
 */
export function settleAttempt(store: AttemptStore, name: string, attempt: Attempt, outcomeUnknown: boolean): void {
  if (outcomeUnknown) return;
  if (store.read(name)?.key === attempt.key) store.write(name, undefined);
}

export const paymentFingerprint = (reservationIds: readonly string[]) => `pay:${[...reservationIds].sort().join(',')}`;
export const chargeFingerprint = (amount: number) => `charge:${amount}`;
