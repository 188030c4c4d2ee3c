import type { Settings } from '../shared/config';
import { estimatedWaitSeconds, retryAfterSeconds, tokenState, type AdmissionState, type QueueStatus, type TokenState } from './queue-rules';
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

/**
 * The status body. The wait estimate and Retry-After follow the concert's own admission rate when
 * its settings were changed (the deployment's otherwise); while the sale has not opened, the wait
 * counts the time until it does.
 */
export function describeToken(
  token: { token: string; concertId: string },
  state: TokenState,
  now: number,
  settings: Settings,
  admission?: AdmissionState,
): QueueStatusView {
  const room = waitingRoomOf(admission?.settings, settings);
  const rates = admissionRates(room, settings);
  const position = state.status === 'WAIT' ? state.position : 0;
  const { saleOpensAt } = room.settings;
  const untilSale = state.status === 'WAIT' && saleOpensAt !== null ? Math.max(0, Math.ceil((saleOpensAt - now) / 1000)) : 0;
  const unplaced = position === null;

  return {
    token: token.token,
    concertId: token.concertId,
    status: state.status,
    position,
    estimatedWaitSeconds: unplaced ? null : estimatedWaitSeconds(position, rates) + untilSale,
    ...(state.status === 'ACTIVE' ? { activeUntil: new Date(state.activeUntil).toISOString() } : {}),
    ...(unplaced && saleOpensAt !== null ? { opensAt: new Date(saleOpensAt).toISOString() } : {}),
    ...(room.settings.admission === 'PAUSED' ? { paused: true as const } : {}),
    retryAfterSeconds: retryAfterSeconds(state, now, rates, untilSale),
  };
}
