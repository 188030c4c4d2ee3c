import { unmarshall } from '@aws-sdk/util-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, isTransactionConflict } from '../shared/dynamodb-errors';
import type { Item, TransactItem } from '../shared/dynamodb-item';
import { transactionCancellations } from '../shared/dynamodb-transactions';
import { chunks } from '../shared/chunks';
import { getAll } from '../shared/dynamodb-batch-get';
import { queryAll } from '../shared/dynamodb-query';
import { QUEUES_INDEX } from '../shared/tables';
import { statsKeys, toSalesTally } from '../stats/stats-keys';
import {
  BANNED,
  batchAttribute,
  givenBackTidy,
  isBannedItem,
  passedOverCount,
  placeGivenBackUpdate,
  PRE_QUEUE,
  QUEUE_LIST,
  queueKeys,
  toAdmissionState,
  toTokenRecord,
  tokenBanUpdate,
  tokenItem,
  tokenSpendUpdate,
  turnGivenBackUpdate,
} from './queue-keys';
import type { AdmissionBatch } from './queue-rules';
import type { ClaimResult, PreQueueWrite, QueueRepository, QueueSnapshot, ReplaceableToken } from './queue-repository';
import type { SequenceCounter } from './sequence-counter';
import type { PreQueueCounter } from './pre-queue-counter';
import type { RateWindow } from './waiting-room-rules';
import { createTokenCheckReads } from './token-check-reads';

export interface QueueRepositoryOptions {
  /** The line's counter: one exact counter, or QUEUE_SHARDS of them. */
  readonly counter: SequenceCounter;
  /** The pre-queue's counter, as many shards as the line's. */
  readonly preQueueCounter: PreQueueCounter;
  /** POLL_ADMISSION_CACHE_MS: how long polls and joins may reuse an admission record this instance read (0: never). */
  readonly admissionCacheMs?: number;
}

/**
 * Expired batches one write removes at most: an expression names each (DynamoDB refuses one over 4 KB).
 * An admission run tidies the oldest this many; the expiry job removes the rest, this many a call.
 */
const BATCHES_PER_WRITE = 100;

/** Concerts whose last-seen admission record an instance keeps; past this the memory starts over (it only saves work). */
const MAX_SEEN_ADMISSIONS = 10_000;

export function createDynamoQueueRepository(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: QueueRepositoryOptions,
): QueueRepository {
  const { counter, preQueueCounter } = options;
  const shards = counter.shards;
  const admissionCacheMs = options.admissionCacheMs ?? 0;
  const admissionOf = (item: Item | undefined) => toAdmissionState(item, shards);
  const recentAdmissions = new Map<string, { readonly at: number; readonly item: Promise<Item | undefined> }>();
  const seenAdmissions = new Map<string, Item | undefined>();
  // Every admission record this instance read, fresh or for polls, with when its read began.
  const readAdmissions = new Map<string, { readonly at: number; readonly item: Item | undefined }>();

  const seen = (concertId: string, item: Item | undefined) => {
    if (seenAdmissions.size >= MAX_SEEN_ADMISSIONS) seenAdmissions.clear();
    seenAdmissions.set(concertId, item);
    return item;
  };

  const readAt = (concertId: string, at: number, item: Item | undefined) => {
    const known = readAdmissions.get(concertId);
    if (known && known.at > at) return item;
    if (readAdmissions.size >= MAX_SEEN_ADMISSIONS) readAdmissions.clear();
    readAdmissions.set(concertId, { at, item });
    return item;
  };
  const readAdmission = async (concertId: string) => {
    const at = Date.now();
    return readAt(concertId, at, await getItem(queueKeys.admission(concertId)));
  };

  // This instance just wrote (or lost a race to write) the record: its next reader reads it afresh.
  const forgetAdmission = (concertId: string) => recentAdmissions.delete(concertId);

  // Consistent reads by key, 100 to a call; unprocessed keys (throttling) are asked for again after a pause.
  const batchGet = (keys: Item[]) => getAll(client, tableName, keys);
  // The ACTIVE checks' reads: concurrent checks share a BatchGetItem, each sent after they asked.
  const tokenChecks = createTokenCheckReads(batchGet);

  async function getItem(key: Item): Promise<Item | undefined> {
    const result = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return result.Item;
  }

  return {
    async placeToken(record, replaceable): Promise<ClaimResult> {
      const { condition, names, values } = replaceableCondition(record.shard !== undefined, replaceable);
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: tokenItem(record),
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { claimed: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // The failed check hands back the live token that stands (or the ban), saving a read.
        const current = error.Item ? unmarshall(error.Item) : await getItem(queueKeys.token(record.concertId, record.userId));
        if (isBannedItem(current)) return { claimed: false, banned: true };
        return { claimed: false, current: current ? toTokenRecord(current) : undefined };
      }
    },

    nextSequence: (concertId) => counter.next(concertId),

    nextPreQueueArrival: (concertId) => preQueueCounter.next(concertId),

    closePreQueue: (concertId, counters, now) => preQueueCounter.close(concertId, counters, now),

    async findToken(concertId, userId) {
      const item = await getItem(queueKeys.token(concertId, userId));
      return item ? toTokenRecord(item) : undefined;
    },

    async findTokenWithAdmission(concertId, userId) {
      const { token, admission, at } = await tokenChecks.read(concertId, userId);
      return {
        token: token ? toTokenRecord(token) : undefined,
        banned: isBannedItem(token),
        admission: admissionOf(readAt(concertId, at, admission)),
      };
    },

    async findAdmission(concertId, read = {}) {
      if (!read.recentAdmission) return admissionOf(await readAdmission(concertId));
      if (admissionCacheMs <= 0) return admissionOf(seen(concertId, await readAdmission(concertId)));
      const recent = recentAdmissions.get(concertId);
      if (recent && Date.now() - recent.at < admissionCacheMs) return admissionOf(await recent.item);
      // Aged from when the read began, and shared by everyone who asks meanwhile (a join burst reads it once).
      const entry = { at: Date.now(), item: readAdmission(concertId) };
      recentAdmissions.set(concertId, entry);
      try {
        return admissionOf(seen(concertId, await entry.item));
      } catch (error) {
        if (recentAdmissions.get(concertId) === entry) recentAdmissions.delete(concertId);
        throw error;
      }
    },

    lastSeenAdmission(concertId) {
      return seenAdmissions.has(concertId) ? admissionOf(seenAdmissions.get(concertId)) : undefined;
    },

    readAdmissionWithin(concertId) {
      const read = readAdmissions.get(concertId);
      return read && Date.now() - read.at < admissionCacheMs ? admissionOf(read.item) : undefined;
    },

    async listQueues() {
      const counters = await queryAll(client, {
        TableName: tableName,
        IndexName: QUEUES_INDEX,
        KeyConditionExpression: 'queueList = :list',
        ExpressionAttributeValues: { ':list': QUEUE_LIST },
      });
      // Each shard's counter lists its concert.
      return [...new Set(counters.map((item) => item.concertId as string))];
    },

    async snapshot(concertId): Promise<QueueSnapshot> {
      const admissionKey = queueKeys.admission(concertId).pk;
      const salesKey = statsKeys.sales(concertId);
      const items = await batchGet([...counter.keys(concertId), ...preQueueCounter.keys(concertId), { pk: admissionKey }, salesKey]);
      const counters = counter.values(concertId, items);
      return {
        lastSeq: counters.reduce((total, value) => total + value, 0),
        admission: admissionOf(items.find((item) => item.pk === admissionKey)),
        ...(shards > 1 ? { counters } : {}),
        preQueueCounters: preQueueCounter.read(concertId, items),
        sales: toSalesTally(items.find((item) => item.pk === salesKey.pk)),
      };
    },

    recordShardedAdmission: (concertId, expected, line, batch, tidy, passedGivenBack = [], window, preQueue) =>
      recordRun(concertId, {
        sets: ['shardAdmitted = :admitted', 'shardEpochs = :epochs', 'lineRevision = :revision'],
        values: {
          ':admitted': line.admitted,
          ':epochs': line.epochs,
          ':revision': line.revision,
          ...(expected.revision > 0 ? { ':expected': expected.revision } : {}),
        },
        // Written only over the state this run read: of overlapping runs, one records and the others nothing.
        condition: expected.revision === 0 ? 'attribute_not_exists(lineRevision)' : 'lineRevision = :expected',
        batch,
        tidy,
        passedGivenBack,
        window,
        preQueue,
      }),

    recordAdmission: (concertId, expectedAdmittedSeq, batch, tidy, passedGivenBack = [], window, preQueue) =>
      recordRun(concertId, {
        sets: [],
        values: { ':expected': expectedAdmittedSeq },
        // Of runs from the same watermark, one records. A batch of pre-queue places alone leaves the
        // watermark at 0: written, it reads as 0 too.
        condition: expectedAdmittedSeq === 0 ? '(attribute_not_exists(admittedSeq) OR admittedSeq = :expected)' : 'admittedSeq = :expected',
        batch,
        tidy,
        passedGivenBack,
        window,
        preQueue,
      }),

    giveBackTurn: (token, batch, admittedAfter, change, now) =>
      giveBack(token.concertId, [
        tokenSpendUpdate(tableName, token, now, change.ban),
        turnGivenBackUpdate(tableName, token, batch, admittedAfter, change),
      ]),

    giveBackPlace: (token, change, listed, now) =>
      giveBack(token.concertId, [
        tokenSpendUpdate(tableName, token, now, change.ban),
        placeGivenBackUpdate(tableName, token, change, listed),
      ]),

    async banUser(concertId, userId, read, now) {
      try {
        await client.send(new UpdateCommand(tokenBanUpdate(tableName, { concertId, userId }, read, now)));
        return true;
      } catch (error) {
        if (isConditionFailure(error) || isTransactionConflict(error)) return false;
        throw error;
      }
    },

    async removeBatches(concertId, batches) {
      const removed: AdmissionBatch[] = [];
      for (const part of chunks(batches, BATCHES_PER_WRITE)) removed.push(...(await removeSome(concertId, part)));
      return removed;
    },
  };

  /** One write of `removeBatches`: the batches it removed (a concurrent call may have removed others). */
  async function removeSome(concertId: string, batches: readonly AdmissionBatch[]): Promise<AdmissionBatch[]> {
    const names = Object.fromEntries(batches.map((batch, i) => [`#b${i}`, batchAttribute(batch)]));
    try {
      const result = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: queueKeys.admission(concertId),
          UpdateExpression: `REMOVE ${Object.keys(names).join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return Object.values(result.Attributes ?? {}) as AdmissionBatch[];
    } catch (error) {
      if (isConditionFailure(error)) return [];
      throw error;
    }
  }

  /**
   * An admission run's one write to the record, on the run's condition: its own sets, the batch and
   * the watermark it reaches, the rate window, the pre-queue's part, and the tidying of old batches and
   * of given-back places passed. False when the condition failed or a transaction on the record (a
   * payment, a settings change) was in flight: nothing was written, and the next run admits.
   */
  async function recordRun(
    concertId: string,
    run: {
      sets: string[];
      values: Record<string, unknown>;
      condition: string;
      batch: AdmissionBatch | undefined;
      tidy: readonly AdmissionBatch[];
      passedGivenBack: readonly string[];
      window: RateWindow | undefined;
      preQueue: PreQueueWrite | undefined;
    },
  ): Promise<boolean> {
    const passed = givenBackTidy(run.passedGivenBack);
    const passedOver = passedOverCount(run.batch);
    const pre = preQueueClauses(run.preQueue);
    const names: Record<string, string> = { ...passed.names, ...passedOver.names, ...pre.names };
    const values: Record<string, unknown> = { ...run.values, ...passed.values, ...passedOver.values, ...pre.values };
    const sets = [...run.sets, ...pre.sets];
    if (run.batch) {
      names['#batch'] = batchAttribute(run.batch);
      values[':admittedSeq'] = run.batch.lastSeq;
      values[':batchValue'] = run.batch;
      sets.push('admittedSeq = :admittedSeq', '#batch = :batchValue');
    }
    if (run.window) {
      values[':window'] = run.window;
      sets.push('rateWindow = :window');
    }
    const remove = tidyClause(run.tidy, names);
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: queueKeys.admission(concertId),
          UpdateExpression: `SET ${sets.join(', ')}${remove}${passed.clause}${passedOver.clause}`,
          ConditionExpression: run.condition + pre.condition,
          ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error) || isTransactionConflict(error)) return false;
      throw error;
    } finally {
      forgetAdmission(concertId);
    }
  }

  /** One give-back transaction: true when it landed; false when a check failed or another write collided. */
  async function giveBack(concertId: string, items: TransactItem[]): Promise<boolean> {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (!transactionCancellations(error)) throw error;
      return false;
    } finally {
      // This instance's next poll or join reads the record afresh, and sees the place given back.
      forgetAdmission(concertId);
    }
  }
}

/**
 * The pre-queue's part of a run's write: the opening recorded only where none is (of overlapping
 * opening runs exactly one lands), and later runs only over the `admitted` they read.
 */
function preQueueClauses(write: PreQueueWrite | undefined): {
  sets: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
  condition: string;
} {
  if (!write) return { sets: [], names: {}, values: {}, condition: '' };
  return {
    sets: ['#preQueue = :preQueue'],
    names: { '#preQueue': PRE_QUEUE },
    values: { ':preQueue': write.after, ...(write.opening ? {} : { ':preQueueAdmitted': write.expectedAdmitted }) },
    condition: write.opening ? ' AND attribute_not_exists(#preQueue)' : ' AND #preQueue.admitted = :preQueueAdmitted',
  };
}

/**
 * The clause of an admission run's write that tidies expired batches: the oldest BATCHES_PER_WRITE
 * of them, named in `names` (the expiry job removes any more).
 */
function tidyClause(tidy: readonly AdmissionBatch[], names: Record<string, string>): string {
  const tidied = tidy.slice(0, BATCHES_PER_WRITE);
  tidied.forEach((old, i) => (names[`#old${i}`] = batchAttribute(old)));
  return tidied.length > 0 ? ` REMOVE ${tidied.map((_, i) => `#old${i}`).join(', ')}` : '';
}

/**
 * The condition of a join's write: no token yet, or one that no longer holds a place (spent,
 * unnumbered, or numbered at or below its counter's expired bound), or the one named to replace.
 */
function replaceableCondition(sharded: boolean, replaceable: ReplaceableToken) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const clauses = ['attribute_not_exists(pk)', 'attribute_exists(finishedAt)', 'attribute_not_exists(seq)'];
  // The bound is the line's: a pre-queue token's seq is an arrival number, and only the exact token named below replaces it.
  // One short clause a counter: at 64 shards about 1.9 KB and 260 operators, under DynamoDB's 4 KB and 300 an expression.
  const bounds: string[] = [];
  replaceable.expiredThrough.forEach((through, shard) => {
    if (through <= 0) return;
    values[`:t${shard}`] = through;
    if (!sharded) {
      bounds.push(`seq <= :t${shard}`);
      return;
    }
    names['#s'] = 'shard';
    values[`:s${shard}`] = shard;
    bounds.push(`#s = :s${shard} AND seq <= :t${shard}`);
  });
  if (bounds.length > 0) {
    names['#preQueue'] = PRE_QUEUE;
    clauses.push(`(attribute_not_exists(#preQueue) AND (${bounds.join(' OR ')}))`);
  }
  if (replaceable.token !== undefined) {
    names['#token'] = 'token';
    values[':replacing'] = replaceable.token;
    clauses.push('#token = :replacing');
  }
  // The replay guard holds whatever else lets the write through.
  names['#challenge'] = 'challenge';
  const guard = replaceable.challenge;
  values[':challenge'] = 'below' in guard ? guard.below : guard.atOrBelow;
  const kept = `(attribute_not_exists(#challenge) OR #challenge ${'below' in guard ? '<' : '<='} :challenge)`;
  // And never over a ban, whatever the item holds (a ban's item may hold no token at all).
  names['#banned'] = BANNED;
  return { condition: `((${clauses.join(' OR ')}) AND ${kept}) AND attribute_not_exists(#banned)`, names, values };
}
