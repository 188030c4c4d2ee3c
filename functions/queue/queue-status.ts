import type { Settings } from '../shared/config';
import { retryAfterSeconds, tokenState, type AdmissionState, type QueueStatus, type TokenState } from './queue-rules';
import { waitingAnswer, type WaitTerms } from './waiting-place';
import { admissionRates, waitingRoomOf } from './waiting-room-rules';

/** The contract's queue status body, plus when to poll next (the `Retry-After` header). */
export interface QueueStatusView {
  readonly token: string;
  readonly concertId: string;
  readonly status: QueueStatus;
  /** Null (as `estimatedWaitSeconds`) while a scheduled opening is not recorded: nobody has a place yet. */
  readonly position: number | null;
  readonly estimatedWaitSeconds: number | null;
  readonly activeUntil?: string;
  /** When the sale opens (saleOpensAt), while positions are null. */
  readonly opensAt?: string;
  /** Present (true) only while an admin has paused admission; absent otherwise, so other answers are as before. */
  readonly paused?: true;
  readonly retryAfterSeconds: number;
}

/** `shard`: the counter that numbered a sharded line's token (QUEUE_SHARDS > 1); `preQueue`: a pre-queue token's. */
export function stateOf(
  seq: number,
  finishedAt: number | undefined,
  admission: AdmissionState,
  now: number,
  settings: Settings,
  shard?: number,
  preQueue?: boolean,
): TokenState {
  return tokenState(seq, finishedAt !== undefined, admission, now, settings.activeSeconds, shard, preQueue ?? false);
}

/** The terms a waiting answer follows: the concert's own admission rate once its settings were changed (the deployment's otherwise). */
export function waitTermsOf(admission: AdmissionState | undefined, settings: Settings): WaitTerms {
  const room = waitingRoomOf(admission?.settings, settings);
  return { rate: admissionRates(room, settings), paused: room.settings.admission === 'PAUSED', saleOpensAt: room.settings.saleOpensAt };
}

/**
 * The status body. A waiting token's is waiting-place.ts's `waitingAnswer`, the one the page works
 * out for itself from the public state; an admitted one's Retry-After is when its turn ends.
 */
export function describeToken(
  token: { token: string; concertId: string },
  state: TokenState,
  now: number,
  settings: Settings,
  admission?: AdmissionState,
): QueueStatusView {
  const terms = waitTermsOf(admission, settings);
  const base = { token: token.token, concertId: token.concertId, status: state.status };
  if (state.status === 'WAIT') {
    const answer = waitingAnswer(state.position, terms, now);
    return {
      ...base,
      position: answer.position,
      estimatedWaitSeconds: answer.estimatedWaitSeconds,
      ...(answer.opensAt !== undefined ? { opensAt: new Date(answer.opensAt).toISOString() } : {}),
      ...(answer.paused ? { paused: true as const } : {}),
      retryAfterSeconds: answer.retryAfterSeconds,
    };
  }
  return {
    ...base,
    position: 0,
    estimatedWaitSeconds: 0,
    ...(state.status === 'ACTIVE' ? { activeUntil: new Date(state.activeUntil).toISOString() } : {}),
    ...(terms.paused ? { paused: true as const } : {}),
    retryAfterSeconds: retryAfterSeconds(state, now, terms.rate),
  };
}
