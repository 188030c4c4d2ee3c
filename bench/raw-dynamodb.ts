/**
 * What DynamoDB itself can do on this machine, in the same run: plain calls from the bench
 * straight to DynamoDB, on a bare table of the bench's own (one string key, no index), against
 * which the service's throughput and settle times are ratios.
 */
import { performance } from 'node:perf_hooks';
import { CreateTableCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { BenchEnvironment } from './environment';
import { mapConcurrent } from './stats';

type Dynamo = NonNullable<BenchEnvironment['dynamo']>;

const created = new Map<string, Promise<string>>();

/** The bench's bare table, created on first use. */
export function rawTable(dynamo: Dynamo): Promise<string> {
  const name = dynamo.rawTable;
  if (!created.has(name)) {
    created.set(
      name,
      dynamo.client
        .send(
          new CreateTableCommand({
            TableName: name,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          }),
        )
        .then(() => name),
    );
  }
  return created.get(name)!;
}

/** Calls per second of `count` calls, `concurrency` at a time. */
export async function callsPerSecond(count: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await mapConcurrent(Array.from({ length: count }), concurrency, (_, i) => call(i));
  return count / ((performance.now() - started) / 1000);
}

let runs = 0;

/** New items, each put only if absent: what a join writes, without the service. */
export async function rawPutThroughput(dynamo: Dynamo, count: number, concurrency: number): Promise<number> {
  const table = await rawTable(dynamo);
  const run = ++runs;
  return callsPerSecond(count, concurrency, (i) =>
    dynamo.client.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: `put#${run}#${i}` }, userId: { S: `user-${i}` }, joinedAt: { N: String(Date.now()) } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

/** `ADD balance :amount` on `items` items in turn: what a charge does, without the service. */
export async function rawAddThroughput(dynamo: Dynamo, count: number, concurrency: number, items = concurrency): Promise<number> {
  const table = await rawTable(dynamo);
  return callsPerSecond(count, concurrency, (i) =>
    dynamo.client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: `wallet#${i % items}` } },
        UpdateExpression: 'ADD balance :amount',
        ExpressionAttributeValues: { ':amount': { N: '1' } },
      }),
    ),
  );
}

/**
 * `racers` conditional UpdateItems on one item sent at once, each claiming it only if nobody has:
 * milliseconds until every one is answered (one succeeds, the rest fail their condition).
 */
export async function rawRaceSettleMs(dynamo: Dynamo, racers: number): Promise<{ ms: number; won: number }> {
  const table = await rawTable(dynamo);
  const key = { pk: { S: `seat#${++runs}` } };
  const started = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: racers }, (_, i) =>
      dynamo.raceClient
        .send(
          new UpdateItemCommand({
            TableName: table,
            Key: key,
            UpdateExpression: 'SET heldBy = :me',
            ConditionExpression: 'attribute_not_exists(heldBy)',
            ExpressionAttributeValues: { ':me': { S: `racer-${i}` } },
          }),
        )
        .then(
          () => true,
          (error: Error) => {
            if (error.name !== 'ConditionalCheckFailedException') throw error;
            return false;
          },
        ),
    ),
  );
  return { ms: performance.now() - started, won: outcomes.filter(Boolean).length };
}
