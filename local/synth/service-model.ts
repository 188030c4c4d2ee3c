import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LOCAL_JOB_PATH_METADATA } from '../../lib/local-metadata';
import type { StackAssembly, TemplateResource } from './assembly';
import { unsupportedIn, type EventPattern } from './event-filter';
import { referencedLogicalId } from './intrinsics';

/** A Lambda function of the template, as its bundle in the assembly. */
export interface FunctionModel {
  readonly logicalId: string;
  /** Its construct path in the stack, e.g. `WalletApi`: how logs and errors name it. */
  readonly name: string;
  readonly runtime: string;
  /** The bundle: the asset directory the template's `Code` points at. */
  readonly assetDir: string;
  /** `index.handler`: file and export, as Lambda reads it. */
  readonly handler: string;
  /** The template's variables, intrinsics not yet resolved. */
  readonly environment: Readonly<Record<string, unknown>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

export interface RouteModel {
  readonly routeKey: string;
  readonly functionId: string;
  /** The JWT authorizer guarding it; none for `AuthorizationType: NONE`. */
  readonly authorizerId?: string;
  /** Its `AuthorizationScopes`: a token needs one of them. */
  readonly scopes?: readonly string[];
}

export interface AuthorizerModel {
  readonly logicalId: string;
  readonly issuer: unknown;
  readonly audience: readonly unknown[];
  /** The Cognito user pool its issuer names, if it names one of the template. */
  readonly userPoolId?: string;
  /** That pool's groups: the `cognito:groups` its tokens may carry. */
  readonly groups: readonly string[];
}

/** A Secrets Manager secret of the template. */
export interface SecretModel {
  readonly logicalId: string;
  readonly name: string;
  readonly secretString?: string;
  readonly generate?: Readonly<Record<string, unknown>>;
}

/** A header CloudFront adds to every request it forwards to the API (an origin custom header); its value unresolved. */
export interface OriginHeaderModel {
  readonly name: string;
  readonly value: unknown;
}

export interface ScheduleModel {
  readonly logicalId: string;
  readonly name: string;
  readonly rateSeconds: number;
  readonly targets: readonly { functionId: string; input?: unknown }[];
  /** `POST <localPath>` runs it at once (the rule's metadata, lib/local-metadata.ts). */
  readonly localPath: string;
}

/** A table stream's consumer: an event source mapping from the stream of a table of the template to a function. */
export interface StreamConsumerModel {
  readonly logicalId: string;
  readonly name: string;
  readonly functionId: string;
  /** The logical id of the table whose stream it reads. */
  readonly tableId: string;
  /** Its FilterCriteria: a record is handed over when any pattern matches it (all are, without any). */
  readonly filters: readonly EventPattern[];
}

export interface TableModel {
  readonly logicalId: string;
  readonly name: string;
  readonly properties: Readonly<Record<string, any>>;
}

/** The web page as the stack uploads it: its files, and the ones the deploy fills in (config.json). */
export interface SiteModel {
  /** Site path (`index.html`, `app/main.js`) → file in the assembly. */
  readonly files: ReadonlyMap<string, string>;
  /** Site paths whose content only the deploy knows (markers for the API URL, the user pool). */
  readonly deployTimeFiles: readonly string[];
}

export interface ServiceModel {
  readonly stackName: string;
  readonly routes: readonly RouteModel[];
  /** `$default`; without one API Gateway answers unmatched requests itself. */
  readonly defaultRoute?: RouteModel;
  /** The JWT authorizers the routes use, by logical id. */
  readonly authorizers: ReadonlyMap<string, AuthorizerModel>;
  /** `/<stage name>`: where the API's stage answers (`/api`), as CloudFront forwards the site's `/api/*`; none for `$default`. */
  readonly apiPathPrefix?: string;
  /** What the site's distribution adds to requests it forwards to the API at `<apiPathPrefix>/*`. */
  readonly apiOriginHeaders: readonly OriginHeaderModel[];
  readonly secrets: readonly SecretModel[];
  /** Every function a route, a schedule or a table stream runs. */
  readonly functions: ReadonlyMap<string, FunctionModel>;
  readonly schedules: readonly ScheduleModel[];
  readonly streamConsumers: readonly StreamConsumerModel[];
  readonly tables: readonly TableModel[];
  /** Cognito groups of the user pool (`cognito:groups` of tokens). */
  readonly userPoolGroups: readonly string[];
  readonly site?: SiteModel;
  /** A resource's construct path in the stack (`WalletApi`, `Api/HttpApi`), or its logical id. */
  pathOf(logicalId: string): string;
  /** `<Type> <path> (<logical id>)`, for messages about any resource. */
  describe(logicalId: string): string;
}

/** Everything that keeps an assembly from being served, each naming what it is about. */
export class AssemblyProblems extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the synthesized stack cannot be served locally:\n  - ${problems.join('\n  - ')}`);
    this.name = 'AssemblyProblems';
  }
}

const RATE_UNITS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 };
const HANDLER_EXTENSIONS = ['.js', '.mjs', '.cjs'];

/**
 * Reads what start:synth serves from a synthesized stack: every HTTP API route through its
 * integration to its function's bundle and handler, the JWT authorizer, the schedules and their
 * job functions, the tables and the web page. Anything missing or not servable is collected and
 * thrown at once as AssemblyProblems.
 */
export function readServiceModel(assembly: StackAssembly): ServiceModel {
  const resources = assembly.template.Resources;
  const problems: string[] = [];
  const pathOf = (logicalId: string) => {
    const path = resources[logicalId]?.Metadata?.['aws:cdk:path'];
    return typeof path === 'string' ? path.replace(`${assembly.stackName}/`, '').replace(/\/Resource$/, '') : logicalId;
  };
  const describe = (logicalId: string) =>
    resources[logicalId]
      ? `${resources[logicalId].Type} ${pathOf(logicalId)} (${logicalId})`
      : `${logicalId}, which the template does not define`;
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const props = (resource: TemplateResource) => resource.Properties ?? {};

  const functionIds = new Set<string>();
  const useFunction = (value: unknown, where: string): string | undefined => {
    const id = referencedLogicalId(value);
    if (!id || resources[id]?.Type !== 'AWS::Lambda::Function') {
      problems.push(`${where} invokes ${id ? describe(id) : JSON.stringify(value)}, not a Lambda function of the template`);
      return undefined;
    }
    functionIds.add(id);
    return id;
  };

  // The HTTP API and its routes.
  const apis = ofType('AWS::ApiGatewayV2::Api').filter(([, api]) => props(api).ProtocolType === 'HTTP');
  if (apis.length !== 1) problems.push(`the template has ${apis.length} HTTP APIs; start:synth serves exactly one`);
  const apiId = apis[0]?.[0];
  const authorizerIds = new Set<string>();
  const routes: RouteModel[] = [];
  let defaultRoute: RouteModel | undefined;
  for (const [routeId, route] of ofType('AWS::ApiGatewayV2::Route')) {
    const p = props(route);
    if (referencedLogicalId(p.ApiId) !== apiId) continue;
    const routeKey = String(p.RouteKey);
    const where = `route ${routeKey}`;
    const integrationId = integrationOf(p.Target);
    const integration = integrationId ? resources[integrationId] : undefined;
    if (!integrationId || integration?.Type !== 'AWS::ApiGatewayV2::Integration') {
      problems.push(`${where} (${routeId}) has no integration of this template: its target is ${JSON.stringify(p.Target)}`);
      continue;
    }
    const integrationProps = props(integration);
    if (integrationProps.IntegrationType !== 'AWS_PROXY' || integrationProps.PayloadFormatVersion !== '2.0') {
      problems.push(`${where}: its integration ${describe(integrationId)} is not a Lambda proxy integration with payload format 2.0`);
      continue;
    }
    const functionId = useFunction(integrationProps.IntegrationUri, where);
    if (!functionId) continue;
    let authorizerId: string | undefined;
    const authorization = p.AuthorizationType ?? 'NONE';
    if (authorization === 'JWT') {
      authorizerId = referencedLogicalId(p.AuthorizerId);
      if (!authorizerId || resources[authorizerId]?.Type !== 'AWS::ApiGatewayV2::Authorizer') {
        problems.push(`${where} is guarded by JWT but names no authorizer of the template (${JSON.stringify(p.AuthorizerId)})`);
        continue;
      }
      authorizerIds.add(authorizerId);
    } else if (authorization !== 'NONE') {
      problems.push(`${where}: authorization ${authorization} is not served locally (only JWT and NONE are)`);
      continue;
    }
    const scopes: unknown[] = Array.isArray(p.AuthorizationScopes) ? p.AuthorizationScopes : [];
    if (scopes.some((scope) => typeof scope !== 'string')) {
      problems.push(`${where}: its authorization scopes ${JSON.stringify(scopes)} are not all plain strings`);
      continue;
    }
    if (scopes.length > 0 && !authorizerId) {
      problems.push(`${where}: authorization scopes without a JWT authorizer`);
      continue;
    }
    const model = {
      routeKey,
      functionId,
      ...(authorizerId ? { authorizerId } : {}),
      ...(scopes.length > 0 ? { scopes: scopes as string[] } : {}),
    };
    if (routeKey === '$default') defaultRoute = model;
    else routes.push(model);
  }
  if (apiId && routes.length === 0) problems.push(`${describe(apiId)} has no routes`);

  // The JWT authorizers: the local issuer stands in for each one's user pool.
  const groupsOf = (poolId: string | undefined) =>
    ofType('AWS::Cognito::UserPoolGroup')
      .filter(([, group]) => poolId && referencedLogicalId(props(group).UserPoolId) === poolId)
      .map(([, group]) => String(props(group).GroupName));
  const authorizers = new Map<string, AuthorizerModel>();
  for (const authorizerId of authorizerIds) {
    const p = props(resources[authorizerId]);
    const jwt = p.JwtConfiguration as { Issuer?: unknown; Audience?: unknown[] } | undefined;
    if (p.AuthorizerType !== 'JWT' || !jwt?.Issuer || !jwt.Audience?.length) {
      problems.push(`${describe(authorizerId)} is not a JWT authorizer with an issuer and an audience`);
    } else if (JSON.stringify(p.IdentitySource) !== JSON.stringify(['$request.header.Authorization'])) {
      problems.push(
        `${describe(authorizerId)} reads its token from ${JSON.stringify(p.IdentitySource)}; locally only the Authorization header is read`,
      );
    } else {
      const userPoolId = referencedIds(jwt.Issuer).find((id) => resources[id]?.Type === 'AWS::Cognito::UserPool');
      authorizers.set(authorizerId, {
        logicalId: authorizerId,
        issuer: jwt.Issuer,
        audience: jwt.Audience,
        userPoolId,
        groups: groupsOf(userPoolId),
      });
    }
  }

  // The stage the API answers at, and what the site's distribution adds on the way there.
  const stages = ofType('AWS::ApiGatewayV2::Stage').filter(([, stage]) => apiId && referencedLogicalId(props(stage).ApiId) === apiId);
  if (apiId && stages.length !== 1) problems.push(`${describe(apiId)} has ${stages.length} stages; start:synth serves exactly one`);
  const stageName = stages.length === 1 ? String(props(stages[0][1]).StageName) : '$default';
  const apiPathPrefix = stageName === '$default' ? undefined : `/${stageName}`;
  const apiOriginHeaders = apiId
    ? readApiOriginHeaders(ofType('AWS::CloudFront::Distribution'), apiId, apiPathPrefix, describe, problems)
    : [];

  // Secrets: the local Secrets Manager holds each one.
  const secrets: SecretModel[] = [];
  for (const [secretId, secret] of ofType('AWS::SecretsManager::Secret')) {
    const p = props(secret);
    if (typeof p.SecretString !== 'string' && (typeof p.GenerateSecretString !== 'object' || p.GenerateSecretString === null)) {
      problems.push(`${describe(secretId)} has neither a SecretString nor a GenerateSecretString the local Secrets Manager could give it`);
      continue;
    }
    const name = typeof p.Name === 'string' ? p.Name : `${pathOf(secretId).replace(/\W/g, '')}-${secretId.slice(-8)}`;
    secrets.push({
      logicalId: secretId,
      name,
      ...(typeof p.SecretString === 'string' ? { secretString: p.SecretString } : { generate: p.GenerateSecretString }),
    });
  }

  // Schedules and the jobs they run.
  const schedules: ScheduleModel[] = [];
  for (const [ruleId, rule] of ofType('AWS::Events::Rule')) {
    const p = props(rule);
    if (!p.ScheduleExpression || p.State === 'DISABLED') continue;
    const where = `schedule ${pathOf(ruleId)}`;
    const rate = /^rate\((\d+) (\w+)\)$/.exec(String(p.ScheduleExpression));
    if (!rate || !RATE_UNITS[rate[2]]) {
      problems.push(`${where}: ${p.ScheduleExpression} is not run locally (only rate(…) schedules are)`);
      continue;
    }
    const localPath = rule.Metadata?.[LOCAL_JOB_PATH_METADATA];
    if (typeof localPath !== 'string' || !localPath.startsWith('/local/')) {
      problems.push(`${where} names no local route in its metadata '${LOCAL_JOB_PATH_METADATA}', so POST /local/jobs/* cannot run it`);
      continue;
    }
    const targets: { functionId: string; input?: unknown }[] = [];
    for (const target of (p.Targets ?? []) as Array<Record<string, unknown>>) {
      if (target.InputPath || target.InputTransformer)
        problems.push(`${where}: target ${String(target.Id)} shapes its input, which is not done locally`);
      const functionId = useFunction(target.Arn, where);
      if (functionId) targets.push({ functionId, ...(typeof target.Input === 'string' ? { input: JSON.parse(target.Input) } : {}) });
    }
    if (targets.length === 0) problems.push(`${where} has no target`);
    schedules.push({ logicalId: ruleId, name: pathOf(ruleId), rateSeconds: Number(rate[1]) * RATE_UNITS[rate[2]], targets, localPath });
  }

  // The tables' stream consumers.
  const streamConsumers: StreamConsumerModel[] = [];
  for (const [mappingId, mapping] of ofType('AWS::Lambda::EventSourceMapping')) {
    const p = props(mapping);
    if (p.Enabled === false) continue;
    const where = `event source mapping ${pathOf(mappingId)}`;
    const source = p.EventSourceArn as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const [tableId, attribute] = source?.['Fn::GetAtt'] ?? [];
    if (!tableId || attribute !== 'StreamArn' || resources[tableId]?.Type !== 'AWS::DynamoDB::Table') {
      problems.push(`${where} reads ${JSON.stringify(p.EventSourceArn)}, not the stream of a table of the template`);
      continue;
    }
    const filters: EventPattern[] = [];
    for (const filter of ((p.FilterCriteria as { Filters?: { Pattern?: string }[] } | undefined)?.Filters ?? []) as {
      Pattern?: string;
    }[]) {
      let pattern: unknown;
      try {
        pattern = JSON.parse(String(filter.Pattern));
      } catch {
        problems.push(`${where}: its filter pattern ${String(filter.Pattern)} is not JSON`);
        continue;
      }
      const unsupported = unsupportedIn(pattern);
      if (unsupported) problems.push(`${where}: ${unsupported}`);
      else filters.push(pattern as EventPattern);
    }
    const functionId = useFunction(p.FunctionName, where);
    if (functionId) streamConsumers.push({ logicalId: mappingId, name: pathOf(mappingId), functionId, tableId, filters });
  }

  // The functions' bundles.
  const functions = new Map<string, FunctionModel>();
  for (const functionId of functionIds) {
    const resource = resources[functionId];
    const p = props(resource);
    const name = pathOf(functionId);
    const where = `function ${name}`;
    const runtime = String(p.Runtime ?? '');
    if (!runtime.startsWith('nodejs')) {
      problems.push(`${where}: runtime ${runtime || '(none)'} is not run locally (only Node.js is)`);
      continue;
    }
    const assetDir = assetDirOf(resource, assembly);
    if (!assetDir) {
      problems.push(`${where} has no bundled code asset in the assembly (inline code or an S3 object of another stack)`);
      continue;
    }
    if (!existsSync(assetDir) || !statSync(assetDir).isDirectory()) {
      problems.push(`${where}: its bundle ${relative(assembly.dir, assetDir)} is missing from ${assembly.dir}: run cdk synth again`);
      continue;
    }
    const handler = String(p.Handler ?? '');
    const modulePath = handler.slice(0, handler.lastIndexOf('.'));
    if (!modulePath || !HANDLER_EXTENSIONS.some((extension) => existsSync(join(assetDir, `${modulePath}${extension}`)))) {
      problems.push(
        `${where}: handler '${handler}' names no file of its bundle ${relative(assembly.dir, assetDir)} (${modulePath || '?'}.js)`,
      );
      continue;
    }
    functions.set(functionId, {
      logicalId: functionId,
      name,
      runtime,
      assetDir,
      handler,
      environment: (p.Environment?.Variables ?? {}) as Record<string, unknown>,
      timeoutSeconds: Number(p.Timeout ?? 3),
      memoryMb: Number(p.MemorySize ?? 128),
    });
  }

  const tables = ofType('AWS::DynamoDB::Table').map(([logicalId, table]) => ({
    logicalId,
    name: pathOf(logicalId).replace(/\//g, '-'),
    properties: props(table),
  }));
  const userPoolGroups = ofType('AWS::Cognito::UserPoolGroup').map(([, group]) => String(props(group).GroupName));
  const site = readSite(assembly, ofType('Custom::CDKBucketDeployment'), problems);

  if (problems.length > 0) throw new AssemblyProblems(problems);
  return {
    stackName: assembly.stackName,
    routes,
    defaultRoute,
    authorizers,
    apiPathPrefix,
    apiOriginHeaders,
    secrets,
    functions,
    schedules,
    streamConsumers,
    tables,
    userPoolGroups,
    site,
    pathOf,
    describe,
  };
}

/** Every logical id a `Ref` or `Fn::GetAtt` inside the value points at. */
function referencedIds(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return [];
  const direct = referencedLogicalId(value);
  if (direct) return [direct];
  return Object.values(value).flatMap(referencedIds);
}

/**
 * The headers the site's distribution adds to requests it sends to the API: the origin custom
 * headers of the origin whose domain is this API's execute-api host, which must serve `<prefix>/*`
 * (CloudFront forwards the path as it is, and the stage takes its prefix off). Narrower behaviours
 * under it (the cached queue state) reach the same API; locally they are served uncached.
 */
function readApiOriginHeaders(
  distributions: Array<[string, TemplateResource]>,
  apiId: string,
  prefix: string | undefined,
  describe: (logicalId: string) => string,
  problems: string[],
): OriginHeaderModel[] {
  const headers: OriginHeaderModel[] = [];
  for (const [distributionId, distribution] of distributions) {
    const config = (distribution.Properties?.DistributionConfig ?? {}) as Record<string, any>;
    for (const origin of (config.Origins ?? []) as Array<Record<string, any>>) {
      if (!referencedIds(origin.DomainName).includes(apiId)) continue;
      const paths = [config.DefaultCacheBehavior, ...(config.CacheBehaviors ?? [])]
        .filter((behavior) => behavior?.TargetOriginId === origin.Id)
        .map((behavior) => (behavior.PathPattern as string | undefined) ?? '*');
      if (!prefix || !paths.includes(`${prefix}/*`) || !paths.every((path) => path.startsWith(`${prefix}/`))) {
        problems.push(
          `${describe(distributionId)} sends ${JSON.stringify(paths)} to the API, whose stage answers at ${prefix ?? '/'}: locally the API is served at ${prefix ?? '/'}/* only`,
        );
        continue;
      }
      for (const header of (origin.OriginCustomHeaders ?? []) as Array<{ HeaderName?: unknown; HeaderValue?: unknown }>) {
        headers.push({ name: String(header.HeaderName).toLowerCase(), value: header.HeaderValue });
      }
    }
  }
  return headers;
}

/** `integrations/<id>`, as CDK writes a route's target: `Fn::Join` of the prefix and a `Ref`. */
function integrationOf(target: unknown): string | undefined {
  const join = (target as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!join || join[0] !== '' || join[1].length !== 2 || join[1][0] !== 'integrations/') return undefined;
  return referencedLogicalId(join[1][1]);
}

/** The directory of a function's bundle: the asset its metadata names, or the asset its S3 key is. */
function assetDirOf(resource: TemplateResource, assembly: StackAssembly): string | undefined {
  const metadataPath = resource.Metadata?.['aws:asset:path'];
  if (typeof metadataPath === 'string' && resource.Metadata?.['aws:asset:property'] === 'Code') return join(assembly.dir, metadataPath);
  const key = resource.Properties?.Code?.S3Key;
  return typeof key === 'string' ? assembly.assetPaths.get(key.replace(/\.zip$/, '')) : undefined;
}

/** The files CDK's bucket deployments upload: each source asset's files below the destination prefix. */
function readSite(assembly: StackAssembly, deployments: Array<[string, TemplateResource]>, problems: string[]): SiteModel | undefined {
  const files = new Map<string, string>();
  const deployTimeFiles: string[] = [];
  for (const [deploymentId, deployment] of deployments) {
    const p = deployment.Properties ?? {};
    if (!Array.isArray(p.SourceObjectKeys)) continue;
    const prefix =
      typeof p.DestinationKeyPrefix === 'string' && p.DestinationKeyPrefix ? `${p.DestinationKeyPrefix.replace(/\/$/, '')}/` : '';
    p.SourceObjectKeys.forEach((key: unknown, index: number) => {
      const dir = typeof key === 'string' ? assembly.assetPaths.get(key.replace(/\.zip$/, '')) : undefined;
      if (!dir || !existsSync(dir)) {
        problems.push(`the web page's files ${String(key)} (${deploymentId}) are missing from ${assembly.dir}: run cdk synth again`);
        return;
      }
      const filledIn = Object.keys((p.SourceMarkers?.[index] ?? {}) as object).length > 0;
      for (const file of listFiles(dir)) {
        const sitePath = `${prefix}${relative(dir, file).split('\\').join('/')}`;
        files.set(sitePath, file);
        if (filledIn) deployTimeFiles.push(sitePath);
      }
    });
  }
  return files.size > 0 ? { files, deployTimeFiles } : undefined;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : [],
  );
}
