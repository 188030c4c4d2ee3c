interface Waiting<Ask, Answer> {
  readonly ask: Ask;
  readonly resolve: (answer: Answer) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Calls that the requests of one instance share when they come at once. Per group, at most
 * `maxInFlight` calls are in flight; an ask past them waits for one to land and goes with the others
 * waiting then, in one call (as many as `fit` allows, all unless given). Never a call already sent,
 * so what an ask gets was asked for after it asked: only the calls are fewer.
 * A Lambda instance serves one request at a time, so deployed each ask makes its own call; the local
 * server, which serves a whole burst in one process, makes a few per round trip.
 */
export function createSharedCalls<Ask, Answer>(options: {
  readonly maxInFlight: number;
  /** One call for the asks of a batch: an answer for each, in the same order. */
  readonly call: (asks: readonly Ask[]) => Promise<readonly Answer[]>;
  /** How many of the waiting asks, from the first, one call can carry (at least the first). */
  readonly fit?: (asks: readonly Ask[]) => number;
}): (group: string, ask: Ask) => Promise<Answer> {
  const waiting = new Map<string, Waiting<Ask, Answer>[]>();
  const inFlight = new Map<string, number>();

  function send(group: string): void {
    const queue = waiting.get(group);
    const calls = inFlight.get(group) ?? 0;
    if (!queue || calls >= options.maxInFlight) return;
    const taken = Math.max(1, options.fit?.(queue.map((waiter) => waiter.ask)) ?? queue.length);
    const batch = queue.slice(0, taken);
    if (taken < queue.length) waiting.set(group, queue.slice(taken));
    else waiting.delete(group);
    inFlight.set(group, calls + 1);
    options
      .call(batch.map((waiter) => waiter.ask))
      .then(
        (answers) => batch.forEach((waiter, i) => waiter.resolve(answers[i])),
        (error: unknown) => batch.forEach((waiter) => waiter.reject(error)),
      )
      .finally(() => {
        const left = (inFlight.get(group) ?? 1) - 1;
        if (left > 0) inFlight.set(group, left);
        else inFlight.delete(group);
        send(group);
      });
    send(group); // asks that did not fit go at once while calls are free
  }

  return (group, ask) =>
    new Promise<Answer>((resolve, reject) => {
      const queue = waiting.get(group);
      if (queue) queue.push({ ask, resolve, reject });
      else waiting.set(group, [{ ask, resolve, reject }]);
      send(group);
    });
}
