import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** One DynamoDB call as the SDK made it (retries inside it are not separate calls). */
export interface DynamoDbCall {
  /** The client command, e.g. `GetItemCommand` (the document client's commands report theirs). */
  readonly command: string;
  /** `performance.now()` in milliseconds, when the call started and when its answer (or error) came. */
  readonly startedAt: number;
  endedAt: number;
  readCapacity: number;
  writeCapacity: number;
  /** The marshalled input as sent, kept only when asked for: enough to send the same call again. */
  input?: Record<string, unknown>;
  /** The error's name, when the call failed (a failed condition still costs a round trip). */
  error?: string;
}

export interface CallCounter {
  /** Command names of the DynamoDB calls made since the last reset, in order (retries not counted). */
  readonly calls: string[];
  /** The same calls with their timing and consumed capacity. */
  readonly records: DynamoDbCall[];
  reset(): void;
  detach(): void;
}

export interface CallCounterOptions {
  /** Ask DynamoDB for the capacity each call consumed (`ReturnConsumedCapacity: TOTAL`). */
  readonly capacity?: boolean;
  /** Keep each call's marshalled input, to replay it later. */
  readonly inputs?: boolean;
  /** Calls for which this is true when they start are not counted (work off the request path). */
  readonly ignore?: () => boolean;
}

const READ_COMMANDS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand', 'TransactGetItemsCommand']);
export const WRITE_COMMANDS: ReadonlySet<string> = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);
const CAPACITY_COMMANDS = new Set([...READ_COMMANDS, ...WRITE_COMMANDS]);

let counters = 0;

type AnyClient = DynamoDBDocumentClient | DynamoDBClient;
type CallContext = { commandName?: string; benchCall?: DynamoDbCall };

/**
 * Counts the DynamoDB calls a client makes, with an SDK middleware: the cost the issues measure.
 * The document client shares its middleware stack with the client under it, so calls made
 * through either are counted.
 */
export function countDynamoDbCalls(client: AnyClient, options: CallCounterOptions = {}): CallCounter {
  const calls: string[] = [];
  const records: DynamoDbCall[] = [];
  const name = `callCounter${++counters}`;
  const stack = client.middlewareStack as DynamoDBClient['middlewareStack'];

  stack.add(
    (next, context) => async (args) => {
      if (options.ignore?.()) return next(args);
      const command = (context as CallContext).commandName ?? 'unknown';
      const call: DynamoDbCall = { command, startedAt: performance.now(), endedAt: 0, readCapacity: 0, writeCapacity: 0 };
      calls.push(command);
      records.push(call);
      (context as CallContext).benchCall = call;
      const input = args.input as Record<string, unknown>;
      const sent =
        options.capacity && CAPACITY_COMMANDS.has(command) ? { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } } : args;
      try {
        const result = await next(sent);
        addCapacity(call, (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
        return result;
      } catch (error) {
        call.error = (error as Error).name;
        throw error;
      } finally {
        call.endedAt = performance.now();
      }
    },
    { step: 'initialize', name },
  );
  if (options.inputs) {
    // At the build step the input is marshalled, for document and plain commands alike.
    stack.add(
      (next, context) => async (args) => {
        const call = (context as CallContext).benchCall;
        if (call && !call.input) call.input = args.input as Record<string, unknown>;
        return next(args);
      },
      { step: 'build', name: `${name}Inputs` },
    );
  }
  return {
    calls,
    records,
    reset: () => {
      calls.splice(0, calls.length);
      records.splice(0, records.length);
    },
    detach: () => {
      stack.remove(name);
      if (options.inputs) stack.remove(`${name}Inputs`);
    },
  };
}

type Consumed = { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };

function addCapacity(call: DynamoDbCall, consumed: unknown): void {
  const entries = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Consumed[];
  for (const entry of entries) {
    if (entry.ReadCapacityUnits !== undefined || entry.WriteCapacityUnits !== undefined) {
      call.readCapacity += entry.ReadCapacityUnits ?? 0;
      call.writeCapacity += entry.WriteCapacityUnits ?? 0;
    } else if (READ_COMMANDS.has(call.command)) {
      call.readCapacity += entry.CapacityUnits ?? 0;
    } else {
      call.writeCapacity += entry.CapacityUnits ?? 0;
    }
  }
}

/**
 * Resolves once every call the counter saw has its answer, or after `withinMs`: a request may answer
 * before every call it started has (a refused hold does not wait for all of its own).
 */
export async function callsSettled(counter: Pick<CallCounter, 'records'> | undefined, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (counter?.records.some((call) => call.endedAt === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

/**
 * Round trips on the critical path: the longest chain of calls each starting after the previous
 * one answered. Calls that overlap (run in parallel) count once.
 */
export function criticalPathRoundTrips(calls: readonly Pick<DynamoDbCall, 'startedAt' | 'endedAt'>[]): number {
  // An answer may come before every call it started has; counted then, such a call would look
  // like a round trip of its own.
  if (calls.some((call) => call.endedAt === 0)) throw new Error('a call is still in flight: wait for it before counting');
  const byEnd = [...calls].sort((a, b) => a.endedAt - b.endedAt);
  let chain = 0;
  let lastEnd = -Infinity;
  for (const call of byEnd) {
    if (call.startedAt >= lastEnd) {
      chain++;
      lastEnd = call.endedAt;
    }
  }
  return chain;
}

/**
 * For each call, the call it waited for: the one that answered last before it started (or -1).
 * Replaying calls in this order keeps their shape: parallel calls stay parallel, a call made
 * with what another returned still waits for it.
 */
export function callPredecessors(calls: readonly Pick<DynamoDbCall, 'startedAt' | 'endedAt'>[]): number[] {
  return calls.map((call) => {
    let predecessor = -1;
    calls.forEach((other, i) => {
      if (other.endedAt <= call.startedAt && (predecessor === -1 || other.endedAt > calls[predecessor].endedAt)) predecessor = i;
    });
    return predecessor;
  });
}

/** Counted calls of a window, as the bench server sums them (bench/server-protocol.ts CallSummary). */
export interface CallTotals {
  readonly calls: number;
  readonly writeCapacity: number;
  readonly byCommand: Readonly<Record<string, number>>;
}

/**
 * What each loser of a race cost: the race's calls less the winner's, shared among the losers.
 * The winner's are taken as those of the same request made alone (`lone`), which it is.
 */
export function costPerLoser(
  race: CallTotals,
  lone: CallTotals,
  losers: number,
): { calls: number; writes: number; transactions: number; writeCapacity: number } {
  const writes = (totals: CallTotals) =>
    Object.entries(totals.byCommand).reduce((sum, [command, n]) => sum + (WRITE_COMMANDS.has(command) ? n : 0), 0);
  const transactions = (totals: CallTotals) => totals.byCommand.TransactWriteItemsCommand ?? 0;
  const share = (value: number) => (losers > 0 ? value / losers : Number.NaN);
  return {
    calls: share(race.calls - lone.calls),
    writes: share(writes(race) - writes(lone)),
    transactions: share(transactions(race) - transactions(lone)),
    writeCapacity: share(race.writeCapacity - lone.writeCapacity),
  };
}
