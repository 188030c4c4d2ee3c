import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbClient, type CallBounds } from '../functions/shared/dynamodb-client';
import { startDynamoDbLocal, type RunningDynamoDb } from '../local/dynamodb-local';
import packageJson from '../package.json';
import { localTableEnv } from '../local/tables';
import type { DynamoDbCall } from './dynamodb-calls';
import type { CallSummary, ServerReply, ServerRequest } from './server-protocol';

/** Settings of the server under test: room for every benchmark's users at once, admitted a thousand a run. */
export const BENCH_SERVER_SETTINGS = {
  ADMIT_PER_TICK: '1000',
  MAX_ACTIVE_PER_CONCERT: '10000',
  HOLD_SECONDS: '300',
  ACTIVE_SECONDS: '600',
} as const;

/** The bench's raw calls wait as long as an overloaded DynamoDB Local takes, and only then fail. */
const RAW_BOUNDS: CallBounds = { maxAttempts: 3, connectionTimeoutMs: 10_000, requestTimeoutMs: 30_000, throwOnRequestTimeout: true };
/** Raw calls that race all at once each get a connection of their own. */
const RACE_SOCKETS = 256;

export interface CallWindow {
  readonly summary: CallSummary;
  readonly calls?: DynamoDbCall[];
}

/** What the scenarios run against. */
export interface BenchEnvironment {
  readonly url: string;
  /** Direct access to the same DynamoDB (absent with `--base-url` and no DYNAMODB_ENDPOINT). */
  readonly dynamo?: {
    readonly endpoint: string;
    /** A plain client for raw calls, made as the handlers' client is (with room for slow answers under load). */
    readonly client: DynamoDBClient;
    /** The same, with a connection for each of up to RACE_SOCKETS calls at once. */
    readonly raceClient: DynamoDBClient;
    readonly documentClient: DynamoDBDocumentClient;
    readonly tables: Record<string, string>;
    /** The bench's own bare table for raw calls (raw-dynamodb.ts), not one of the service's. */
    readonly rawTable: string;
  };
  /** Process ids of the server and of DynamoDB Local, when the bench started them (for their CPU use). */
  readonly pids?: { readonly server?: number; readonly database?: number };
  /** The server's DynamoDB calls (absent with `--base-url`: the server is not ours to count). */
  readonly calls?: {
    /**
     * Counts the server's calls from now until `take`: `keepCalls` keeps each call (its timing and
     * input, to replay it), `capacity` asks DynamoDB for the capacity each consumed. Outside a
     * window nothing is counted, so loads run without the counter's cost.
     */
    start(options: { keepCalls?: boolean; capacity?: boolean }): Promise<void>;
    take(): Promise<CallWindow>;
  };
  readonly description: string;
  stop(): Promise<void>;
}

/**
 * Starts what the bench needs, as `npm start` would: DynamoDB Local (or DYNAMODB_ENDPOINT), fresh
 * tables with the demo data, and the server in its own process. With `baseUrl`, uses that server.
 */
export async function startEnvironment(options: { baseUrl?: string; extraEnv?: Record<string, string> }): Promise<BenchEnvironment> {
  if (options.baseUrl) return externalServer(options.baseUrl);

  let database: RunningDynamoDb | undefined;
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? (database = await startDynamoDbLocal()).endpoint;
  const tablePrefix = `bench${randomBytes(3).toString('hex')}-`;
  const tables = localTableEnv(tablePrefix);
  let child: ChildProcess | undefined;
  try {
    child = fork(resolve(__dirname, 'server-process.ts'), [], {
      // BENCH_SERVER_NODE_ARGS adds node flags to the server alone, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
      execArgv: [...startScriptNodeOptions(), ...(process.env.BENCH_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [])],
      env: { ...process.env, ...BENCH_SERVER_SETTINGS, ...options.extraEnv, DYNAMODB_ENDPOINT: endpoint, BENCH_TABLE_PREFIX: tablePrefix },
      // stdout carries a metric line per join, hold, payment and refusal: still written (its cost is
      // part of what is measured), not shown. Warnings and errors go to stderr.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const ipc = ipcChannel(child);
    const ready = await ipc.ready;
    const client = createDynamoDbClient(endpoint, RAW_BOUNDS);
    const raceClient = createDynamoDbClient(endpoint, RAW_BOUNDS, RACE_SOCKETS);
    const running = child;
    return {
      url: ready.url!,
      dynamo: { endpoint, client, raceClient, documentClient: DynamoDBDocumentClient.from(client), tables, rawTable: `${tablePrefix}raw` },
      // DYNAMODB_LOCAL_PID: the process of a DynamoDB Local given by DYNAMODB_ENDPOINT, to read its CPU too.
      pids: { server: child.pid, database: database?.pid ?? (Number(process.env.DYNAMODB_LOCAL_PID) || undefined) },
      calls: {
        start: async ({ keepCalls = false, capacity = false }) => void (await ipc.ask({ op: 'window:start', keepCalls, capacity })),
        take: async () => {
          const reply = await ipc.ask({ op: 'window:take' });
          return { summary: reply.summary!, calls: reply.calls };
        },
      },
      description: `DynamoDB ${database ? 'Local started by the bench' : `at ${endpoint}`}; server in its own process`,
      async stop() {
        client.destroy();
        raceClient.destroy();
        await Promise.race([ipc.ask({ op: 'stop' }), new Promise((r) => setTimeout(r, 5_000))]);
        // It exits right after its answer (and writes its CPU profile first, when asked to): a moment for that.
        if (running.exitCode === null) await Promise.race([once(running, 'exit'), new Promise((r) => setTimeout(r, 10_000))]);
        if (running.exitCode === null) running.kill('SIGKILL');
        await database?.stop();
      },
    };
  } catch (error) {
    child?.kill('SIGKILL');
    await database?.stop();
    throw error;
  }
}

/**
 * The server runs as `npm start` runs it: with the node options of package.json's start script
 * (`… exec node <options> local/start.ts`), so the bench measures the same runtime.
 */
export function startScriptNodeOptions(): string[] {
  const words = (packageJson.scripts.start as string).trim().split(/\s+/);
  const node = words.indexOf('node');
  if (node === -1) throw new Error(`package.json's start script does not run node: ${packageJson.scripts.start}`);
  return words.slice(node + 1, -1);
}

function externalServer(baseUrl: string): BenchEnvironment {
  return {
    url: baseUrl.replace(/\/$/, ''),
    description: `server at ${baseUrl} (DynamoDB calls not counted: the server is not the bench's)`,
    stop: async () => undefined,
  };
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

function ipcChannel(child: ChildProcess) {
  let nextId = 1;
  const waiting = new Map<number, (reply: ServerReply) => void>();
  let onReady: (reply: ServerReply) => void = () => undefined;
  let onFail: (error: Error) => void = () => undefined;
  const ready = new Promise<ServerReply>((resolveReady, rejectReady) => {
    onReady = resolveReady;
    onFail = rejectReady;
  });
  child.on('message', (reply: ServerReply) => {
    if (reply.id === 0) return onReady(reply);
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  child.once('exit', (code) => onFail(new Error(`the bench server exited (${code}) before it was ready`)));
  return {
    ready,
    ask(request: DistributiveOmit<ServerRequest, 'id'>): Promise<ServerReply> {
      const id = nextId++;
      return new Promise((resolveReply) => {
        waiting.set(id, resolveReply);
        child.send({ ...request, id });
      });
    },
  };
}
