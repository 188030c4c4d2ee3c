import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';

/** What a stream consumer's Lambda entry looks like. */
type StreamHandler = (event: DynamoDBStreamEvent) => Promise<unknown>;
type StreamEventRecord = DynamoDBStreamEvent['Records'][number];

const STALE_ITERATOR = new Set(['TrimmedDataAccessException', 'ExpiredIteratorException']);

export interface LocalStreamConsumer {
  /** Reads every shard to its end now and hands each batch to the handler; resolves with the records handled. */
  pollOnce(): Promise<number>;
  stop(): Promise<void>;
}

interface ShardState {
  iterator?: string;
  /** The last record read: a lost iterator resumes after it. */
  after?: string;
  /** A batch read whose handler failed: handed over again, the same records, before anything newer. */
  pending?: StreamEventRecord[];
  done: boolean;
}

/**
 * The local stand-in for a DynamoDB Streams event source mapping: reads a table's stream on
 * DynamoDB Local from its trim horizon and calls the same handler the stack deploys with each
 * batch, in order, shard by shard, leaving out the records `keep` refuses (the mapping's filter).
 * A batch whose handler fails is handed over again, unchanged, at the next poll, as Lambda retries
 * it. With `intervalMs` it polls on its own, one poll at a time.
 */
export async function startLocalStreamConsumer(options: {
  endpoint: string;
  tableName: string;
  handler: StreamHandler;
  keep?: (record: StreamEventRecord) => boolean;
  /** Records read in one GetRecords call, and so handed over in one batch at most (100 unless given; 1,000 at most). */
  batchSize?: number;
  intervalMs?: number;
  log?: (message: string) => void;
}): Promise<LocalStreamConsumer> {
  const keep = options.keep ?? (() => true);
  // Signed as the SDK signs: a poll makes a few calls a second, and start:synth loads nothing of functions/ (localSigner's home).
  const config = { endpoint: options.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const tables = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const { Table } = await tables.send(new DescribeTableCommand({ TableName: options.tableName }));
  tables.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
  const shards = new Map<string, ShardState>();
  /**
   * Whether the shards known are all there are: false until a listing finds an open shard, and again
   * once one closes (its children are made then). A stream with no open shard is listed at every poll.
   */
  let shardsListed = false;

  async function listShards(): Promise<Shard[]> {
    const all: Shard[] = [];
    let start: string | undefined;
    do {
      const page = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      all.push(...(page.StreamDescription?.Shards ?? []));
      start = page.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return all;
  }

  async function readShard(shardId: string, state: ShardState): Promise<number> {
    let handled = 0;
    let renewed = false;
    for (;;) {
      let caughtUp = false;
      if (!state.pending) {
        state.iterator ??= (
          await streams.send(
            new GetShardIteratorCommand({
              StreamArn: streamArn,
              ShardId: shardId,
              ...(state.after
                ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: state.after }
                : { ShardIteratorType: 'TRIM_HORIZON' }),
            }),
          )
        ).ShardIterator;
        if (!state.iterator) break;
        let page;
        try {
          page = await streams.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: options.batchSize ?? 100 }));
        } catch (error) {
          state.iterator = undefined; // expired or lost: resume after the last record read
          // DynamoDB Local refuses an iterator taken at the end of a shard that was empty then, once records arrive.
          if (!renewed && STALE_ITERATOR.has((error as Error).name)) {
            renewed = true;
            continue;
          }
          throw error;
        }
        const records = (page.Records ?? []) as StreamRecord[];
        state.after = records[records.length - 1]?.dynamodb?.SequenceNumber ?? state.after;
        state.pending = (records as unknown as StreamEventRecord[]).filter(keep);
        state.iterator = page.NextShardIterator;
        caughtUp = records.length === 0 || !state.iterator;
      }
      const batch = state.pending;
      // Throws with the batch kept: the same records are handed over again next time.
      if (batch.length > 0) await options.handler({ Records: batch });
      state.pending = undefined;
      handled += batch.length;
      if (!state.iterator) state.done = true; // a closed shard read to its end
      if (caughtUp || state.done) break; // caught up with an open shard
    }
    return handled;
  }

  async function pollOnce(): Promise<number> {
    if (!shardsListed) {
      // Parents are listed before their children, and read in that order, so a wallet's changes are handled in order.
      for (const shard of await listShards()) if (!shards.has(shard.ShardId!)) shards.set(shard.ShardId!, { done: false });
      shardsListed = [...shards.values()].some((state) => !state.done);
    }
    let handled = 0;
    for (const [shardId, state] of shards) {
      if (state.done) continue;
      handled += await readShard(shardId, state);
      // A shard closes when its children are made: list again at the next poll.
      if (state.done) shardsListed = false;
    }
    return handled;
  }

  // One poll at a time: the shards' iterators are shared state.
  let chain: Promise<unknown> = Promise.resolve();
  let busy = false;
  const serial = () => {
    const next = chain.then(async () => {
      busy = true;
      try {
        return await pollOnce();
      } finally {
        busy = false;
      }
    });
    chain = next.catch(() => undefined);
    return next;
  };
  const timer = options.intervalMs
    ? setInterval(() => {
        if (busy) return;
        serial().catch((error: unknown) => options.log?.(`stream poll failed: ${error instanceof Error ? error.message : String(error)}`));
      }, options.intervalMs)
    : undefined;

  return {
    pollOnce: serial,
    async stop() {
      if (timer) clearInterval(timer);
      await chain;
      streams.destroy();
    },
  };
}
