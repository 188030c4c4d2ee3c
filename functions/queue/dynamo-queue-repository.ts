import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../shared/dynamodb-errors';
import { QUEUES_INDEX, TTL_ATTRIBUTE } from '../shared/tables';
import type { AdmissionBatch, AdmissionState, QueueTokenRecord } from './queue-rules';
import type { ClaimResult, QueueRepository, QueueSnapshot } from './queue-repository';

/**
 * Items of the queue table (partition key only, so each is its own hot-key budget):
 * - `SEQ#<concert>`       lastSeq: the concert's line counter (and its entry in the queues index)
 * - `ADMISSION#<concert>` admittedSeq, and one `b#<firstSeq>` attribute per admitted batch
 * - `TOKEN#<concert>#<user>` the user's token for the concert: token, seq, joinedAt, finishedAt
 */
export const queueKeys = {
  sequence: (concertId: string) => ({ pk: `SEQ#${concertId}` }),
  admission: (concertId: string) => ({ pk: `ADMISSION#${concertId}` }),
  token: (concertId: string, userId: string) => ({ pk: `TOKEN#${concertId}#${userId}` }),
};

const BATCH_PREFIX = 'b#';
export const batchAttribute = (batch: Pick<AdmissionBatch, 'firstSeq'>) => `${BATCH_PREFIX}${batch.firstSeq}`;
const QUEUE_LIST = 'QUEUE';
/** Token items outlive any rush; TTL removes them long after they stopped mattering. */
const TOKEN_RETENTION_SECONDS = 7 * 24 * 3600;

type Item = Record<string, unknown>;

export function toTokenRecord(item: Item): QueueTokenRecord {
  return {
    token: item.token as string,
    concertId: item.concertId as string,
    userId: item.userId as string,
    seq: item.seq as number | undefined,
    joinedAt: item.joinedAt as number,
    finishedAt: item.finishedAt as number | undefined,
  };
}

export function toAdmissionState(item: Item | undefined): AdmissionState {
  if (!item) return { admittedSeq: 0, batches: [] };
  const batches = Object.entries(item)
    .filter(([name]) => name.startsWith(BATCH_PREFIX))
    .map(([, value]) => value as AdmissionBatch)
    .sort((a, b) => a.firstSeq - b.firstSeq);
  return { admittedSeq: (item.admittedSeq as number | undefined) ?? 0, batches };
}

export function createDynamoQueueRepository(client: DynamoDBDocumentClient, tableName: string): QueueRepository {
  async function getItem(key: Item): Promise<Item | undefined> {
    const result = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return result.Item;
  }

  return {
    async claimPlace(record, replacing): Promise<ClaimResult> {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...queueKeys.token(record.concertId, record.userId),
              token: record.token,
              concertId: record.concertId,
              userId: record.userId,
              joinedAt: record.joinedAt,
              [TTL_ATTRIBUTE]: Math.floor(record.joinedAt / 1000) + TOKEN_RETENTION_SECONDS,
            },
            ConditionExpression: replacing === undefined ? 'attribute_not_exists(pk)' : '#token = :replacing',
            ExpressionAttributeNames: replacing === undefined ? undefined : { '#token': 'token' },
            ExpressionAttributeValues: replacing === undefined ? undefined : { ':replacing': replacing },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { claimed: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // The failed check hands back the item that won, saving a read.
        const current = error.Item ? unmarshall(error.Item) : await getItem(queueKeys.token(record.concertId, record.userId));
        return { claimed: false, current: current ? toTokenRecord(current) : undefined };
      }
    },

    async assignSequence(concertId, userId, token, seq) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: queueKeys.token(concertId, userId),
            UpdateExpression: 'SET seq = :seq',
            ConditionExpression: '#token = :token AND attribute_not_exists(seq)',
            ExpressionAttributeNames: { '#token': 'token' },
            ExpressionAttributeValues: { ':token': token, ':seq': seq },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async nextSequence(concertId) {
      const result = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: queueKeys.sequence(concertId),
          UpdateExpression: 'ADD lastSeq :one SET queueList = :list, concertId = :concertId',
          ExpressionAttributeValues: { ':one': 1, ':list': QUEUE_LIST, ':concertId': concertId },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return result.Attributes?.lastSeq as number;
    },

    async findToken(concertId, userId) {
      const item = await getItem(queueKeys.token(concertId, userId));
      return item ? toTokenRecord(item) : undefined;
    },

    async findTokenWithAdmission(concertId, userId) {
      const tokenKey = queueKeys.token(concertId, userId).pk;
      const admissionKey = queueKeys.admission(concertId).pk;
      const items = await batchGet([{ pk: tokenKey }, { pk: admissionKey }]);
      const token = items.find((item) => item.pk === tokenKey);
      return {
        token: token ? toTokenRecord(token) : undefined,
        admission: toAdmissionState(items.find((item) => item.pk === admissionKey)),
      };
    },

    async findAdmission(concertId) {
      return toAdmissionState(await getItem(queueKeys.admission(concertId)));
    },

    async listQueues() {
      const concertIds: string[] = [];
      let startKey: Item | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: QUEUES_INDEX,
            KeyConditionExpression: 'queueList = :list',
            ExpressionAttributeValues: { ':list': QUEUE_LIST },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) concertIds.push(item.concertId as string);
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return concertIds;
    },

    async snapshot(concertId): Promise<QueueSnapshot> {
      const sequenceKey = queueKeys.sequence(concertId).pk;
      const admissionKey = queueKeys.admission(concertId).pk;
      const items = await batchGet([{ pk: sequenceKey }, { pk: admissionKey }]);
      const sequence = items.find((item) => item.pk === sequenceKey);
      return {
        lastSeq: (sequence?.lastSeq as number | undefined) ?? 0,
        admission: toAdmissionState(items.find((item) => item.pk === admissionKey)),
      };
    },

    async recordAdmission(concertId, expectedAdmittedSeq, batch, tidy) {
      const names: Record<string, string> = { '#batch': batchAttribute(batch) };
      tidy.forEach((old, i) => (names[`#old${i}`] = batchAttribute(old)));
      const remove = tidy.length > 0 ? ` REMOVE ${tidy.map((_, i) => `#old${i}`).join(', ')}` : '';
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: queueKeys.admission(concertId),
            UpdateExpression: `SET admittedSeq = :admitted, #batch = :batchValue${remove}`,
            ConditionExpression:
              expectedAdmittedSeq === 0 ? 'attribute_not_exists(admittedSeq)' : 'admittedSeq = :expected',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: {
              ':admitted': batch.lastSeq,
              ':batchValue': batch,
              ...(expectedAdmittedSeq === 0 ? {} : { ':expected': expectedAdmittedSeq }),
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async removeBatches(concertId, batches) {
      if (batches.length === 0) return [];
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
    },
  };

  async function batchGet(keys: Item[]): Promise<Item[]> {
    const result = await client.send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
    );
    const unprocessed = result.UnprocessedKeys?.[tableName]?.Keys;
    const items = result.Responses?.[tableName] ?? [];
    // Unprocessed keys only come back under throttling: read them once more, one by one.
    if (unprocessed && unprocessed.length > 0) {
      for (const key of unprocessed) {
        const item = await getItem(key);
        if (item) items.push(item);
      }
    }
    return items;
  }
}
