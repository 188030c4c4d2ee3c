/**
 * A waiting room's line counter. With one shard (the default) it is the single `SEQ#<concert>`
 * item: exact, gap-free first in, first out, but every join writes that one item, and one
 * partition key takes about 1,000 writes a second. With QUEUE_SHARDS = S it is S items
 * `SEQ#<concert>#<k>`, and each join writes one picked at random (sharded-line.ts says how they
 * are put in one order). Every counter item also lists its concert in the queues index.
 */
export interface SequenceCounter {
  readonly shards: number;
  /** Takes the next number: `shard` says which counter gave it (absent with one counter). */
  next(concertId: string): Promise<{ seq: number; shard?: number }>;
  /** Keys of every counter of the concert, to read them with the admission record in one call. */
  keys(concertId: string): Record<string, string>[];
  /** Each counter's value, by shard, from items read with `keys` (missing ones are 0). */
  values(concertId: string, items: readonly Record<string, unknown>[]): number[];
}
