import { UnavailableError } from '../shared/errors';
import { findQueueToken } from './find-queue-token';
import type { GiveBack } from './queue-keys';
import type { QueueDeps } from './queue-deps';
import { batchActiveSeconds, MAX_GIVEN_BACK_PLACES, placeOf } from './queue-rules';
import { describeToken, type QueueStatusView } from './queue-status';

const LEFT: GiveBack = { reason: 'left' };

/** A leave that lost a race (admitted, paid, revoked or left meanwhile) reads again this often, then 503. */
const MAX_ATTEMPTS = 5;

/**
 * The user gives their token back, in one transaction read fresh before it:
 * - ACTIVE: the turn ends; the token is spent and its batch counts one more finished, as a payment
 *   does, so the next admission run gives the place to the next user;
 * - WAIT: the user leaves the line; the token is spent and its place joins the admission record's
 *   given-back set, so polls (which read no token item) read it EXPIRED within their cache window,
 *   and admission passes over it. Only while admission has not reached the place: admitted meanwhile,
 *   the leave reads again and ends the turn instead.
 * The answer is the token, EXPIRED. A token already over (left, paid, revoked or run out) answers the
 * same and changes nothing, so a repeated DELETE is safe; of racing leaves, payments and revocations
 * exactly one spends the token. The user may join again, at the back: a join replaces a spent token.
 */
export async function leaveQueue(deps: QueueDeps, input: { userId: string; concertId: string; token: string }): Promise<QueueStatusView> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { record, admission, state, now } = await findQueueToken(deps, input);
    if (state.status === 'ACTIVE') {
      // The batch's own turn length (a later change of the concert's activeSeconds does not move it).
      const admittedAfter = now - batchActiveSeconds(state.batch, deps.settings.activeSeconds) * 1000;
      if (!(await deps.queue.giveBackTurn(record, state.batch, admittedAfter, LEFT, now))) continue;
    } else if (state.status === 'WAIT') {
      const listed = (admission.givenBack?.size ?? 0) < MAX_GIVEN_BACK_PLACES;
      if (!(await deps.queue.giveBackPlace({ ...record, ...placeOf(state) }, LEFT, listed, now))) continue;
    }
    // A join on this instance must not answer the remembered token again.
    deps.recentTokens?.forget(record.concertId, record.userId);
    return describeToken({ token: input.token, concertId: record.concertId }, { status: 'EXPIRED' }, deps.now(), deps.settings);
  }
  throw new UnavailableError(1);
}
