import { settings, tableName } from '../shared/config';
import { documentClient } from '../shared/dynamodb-client';
import { createPreQueueCounter } from './dynamo-pre-queue-counter';
import { createDynamoQueueRepository } from './dynamo-queue-repository';
import { createSequenceCounter } from './dynamo-sequence-counter';
import type { QueueRepository } from './queue-repository';

/** The waiting room's storage on this process's queue table (tests choose shards and cache themselves). */
export function queueRepository(options: { shards?: number; admissionCacheMs?: number } = {}): QueueRepository {
  const table = tableName('queue');
  return createDynamoQueueRepository(documentClient, table, {
    counter: createSequenceCounter(documentClient, table, options.shards ?? 1),
    preQueueCounter: createPreQueueCounter(documentClient, table, options.shards ?? 1),
    admissionCacheMs: options.admissionCacheMs ?? 0,
  });
}

let shared: QueueRepository | undefined;

/**
 * This process's queue storage with the settings' shards and admission cache, built on first use.
 * Every wiring of the queue in a process shares it: locally, where one process runs every function,
 * the admission job's write makes the next poll read the record afresh (its cached copy is dropped).
 */
export function processQueueRepository(): QueueRepository {
  const current = settings();
  shared ??= queueRepository({ shards: current.queueShards, admissionCacheMs: current.pollAdmissionCacheMs });
  return shared;
}
