import type { QueueDeps } from './queue-deps';
import { describeToken, stateOf, type QueueStatusView } from './queue-status';
import { heldRecord, verifiedClaims } from './find-queue-token';

/**
 * The polling call. A waiting token's answer follows from its signed number and the admission
 * record, which this instance reads at most once per POLL_ADMISSION_CACHE_MS: no DynamoDB call
 * in steady state. The concert's settings (paused, its rate) come with that record. Once admission
 * has reached the token, whether it was spent or replaced matters, so only then is its item read.
 * The ACTIVE check of the routes reads both fresh.
 */
export async function pollQueue(deps: QueueDeps, input: { userId: string; concertId: string; token: string }): Promise<QueueStatusView> {
  const claims = await verifiedClaims(deps, input);
  const admission = await deps.queue.findAdmission(claims.concertId, { recentAdmission: true });
  const view = { token: input.token, concertId: claims.concertId };
  const waiting = stateOf(claims.seq, undefined, admission, deps.now(), deps.settings, claims.shard, claims.preQueue);
  if (waiting.status === 'WAIT') return describeToken(view, waiting, deps.now(), deps.settings, admission);

  const record = heldRecord(await deps.queue.findToken(claims.concertId, claims.userId), input.token, claims);
  const now = deps.now();
  return describeToken(
    view,
    stateOf(record.seq, record.finishedAt, admission, now, deps.settings, record.shard, record.preQueue),
    now,
    deps.settings,
    admission,
  );
}
