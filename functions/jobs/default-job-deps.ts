import { processQueueRepository } from '../queue/default-queue-repository';
import type { QueueJobDeps } from '../queue/queue-deps';
import { settings } from '../shared/config';
import { seriesRecorder } from '../stats/default-stats-deps';

let series: QueueJobDeps['series'];

/** The scheduled jobs' wiring: the queue table and the stats series; no tokens, challenges or catalogue. */
export function jobQueueDeps(): QueueJobDeps {
  series ??= seriesRecorder();
  return { queue: processQueueRepository(), settings: settings(), now: Date.now, series };
}
