import type { JobDefinition } from '../functions/jobs/job-table';
import type { StreamConsumerDefinition } from '../functions/jobs/stream-consumers';
import type { HandlerGroup } from '../functions/http/route-table';
import type { TableId } from '../functions/shared/tables';

export type TableAccessLevel = 'read' | 'readWrite';
/** The tables one function may touch, and how; a table not listed is neither named to it nor granted. */
export type TableAccess = Readonly<Partial<Record<TableId, TableAccessLevel>>>;

/**
 * Least privilege, as data: which tables each handler group (one Lambda function per group,
 * see functions/http/route-table.ts) may touch. Every group needs an entry, even an empty one;
 * the stack refuses to synthesize without it.
 */
export const handlerGroupTableAccess: Readonly<Record<HandlerGroup, TableAccess>> = {
  public: {},
  // Public and ACTIVE reads only: ACTIVE routes read the queue token.
  catalogue: { catalogue: 'read', queue: 'read' },
  // Creating a concert writes the concert, its schedules and seats; a revocation writes a user's
  // token and the concert's admission record (and reads the concert); a waiting room's settings and
  // their audit live on the queue table; the live stats read the waiting room's records and the
  // sales counters beside them.
  admin: { catalogue: 'readWrite', queue: 'readWrite' },
  queue: { queue: 'readWrite', catalogue: 'read' },
  // A hold writes the seat, the user's slot and the reservation in one transaction, which checks the
  // queue token item (ConditionCheckItem, a read action); a release writes the same three.
  reservations: { reservations: 'readWrite', catalogue: 'readWrite', queue: 'read' },
  // A payment debits the wallet, sells seats, marks reservations paid, frees hold slots and spends
  // the queue token in one transaction; Idempotency-Key records of charges and payments.
  wallet: { wallet: 'readWrite', idempotency: 'readWrite', reservations: 'readWrite', catalogue: 'readWrite', queue: 'readWrite' },
};

/** The same for the scheduled jobs of functions/jobs/job-table.ts. */
export const jobTableAccess: Readonly<Record<JobDefinition['name'], TableAccess>> = {
  admission: { queue: 'readWrite' },
  expiry: { queue: 'readWrite' },
};

/**
 * The same for the stream consumers of functions/jobs/stream-consumers.ts (reading their own table's
 * stream is granted by the event source mapping, not here).
 */
export const streamConsumerTableAccess: Readonly<Record<StreamConsumerDefinition['name'], TableAccess>> = {
  // Writes ledger items and clears pending charges.
  'ledger-writer': { wallet: 'readWrite' },
  // Writes the concerts' sales counters, which live beside the waiting rooms' records.
  'sales-counter': { queue: 'readWrite' },
};
