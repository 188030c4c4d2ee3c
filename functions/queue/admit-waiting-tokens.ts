import { runPoint } from '../stats/stats-rules';
import type { PreQueueCounters } from './pre-queue-counter';
import { openPreQueue, type PreQueue } from './pre-queue';
import type { QueueJobDeps } from './queue-deps';
import type { PreQueueWrite, QueueSnapshot } from './queue-repository';
import type { AdmissionBatch, AdmissionPlan, AdmissionState } from './queue-rules';
import { batchSize, expiredBatches, planAdmission, planShardedAdmission } from './queue-rules';
import { drawShuffleSeed } from './shuffled-order';
import { admissionLimits, waitingRoomOf, type AdmissionLimits, type RateWindow, type WaitingRoom } from './waiting-room-rules';

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
 * the length of its line (and one write of the stats series point); the settings come with that read;
 * an overlapping run admits nothing twice.
 *
 * A scheduled opening: the first run with the opening due closes the pre-queue counters (one write
 * each, once), draws the secret seed and records the opening in its one conditional write, where no
 * opening is recorded yet (of overlapping runs one records it; the sizes are the same for all, the
 * counters being closed). Every run admits the pre-queue's shuffled places first (queue-rules).
 */
export async function admitWaitingTokens(deps: QueueJobDeps): Promise<{ concerts: ConcertAdmission[] }> {
  const concertIds = await deps.queue.listQueues();
  const concerts = await Promise.all(concertIds.map((concertId) => admitConcert(deps, concertId)));
  return { concerts };
}

async function admitConcert(deps: QueueJobDeps, concertId: string): Promise<ConcertAdmission> {
  const snapshot = await deps.queue.snapshot(concertId);
  const now = deps.now();
  const result = await admitFrom(deps, concertId, snapshot, now);
  // The stats series: the line as this run left it, with the sales counters read in the same call.
  await deps.series?.append(concertId, runPoint(snapshot, result, now, deps.settings));
  return result;
}

async function admitFrom(deps: QueueJobDeps, concertId: string, snapshot: QueueSnapshot, now: number): Promise<ConcertAdmission> {
  const { lastSeq, admission: read, counters, preQueueCounters } = snapshot;
  const room = waitingRoomOf(read.settings, deps.settings);
  const limits = admissionLimits(room, read.rateWindow, now, deps.settings);
  const opening = openingDue(read, room, preQueueCounters, now)
    ? openPreQueue(await deps.queue.closePreQueue(concertId, preQueueCounters, now), drawShuffleSeed(), now)
    : undefined;
  // The run admits as if the opening it is about to record stood: its write lands both or neither.
  const admission = opening ? { ...read, preQueue: opening } : read;
  if (counters) return admitSharded(deps, concertId, counters, admission, now, limits, opening !== undefined);
  const plan = planAdmission(lastSeq, admission, now, deps.settings, limits);
  const result = { concertId, admitted: 0, waiting: plan.waiting, activeBefore: plan.activeBefore };
  const preQueue = preQueueWrite(admission.preQueue, plan, opening !== undefined);
  if (!plan.batch && !preQueue) return result;
  const recorded = await deps.queue.recordAdmission(
    concertId,
    admission.admittedSeq,
    plan.batch,
    plan.batch ? expiredBatches(admission, now, deps.settings.activeSeconds) : [],
    plan.passedGivenBack,
    plan.batch ? windowAfter(limits.window, admittedPeople(plan.batch)) : undefined,
    preQueue,
  );
  // Not recorded: another run admitted from the same watermark first; its batch stands.
  return recorded && plan.batch ? { ...result, admitted: admittedPeople(plan.batch) } : result;
}

/**
 * The opening is due once no opening is recorded and no saleOpensAt still ahead holds it: saleOpensAt
 * has come, or an admin cleared it after a sale was scheduled or people joined the pre-queue (they
 * are never stranded).
 */
function openingDue(admission: AdmissionState, room: WaitingRoom, counters: PreQueueCounters, now: number): boolean {
  if (admission.preQueue) return false;
  const { saleOpensAt } = room.settings;
  if (saleOpensAt !== null) return now >= saleOpensAt;
  return admission.saleScheduled === true || counters.values.some((value) => value > 0);
}

/** What the run writes of the pre-queue: the opening, or its places admitted by the batch. */
function preQueueWrite(before: PreQueue | undefined, plan: AdmissionPlan, opening: boolean): PreQueueWrite | undefined {
  const after = plan.preQueue ?? before;
  if (!after || !before) return undefined;
  if (!opening && after.admitted === before.admitted) return undefined;
  return { after, opening, expectedAdmitted: opening ? 0 : before.admitted };
}

/**
 * The same for a sharded line (QUEUE_SHARDS > 1): one read of every counter and the admission
 * record, and one conditional write that closes the epoch the counters mark and admits in line order.
 */
async function admitSharded(
  deps: QueueJobDeps,
  concertId: string,
  counters: readonly number[],
  admission: AdmissionState,
  now: number,
  limits: AdmissionLimits,
  opening: boolean,
): Promise<ConcertAdmission> {
  const plan = planShardedAdmission(counters, admission, now, deps.settings, limits);
  const result = { concertId, admitted: 0, waiting: plan.waiting, activeBefore: plan.activeBefore };
  if ((!plan.changed && !opening) || !admission.line) return result;
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
    preQueueWrite(admission.preQueue, plan, opening),
  );
  return recorded && plan.batch ? { ...result, admitted: admittedPeople(plan.batch) } : result;
}

/** People a batch let in: its places, less those given back before it reached them (counted finished from the start). */
const admittedPeople = (batch: AdmissionBatch) => batchSize(batch) - batch.finished;

/** The admission window's count once this run's batch is in. */
const windowAfter = (window: RateWindow, admitted: number): RateWindow => ({ start: window.start, admitted: window.admitted + admitted });
