import { createHash } from 'node:crypto';
import { TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { catalogueKeys, concertSeatCount } from '../catalogue/catalogue-keys';
import type { CatalogueRepository } from '../catalogue/catalogue-repository';
import { queueKeys, toAdmissionState } from '../queue/queue-keys';
import type { PreQueueCounter } from '../queue/pre-queue-counter';
import type { SequenceCounter } from '../queue/sequence-counter';
import { getAllByTable } from '../shared/dynamodb-batch-get';
import type { Item, TransactItem } from '../shared/dynamodb-item';
import { failedCondition, transactionCancellations } from '../shared/dynamodb-transactions';
import { UnavailableError } from '../shared/errors';
import { pause } from '../shared/pause';
import {
  foldTransactions,
  hourOf,
  hoursBetween,
  leftTotalOf,
  seriesPointUpdate,
  statsKeys,
  toHoldsEnding,
  toSalesTally,
  toSeriesPoints,
} from './stats-keys';
import type { SalesCounter, SeriesRecorder, StatsReader } from './stats-repository';
import { SERIES_WINDOW_MS } from './stats-rules';

/** A fold that meets another consumer's transaction on the same counter is tried again this often, then the batch fails (and is delivered again). */
const FOLD_ATTEMPTS = 6;

/** The stats route's reads: one BatchGetItem of known keys over the queue and catalogue tables. */
export function createDynamoStatsReader(
  client: DynamoDBDocumentClient,
  tables: { readonly queue: string; readonly catalogue: string },
  options: {
    /** The line's counters, as the waiting room keeps them (one, or QUEUE_SHARDS). */
    readonly counter: SequenceCounter;
    /** The pre-queue's counters of a scheduled opening. */
    readonly preQueueCounter: Pick<PreQueueCounter, 'keys' | 'read'>;
    /** Counts a concert's seats when its item predates `seatCount` (a query of its few schedule items). */
    readonly catalogue: Pick<CatalogueRepository, 'listSchedules'>;
  },
): StatsReader {
  const { counter, preQueueCounter, catalogue } = options;
  return {
    async readFacts(concertId, now, holdHorizonSeconds) {
      const second = Math.floor(now / 1000);
      const holdHours = hoursBetween(hourOf(second), hourOf(second + holdHorizonSeconds)).map((h) => statsKeys.holds(concertId, h));
      const seriesHours = hoursBetween(hourOf(Math.floor((now - SERIES_WINDOW_MS) / 1000)), hourOf(second)).map((h) =>
        statsKeys.series(concertId, h),
      );
      const admissionKey = queueKeys.admission(concertId);
      const concertKey = catalogueKeys.concert(concertId);
      const read = await getAllByTable(client, {
        [tables.queue]: [
          ...counter.keys(concertId),
          ...preQueueCounter.keys(concertId),
          admissionKey,
          statsKeys.sales(concertId),
          ...holdHours,
          ...seriesHours,
        ],
        [tables.catalogue]: [concertKey],
      });
      const concert = read.get(tables.catalogue)?.[0];
      if (!concert) return undefined;
      const items = read.get(tables.queue) ?? [];
      const byKey = new Map<string, Item>(items.map((item) => [item.pk as string, item]));
      const present = (keys: readonly { pk: string }[]) =>
        keys.map((key) => byKey.get(key.pk)).filter((item): item is Item => item !== undefined);
      const admission = byKey.get(admissionKey.pk);
      return {
        line: {
          counters: counter.values(concertId, items),
          preQueueArrivals: preQueueCounter.read(concertId, items).values.reduce((sum, value) => sum + value, 0),
          admission: toAdmissionState(admission, counter.shards),
        },
        leftTotal: leftTotalOf(admission),
        sales: toSalesTally(byKey.get(statsKeys.sales(concertId).pk)),
        holdsEnding: toHoldsEnding(present(holdHours)),
        seatsTotal: concertSeatCount(concert) ?? (await countSeats(concertId)),
        points: toSeriesPoints(present(seriesHours)),
      };
    },
  };

  async function countSeats(concertId: string): Promise<number> {
    return (await catalogue.listSchedules(concertId)).reduce((seats, schedule) => seats + schedule.seatCount, 0);
  }
}

/** The sales counter's writes: per concert and batch of changes, one transaction marked with the changes' digest. */
export function createDynamoSalesCounter(client: DynamoDBDocumentClient, tableName: string): SalesCounter {
  return {
    async foldSales(delta, now) {
      // Named by its changes: a batch delivered again names the same marker items, already there.
      const digest = createHash('sha256').update(delta.changeIds.join('\n')).digest('base64url').slice(0, 32);
      let repeated = false;
      for (const items of foldTransactions(tableName, delta, digest, now)) {
        repeated = (await foldOnce(items)) || repeated;
      }
      return repeated ? 'alreadyFolded' : 'folded';
    },
  };

  /** One part of a fold; true when its marker was there already (folded before, nothing written now). */
  async function foldOnce(items: TransactItem[]): Promise<boolean> {
    for (let attempt = 1; attempt <= FOLD_ATTEMPTS; attempt++) {
      try {
        await client.send(new TransactWriteCommand({ TransactItems: items }));
        return false;
      } catch (error) {
        const reasons = transactionCancellations(error);
        if (!reasons) throw error;
        if (failedCondition(reasons[0])) return true;
        if (!reasons.some((reason) => reason.code === 'TransactionConflict')) throw error;
        // Another shard's batch of the same concert, folded at the same moment.
        await pause(Math.random() * 50 * attempt);
      }
    }
    throw new UnavailableError(1);
  }
}

/** The admission run's series point: one UpdateItem. */
export function createDynamoSeriesRecorder(client: DynamoDBDocumentClient, tableName: string): SeriesRecorder {
  return {
    async append(concertId, point) {
      await client.send(new UpdateCommand(seriesPointUpdate(tableName, concertId, point)));
    },
  };
}
