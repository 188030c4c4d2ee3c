/**
 * `npm run start:synth`: `cdk synth`, then the synthesized stack served from cdk.out alone —
 * each route's bundled function with the environment the template gives it, each JWT authorizer's
 * issuer, audience and scopes, the API under its stage's path with CloudFront's origin headers, the
 * secrets in a local Secrets Manager, the schedules' jobs, the tables' stream consumers — on DynamoDB Local, with `npm start`'s
 * port rules and local routes. Nothing of functions/ is loaded: what runs is what `cdk deploy` would upload.
 *
 *   npm run start:synth [-- [--out <dir>] [--no-synth] [--stack <name>] [cdk synth options, e.g. -c holdSeconds=60]]
 */
import '../quiet-sdk-warning';
import { resolve } from 'node:path';
import { z } from 'zod';
import { startDynamoDbLocal, type RunningDynamoDb } from '../dynamodb-local';
import { synthesize } from './synthesize';
import { startSynthRuntime, type SynthRuntime } from './synth-runtime';
import { runCommand, stopOnSignals, taggedLog } from '../process-lifecycle';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  JOB_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(10),
  DYNAMODB_ENDPOINT: z.url().optional(),
  DATA_DIR: z.string().min(1).optional(),
});

interface Arguments {
  readonly out: string;
  readonly synth: boolean;
  readonly stack?: string;
  /** Everything else, for cdk synth. */
  readonly cdkArgs: string[];
}

function parseArguments(argv: readonly string[]): Arguments {
  let out = 'cdk.out';
  let synth = true;
  let stack: string | undefined;
  const cdkArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out' || arg === '--stack') {
      const value = argv[++i];
      if (!value) throw new Error(`${arg} takes a value`);
      if (arg === '--out') out = value;
      else stack = value;
    } else if (arg === '--no-synth') synth = false;
    else cdkArgs.push(arg);
  }
  return { out: resolve(out), synth, stack, cdkArgs };
}

const log = taggedLog('synth');

async function main(): Promise<void> {
  const env = envSchema.parse(process.env);
  const args = parseArguments(process.argv.slice(2));
  if (args.synth) {
    log(`cdk synth${args.cdkArgs.length > 0 ? ` ${args.cdkArgs.join(' ')}` : ''} → ${args.out}…`);
    await synthesize({ outdir: args.out, args: args.cdkArgs, echo: true });
  }
  let database: RunningDynamoDb | undefined;
  if (!env.DYNAMODB_ENDPOINT) {
    log(`starting DynamoDB Local (${env.DATA_DIR ? `data in ${env.DATA_DIR}` : 'in memory'})…`);
    database = await startDynamoDbLocal({ dataDir: env.DATA_DIR });
  }
  const endpoint = env.DYNAMODB_ENDPOINT ?? database!.endpoint;
  let runtime: SynthRuntime;
  try {
    runtime = await startSynthRuntime({
      assemblyDir: args.out,
      stackName: args.stack,
      endpoint,
      port: env.PORT,
      jobIntervalSeconds: env.JOB_INTERVAL_SECONDS,
      dataDir: env.DATA_DIR,
      log,
      functionLog: (name, line) => console.log(`[${name}] ${line}`),
    });
  } catch (error) {
    await database?.stop(); // never leave a DynamoDB Local behind
    throw error;
  }
  const { model } = runtime;
  log(
    `serving ${model.stackName} from ${args.out}: ${model.routes.length} routes, ${model.functions.size} functions, ${model.schedules.length} schedules, ${model.streamConsumers.length} stream consumers`,
  );
  log(
    `ready: ${runtime.url}  (DynamoDB at ${endpoint}; schedules ${env.JOB_INTERVAL_SECONDS > 0 ? `at one deployed minute per ${env.JOB_INTERVAL_SECONDS} s` : 'off'})`,
  );
  log(`open:  ${runtime.url}/ in a browser to book as a person would`);
  log(`       ${runtime.url}/app/admin to run a sale as an operator`);
  if (runtime.apiUrl !== runtime.url) {
    log(
      `API:   ${runtime.apiUrl}/… as through the site's CloudFront${model.apiOriginHeaders.length > 0 ? ` (adds ${model.apiOriginHeaders.map((header) => header.name).join(', ')}); root paths are the execute-api address, which functions checking it refuse` : ''}`,
    );
  }
  if (runtime.secretsManagerUrl)
    log(
      `secrets: ${model.secrets.length} in a local Secrets Manager at ${runtime.secretsManagerUrl} (${env.DATA_DIR ? `kept in ${env.DATA_DIR}` : 'in memory'})`,
    );

  stopOnSignals(log, [runtime, database]);
}

runCommand('synth', main);
