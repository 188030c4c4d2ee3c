import type { QueueDeps } from './queue-deps';
import { describeToken, type QueueStatusView } from './queue-status';
import { findQueueToken } from './find-queue-token';

/** The polling call: one DynamoDB read whatever the length of the line. */
export async function pollQueue(
  deps: QueueDeps,
  input: { userId: string; concertId: string; token: string },
): Promise<QueueStatusView> {
  const found = await findQueueToken(deps, input);
  return describeToken(found.record, found.state, found.now, deps.settings);
}
