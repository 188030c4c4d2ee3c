import { createDynamoCatalogueRepository } from '../catalogue/dynamo-catalogue-repository';
import { createPreQueueCounter } from '../queue/dynamo-pre-queue-counter';
import { createSequenceCounter } from '../queue/dynamo-sequence-counter';
import { settings, tableName } from '../shared/config';
import { documentClient } from '../shared/dynamodb-client';
import { log } from '../shared/logger';
import { createDynamoSalesCounter, createDynamoSeriesRecorder, createDynamoStatsReader } from './dynamo-stats-repository';
import type { SalesCounter, SeriesRecorder } from './stats-repository';
import type { StatsDeps } from './stats-deps';

let deps: StatsDeps | undefined;
let counter: SalesCounter | undefined;

/** The stats route wired to this process's tables, built on first use and then reused. */
export function statsDeps(): StatsDeps {
  const current = settings();
  deps ??= {
    stats: createDynamoStatsReader(
      documentClient,
      { queue: tableName('queue'), catalogue: tableName('catalogue') },
      {
        counter: createSequenceCounter(documentClient, tableName('queue'), current.queueShards),
        preQueueCounter: createPreQueueCounter(documentClient, tableName('queue'), current.queueShards),
        catalogue: createDynamoCatalogueRepository(documentClient, tableName('catalogue')),
      },
    ),
    settings: current,
    now: Date.now,
  };
  return deps;
}

/** The sales counters of this process's queue table (the reservations stream's consumer). */
export function salesCounter(): SalesCounter {
  counter ??= createDynamoSalesCounter(documentClient, tableName('queue'));
  return counter;
}

/**
 * The admission run's series. A point that cannot be written is logged and left out: the series has
 * a gap there, and admission, which has already been written, goes on.
 */
export function seriesRecorder(): SeriesRecorder {
  const recorder = createDynamoSeriesRecorder(documentClient, tableName('queue'));
  return {
    async append(concertId, point) {
      try {
        await recorder.append(concertId, point);
      } catch (error) {
        log.warn('series point not written', { concertId, error: error instanceof Error ? error.name : String(error) });
      }
    },
  };
}
