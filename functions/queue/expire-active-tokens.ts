import type { QueueJobDeps } from './queue-deps';
import { batchSize, expiredBatches } from './queue-rules';

export interface ConcertExpiry {
  readonly concertId: string;
  /** Tokens whose ACTIVE time ran out unpaid, tidied away by this run. */
  readonly expired: number;
}

/**
 * The expiry job: ACTIVE → EXPIRED for tokens past `activeUntil`, by tidying their batches
 * away, which frees their places. Every check already compares `activeUntil` with now, so
 * correctness never waits for this job; it keeps the admission record small.
 */
export async function expireActiveTokens(deps: QueueJobDeps): Promise<{ concerts: ConcertExpiry[] }> {
  const concertIds = await deps.queue.listQueues();
  const concerts = await Promise.all(
    concertIds.map(async (concertId) => {
      const admission = await deps.queue.findAdmission(concertId);
      const removed = await deps.queue.removeBatches(concertId, expiredBatches(admission, deps.now(), deps.settings.activeSeconds));
      return { concertId, expired: removed.reduce((sum, batch) => sum + batchSize(batch) - batch.finished, 0) };
    }),
  );
  return { concerts };
}
