import type { QueueTokenRecord } from './queue-rules';

/** Past this many, the memory starts over: it only saves work, so forgetting is always safe. */
const MAX_REMEMBERED = 20_000;

/**
 * The tokens this instance handed out lately, by concert and user. A join of a user whose
 * remembered token still shows WAIT answers it again without taking a number: a waiting token ends
 * by admission, or by being given back (left or revoked), which the admission record's given-back set
 * shows (and this instance forgets a token given back through it at once); it is never replaced while
 * live, so the one remembered still stands.
 * It keeps a user who joins again and again from burning numbers that would each count in line
 * and, once admitted, hold an ACTIVE place until their turn ran out.
 */
export class RecentTokens {
  private readonly tokens = new Map<string, QueueTokenRecord & { readonly seq: number }>();

  remember(token: QueueTokenRecord & { readonly seq: number }): void {
    if (this.tokens.size >= MAX_REMEMBERED) this.tokens.clear();
    this.tokens.set(keyOf(token.concertId, token.userId), token);
  }

  forget(concertId: string, userId: string): void {
    this.tokens.delete(keyOf(concertId, userId));
  }

  recall(concertId: string, userId: string): (QueueTokenRecord & { readonly seq: number }) | undefined {
    return this.tokens.get(keyOf(concertId, userId));
  }
}

const keyOf = (concertId: string, userId: string) => `${concertId}\n${userId}`;
