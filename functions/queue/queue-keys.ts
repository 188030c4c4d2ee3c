import type { Item, TransactItem } from '../shared/dynamodb-item';
import { TTL_ATTRIBUTE } from '../shared/tables';
import type { AdmissionBatch, AdmissionState, QueueTokenRecord } from './queue-rules';
import { emptyLine, type ShardedLine } from './sharded-line';

/**
 * Items of the queue table (partition key only, so each is its own hot-key budget):
 * - `SEQ#<concert>`       lastSeq: the concert's line counter (and its entry in the queues index);
 *   with QUEUE_SHARDS > 1, `SEQ#<concert>#<shard>` instead, one per shard (dynamo-sequence-counter.ts)
 * - `ADMISSION#<concert>` admittedSeq, and one `b#<firstSeq>` attribute per admitted batch; with
 *   shards also the line's `shardAdmitted`, `shardEpochs` and `lineRevision` (sharded-line.ts)
 * - `TOKEN#<concert>#<user>` the user's token for the concert: token, seq (and shard), joinedAt, finishedAt
 * - `ALTCHA#<digest>`     a join challenge that was used (`spentChallengeKey`, at the end of this file)
 */
export const queueKeys = {
  sequence: (concertId: string, shard?: number) => ({ pk: shard === undefined ? `SEQ#${concertId}` : `SEQ#${concertId}#${shard}` }),
  admission: (concertId: string) => ({ pk: `ADMISSION#${concertId}` }),
  token: (concertId: string, userId: string) => ({ pk: `TOKEN#${concertId}#${userId}` }),
};

/** The queues index's one partition: every waiting room's counter is listed in it. */
export const QUEUE_LIST = 'QUEUE';

const BATCH_PREFIX = 'b#';
/** The admission record's attribute that holds one admitted batch. */
export const batchAttribute = (batch: Pick<AdmissionBatch, 'firstSeq'>) => `${BATCH_PREFIX}${batch.firstSeq}`;

/** Token items outlive any rush; TTL removes them long after they stopped mattering. */
const TOKEN_RETENTION_SECONDS = 7 * 24 * 3600;

/** A token item as a join writes it, with its number in line. */
export const tokenItem = (record: QueueTokenRecord): Item => ({
  ...queueKeys.token(record.concertId, record.userId),
  token: record.token,
  concertId: record.concertId,
  userId: record.userId,
  ...(record.seq !== undefined ? { seq: record.seq } : {}),
  ...(record.shard !== undefined ? { shard: record.shard } : {}),
  joinedAt: record.joinedAt,
  [TTL_ATTRIBUTE]: Math.floor(record.joinedAt / 1000) + TOKEN_RETENTION_SECONDS,
});

export function toTokenRecord(item: Item): QueueTokenRecord {
  return {
    token: item.token as string,
    concertId: item.concertId as string,
    userId: item.userId as string,
    seq: item.seq as number | undefined,
    ...(item.shard !== undefined ? { shard: item.shard as number } : {}),
    joinedAt: item.joinedAt as number,
    finishedAt: item.finishedAt as number | undefined,
  };
}

/** The admission record; `shards` > 1 reads the sharded line's state too (empty before the first run). */
export function toAdmissionState(item: Item | undefined, shards = 1): AdmissionState {
  const line = shards > 1 ? toShardedLine(item, shards) : undefined;
  if (!item) return { admittedSeq: 0, batches: [], ...(line ? { line } : {}) };
  const batches = Object.entries(item)
    .filter(([name]) => name.startsWith(BATCH_PREFIX))
    .map(([, value]) => value as AdmissionBatch)
    .sort((a, b) => a.firstSeq - b.firstSeq);
  return { admittedSeq: (item.admittedSeq as number | undefined) ?? 0, batches, ...(line ? { line } : {}) };
}

function toShardedLine(item: Item | undefined, shards: number): ShardedLine {
  if (item?.shardAdmitted === undefined) return emptyLine(shards);
  return {
    admitted: item.shardAdmitted as number[],
    epochs: item.shardEpochs as number[][],
    revision: item.lineRevision as number,
  };
}

/** A token held by someone who paid: it is spent, and only the same token, once. */
export function tokenSpendUpdate(
  tableName: string,
  token: { token: string; concertId: string; userId: string },
  now: number,
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: queueKeys.token(token.concertId, token.userId),
      UpdateExpression: 'SET finishedAt = :now',
      ConditionExpression: '#token = :token AND attribute_not_exists(finishedAt)',
      ExpressionAttributeNames: { '#token': 'token' },
      ExpressionAttributeValues: { ':token': token.token, ':now': now },
    },
  };
}

/**
 * A turn that ends early (its holder paid): its batch counts one more finished, which frees the
 * place. The condition is the ACTIVE check itself: the batch is still recorded and was admitted
 * after `admittedAfter` (now − ACTIVE_SECONDS).
 */
export function turnFinishedUpdate(tableName: string, concertId: string, batch: AdmissionBatch, admittedAfter: number): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: queueKeys.admission(concertId),
      UpdateExpression: 'SET #batch.finished = #batch.finished + :one',
      ConditionExpression: 'attribute_exists(#batch) AND #batch.admittedAt > :admittedAfter',
      ExpressionAttributeNames: { '#batch': batchAttribute(batch) },
      ExpressionAttributeValues: { ':one': 1, ':admittedAfter': admittedAfter },
    },
  };
}

/**
 * `ALTCHA#<digest of its signature>`: a join challenge that was used (join-challenge.ts). Kept a
 * minute past the challenge's own end, so clocks a little apart never see it gone while it is
 * still good; after that its expiry refuses it anyway, and TTL tidies it away.
 */
export const spentChallengeKey = (spentId: string) => ({ pk: `ALTCHA#${spentId}` });
const SPENT_CHALLENGE_MARGIN_SECONDS = 60;

export const spentChallengeItem = (spentId: string, expiresAt: number): Item => ({
  ...spentChallengeKey(spentId),
  [TTL_ATTRIBUTE]: Math.ceil(expiresAt / 1000) + SPENT_CHALLENGE_MARGIN_SECONDS,
});
