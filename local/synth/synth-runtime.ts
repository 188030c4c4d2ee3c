import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { freePort } from '../dynamodb-local';
import { ensureTables, type LocalTableSpec } from '../dynamodb-tables';
import { gatewayError, jsonAnswer, startLocalGateway, type GatewayEvent, type GatewayResult, type LocalGateway } from '../http-gateway';
import { createLocalIssuer, TokenRequestRefused, type IssuerIdentity, type LocalIssuer } from '../local-issuer';
import { startLocalStreamConsumer, type LocalStreamConsumer } from '../table-stream';
import { LOCAL_PAGE_CONFIG, localWebPage } from '../web-assets';
import { readStackAssembly, type Template } from './assembly';
import { seedDemoConcertsThroughApi } from './demo-seed';
import { matchesPattern } from './event-filter';
import { createResolver, LOCAL_ACCOUNT, LOCAL_REGION, UnresolvableValue, type LocalResource, type Resolver } from './intrinsics';
import { LambdaSandbox, prepareRuntimeModules } from './lambda-sandbox';
import { openLocalSecretsManager, type LocalSecretsManager } from './secrets-manager';
import {
  AssemblyProblems,
  readServiceModel,
  type FunctionModel,
  type ScheduleModel,
  type ServiceModel,
  type TableModel,
} from './service-model';

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
  /** Where the local issuer keeps its key and the local Secrets Manager its values. */
  readonly dataDir?: string;
  /** Add the demo concerts through the admin route when none is on sale (default true). */
  readonly seed?: boolean;
  readonly log?: (message: string) => void;
  /** Each line a function writes; by default logged with the function's name. */
  readonly functionLog?: (functionName: string, line: string) => void;
}

export interface SynthRuntime {
  readonly url: string;
  /** Where the API is served as through the site's CloudFront (`<url>/api`): with the origin headers added. */
  readonly apiUrl: string;
  readonly model: ServiceModel;
  /** The local Secrets Manager the functions read (AWS_ENDPOINT_URL_SECRETS_MANAGER); none without secrets. */
  readonly secretsManagerUrl?: string;
  /** Runs a schedule's job now, as its timer and `POST <localPath>` do. */
  runJob(localPath: string): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * `npm run start:synth` on top of a DynamoDB endpoint: the synthesized stack served from its
 * cloud assembly alone. The template's routes, authorizers, secrets, schedules and tables are read
 * from it; each function runs its bundle in a sandbox with the environment the template gives it,
 * the references resolved to the local tables, issuers and Secrets Manager. Nothing of functions/ is loaded here.
 */
export async function startSynthRuntime(options: SynthRuntimeOptions): Promise<SynthRuntime> {
  const log = options.log ?? (() => undefined);
  const functionLog = options.functionLog ?? ((name: string, line: string) => log(`${name}: ${line}`));
  const assembly = readStackAssembly(options.assemblyDir, options.stackName);
  const model = readServiceModel(assembly);
  const host = '127.0.0.1';
  const url = `http://${host}:${options.port || (await freePort())}`;
  const prefix = options.tablePrefix ?? `${model.stackName}-`;
  // The secrets first: their ARNs are what the functions' variables resolve to.
  const secretsManager =
    model.secrets.length > 0
      ? openLocalSecretsManager(model.secrets, { dataDir: options.dataDir, region: LOCAL_REGION, account: LOCAL_ACCOUNT })
      : undefined;
  const resolver = createResolver(
    localStandIns(assembly.template, model, prefix, url, secretsManager),
    { 'AWS::StackName': model.stackName },
    model.describe,
  );
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
  const identities = issuerIdentities(model, resolver, problems);
  const originHeaders = apiOriginHeaders(model, resolver, secretsManager, problems);
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

  const admin = new DynamoDBClient({
    endpoint: options.endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
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
  let secretsServer: Awaited<ReturnType<LocalSecretsManager['listen']>> | undefined;
  const streams: LocalStreamConsumer[] = [];
  const stop = async () => {
    await timers?.stop();
    for (const stream of streams) await stream.stop();
    await gateway?.close();
    await Promise.all([...sandboxes.values()].map((sandbox) => sandbox.stop()));
    await secretsServer?.close();
    rmSync(workDir, { recursive: true, force: true });
  };

  try {
    if (secretsManager) {
      secretsServer = await secretsManager.listen();
      // The SDK's own setting for one service's endpoint: the bundles' GetSecretValue goes to the local Secrets Manager.
      for (const environment of environments.values()) environment.AWS_ENDPOINT_URL_SECRETS_MANAGER = secretsServer.url;
    }
    const runtimeModulesDir = prepareRuntimeModules(workDir);
    for (const fn of model.functions.values())
      sandboxes.set(fn.logicalId, sandboxFor(fn, model, environments.get(fn.logicalId)!, workDir, runtimeModulesDir, functionLog));
    // Every function's init runs now, as a first request would, so a bundle that cannot load stops the start.
    const inits = await Promise.allSettled(
      [...sandboxes.entries()].map(([id, sandbox]) =>
        sandbox.start().catch((error: Error) => Promise.reject(initProblem(model.functions.get(id)!, assembly.dir, error))),
      ),
    );
    const failed = inits.flatMap((init) => (init.status === 'rejected' ? [String((init.reason as Error).message)] : []));
    if (failed.length > 0) throw new AssemblyProblems(failed);

    // One issuer per authorizer, each with its user pool's names; one after the other, so with a data directory they share its one key file.
    const issuers = new Map<string, LocalIssuer>();
    for (const [authorizerId, identity] of identities) issuers.set(authorizerId, await createLocalIssuer(options.dataDir, identity));
    const issuer = tokenIssuer(model, issuers);
    const invokeRoute =
      (functionId: string) =>
      async (event: GatewayEvent): Promise<GatewayResult> => {
        try {
          return asHttpResult(await sandboxes.get(functionId)!.invoke(event, event.requestContext.requestId));
        } catch (error) {
          log(`${event.routeKey}: ${error instanceof Error ? error.message : String(error)}`);
          return gatewayError(500, 'INTERNAL', 'something went wrong on our side');
        }
      };
    const runSchedule = async (schedule: ScheduleModel) => {
      const results = await Promise.all(
        schedule.targets.map((target) => sandboxes.get(target.functionId)!.invoke(target.input ?? scheduledEvent(schedule))),
      );
      return results.length === 1 ? results[0] : results;
    };
    const schedulesByPath = new Map(model.schedules.map((schedule) => [schedule.localPath, schedule]));
    const webPage = model.site ? localWebPage(() => siteAssets(model)) : undefined;

    gateway = await startLocalGateway({
      port: Number(new URL(url).port),
      host,
      issuer,
      routes: model.routes.map((route) => ({
        routeKey: route.routeKey,
        authorized: Boolean(route.authorizerId),
        ...(route.authorizerId ? { authorizer: issuers.get(route.authorizerId)! } : {}),
        ...(route.scopes ? { scopes: route.scopes } : {}),
        invoke: invokeRoute(route.functionId),
      })),
      apiPathPrefix: model.apiPathPrefix,
      apiOriginHeaders: originHeaders,
      // Without a $default route API Gateway answers unmatched requests itself, in its own words.
      defaultRoute: model.defaultRoute
        ? invokeRoute(model.defaultRoute.functionId)
        : async () => ({ statusCode: 404, body: '{"message":"Not Found"}' }),
      localJobs: new Map([...schedulesByPath].map(([path, schedule]) => [path, async () => jsonAnswer(200, await runSchedule(schedule))])),
      pages: webPage ? [(method, path) => webPage.serve(method, path)] : [],
    });

    const apiUrl = `${gateway.url}${model.apiPathPrefix ?? ''}`;
    if (options.seed ?? true) {
      // An operator of the pool whose authorizer guards the admin route, with every group of that pool.
      const adminRoute = model.routes.find((route) => route.routeKey === 'POST /admin/concerts');
      const adminAuthorizer = adminRoute?.authorizerId ? model.authorizers.get(adminRoute.authorizerId) : undefined;
      const { accessToken } = adminAuthorizer
        ? await issuers.get(adminAuthorizer.logicalId)!.mint('demo-seed', adminAuthorizer.groups)
        : await issuer.mint('demo-seed', model.userPoolGroups);
      const seeded = await seedDemoConcertsThroughApi(apiUrl, accessToken);
      if (seeded > 0) log(`added demo data through POST /admin/concerts: ${seeded} concerts`);
    }
    if (scale > 0) timers = startSchedules(model.schedules, scale, runSchedule, log);
    // Each event source mapping: the table's stream read as Lambda reads it, with the mapping's filter.
    const tableNames = new Map(model.tables.map((table) => [table.logicalId, `${prefix}${table.name}`]));
    for (const consumer of model.streamConsumers) {
      const sandbox = sandboxes.get(consumer.functionId)!;
      streams.push(
        await startLocalStreamConsumer({
          endpoint: options.endpoint,
          tableName: tableNames.get(consumer.tableId)!,
          handler: (event) => sandbox.invoke(event),
          keep: (record) => consumer.filters.length === 0 || consumer.filters.some((pattern) => matchesPattern(pattern, record)),
          batchSize: Math.min(consumer.batchSize, 1000), // a GetRecords page holds 1,000 at most
          intervalMs: 1000, // as deployed, whether or not the schedules run
          log: (message) => log(`${consumer.name}: ${message}`),
        }),
      );
    }

    return {
      url: gateway.url,
      apiUrl,
      model,
      ...(secretsServer ? { secretsManagerUrl: secretsServer.url } : {}),
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
function localStandIns(
  template: Template,
  model: ServiceModel,
  prefix: string,
  url: string,
  secretsManager?: LocalSecretsManager,
): Map<string, LocalResource> {
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
          attributes: {
            UserPoolId: poolId,
            Arn: `arn:aws:cognito-idp:${LOCAL_REGION}:${LOCAL_ACCOUNT}:userpool/${poolId}`,
            ProviderName: provider,
            ProviderURL: `https://${provider}`,
          },
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
      case 'AWS::SecretsManager::Secret': {
        // Ref of a secret is its ARN: the local Secrets Manager's, which the functions' SDK is pointed at.
        const arn = secretsManager?.arns.get(id);
        if (arn) standIns.set(id, { ref: arn, attributes: { Id: arn } });
        break;
      }
      default:
    }
  }
  return standIns;
}

const functionNameOf = (model: ServiceModel, logicalId: string) =>
  `${model.stackName}-${model.pathOf(logicalId)}`.replace(/[^\w-]/g, '-').slice(0, 64);

/** The issuer and audiences each JWT authorizer trusts, as resolved locally: its local issuer mints and checks exactly these. */
function issuerIdentities(model: ServiceModel, resolver: Resolver, problems: string[]): Map<string, IssuerIdentity> {
  const identities = new Map<string, IssuerIdentity>();
  for (const authorizer of model.authorizers.values()) {
    try {
      const audience = authorizer.audience.map((value) => resolver.resolveString(value));
      identities.set(authorizer.logicalId, {
        issuer: resolver.resolveString(authorizer.issuer),
        audience: [audience[0], ...audience.slice(1)],
      });
    } catch (error) {
      if (!(error instanceof UnresolvableValue)) throw error;
      problems.push(`the JWT authorizer ${model.describe(authorizer.logicalId)}: ${error.message}`);
    }
  }
  return identities;
}

/**
 * What `POST /local/token` mints with: a token of the authorizer whose user pool has every group
 * asked for (`admin` → the operators' pool); when several do (no groups asked), the one that guards
 * the most routes (the buyers'). Groups no single pool has are refused, as Cognito never issues them.
 */
function tokenIssuer(model: ServiceModel, issuers: ReadonlyMap<string, LocalIssuer>): LocalIssuer {
  const guarded = (authorizerId: string) => model.routes.filter((route) => route.authorizerId === authorizerId).length;
  const ranked = [...model.authorizers.values()].sort((a, b) => guarded(b.logicalId) - guarded(a.logicalId));
  return {
    async mint(userId, groups = []) {
      const authorizer = ranked.find((candidate) => groups.every((group) => candidate.groups.includes(group)));
      if (!authorizer) {
        const pools = ranked
          .map((candidate) => `${model.pathOf(candidate.userPoolId ?? candidate.logicalId)}: ${JSON.stringify(candidate.groups)}`)
          .join('; ');
        throw new TokenRequestRefused(
          `no user pool of the stack has all of the groups ${JSON.stringify(groups)} (${pools || 'no JWT authorizer'})`,
        );
      }
      return issuers.get(authorizer.logicalId)!.mint(userId, groups);
    },
    async verify(token) {
      for (const issuer of issuers.values()) {
        const payload = await issuer.verify(token);
        if (payload) return payload;
      }
      return undefined;
    },
  };
}

/**
 * The origin headers as CloudFront sends them: each value resolved, and a dynamic reference to a
 * secret (`{{resolve:secretsmanager:<arn>:SecretString:<json key>:<stage>:<version id>}}`) read
 * from the local Secrets Manager once, as CloudFormation resolves it once per deploy.
 */
function apiOriginHeaders(
  model: ServiceModel,
  resolver: Resolver,
  secretsManager: LocalSecretsManager | undefined,
  problems: string[],
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const header of model.apiOriginHeaders) {
    try {
      const value = resolver.resolveString(header.value);
      const reference = /^\{\{resolve:secretsmanager:(.+):SecretString:([^:]*):([^:]*):([^:]*)\}\}$/.exec(value);
      if (!reference) {
        if (value.includes('{{resolve:')) throw new UnresolvableValue(`the dynamic reference ${value} is not resolved locally`);
        headers[header.name] = value;
        continue;
      }
      const [, secretId, jsonKey, versionStage, versionId] = reference;
      if (!secretsManager) throw new UnresolvableValue(`${secretId} is no secret of the template`);
      let secret: string;
      try {
        secret = secretsManager.value(secretId, { versionStage: versionStage || undefined, versionId: versionId || undefined });
      } catch (error) {
        throw new UnresolvableValue(
          `${secretId} (${versionId || versionStage || 'AWSCURRENT'}) is not in the local Secrets Manager: ${(error as Error).message}`,
        );
      }
      headers[header.name] = jsonKey ? String((JSON.parse(secret) as Record<string, unknown>)[jsonKey]) : secret;
    } catch (error) {
      if (!(error instanceof UnresolvableValue)) throw error;
      problems.push(`the site's origin header ${header.name}: ${error.message}`);
    }
  }
  return headers;
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
    ...(p.StreamSpecification?.StreamViewType
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType } }
      : {}),
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
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: typeof value === 'string' ? value : JSON.stringify(value),
  };
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
function startSchedules(
  schedules: readonly ScheduleModel[],
  scale: number,
  run: (schedule: ScheduleModel) => Promise<unknown>,
  log: (message: string) => void,
) {
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
