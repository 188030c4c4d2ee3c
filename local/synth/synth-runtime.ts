import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { freePort } from '../dynamodb-local';
import { ensureTables, type LocalTableSpec } from '../dynamodb-tables';
import { gatewayError, startLocalGateway, type GatewayEvent, type GatewayResult, type LocalGateway } from '../http-gateway';
import { createLocalIssuer, type IssuerIdentity } from '../local-issuer';
import { LOCAL_PAGE_CONFIG, localWebPage } from '../web-assets';
import { readStackAssembly, type Template } from './assembly';
import { seedDemoConcertsThroughApi } from './demo-seed';
import { createResolver, LOCAL_ACCOUNT, LOCAL_REGION, UnresolvableValue, type LocalResource, type Resolver } from './intrinsics';
import { LambdaSandbox, prepareRuntimeModules } from './lambda-sandbox';
import { AssemblyProblems, readServiceModel, type FunctionModel, type ScheduleModel, type ServiceModel, type TableModel } from './service-model';

/** The one function setting the local clock changes: the deployed admission rate, scaled like the rules. */
const RULE_PERIOD_VARIABLE = 'JOB_INTERVAL_SECONDS';
/** One deployed minute of a rule's rate lasts JOB_INTERVAL_SECONDS locally, as `npm start`'s timer does. */
const DEPLOYED_MINUTE_SECONDS = 60;

export interface SynthRuntimeOptions {
  /** A cloud assembly: what `cdk synth` wrote (cdk.out). */
  readonly assemblyDir: string;
  /** Needed only when the assembly holds several stacks. */
  readonly stackName?: string;
  /** The DynamoDB (Local) the functions and the tables use. */
  readonly endpoint: string;
  /** 0: a free port. */
  readonly port: number;
  /** Seconds one deployed minute of a schedule lasts here; 0 turns the schedules off (`POST /local/jobs/*` still runs them). */
  readonly jobIntervalSeconds: number;
  /** Local table names are `<prefix><table's construct id>`; default `<stack name>-`. */
  readonly tablePrefix?: string;
  /** Where the local issuer keeps its key. */
  readonly dataDir?: string;
  /** Add the demo concerts through the admin route when none is on sale (default true). */
  readonly seed?: boolean;
  readonly log?: (message: string) => void;
  /** Each line a function writes; by default logged with the function's name. */
  readonly functionLog?: (functionName: string, line: string) => void;
}

export interface SynthRuntime {
  readonly url: string;
  readonly model: ServiceModel;
  /** Runs a schedule's job now, as its timer and `POST <localPath>` do. */
  runJob(localPath: string): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * `npm run start:synth` on top of a DynamoDB endpoint: the synthesized stack served from its
 * cloud assembly alone. The template's routes, authorizer, schedules and tables are read from it;
 * each function runs its bundle in a sandbox with the environment the template gives it, the
 * references resolved to the local tables and issuer. Nothing of functions/ is loaded here.
 */
export async function startSynthRuntime(options: SynthRuntimeOptions): Promise<SynthRuntime> {
  const log = options.log ?? (() => undefined);
  const functionLog = options.functionLog ?? ((name: string, line: string) => log(`${name}: ${line}`));
  const assembly = readStackAssembly(options.assemblyDir, options.stackName);
  const model = readServiceModel(assembly);
  const host = '127.0.0.1';
  const url = `http://${host}:${options.port || (await freePort())}`;
  const prefix = options.tablePrefix ?? `${model.stackName}-`;
  const resolver = createResolver(localStandIns(assembly.template, model, prefix, url), { 'AWS::StackName': model.stackName }, model.describe);
  const scale = options.jobIntervalSeconds / DEPLOYED_MINUTE_SECONDS;

  // Everything the template leaves unresolvable is named before anything starts.
  const problems: string[] = [];
  const environments = new Map<string, Record<string, string>>();
  for (const fn of model.functions.values()) {
    const environment: Record<string, string> = {
      // The local additions: DynamoDB Local, and no warning that this Node.js (20) is older than the runtime's (22).
      DYNAMODB_ENDPOINT: options.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    for (const [variable, value] of Object.entries(fn.environment)) {
      try {
        environment[variable] = resolver.resolveString(value);
      } catch (error) {
        if (!(error instanceof UnresolvableValue)) throw error;
        problems.push(`function ${fn.name}: variable ${variable}: ${error.message}`);
      }
    }
    if (scale > 0 && environment[RULE_PERIOD_VARIABLE]) {
      environment[RULE_PERIOD_VARIABLE] = String(Math.max(1, Math.round(Number(environment[RULE_PERIOD_VARIABLE]) * scale)));
    }
    environments.set(fn.logicalId, environment);
  }
  const identity = issuerIdentity(model, resolver, problems);
  const tables = model.tables.flatMap((table) => {
    try {
      return [localTable(table, prefix, resolver)];
    } catch (error) {
      if (!(error instanceof UnresolvableValue)) throw error;
      problems.push(`table ${table.name}: ${error.message}`);
      return [];
    }
  });
  if (problems.length > 0) throw new AssemblyProblems(problems);

  const admin = new DynamoDBClient({ endpoint: options.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const created = await ensureTables(admin, tables);
    if (created.length > 0) log(`created tables: ${created.join(', ')}`);
  } finally {
    admin.destroy();
  }

  const workDir = mkdtempSync(join(tmpdir(), 'concert-synth-'));
  const sandboxes = new Map<string, LambdaSandbox>();
  let gateway: LocalGateway | undefined;
  let timers: ReturnType<typeof startSchedules> | undefined;
  const stop = async () => {
    await timers?.stop();
    await gateway?.close();
    await Promise.all([...sandboxes.values()].map((sandbox) => sandbox.stop()));
    rmSync(workDir, { recursive: true, force: true });
  };

  try {
    const runtimeModulesDir = prepareRuntimeModules(workDir);
    for (const fn of model.functions.values()) sandboxes.set(fn.logicalId, sandboxFor(fn, model, environments.get(fn.logicalId)!, workDir, runtimeModulesDir, functionLog));
    // Every function's init runs now, as a first request would, so a bundle that cannot load stops the start.
    const inits = await Promise.allSettled([...sandboxes.entries()].map(([id, sandbox]) => sandbox.start().catch((error: Error) => Promise.reject(initProblem(model.functions.get(id)!, assembly.dir, error)))));
    const failed = inits.flatMap((init) => (init.status === 'rejected' ? [String((init.reason as Error).message)] : []));
    if (failed.length > 0) throw new AssemblyProblems(failed);

    const issuer = await createLocalIssuer(options.dataDir, identity);
    const invokeRoute = (functionId: string) => async (event: GatewayEvent): Promise<GatewayResult> => {
      try {
        return asHttpResult(await sandboxes.get(functionId)!.invoke(event, event.requestContext.requestId));
      } catch (error) {
        log(`${event.routeKey}: ${error instanceof Error ? error.message : String(error)}`);
        return gatewayError(500, 'INTERNAL', 'something went wrong on our side');
      }
    };
    const runSchedule = async (schedule: ScheduleModel) => {
      const results = await Promise.all(schedule.targets.map((target) => sandboxes.get(target.functionId)!.invoke(target.input ?? scheduledEvent(schedule))));
      return results.length === 1 ? results[0] : results;
    };
    const schedulesByPath = new Map(model.schedules.map((schedule) => [schedule.localPath, schedule]));
    const webPage = model.site ? localWebPage(() => siteAssets(model)) : undefined;

    gateway = await startLocalGateway({
      port: Number(new URL(url).port),
      host,
      issuer,
      routes: model.routes.map((route) => ({ routeKey: route.routeKey, authorized: Boolean(route.authorizerId), invoke: invokeRoute(route.functionId) })),
      // Without a $default route API Gateway answers unmatched requests itself, in its own words.
      defaultRoute: model.defaultRoute ? invokeRoute(model.defaultRoute.functionId) : async () => ({ statusCode: 404, body: '{"message":"Not Found"}' }),
      localJobs: new Map([...schedulesByPath].map(([path, schedule]) => [path, () => runSchedule(schedule)])),
      pages: webPage ? [(method, path) => webPage.serve(method, path)] : [],
    });

    if (options.seed ?? true) {
      const { accessToken } = await issuer.mint('demo-seed', model.userPoolGroups);
      const seeded = await seedDemoConcertsThroughApi(gateway.url, accessToken);
      if (seeded > 0) log(`added demo data through POST /admin/concerts: ${seeded} concerts`);
    }
    if (scale > 0) timers = startSchedules(model.schedules, scale, runSchedule, log);

    return {
      url: gateway.url,
      model,
      runJob: (localPath) => {
        const schedule = schedulesByPath.get(localPath);
        if (!schedule) throw new Error(`no schedule has the local route ${localPath}`);
        return runSchedule(schedule);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What stands in locally for each resource a function's environment or the authorizer may name. */
function localStandIns(template: Template, model: ServiceModel, prefix: string, url: string): Map<string, LocalResource> {
  const standIns = new Map<string, LocalResource>();
  const tables = new Map(model.tables.map((table) => [table.logicalId, table]));
  for (const [id, resource] of Object.entries(template.Resources)) {
    const p = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table': {
        const name = `${prefix}${tables.get(id)!.name}`;
        const arn = `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}`;
        standIns.set(id, { ref: name, attributes: { Arn: arn, StreamArn: `${arn}/stream/local` } });
        break;
      }
      case 'AWS::Lambda::Function': {
        const name = functionNameOf(model, id);
        standIns.set(id, { ref: name, attributes: { Arn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}` } });
        break;
      }
      case 'AWS::Cognito::UserPool': {
        const poolId = `${LOCAL_REGION}_${id}`;
        const provider = `cognito-idp.${LOCAL_REGION}.amazonaws.com/${poolId}`;
        standIns.set(id, {
          ref: poolId,
          attributes: { UserPoolId: poolId, Arn: `arn:aws:cognito-idp:${LOCAL_REGION}:${LOCAL_ACCOUNT}:userpool/${poolId}`, ProviderName: provider, ProviderURL: `https://${provider}` },
        });
        break;
      }
      case 'AWS::Cognito::UserPoolClient':
        standIns.set(id, { ref: id.toLowerCase(), attributes: { ClientId: id.toLowerCase() } });
        break;
      case 'AWS::Cognito::UserPoolGroup':
        standIns.set(id, { ref: String(p.GroupName) });
        break;
      case 'AWS::ApiGatewayV2::Api':
        standIns.set(id, { ref: 'local', attributes: { ApiId: 'local', ApiEndpoint: url } });
        break;
      default:
    }
  }
  return standIns;
}

const functionNameOf = (model: ServiceModel, logicalId: string) =>
  `${model.stackName}-${model.pathOf(logicalId)}`.replace(/[^\w-]/g, '-').slice(0, 64);

/** The issuer and audiences the JWT authorizer trusts, as resolved locally: the local issuer mints and checks exactly these. */
function issuerIdentity(model: ServiceModel, resolver: Resolver, problems: string[]): IssuerIdentity | undefined {
  if (!model.authorizer) return undefined;
  try {
    const audience = model.authorizer.audience.map((value) => resolver.resolveString(value));
    return { issuer: resolver.resolveString(model.authorizer.issuer), audience: [audience[0], ...audience.slice(1)] };
  } catch (error) {
    if (!(error instanceof UnresolvableValue)) throw error;
    problems.push(`the JWT authorizer ${model.describe(model.authorizer.logicalId)}: ${error.message}`);
    return undefined;
  }
}

/** CreateTable input from the template's table: keys, indexes, streams and TTL as deployed, the name local. */
function localTable(table: TableModel, prefix: string, resolver: Resolver): LocalTableSpec {
  const p = resolver.resolve(table.properties) as Record<string, any>;
  const index = (definition: Record<string, any>) => ({
    IndexName: definition.IndexName,
    KeySchema: definition.KeySchema,
    Projection: definition.Projection,
    ...(p.BillingMode === 'PAY_PER_REQUEST' ? {} : { ProvisionedThroughput: definition.ProvisionedThroughput }),
  });
  const input: CreateTableCommandInput = {
    TableName: `${prefix}${table.name}`,
    KeySchema: p.KeySchema,
    AttributeDefinitions: p.AttributeDefinitions,
    ...(p.BillingMode === 'PAY_PER_REQUEST' ? { BillingMode: 'PAY_PER_REQUEST' } : { ProvisionedThroughput: p.ProvisionedThroughput }),
    ...(p.GlobalSecondaryIndexes?.length ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes.map(index) } : {}),
    ...(p.LocalSecondaryIndexes?.length ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes.map(index) } : {}),
    ...(p.StreamSpecification?.StreamViewType ? { StreamSpecification: { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType } } : {}),
  };
  return { input, ttlAttribute: p.TimeToLiveSpecification?.Enabled ? p.TimeToLiveSpecification.AttributeName : undefined };
}

function sandboxFor(
  fn: FunctionModel,
  model: ServiceModel,
  environment: Record<string, string>,
  workDir: string,
  runtimeModulesDir: string,
  functionLog: (functionName: string, line: string) => void,
): LambdaSandbox {
  return new LambdaSandbox({
    name: fn.name,
    functionName: functionNameOf(model, fn.logicalId),
    assetDir: fn.assetDir,
    handler: fn.handler,
    runtime: fn.runtime,
    environment,
    timeoutSeconds: fn.timeoutSeconds,
    memoryMb: fn.memoryMb,
    workDir: join(workDir, fn.logicalId),
    runtimeModulesDir,
    log: (line) => functionLog(fn.name, line),
  });
}

function initProblem(fn: FunctionModel, assemblyDir: string, error: Error): Error {
  const asset = fn.assetDir.startsWith(assemblyDir) ? fn.assetDir.slice(assemblyDir.length + 1) : fn.assetDir;
  return new Error(`function ${fn.name} (handler ${fn.handler} of ${asset}) does not start: ${error.message.replace(`${fn.name}: `, '')}`);
}

/** A payload format 2.0 answer: a result without a status code is a 200 with the result as JSON, as API Gateway reads it. */
function asHttpResult(value: unknown): GatewayResult {
  if (value && typeof value === 'object' && typeof (value as GatewayResult).statusCode === 'number') return value as GatewayResult;
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: typeof value === 'string' ? value : JSON.stringify(value) };
}

/** The event EventBridge sends a scheduled rule's target. */
function scheduledEvent(schedule: ScheduleModel) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${schedule.name}`],
    detail: {},
  };
}

/** One timer per rule at its rate, scaled; a slow run is never overlapped by the next, and a failed one waits for the next tick, as a retried event would. */
function startSchedules(schedules: readonly ScheduleModel[], scale: number, run: (schedule: ScheduleModel) => Promise<unknown>, log: (message: string) => void) {
  const running = new Map<ScheduleModel, Promise<void>>();
  const intervals = schedules.map((schedule) =>
    setInterval(
      () => {
        if (running.has(schedule)) return;
        const tick = run(schedule)
          .then(() => undefined)
          .catch((error: unknown) => log(`${schedule.name} failed: ${error instanceof Error ? error.message : String(error)}`))
          .finally(() => running.delete(schedule));
        running.set(schedule, tick);
      },
      Math.max(1000, schedule.rateSeconds * scale * 1000),
    ),
  );
  return {
    async stop() {
      for (const interval of intervals) clearInterval(interval);
      await Promise.all(running.values());
    },
  };
}

/** The page's files as the stack uploads them; a file the deploy fills in (config.json) is the local page's config. */
function siteAssets(model: ServiceModel): Map<string, string> {
  const site = model.site!;
  const deployTime = new Set(site.deployTimeFiles);
  return new Map(
    [...site.files].map(([path, file]) => [path, deployTime.has(path) ? JSON.stringify(LOCAL_PAGE_CONFIG) : readFileSync(file, 'utf8')]),
  );
}
