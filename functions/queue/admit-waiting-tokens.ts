import type { QueueDeps } from './queue-deps';
import type { AdmissionBatch, AdmissionState } from './queue-rules';
import { batchSize, expiredBatches, planAdmission, planShardedAdmission } from './queue-rules';
import { admissionLimits, waitingRoomOf, type AdmissionLimits, type RateWindow } from './waiting-room-rules';

export interface ConcertAdmission {
  readonly concertId: string;
  readonly admitted: number;
  readonly waiting: number;
  readonly activeBefore: number;
}

/**
 * The admission job: for each waiting room, admit the next tokens in line, first in first out,
 * within the concert's limits (ADMIT_PER_TICK and MAX_ACTIVE_PER_CONCERT, or its own settings; none
 * while paused or before the sale opens). One read and one conditional write per concert, whatever
 * the length of its line; the settings come with that read; an overlapping run admits nothing twice.
 */
export async function admitWaitingTokens(deps: QueueDeps): Promise<{ concerts: ConcertAdmission[] }> {
  const concertIds = await deps.queue.listQueues();
  const concerts = await Promise.all(concertIds.map((concertId) => admitConcert(deps, concertId)));
  return { concerts };
}

async function admitConcert(deps: QueueDeps, concertId: string): Promise<ConcertAdmission> {
  const { lastSeq, admission, counters } = await deps.queue.snapshot(concertId);
  const now = deps.now();
  const limits = admissionLimits(waitingRoomOf(admission.settings, deps.settings), admission.rateWindow, now, deps.settings);
  if (counters) return admitSharded(deps, concertId, counters, admission, now, limits);
  const plan = planAdmission(lastSeq, admission, now, deps.settings, limits);
  const result = { concertId, admitted: 0, waiting: plan.waiting, activeBefore: plan.activeBefore };
  if (!plan.batch) return result;
  const recorded = await deps.queue.recordAdmission(
    concertId,
    admission.admittedSeq,
    plan.batch,
    expiredBatches(admission, now, deps.settings.activeSeconds),
    plan.passedGivenBack,
    windowAfter(limits.window, admittedPeople(plan.batch)),
  );
  // Not recorded: another run admitted from the same watermark first; its batch stands.
  return recorded ? { ...result, admitted: admittedPeople(plan.batch) } : result;
}

/**
 * The same for a sharded line (QUEUE_SHARDS > 1): one read of every counter and the admission
 * record, and one conditional write that closes the epoch the counters mark and admits in line order.
 */
async function admitSharded(
  deps: QueueDeps,
  concertId: string,
  counters: readonly number[],
  admission: AdmissionState,
  now: number,
  limits: AdmissionLimits,
): Promise<ConcertAdmission> {
  const plan = planShardedAdmission(counters, admission, now, deps.settings, limits);
  const result = { concertId, admitted: 0, waiting: plan.waiting, activeBefore: plan.activeBefore };
  if (!plan.changed || !admission.line) return result;
  const tidy = plan.batch ? expiredBatches(admission, now, deps.settings.activeSeconds) : [];
  const window = plan.batch ? windowAfter(limits.window, admittedPeople(plan.batch)) : undefined;
  const recorded = await deps.queue.recordShardedAdmission(
    concertId,
    admission.line,
    plan.line,
    plan.batch,
    tidy,
    plan.passedGivenBack,
    window,
  );
  return recorded && plan.batch ? { ...result, admitted: admittedPeople(plan.batch) } : result;
}

/** People a batch let in: its places, less those given back before it reached them (counted finished from the start). */
const admittedPeople = (batch: AdmissionBatch) => batchSize(batch) - batch.finished;

/** The admission window's count once this run's batch is in. */
const windowAfter = (window: RateWindow, admitted: number): RateWindow => ({ start: window.start, admitted: window.admitted + admitted });
