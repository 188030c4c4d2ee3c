import type { TableId } from '../shared/tables';
import { BALANCE_SK } from '../wallet/wallet-keys';
import { RESERVATION_PREFIX } from '../reservations/reservation-keys';

/**
 * The consumers of the tables' streams. The stack gives each an event source mapping on its
 * table's stream; the local runtime polls DynamoDB Local's stream and calls the same handler
 * (local/table-stream.ts). Both hand the handler only the records whose sort key matches `records`.
 */
export interface StreamConsumerDefinition {
  readonly name: 'ledger-writer' | 'sales-counter';
  readonly entry: string;
  /** The table whose stream it reads (functions/shared/tables.ts gives it the stream). */
  readonly table: TableId;
  /** Which items' changes it is given, by sort key. */
  readonly records: { readonly sortKeyEquals: string } | { readonly sortKeyBeginsWith: string };
  /**
   * Deployed: halve a failed batch to find a bad record. Off for a consumer that recognises a
   * batch delivered again by its records, which needs it delivered again whole.
   */
  readonly bisectOnError: boolean;
  /** Deployed: retries of a failed batch before it is dropped; absent, until its records leave the stream (24 h). */
  readonly retryAttempts?: number;
  /** Records in one batch at most: the event source mapping's batch size deployed, the GetRecords page locally (1,000 at most). */
  readonly batchSize: number;
  readonly description: string;
}

export const streamConsumers: readonly StreamConsumerDefinition[] = [
  {
    name: 'ledger-writer',
    entry: 'functions/jobs/ledger-writer.ts',
    table: 'wallet',
    records: { sortKeyEquals: BALANCE_SK },
    bisectOnError: true,
    // A dropped batch loses nothing: its charges stay pending until the wallet's next change writes them out.
    retryAttempts: 10,
    // A batch costs one UpdateItem per wallet in it, however many of its charges it writes out: in
    // batches of 100, a wallet charged under load was cleared two or three times a second.
    batchSize: 1000,
    description: 'Writes pending charges out to the wallet ledger',
  },
  {
    name: 'sales-counter',
    entry: 'functions/jobs/sales-counter.ts',
    table: 'reservations',
    records: { sortKeyBeginsWith: RESERVATION_PREFIX },
    bisectOnError: false,
    batchSize: 100,
    // A dropped batch would be lost from the counters for good: retried until it succeeds.
    description: "Folds reservations' changes into each concert's sales counters",
  },
];

/** True when a changed item's sort key is one the consumer is given. */
export function isConsumerRecord(consumer: Pick<StreamConsumerDefinition, 'records'>, sortKey: string | undefined): boolean {
  if (sortKey === undefined) return false;
  return 'sortKeyEquals' in consumer.records
    ? sortKey === consumer.records.sortKeyEquals
    : sortKey.startsWith(consumer.records.sortKeyBeginsWith);
}
