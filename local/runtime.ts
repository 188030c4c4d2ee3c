import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { jobs } from '../functions/jobs/job-table';
import { isConsumerRecord, streamConsumers, type StreamConsumerDefinition } from '../functions/jobs/stream-consumers';
import { createLocalIssuer } from './local-issuer';
import { queueTokenKeyEnv } from './queue-token-key';
import { startLocalServer, type LocalServer } from './server';
import { startLocalStreamConsumer, type LocalStreamConsumer } from './table-stream';
import { createTables, localTableEnv } from './tables';

const ROOT = resolve(__dirname, '..');

export interface LocalRuntime extends LocalServer {
  /** Reads one consumer's table stream to its end now and hands it the records, as its deployed event source mapping does. */
  pollStream(name: StreamConsumerDefinition['name']): Promise<number>;
  /** `pollStream('ledger-writer')`: writes pending charges out to the ledger. */
  pollLedgerStream(): Promise<number>;
  /** Every consumer's stream, one after another, as their deployed mappings run alongside the API. */
  pollStreams(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Everything `npm start` runs on top of a DynamoDB endpoint: tables, demo data, the server and
 * the job timer. Tests start the same runtime, with their own table prefix and the timer off.
 */
export async function startLocalRuntime(options: {
  endpoint: string;
  port: number;
  jobIntervalSeconds: number;
  tablePrefix?: string;
  dataDir?: string;
  seed?: boolean;
  /** With the demo data, the last demo concert asks joins for proof of work (`npm start`; tests choose). */
  demoChallenge?: boolean;
  log?: (message: string) => void;
}): Promise<LocalRuntime> {
  const log = options.log ?? (() => undefined);
  // The handlers read these at first use, exactly as they read the stack's environment deployed.
  Object.assign(process.env, localTableEnv(options.tablePrefix ?? 'concert-'), {
    DYNAMODB_ENDPOINT: options.endpoint,
    JOB_INTERVAL_SECONDS: String(options.jobIntervalSeconds),
  });
  // The queue token key, named like the stack's secret is deployed: a file in DATA_DIR, or in memory.
  Object.assign(process.env, queueTokenKeyEnv(process.env, options.dataDir));

  const admin = new DynamoDBClient({
    endpoint: options.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const created = await createTables(admin, options.tablePrefix ?? 'concert-');
  admin.destroy();
  if (created.length > 0) log(`created tables: ${created.join(', ')}`);

  if (options.seed ?? true) {
    // Loaded late: the catalogue reads its table name from the environment set above. With
    // require, not import(): npm start loads TypeScript through tsx's CommonJS hook alone.
    const { catalogueRepository } =
      require('../functions/catalogue/default-catalogue-deps') as typeof import('../functions/catalogue/default-catalogue-deps');
    const { seedDemoData } = require('./demo-data') as typeof import('./demo-data');
    const seeded = await seedDemoData(catalogueRepository());
    if (seeded > 0) log(`added demo data: ${seeded} concerts`);
    if (options.demoChallenge) {
      const { waitingRoomDeps } =
        require('../functions/queue/default-queue-deps') as typeof import('../functions/queue/default-queue-deps');
      const { protectDemoConcert, PROTECTED_DEMO_CONCERT } = require('./demo-challenge') as typeof import('./demo-challenge');
      if (await protectDemoConcert(waitingRoomDeps())) log(`demo concert ${PROTECTED_DEMO_CONCERT} asks joins for proof of work`);
    }
  }

  const issuer = await createLocalIssuer(options.dataDir);
  const server = await startLocalServer({ port: options.port, issuer });
  const timer = options.jobIntervalSeconds > 0 ? startJobTimer(server, options.jobIntervalSeconds, log) : undefined;
  // The streams' consumers (functions/jobs/stream-consumers.ts): every second with the job timer on; tests poll them themselves.
  const streams = new Map<StreamConsumerDefinition['name'], LocalStreamConsumer>();
  for (const consumer of streamConsumers) {
    const { handler } = require(resolve(ROOT, consumer.entry)) as { handler: (event: DynamoDBStreamEvent) => Promise<unknown> };
    streams.set(
      consumer.name,
      await startLocalStreamConsumer({
        endpoint: options.endpoint,
        tableName: `${options.tablePrefix ?? 'concert-'}${consumer.table}`,
        handler,
        keep: (record) => isConsumerRecord(consumer, record.dynamodb?.Keys?.sk?.S),
        batchSize: consumer.batchSize,
        intervalMs: options.jobIntervalSeconds > 0 ? 1000 : undefined,
        log,
      }),
    );
  }
  const pollStream = (name: StreamConsumerDefinition['name']) => streams.get(name)!.pollOnce();

  return {
    ...server,
    pollStream,
    pollLedgerStream: () => pollStream('ledger-writer'),
    async pollStreams() {
      let handled = 0;
      for (const name of streams.keys()) handled += await pollStream(name);
      return handled;
    },
    async stop() {
      await timer?.stop();
      for (const stream of streams.values()) await stream.stop();
      await server.close();
    },
  };
}

/** Runs the jobs one after another every interval; a slow run is never overlapped by the next. */
function startJobTimer(server: LocalServer, intervalSeconds: number, log: (message: string) => void) {
  let running: Promise<void> | undefined;
  const runAll = async () => {
    for (const job of jobs) {
      try {
        await server.runJob(job.name);
      } catch (error) {
        log(`${job.name} job failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const interval = setInterval(() => {
    if (running) return;
    running = runAll().finally(() => (running = undefined));
  }, intervalSeconds * 1000);
  return {
    async stop() {
      clearInterval(interval);
      await running;
    },
  };
}
