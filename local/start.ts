/**
 * `npm start`: DynamoDB Local, the tables, demo data, the handlers behind the local server,
 * and the scheduled jobs on a timer. Ctrl-C stops everything it started.
 */
import './quiet-sdk-warning';
import * as z from 'zod/mini';
import '../functions/shared/zod-messages';
import { startDynamoDbLocal, type RunningDynamoDb } from './dynamodb-local';
import { startLocalRuntime } from './runtime';
import { runCommand, stopOnSignals, taggedLog } from './process-lifecycle';

// zod/mini, as the functions: classic zod is loaded only if the API docs are asked for.
const envSchema = z.object({
  PORT: z._default(z.pipe(z.coerce.number(), z.int().check(z.minimum(0), z.maximum(65535))), 3000),
  JOB_INTERVAL_SECONDS: z._default(z.pipe(z.coerce.number(), z.int().check(z.minimum(0))), 10),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  DATA_DIR: z.optional(z.string().check(z.minLength(1))),
});

const log = taggedLog('local');

async function main(): Promise<void> {
  const env = envSchema.parse(process.env);
  let database: RunningDynamoDb | undefined;
  if (!env.DYNAMODB_ENDPOINT) {
    log(`starting DynamoDB Local (${env.DATA_DIR ? `data in ${env.DATA_DIR}` : 'in memory'})…`);
    database = await startDynamoDbLocal({ dataDir: env.DATA_DIR });
  }
  const endpoint = env.DYNAMODB_ENDPOINT ?? database!.endpoint;
  let runtime: Awaited<ReturnType<typeof startLocalRuntime>>;
  try {
    runtime = await startLocalRuntime({
      endpoint,
      port: env.PORT,
      jobIntervalSeconds: env.JOB_INTERVAL_SECONDS,
      dataDir: env.DATA_DIR,
      demoChallenge: true,
      log,
    });
  } catch (error) {
    await database?.stop(); // never leave a DynamoDB Local behind
    throw error;
  }
  log(
    `ready: ${runtime.url}  (DynamoDB at ${endpoint}; jobs ${env.JOB_INTERVAL_SECONDS > 0 ? `every ${env.JOB_INTERVAL_SECONDS} s` : 'off'})`,
  );
  log(`open:  ${runtime.url}/ in a browser to book as a person would`);
  log(`       ${runtime.url}/app/admin to run a sale as an operator`);
  log(`try:   curl ${runtime.url}/concerts`);

  stopOnSignals(log, [runtime, database]);
}

runCommand('local', main);
