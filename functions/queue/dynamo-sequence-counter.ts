import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QUEUE_LIST, queueKeys } from './queue-keys';
import type { QueuePlace } from './queue-repository';
import type { SequenceCounter } from './sequence-counter';

interface Waiting {
  readonly resolve: (place: QueuePlace) => void;
  readonly reject: (error: unknown) => void;
}

/** Calls to one counter item in flight at once from one instance; joins past them wait and share the next call. */
const MAX_IN_FLIGHT = 4;

/**
 * Numbers from the concert's counter item(s), `ADD lastSeq` on one of them (picked at random per join
 * with shards). Joins that ask while MAX_IN_FLIGHT of this instance's calls to their counter item are in
 * flight wait for one to land and then share the next: `ADD lastSeq :n` for n of them, each given one of
 * the n numbers it returns. Every number still goes to a join that asked for it (none is reserved ahead),
 * and each is unique; only the calls are fewer, and a join waits only when others have calls to its
 * counter in flight already.
 * A Lambda instance serves one request at a time, so deployed each join makes its own call; the local
 * server, which serves every join of a burst in one process, makes a few calls per round trip.
 */
export function createSequenceCounter(
  client: DynamoDBDocumentClient,
  tableName: string,
  shards = 1,
  random: () => number = Math.random,
): SequenceCounter {
  const shardOf = (concertId: string, index: number) =>
    shards === 1 ? queueKeys.sequence(concertId) : queueKeys.sequence(concertId, index);
  const indexes = Array.from({ length: shards }, (_, i) => i);
  const waiting = new Map<string, Waiting[]>();
  const inFlight = new Map<string, number>();

  /** The last of `count` new numbers of one counter. */
  async function take(concertId: string, shard: number | undefined, count: number): Promise<number> {
    const result = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: shardOf(concertId, shard ?? 0),
        UpdateExpression: 'ADD lastSeq :count SET queueList = :list, concertId = :concertId',
        ExpressionAttributeValues: { ':count': count, ':list': QUEUE_LIST, ':concertId': concertId },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return result.Attributes?.lastSeq as number;
  }

  function send(concertId: string, shard: number | undefined): void {
    const key = shardOf(concertId, shard ?? 0).pk;
    const batch = waiting.get(key);
    const calls = inFlight.get(key) ?? 0;
    if (!batch || calls >= MAX_IN_FLIGHT) return;
    waiting.delete(key);
    inFlight.set(key, calls + 1);
    take(concertId, shard, batch.length)
      .then(
        (last) =>
          batch.forEach((join, i) => {
            const seq = last - batch.length + 1 + i;
            join.resolve(shard === undefined ? { seq } : { seq, shard });
          }),
        (error: unknown) => batch.forEach((join) => join.reject(error)),
      )
      .finally(() => {
        const left = (inFlight.get(key) ?? 1) - 1;
        if (left > 0) inFlight.set(key, left);
        else inFlight.delete(key);
        send(concertId, shard);
      });
  }

  return {
    shards,
    next(concertId) {
      const shard = shards === 1 ? undefined : Math.floor(random() * shards);
      const key = shardOf(concertId, shard ?? 0).pk;
      return new Promise((resolve, reject) => {
        const batch = waiting.get(key);
        if (batch) batch.push({ resolve, reject });
        else waiting.set(key, [{ resolve, reject }]);
        send(concertId, shard);
      });
    },
    keys: (concertId) => indexes.map((i) => shardOf(concertId, i)),
    values(concertId, items) {
      return indexes.map((i) => {
        const item = items.find((candidate) => candidate.pk === shardOf(concertId, i).pk);
        return (item?.lastSeq as number | undefined) ?? 0;
      });
    },
  };
}
