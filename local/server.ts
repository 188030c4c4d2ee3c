import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import '../functions/shared/zod-messages';
import { jobs, type JobDefinition } from '../functions/jobs/job-table';
import { errorResponse, jsonResponse } from '../functions/http/responses';
import { groupEntry, routeKeyOf, routes, type HandlerGroup, type RouteDefinition } from '../functions/http/route-table';
import { apiDocsResponse } from './api-docs';
import type { LocalIssuer } from './local-issuer';
import { localWebPage } from './web-assets';

type ApiHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
type JobHandler = () => Promise<unknown>;

const ROOT = resolve(__dirname, '..');
/** Bodies are read up to this size; the handlers apply each route's own, smaller limit. */
const MAX_READ_BYTES = 1024 * 1024;

interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly pattern: RegExp;
  readonly params: readonly string[];
}

const compiled: CompiledRoute[] = routes.map((route) => {
  const params: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), params };
});

const loadGroup = (group: HandlerGroup): ApiHandler => (require(resolve(ROOT, groupEntry(group))) as { handler: ApiHandler }).handler;
const loadJob = (job: JobDefinition): JobHandler => (require(resolve(ROOT, job.entry)) as { handler: JobHandler }).handler;

const tokenRequestSchema = z.strictObject({
  userId: z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[\w.@+-]+$/, 'letters, digits and . @ + - _ only')),
  groups: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(10))),
});

export interface LocalServer {
  readonly url: string;
  /** Runs one scheduled job now, as the timer and `POST /local/jobs/*` do. */
  runJob(name: JobDefinition['name']): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * The local stand-in for API Gateway: it matches the route table, verifies bearer tokens like
 * the JWT authorizer, builds the same version 2.0 event the cloud sends, and calls the same
 * handler the stack deploys. `/local/*` routes exist only here.
 */
export async function startLocalServer(options: { port: number; host?: string; issuer: LocalIssuer }): Promise<LocalServer> {
  const host = options.host ?? '127.0.0.1';
  const groups = new Map<HandlerGroup, ApiHandler>();
  const handlerOf = (group: HandlerGroup) => {
    if (!groups.has(group)) groups.set(group, loadGroup(group));
    return groups.get(group)!;
  };
  const jobHandlers = new Map(jobs.map((job) => [job.name, loadJob(job)]));
  const runJob = (name: JobDefinition['name']) => jobHandlers.get(name)!();
  const webPage = localWebPage();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error(JSON.stringify({ level: 'ERROR', message: 'local server error', error: String(error) }));
      if (!res.headersSent) send(res, errorResponse('INTERNAL', 'something went wrong on our side'));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${host}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const { body, tooLarge } = await readBody(req);
    if (tooLarge) return send(res, errorResponse('PAYLOAD_TOO_LARGE', 'the body is too large'));

    const local = await handleLocalRoute(method, url.pathname, req, body);
    if (local) return send(res, local);
    const docs = apiDocsResponse(method, url.pathname, `http://${req.headers.host ?? host}`);
    if (docs) return send(res, docs);
    const page = await webPage.serve(method, url.pathname);
    if (page) return send(res, page);

    const match = matchRoute(method, url.pathname);
    let claims: Record<string, string> | undefined;
    if (match && match.route.auth !== 'public') {
      // Node keeps only the first of repeated Authorization headers; API Gateway joins them, and the join never verifies.
      const authorization = req.headersDistinct.authorization ?? [];
      claims = authorization.length === 1 ? await verifyBearer(authorization[0]) : undefined;
      if (!claims) {
        return send(res, errorResponse('UNAUTHENTICATED', 'sign in: send a valid bearer token in Authorization'));
      }
    }
    const event = toApiGatewayEvent(req, url, method, body, match, claims);
    const group = match ? match.route.group : 'public';
    const result = await handlerOf(group)(event, lambdaContext(event.requestContext.requestId, group));
    send(res, result);
  }

  async function handleLocalRoute(method: string, path: string, req: IncomingMessage, body: Buffer) {
    if (!path.startsWith('/local/')) return undefined;
    if (method === 'POST' && path === '/local/token') {
      let parsed: unknown;
      try {
        parsed = body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
      } catch {
        return errorResponse('VALIDATION_ERROR', 'the body is not valid JSON');
      }
      if (!/^application\/json/i.test(req.headers['content-type'] ?? '') && body.length > 0) {
        return errorResponse('UNSUPPORTED_MEDIA_TYPE', 'send the body as JSON with content-type: application/json');
      }
      const result = tokenRequestSchema.safeParse(parsed);
      if (!result.success) {
        const details = result.error.issues.map((issue) => ({ path: issue.path.join('.') || 'body', message: issue.message }));
        return errorResponse('VALIDATION_ERROR', 'the request body is not valid', { details });
      }
      return jsonResponse(200, await options.issuer.mint(result.data.userId, result.data.groups));
    }
    const job = jobs.find((candidate) => candidate.localPath === path);
    if (method === 'POST' && job) return jsonResponse(200, await runJob(job.name));
    return errorResponse('NOT_FOUND', 'no such local route');
  }

  async function verifyBearer(authorization: string | undefined): Promise<Record<string, string> | undefined> {
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/.exec(authorization ?? '');
    if (!match) return undefined;
    const payload = await options.issuer.verify(match[1]);
    return payload ? asAuthorizerClaims(payload) : undefined;
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${host}:${port}`,
    runJob,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

function matchRoute(method: string, path: string): { route: RouteDefinition; pathParameters: Record<string, string> } | undefined {
  for (const { route, pattern, params } of compiled) {
    if (route.method !== method) continue;
    const found = pattern.exec(path);
    if (!found) continue;
    const pathParameters = Object.fromEntries(params.map((name, i) => [name, safeDecode(found[i + 1])]));
    return { route, pathParameters };
  }
  return undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** API Gateway hands list claims to the handler as "[a b]" and every other claim as a string. */
function asAuthorizerClaims(payload: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [name, Array.isArray(value) ? `[${value.join(' ')}]` : String(value)]),
  );
}

function toApiGatewayEvent(
  req: IncomingMessage,
  url: URL,
  method: string,
  body: Buffer,
  match: { route: RouteDefinition; pathParameters: Record<string, string> } | undefined,
  claims: Record<string, string> | undefined,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers = Object.fromEntries(Object.entries(req.headersDistinct).map(([name, values]) => [name, (values ?? []).join(',')]));
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const textual = /json|text/i.test(headers['content-type'] ?? '') || body.length === 0;
  const routeKey = match ? routeKeyOf(match.route) : '$default';
  const now = new Date();
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(match && Object.keys(match.pathParameters).length > 0 ? { pathParameters: match.pathParameters } : {}),
    ...(body.length > 0 ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !textual,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: claims ?? {}, scopes: [] } },
    },
  };
}

function lambdaContext(requestId: string, group: string): Context {
  return {
    awsRequestId: requestId,
    functionName: `local-${group}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:local-${group}`,
    memoryLimitInMB: '256',
    logGroupName: `/local/${group}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    // As long as a deployed API function has (its timeout): Powertools idempotency keeps an in-flight key that long.
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function readBody(req: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_READ_BYTES) tooLarge = true;
    else chunks.push(chunk as Buffer);
  }
  return { body: Buffer.concat(chunks), tooLarge };
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const body = result.body ?? '';
  res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>), 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
