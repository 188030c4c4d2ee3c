import type { Item, TransactItem } from '../shared/dynamodb-item';
import { TTL_ATTRIBUTE } from '../shared/tables';
import type { AdmissionBatch, AdmissionState, QueueTokenRecord } from './queue-rules';
import { emptyLine, type ShardedLine } from './sharded-line';
import type { RateWindow, WaitingRoom, WaitingRoomChange, WaitingRoomSettings } from './waiting-room-rules';

/**
 * Items of the queue table (partition key only, so each is its own hot-key budget):
 * - `SEQ#<concert>`       lastSeq: the concert's line counter (and its entry in the queues index);
 *   with QUEUE_SHARDS > 1, `SEQ#<concert>#<shard>` instead, one per shard (dynamo-sequence-counter.ts)
 * - `ADMISSION#<concert>` admittedSeq, and one `b#<firstSeq>` attribute per admitted batch; with
 *   shards also the line's `shardAdmitted`, `shardEpochs` and `lineRevision` (sharded-line.ts); the
 *   admission window's count `rateWindow`; once an admin changed them, the waiting-room `settings`
 *   with `settingsRevision`, `settingsUpdatedAt` and `settingsUpdatedBy`
 * - `TOKEN#<concert>#<user>` the user's token for the concert: token, seq (and shard), joinedAt, finishedAt
 * - `WRCHANGE#<concert>#<revision>` one change of the waiting-room settings (the audit): at, by, changed
 */
export const queueKeys = {
  sequence: (concertId: string, shard?: number) => ({ pk: shard === undefined ? `SEQ#${concertId}` : `SEQ#${concertId}#${shard}` }),
  admission: (concertId: string) => ({ pk: `ADMISSION#${concertId}` }),
  token: (concertId: string, userId: string) => ({ pk: `TOKEN#${concertId}#${userId}` }),
  waitingRoomChange: (concertId: string, revision: number) => ({ pk: `WRCHANGE#${concertId}#${revision}` }),
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
  const settings = toWaitingRoom(item);
  return {
    admittedSeq: (item.admittedSeq as number | undefined) ?? 0,
    batches,
    ...(line ? { line } : {}),
    ...(settings ? { settings } : {}),
    ...(item.rateWindow !== undefined ? { rateWindow: item.rateWindow as RateWindow } : {}),
  };
}

/** The waiting-room settings an admin stored on the admission record, or undefined when never changed. */
export function toWaitingRoom(item: Item | undefined): WaitingRoom | undefined {
  if (item?.settingsRevision === undefined) return undefined;
  return {
    revision: item.settingsRevision as number,
    settings: item.settings as WaitingRoomSettings,
    updatedAt: item.settingsUpdatedAt as number,
    updatedBy: item.settingsUpdatedBy as string,
  };
}

/**
 * A change of the waiting-room settings, as one transaction: the settings on the admission record,
 * only over the revision they were changed from (of two changes from one revision, one lands), and
 * the change's audit entry, which no earlier change can have written. Nothing else of the record is
 * touched, so the admission job's writes (conditioned on the watermark) and these never interfere.
 */
export function waitingRoomChangeItems(tableName: string, concertId: string, room: WaitingRoom, change: WaitingRoomChange): TransactItem[] {
  const from = room.revision - 1;
  return [
    {
      Update: {
        TableName: tableName,
        Key: queueKeys.admission(concertId),
        UpdateExpression: 'SET settings = :settings, settingsRevision = :revision, settingsUpdatedAt = :at, settingsUpdatedBy = :by',
        ConditionExpression: from === 0 ? 'attribute_not_exists(settingsRevision)' : 'settingsRevision = :from',
        ExpressionAttributeValues: {
          ':settings': room.settings,
          ':revision': room.revision,
          ':at': room.updatedAt,
          ':by': room.updatedBy,
          ...(from === 0 ? {} : { ':from': from }),
        },
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: { ...queueKeys.waitingRoomChange(concertId, change.revision), concertId, ...change },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

export function toWaitingRoomChange(item: Item): WaitingRoomChange {
  return {
    revision: item.revision as number,
    at: item.at as number,
    by: item.by as string,
    changed: item.changed as WaitingRoomChange['changed'],
  };
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
 * after `admittedAfter`: now − the batch's own turn length (queue-rules `batchActiveSeconds`).
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
