import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Item, TransactItem } from '../shared/dynamodb-item';
import { TTL_ATTRIBUTE } from '../shared/tables';
import { placeKey, type AdmissionBatch, type AdmissionState, type QueueTokenRecord } from './queue-rules';
import { emptyLine, type ShardedLine } from './sharded-line';
import type { RateWindow, WaitingRoom, WaitingRoomChange, WaitingRoomSettings } from './waiting-room-rules';
import type { PreQueue } from './pre-queue';

/**
 * Items of the queue table (partition key only, so each is its own hot-key budget):
 * - `SEQ#<concert>`       lastSeq: the concert's line counter (and its entry in the queues index);
 *   with QUEUE_SHARDS > 1, `SEQ#<concert>#<shard>` instead, one per shard (dynamo-sequence-counter.ts)
 * - `ADMISSION#<concert>` admittedSeq, and one `b#<firstSeq>` attribute per admitted batch; with
 *   shards also the line's `shardAdmitted`, `shardEpochs` and `lineRevision` (sharded-line.ts); the
 *   admission window's count `rateWindow`; once an admin changed them, the waiting-room `settings`
 *   with `settingsRevision`, `settingsUpdatedAt` and `settingsUpdatedBy`; and what users and admins
 *   gave back: `givenBack` (a string set of places left or revoked while waiting, queue-rules
 *   `placeKey`, tidied by the admission run that passes them), `leftTotal` (tokens their holders gave
 *   back: places left while waiting and turns ended early), `revokedTotal` (live tokens an admin
 *   revoked) and `passedOverTotal` (given-back places admission passed over: `admittedSeq` less these
 *   is the people admitted); for a scheduled opening,
 *   `saleScheduled` (set by the first settings change with a saleOpensAt, never removed) and, once the opening run
 *   recorded it, `preQueue` (pre-queue.ts `PreQueue`: sizes, the secret seed, how far it is admitted);
 *   on records an earlier version wrote, `banned` (a string set of user ids, still read, never added to:
 *   at about 11,000 ids it filled DynamoDB's 400 KB and every write of the record failed)
 * - `PREQ#<concert>` lastSeq: the pre-queue's arrival counter (`PREQ#<concert>#<shard>` with shards),
 *   listed in the queues index like the line's; `closedAt` once the opening run closed it
 * - `TOKEN#<concert>#<user>` the user's token for the concert: token, seq (and shard), joinedAt,
 *   finishedAt, `preQueue` (true) for a pre-queue token, whose seq is its arrival number there, and
 *   `challenge`, the replay key of the join challenge that let the user in last (challenge-replay-guard.ts),
 *   and the TTL attribute (7 days on). Once an admin banned the user: `banned` (when, epoch ms) and no
 *   TTL, so the ban stays; a join's write never lands over it. A ban of a user who had no item leaves
 *   one with only concertId, userId and `banned`, no token (`toTokenRecord` reads none from it).
 * - `WRCHANGE#<concert>#<revision>` one change of the waiting-room settings (the audit): at, by, changed
 */
export const queueKeys = {
  sequence: (concertId: string, shard?: number) => ({ pk: shard === undefined ? `SEQ#${concertId}` : `SEQ#${concertId}#${shard}` }),
  preQueue: (concertId: string, shard?: number) => ({ pk: shard === undefined ? `PREQ#${concertId}` : `PREQ#${concertId}#${shard}` }),
  admission: (concertId: string) => ({ pk: `ADMISSION#${concertId}` }),
  token: (concertId: string, userId: string) => ({ pk: `TOKEN#${concertId}#${userId}` }),
  waitingRoomChange: (concertId: string, revision: number) => ({ pk: `WRCHANGE#${concertId}#${revision}` }),
};

/** The queues index's one partition: every waiting room's counter is listed in it. */
export const QUEUE_LIST = 'QUEUE';

const BATCH_PREFIX = 'b#';
/**
 * The admission record's attribute that holds one admitted batch: `b#<firstSeq>`, or `b#p<first
 * place>` for one that admitted pre-queue places (whose line numbers may be none, so its firstSeq
 * could be the next batch's too).
 */
export const batchAttribute = (batch: Pick<AdmissionBatch, 'firstSeq' | 'preQueuePlaces'>) =>
  batch.preQueuePlaces ? `${BATCH_PREFIX}p${batch.preQueuePlaces[0]}` : `${BATCH_PREFIX}${batch.firstSeq}`;

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
  ...(record.preQueue ? { preQueue: true } : {}),
  ...(record.challenge !== undefined ? { challenge: record.challenge } : {}),
  joinedAt: record.joinedAt,
  [TTL_ATTRIBUTE]: Math.floor(record.joinedAt / 1000) + TOKEN_RETENTION_SECONDS,
});

/** A token item's token; undefined for a ban's item that never held one. */
export function toTokenRecord(item: Item): QueueTokenRecord | undefined {
  if (typeof item.token !== 'string') return undefined;
  return {
    token: item.token as string,
    concertId: item.concertId as string,
    userId: item.userId as string,
    seq: item.seq as number | undefined,
    ...(item.shard !== undefined ? { shard: item.shard as number } : {}),
    joinedAt: item.joinedAt as number,
    finishedAt: item.finishedAt as number | undefined,
    ...(item.preQueue === true ? { preQueue: true } : {}),
    ...(typeof item.challenge === 'string' ? { challenge: item.challenge } : {}),
    ...(isBannedItem(item) ? { banned: true } : {}),
  };
}

/** The token item (or a ban's item without a token) says an admin banned its user from the concert. */
export const isBannedItem = (item: Item | undefined) => item?.[BANNED] !== undefined;

/** The admission record; `shards` > 1 reads the sharded line's state too (empty before the first run). */
export function toAdmissionState(item: Item | undefined, shards = 1): AdmissionState {
  const line = shards > 1 ? toShardedLine(item, shards) : undefined;
  if (!item) return { admittedSeq: 0, batches: [], ...(line ? { line } : {}) };
  const batches = Object.entries(item)
    .filter(([name]) => name.startsWith(BATCH_PREFIX))
    .map(([, value]) => value as AdmissionBatch)
    .sort((a, b) => a.firstSeq - b.firstSeq);
  const passedOver = item[PASSED_OVER_TOTAL] as number | undefined;
  const settings = toWaitingRoom(item);
  return {
    admittedSeq: (item.admittedSeq as number | undefined) ?? 0,
    batches,
    ...(line ? { line } : {}),
    ...(settings ? { settings } : {}),
    ...(item.rateWindow !== undefined ? { rateWindow: item.rateWindow as RateWindow } : {}),
    ...givenBackOf(item),
    ...(item[PRE_QUEUE] !== undefined ? { preQueue: item[PRE_QUEUE] as PreQueue } : {}),
    ...(item.saleScheduled === true ? { saleScheduled: true } : {}),
    ...(passedOver ? { passedOverTotal: passedOver } : {}),
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
  // Once a sale is scheduled, clearing saleOpensAt later must not strand its pre-queue (queue-rules `openingScheduled`).
  const scheduled = room.settings.saleOpensAt !== null ? ', saleScheduled = :true' : '';
  return [
    {
      Update: {
        TableName: tableName,
        Key: queueKeys.admission(concertId),
        UpdateExpression: `SET settings = :settings, settingsRevision = :revision, settingsUpdatedAt = :at, settingsUpdatedBy = :by${scheduled}`,
        ConditionExpression: from === 0 ? 'attribute_not_exists(settingsRevision)' : 'settingsRevision = :from',
        ExpressionAttributeValues: {
          ':settings': room.settings,
          ':revision': room.revision,
          ':at': room.updatedAt,
          ':by': room.updatedBy,
          ...(scheduled ? { ':true': true } : {}),
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

/** The admission record's count of given-back places admission has passed over, so far. */
const PASSED_OVER_TOTAL = 'passedOverTotal';

/** The places given back and the users an earlier version banned, when the record has any (DynamoDB stores no empty set). */
function givenBackOf(item: Item): Pick<AdmissionState, 'givenBack' | 'banned'> {
  const givenBack = item[GIVEN_BACK] as Set<string> | undefined;
  const banned = item[BANNED] as Set<string> | undefined;
  return { ...(givenBack?.size ? { givenBack } : {}), ...(banned?.size ? { banned } : {}) };
}

const GIVEN_BACK = 'givenBack';
/** The admission record's set of banned users (an earlier version's), and a token item's mark of a ban. */
export const BANNED = 'banned';
/** The admission record's recorded opening (pre-queue.ts `PreQueue`). */
export const PRE_QUEUE = 'preQueue';

/** The admission record's counters of tokens given back, by why (what waiting-room stats read). */
export const GIVE_BACK_COUNTERS = { left: 'leftTotal', revoked: 'revokedTotal' } as const;

/** Why a live token ended before its time: its holder gave it back, or an admin revoked it. */
export interface GiveBack {
  readonly reason: keyof typeof GIVE_BACK_COUNTERS;
  /** Also bans the user from joining this concert again (marked on their token item, which then keeps no TTL). */
  readonly ban?: boolean;
}

function toShardedLine(item: Item | undefined, shards: number): ShardedLine {
  if (item?.shardAdmitted === undefined) return emptyLine(shards);
  return {
    admitted: item.shardAdmitted as number[],
    epochs: item.shardEpochs as number[][],
    revision: item.lineRevision as number,
  };
}

/**
 * A token held by someone who paid (or given back): it is spent, and only the same token, once. With
 * `ban` the item is marked banned too and loses its TTL, so the ban outlives the token's retention.
 */
export function tokenSpendUpdate(
  tableName: string,
  token: { token: string; concertId: string; userId: string },
  now: number,
  ban = false,
): TransactItem {
  const banned = ban ? bannedClauses() : undefined;
  return {
    Update: {
      TableName: tableName,
      Key: queueKeys.token(token.concertId, token.userId),
      UpdateExpression: banned ? `SET finishedAt = :now, ${banned.set} ${banned.remove}` : 'SET finishedAt = :now',
      ConditionExpression: '#token = :token AND attribute_not_exists(finishedAt)',
      ExpressionAttributeNames: { '#token': 'token', ...banned?.names },
      ExpressionAttributeValues: { ':token': token.token, ':now': now },
    },
  };
}

/** A ban's clauses on a token item (`:now` is the time): marked once (banned twice keeps the first time), and no TTL. */
function bannedClauses() {
  return {
    set: '#banned = if_not_exists(#banned, :now)',
    remove: 'REMOVE #ttl',
    names: { '#banned': BANNED, '#ttl': TTL_ATTRIBUTE },
  };
}

/**
 * A ban of a user with no live token: marks their token item banned, or makes one that holds only the
 * ban. Only over the item as the revocation read it (`read`: its token, or none): a join that landed
 * meanwhile fails the write, and the revocation reads again and revokes that token with the ban.
 */
export function tokenBanUpdate(
  tableName: string,
  user: { concertId: string; userId: string },
  read: string | undefined,
  now: number,
): UpdateCommandInput {
  const banned = bannedClauses();
  return {
    TableName: tableName,
    Key: queueKeys.token(user.concertId, user.userId),
    UpdateExpression: `SET ${banned.set}, concertId = :concertId, userId = :userId ${banned.remove}`,
    ConditionExpression: read === undefined ? 'attribute_not_exists(#token)' : '#token = :read',
    ExpressionAttributeNames: { '#token': 'token', ...banned.names },
    ExpressionAttributeValues: {
      ':now': now,
      ':concertId': user.concertId,
      ':userId': user.userId,
      ...(read === undefined ? {} : { ':read': read }),
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

/**
 * The admission record's part of a give-back, as ADD clauses: the counter of its reason (ADD makes it
 * when missing). A ban is no part of it: it goes on the token item (`tokenSpendUpdate`).
 */
function giveBackAdds(change: GiveBack) {
  const adds = ['#counter :one'];
  const names: Record<string, string> = { '#counter': GIVE_BACK_COUNTERS[change.reason] };
  const values: Record<string, unknown> = { ':one': 1 };
  return { adds, names, values };
}

/** An ACTIVE turn given back (left or revoked): its place is freed as a payment frees it (turnFinishedUpdate), and counted. */
export function turnGivenBackUpdate(
  tableName: string,
  token: { concertId: string; userId: string },
  batch: AdmissionBatch,
  admittedAfter: number,
  change: GiveBack,
): TransactItem {
  const turn = turnFinishedUpdate(tableName, token.concertId, batch, admittedAfter).Update!;
  const { adds, names, values } = giveBackAdds(change);
  return {
    Update: {
      ...turn,
      UpdateExpression: `${turn.UpdateExpression} ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: { ...turn.ExpressionAttributeNames, ...names },
      ExpressionAttributeValues: { ...turn.ExpressionAttributeValues, ...values },
    },
  };
}

/**
 * A waiting place given back (left or revoked): added to the record's given-back set, so polls, which
 * read no token item, read it EXPIRED, and admission passes over it; only while admission has not
 * reached it (else the token is ACTIVE, and its turn is what to give back). `listed` false leaves the
 * set alone (it is full: queue-rules MAX_GIVEN_BACK_PLACES) and only counts it.
 */
export function placeGivenBackUpdate(
  tableName: string,
  token: { concertId: string; userId: string; seq: number; shard?: number; preQueue?: boolean; place?: number },
  change: GiveBack,
  listed: boolean,
): TransactItem {
  if (token.preQueue) return preQueuePlaceGivenBackUpdate(tableName, { ...token, preQueue: true }, change, listed);
  const { adds, names, values } = giveBackAdds(change);
  if (listed) {
    adds.unshift('#givenBack :place');
    names['#givenBack'] = GIVEN_BACK;
    values[':place'] = new Set([placeKey(token)]);
  }
  return {
    Update: {
      TableName: tableName,
      Key: queueKeys.admission(token.concertId),
      UpdateExpression: `ADD ${adds.join(', ')}`,
      // Admission (on the token's shard, in a sharded line) has not reached the place.
      ConditionExpression:
        token.shard !== undefined
          ? `attribute_not_exists(shardAdmitted) OR shardAdmitted[${token.shard}] < :seq`
          : 'attribute_not_exists(admittedSeq) OR admittedSeq < :seq',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ...values, ':seq': token.seq },
    },
  };
}

/**
 * A pre-queue place given back: as `placeGivenBackUpdate`, keyed `p<arrival>`. Before the opening is
 * recorded (`place` unknown) only while it still is not; after, only while its shuffled `place` is not
 * yet admitted.
 */
function preQueuePlaceGivenBackUpdate(
  tableName: string,
  token: { concertId: string; userId: string; seq: number; shard?: number; preQueue: true; place?: number },
  change: GiveBack,
  listed: boolean,
): TransactItem {
  const { adds, names, values } = giveBackAdds(change);
  if (listed) {
    adds.unshift('#givenBack :place');
    names['#givenBack'] = GIVEN_BACK;
    values[':place'] = new Set([placeKey(token)]);
  }
  names['#preQueue'] = PRE_QUEUE;
  if (token.place !== undefined) values[':shuffledPlace'] = token.place;
  return {
    Update: {
      TableName: tableName,
      Key: queueKeys.admission(token.concertId),
      UpdateExpression: `ADD ${adds.join(', ')}`,
      ConditionExpression: token.place === undefined ? 'attribute_not_exists(#preQueue)' : '#preQueue.admitted < :shuffledPlace',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * The admission run's count of the given-back places its batch passes over (the batch's `finished`
 * as recorded), added to its own update: the watermark counts places, this tells people from them.
 */
export function passedOverCount(batch: AdmissionBatch | undefined): {
  clause: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  if (!batch || batch.finished === 0) return { clause: '', names: {}, values: {} };
  return { clause: ' ADD #passedOver :passedOver', names: { '#passedOver': PASSED_OVER_TOTAL }, values: { ':passedOver': batch.finished } };
}

/** The admission run's removal of given-back places its new watermark passed, added to its own update. */
export function givenBackTidy(passed: readonly string[]): {
  clause: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  if (passed.length === 0) return { clause: '', names: {}, values: {} };
  return { clause: ' DELETE #givenBack :passed', names: { '#givenBack': GIVEN_BACK }, values: { ':passed': new Set(passed) } };
}

/** The check a hold's commit makes on the queue token it was made under: still this token, and not spent (paid, left or revoked). */
export function tokenUnspentCheck(tableName: string, token: { token: string; concertId: string; userId: string }): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: queueKeys.token(token.concertId, token.userId),
      ConditionExpression: '#token = :token AND attribute_not_exists(finishedAt)',
      ExpressionAttributeNames: { '#token': 'token' },
      ExpressionAttributeValues: { ':token': token.token },
    },
  };
}
