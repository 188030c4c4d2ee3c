import { notFound } from '../shared/errors';
import type { Settings } from '../shared/config';
import type { QueueDeps } from './queue-deps';
import { openingScheduled, type AdmissionState } from './queue-rules';
import { waitTermsOf } from './queue-status';
import type { QueueStateBody } from './waiting-place';

/** The public state is the same for everyone and at most this old where it is computed: caches may keep it a second. */
export const QUEUE_STATE_CACHE_CONTROL = 'public, max-age=1, stale-while-revalidate=2';

/**
 * The line's public state (`GET /concerts/{concertId}/queue/state`): what a waiting page needs to
 * work out its own place from its token (waiting-place.ts). One read of the admission record through
 * this instance's ≤ 1 s cache, the poll's, and nothing per user; the concert lookup is cached too.
 */
export async function getQueueState(deps: QueueDeps, concertId: string): Promise<QueueStateBody> {
  if (!(await deps.concertExists(concertId))) throw notFound('concert');
  const admission = await deps.queue.findAdmission(concertId, { recentAdmission: true });
  return queueStateBody(concertId, admission, deps.settings, deps.now());
}

/** Only what places follow from: never the pre-queue's seed, the places given back or who is banned. */
export function queueStateBody(concertId: string, admission: AdmissionState, settings: Settings, now: number): QueueStateBody {
  const { rate, paused, saleOpensAt } = waitTermsOf(admission, settings);
  const { line, preQueue } = admission;
  return {
    concertId,
    admittedSeq: admission.admittedSeq,
    shards: line ? { admitted: [...line.admitted], epochs: line.epochs.map((epoch) => [...epoch]) } : null,
    paused,
    saleOpensAt: saleOpensAt === null ? null : new Date(saleOpensAt).toISOString(),
    preQueue: preQueue
      ? { opened: true, size: preQueue.size, admitted: preQueue.admitted }
      : openingScheduled(admission)
        ? { opened: false, size: null, admitted: 0 }
        : null,
    rate: {
      admitPerRun: rate.admitPerTick,
      runEverySeconds: rate.admissionIntervalSeconds,
      maxActive: rate.maxActivePerConcert,
      activeSeconds: rate.activeSeconds,
    },
    updatedAt: new Date(now).toISOString(),
  };
}
