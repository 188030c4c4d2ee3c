/**
 * The one definition of the service's DynamoDB tables: keys, indexes and TTL attribute.
 * The CDK stack and the local bootstrap both build their tables from this list, and the
 * handlers find each table's name in the environment variable named here.
 */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** Indexes project only their keys unless they list more. */
  readonly projectedAttributes?: readonly string[];
}

export interface TableDefinition {
  /** Short logical name; the deployed name is generated, the local one is `<prefix><id>`. */
  readonly id: TableId;
  /** Environment variable that carries the table's name to the functions. */
  readonly envVar: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly indexes: readonly IndexDefinition[];
  /** Epoch-seconds attribute DynamoDB TTL deletes by. Tidying only: reads never trust it. */
  readonly ttlAttribute: string;
  /**
   * A DynamoDB stream, for a consumer that finishes work off the request path: each changed item's
   * keys (the consumer reads what it needs fresh), or its old and new images when the consumer needs
   * to see the transition.
   */
  readonly stream?: 'KEYS_ONLY' | 'NEW_AND_OLD_IMAGES';
}

export type TableId = 'queue' | 'catalogue' | 'reservations' | 'wallet' | 'idempotency';

const pk: KeyAttribute = { name: 'pk', type: 'S' };
const sk: KeyAttribute = { name: 'sk', type: 'S' };
export const TTL_ATTRIBUTE = 'ttl';

export const QUEUES_INDEX = 'queues';
export const CONCERTS_BY_LAST_DATE_INDEX = 'concertsByLastDate';
export const SEATS_TAKEN_INDEX = 'seatsTaken';

export const tableDefinitions: readonly TableDefinition[] = [
  {
    // Waiting rooms: per concert a sequence counter and an admission record, per user a token.
    id: 'queue',
    envVar: 'QUEUE_TABLE',
    partitionKey: pk,
    indexes: [
      // Sparse: only a concert's sequence item carries these, so the jobs list waiting rooms cheaply.
      {
        indexName: QUEUES_INDEX,
        partitionKey: { name: 'queueList', type: 'S' },
        sortKey: { name: 'concertId', type: 'S' },
      },
    ],
    ttlAttribute: TTL_ATTRIBUTE,
  },
  {
    // Concerts, their schedules and seats.
    id: 'catalogue',
    envVar: 'CATALOGUE_TABLE',
    partitionKey: pk,
    sortKey: sk,
    indexes: [
      // Concert items only: listed by their last date, so "a date today or later" is one query.
      {
        indexName: CONCERTS_BY_LAST_DATE_INDEX,
        partitionKey: { name: 'concertList', type: 'S' },
        sortKey: { name: 'lastDate', type: 'S' },
        projectedAttributes: ['concertId', 'title', 'venue', 'firstDate'],
      },
      // Sparse: a seat is in it while held or sold, under its concert, sorted by when it is free
      // again (sold: never), so the taken seats of all a concert's dates right now are one key-range
      // query that skips expired holds.
      {
        indexName: SEATS_TAKEN_INDEX,
        partitionKey: { name: 'takenIn', type: 'S' },
        sortKey: { name: 'takenUntil', type: 'N' },
        projectedAttributes: ['scheduleId'],
      },
    ],
    ttlAttribute: TTL_ATTRIBUTE,
  },
  {
    // Per user: reservations (holds and purchases, newest first) and the hold-limit slots.
    id: 'reservations',
    envVar: 'RESERVATIONS_TABLE',
    partitionKey: pk,
    sortKey: sk,
    indexes: [],
    ttlAttribute: TTL_ATTRIBUTE,
    // The sales counter, fed by this stream, folds each reservation's change of status (held, paid,
    // released) into per-concert counters off the request path (functions/jobs/sales-counter.ts).
    stream: 'NEW_AND_OLD_IMAGES',
  },
  {
    // Per user: the balance, its ledger (one entry per change) and the payments.
    id: 'wallet',
    envVar: 'WALLET_TABLE',
    partitionKey: pk,
    sortKey: sk,
    indexes: [],
    ttlAttribute: TTL_ATTRIBUTE,
    // A charge is one write that leaves its entry pending on the balance item; the ledger writer,
    // fed by this stream, writes pending entries out as ledger items (functions/jobs/ledger-writer.ts).
    // Keys only: it reads each wallet of a batch once, where an image per record carried the whole
    // balance item, every pending charge on it, once per charge (for DynamoDB to keep and the writer to read).
    stream: 'KEYS_ONLY',
  },
  {
    // Idempotency-Key records of POST /balance/charge and POST /payments, in the shape Powertools'
    // DynamoDB persistence layer keeps them: key `id`, epoch-seconds expiry `expiration`.
    id: 'idempotency',
    envVar: 'IDEMPOTENCY_TABLE',
    partitionKey: { name: 'id', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiration',
  },
];

export function tableDefinition(id: TableId): TableDefinition {
  const definition = tableDefinitions.find((table) => table.id === id);
  if (!definition) throw new Error(`no table definition named ${id}`);
  return definition;
}
