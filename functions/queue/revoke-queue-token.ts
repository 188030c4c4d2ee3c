import { notFound, UnavailableError } from '../shared/errors';
import type { GiveBack } from './queue-keys';
import type { QueueDeps } from './queue-deps';
import { batchActiveSeconds, isBanned, placeOf, type TokenState } from './queue-rules';
import { stateOf } from './queue-status';

export interface Revocation {
  readonly userId: string;
  /** The user held a live (WAIT or ACTIVE) token for the concert, and this call ended it. */
  readonly revoked: boolean;
  /** The user is banned from joining the concert now (by this call or an earlier one). */
  readonly banned: boolean;
}

const MAX_ATTEMPTS = 5;

/**
 * An admin ends a user's live token for a concert at once, and with `ban` keeps them from joining it
 * again. The token is given back as a leave gives it back (leave-queue.ts), in one transaction with
 * the ban: an ACTIVE turn's place is freed, a waiting place joins the given-back set (always, however
 * full: revocations are few), so ACTIVE routes (which read the token item) refuse it at once and polls
 * read it EXPIRED within their cache window. A hold racing it commits only while the token is unspent
 * (its transaction checks the token item), so it lands before the revocation or not at all.
 * The ban is marked on the user's token item (the spend marks it; with no live token, a write of its
 * own), never on the admission record, and a join's token write never lands over it.
 */
export async function revokeQueueToken(deps: QueueDeps, input: { concertId: string; userId: string; ban: boolean }): Promise<Revocation> {
  const { concertId, userId, ban } = input;
  if (!(await deps.concertExists(concertId))) throw notFound('concert');
  const change: GiveBack = { reason: 'revoked', ban };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const read = await deps.queue.findTokenWithAdmission(concertId, userId);
    const { token, admission } = read;
    const now = deps.now();
    // Banned on the token item, or in the admission record's set where an earlier version put bans.
    const banned = ban || read.banned || isBanned(admission, userId);
    const live = token?.seq !== undefined ? { ...token, seq: token.seq } : undefined;
    const state: TokenState = live
      ? stateOf(live.seq, live.finishedAt, admission, now, deps.settings, live.shard, live.preQueue)
      : { status: 'EXPIRED' };
    if (!live || state.status === 'EXPIRED') {
      // On the item as read (no token, or an ended one); a join that wrote one meanwhile sends this round again.
      if (ban && !read.banned && !(await deps.queue.banUser(concertId, userId, token?.token, now))) continue;
      if (ban) deps.recentBans?.remember(concertId, userId);
      return { userId, revoked: false, banned };
    }
    const revoked =
      state.status === 'ACTIVE'
        ? await deps.queue.giveBackTurn(
            live,
            state.batch,
            now - batchActiveSeconds(state.batch, deps.settings.activeSeconds) * 1000,
            change,
            now,
          )
        : await deps.queue.giveBackPlace({ ...live, ...placeOf(state) }, change, true, now);
    if (revoked) {
      deps.recentTokens?.forget(concertId, userId);
      if (ban) deps.recentBans?.remember(concertId, userId);
      return { userId, revoked: true, banned };
    }
  }
  throw new UnavailableError(1);
}
