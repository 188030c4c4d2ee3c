import { AppError } from '../shared/errors';
import type { QueueDeps } from './queue-deps';
import type { AdmissionBatch } from './queue-rules';
import { findQueueToken, verifiedClaims } from './find-queue-token';
import { stateOf } from './queue-status';
import { waitingRoomOf } from './waiting-room-rules';

/** An ACTIVE queue token, as checked at request time. */
export interface ActiveQueueToken {
  readonly token: string;
  readonly concertId: string;
  readonly userId: string;
  readonly seq: number;
  /** Epoch milliseconds. */
  readonly activeUntil: number;
  /** The admission batch it belongs to: a payment marks one of its places finished. */
  readonly batch: AdmissionBatch;
  /**
   * How long a hold made now lasts, when the concert's settings say (absent: never changed, the
   * deployment's HOLD_SECONDS). Read with the token from the fresh admission record.
   */
  readonly holdSeconds?: number;
}

/**
 * The ACTIVE check of every ACTIVE route: this user's token, for this concert (when the
 * request names one), admitted, not spent, and before its `activeUntil` now.
 */
export async function requireActiveToken(
  deps: QueueDeps,
  input: { userId: string; token: string; concertId?: string },
): Promise<ActiveQueueToken> {
  const { record, state, admission } = await findQueueToken(deps, input);
  if (state.status !== 'ACTIVE') {
    throw new AppError(
      'QUEUE_TOKEN_NOT_ACTIVE',
      state.status === 'WAIT' ? 'this queue token is still waiting to be admitted' : 'this queue token has expired; join the queue again',
    );
  }
  return {
    token: record.token,
    concertId: record.concertId,
    userId: record.userId,
    seq: record.seq,
    activeUntil: state.activeUntil,
    batch: state.batch,
    ...(admission.settings ? { holdSeconds: waitingRoomOf(admission.settings, deps.settings).settings.holdSeconds } : {}),
  };
}

/**
 * Whether the token already looks ACTIVE from what this instance knows, without a call: signed,
 * this user's (and for this concert), and admitted and live by an admission record read within
 * POLL_ADMISSION_CACHE_MS. Never a substitute for requireActiveToken (the token may have been
 * spent or replaced since): a hold uses it to send its claim alongside that check, so that a
 * caller never admitted cannot claim a seat even for the moment the check takes.
 */
export async function seemsActive(deps: QueueDeps, input: { userId: string; token: string; concertId?: string }): Promise<boolean> {
  const claims = await verifiedClaims(deps, input).catch(() => undefined);
  const admission = claims && deps.queue.readAdmissionWithin(claims.concertId);
  if (!claims || !admission) return false;
  return stateOf(claims.seq, undefined, admission, deps.now(), deps.settings, claims.shard, claims.preQueue).status === 'ACTIVE';
}
