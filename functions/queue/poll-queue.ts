import type { QueueDeps } from './queue-deps';
import { describeToken, type QueueStatusView } from './queue-status';
import { findQueueToken } from './find-queue-token';

/**
 * The polling call: one DynamoDB read whatever the length of the line. A poll may reuse a recent
 * admission record (POLL_ADMISSION_CACHE_MS), so a rush's polls do not all read that one item;
 * the ACTIVE check of the routes never does.
 */
export async function pollQueue(
  deps: QueueDeps,
  input: { userId: string; concertId: string; token: string },
): Promise<QueueStatusView> {
  const found = await findQueueToken(deps, input, { recentAdmission: true });
  return describeToken(found.record, found.state, found.now, deps.settings);
}
