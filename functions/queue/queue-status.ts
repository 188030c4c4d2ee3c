import type { Settings } from '../shared/config';
import { estimatedWaitSeconds, retryAfterSeconds, tokenState, type AdmissionState, type QueueStatus, type TokenState } from './queue-rules';

/** The contract's queue status body, plus when to poll next (the `Retry-After` header). */
export interface QueueStatusView {
  readonly token: string;
  readonly concertId: string;
  readonly status: QueueStatus;
  readonly position: number;
  readonly estimatedWaitSeconds: number;
  readonly activeUntil?: string;
  readonly retryAfterSeconds: number;
}

/** `shard`: the counter that numbered a sharded line's token (QUEUE_SHARDS > 1). */
export function stateOf(
  seq: number,
  finishedAt: number | undefined,
  admission: AdmissionState,
  now: number,
  settings: Settings,
  shard?: number,
): TokenState {
  return tokenState(seq, finishedAt !== undefined, admission, now, settings.activeSeconds, shard);
}

export function describeToken(
  token: { token: string; concertId: string },
  state: TokenState,
  now: number,
  settings: Settings,
): QueueStatusView {
  const position = state.status === 'WAIT' ? state.position : 0;
  return {
    token: token.token,
    concertId: token.concertId,
    status: state.status,
    position,
    estimatedWaitSeconds: estimatedWaitSeconds(position, settings),
    ...(state.status === 'ACTIVE' ? { activeUntil: new Date(state.activeUntil).toISOString() } : {}),
    retryAfterSeconds: retryAfterSeconds(state, now, settings),
  };
}
