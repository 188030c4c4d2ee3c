import { performance } from 'node:perf_hooks';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { callPredecessors, type DynamoDbCall } from './dynamodb-calls';
import { mapConcurrent } from './stats';

const COMMANDS: Record<string, new (input: any) => any> = {
  GetItemCommand,
  BatchGetItemCommand,
  QueryCommand,
  TransactGetItemsCommand,
  PutItemCommand,
  UpdateItemCommand,
  DeleteItemCommand,
  BatchWriteItemCommand,
  TransactWriteItemsCommand,
};

/**
 * The raw DynamoDB work of a request: its recorded calls sent again straight to DynamoDB, in the
 * same shape (parallel calls in parallel, a call that waited for another waits for it again).
 * Writes are sent as they were; their conditions now fail (the item changed), which costs DynamoDB
 * the same reads and a round trip, without the write. Transactions go without their
 * ClientRequestToken, so DynamoDB evaluates them instead of answering from its idempotency cache.
 */
export async function replayCalls(client: DynamoDBClient, calls: readonly DynamoDbCall[]): Promise<void> {
  const predecessors = callPredecessors(calls);
  const done: Promise<void>[] = [];
  calls.forEach((call, i) => {
    const after = predecessors[i] === -1 ? Promise.resolve() : done[predecessors[i]];
    done[i] = after.then(() => send(client, call));
  });
  await Promise.all(done);
}

async function send(client: DynamoDBClient, call: DynamoDbCall): Promise<void> {
  const Command = COMMANDS[call.command];
  if (!Command || !call.input) throw new Error(`cannot replay ${call.command}`);
  // The capacity the bench's counter asked for is not the service's request: the route's own loads go without it too.
  const { ClientRequestToken: _token, ReturnConsumedCapacity: _capacity, ...input } = call.input;
  try {
    await client.send(new Command(input));
  } catch (error) {
    const name = (error as Error).name;
    // Failed conditions are the expected answer of a replayed write.
    if (name !== 'ConditionalCheckFailedException' && name !== 'TransactionCanceledException') throw error;
  }
}

/** Latency of `times` replays of `calls`, `concurrency` at a time. */
export async function replayLatencies(
  client: DynamoDBClient,
  calls: readonly DynamoDbCall[],
  times: number,
  concurrency: number,
): Promise<number[]> {
  return mapConcurrent(Array.from({ length: times }), concurrency, async () => {
    const started = performance.now();
    await replayCalls(client, calls);
    return performance.now() - started;
  });
}
