import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { TokenRequestRefused, type LocalIssuer } from './local-issuer';

export type GatewayEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type GatewayResult = APIGatewayProxyStructuredResultV2;
/** Runs the function behind a route with API Gateway's event: in this process (`npm start`) or in its bundle's sandbox (`npm run start:synth`). */
export type Invoke = (event: GatewayEvent) => Promise<GatewayResult>;
/** A page served before the API (the web page, the API reference); undefined lets the request through. */
export type Page = (method: string, path: string, serverUrl: string) => Promise<GatewayResult | undefined> | GatewayResult | undefined;

export interface GatewayRoute {
  /** As API Gateway spells it: `GET /concerts/{concertId}/queue`; `ANY` and greedy `{name+}` work too. */
  readonly routeKey: string;
  /** Whether the JWT authorizer guards the route. */
  readonly authorized: boolean;
  /** Scopes the authorizer requires (its `authorizationScopes`): a token needs one of them, so an ID token (no scope) is refused. */
  readonly scopes?: readonly string[];
  /** The authorizer that verifies its tokens, when not the gateway's issuer (start:synth: the route's own JWT authorizer). */
  readonly authorizer?: Pick<LocalIssuer, 'verify'>;
  readonly invoke: Invoke;
}

export interface LocalGatewayOptions {
  readonly port: number;
  readonly host?: string;
  readonly routes: readonly GatewayRoute[];
  /** The `$default` route: every request no route matches. */
  readonly defaultRoute: Invoke;
  /** Mints for `POST /local/token` and verifies bearer tokens like the JWT authorizer. */
  readonly issuer: LocalIssuer;
  /** What `POST /local/jobs/<name>` runs, by path, and its answer. */
  readonly localJobs: ReadonlyMap<string, () => Promise<GatewayResult>>;
  readonly pages?: readonly Page[];
  /** The path the API is also served under, as deployed behind the site's CloudFront (`/api`): `/api/concerts` is `/concerts`. */
  readonly apiPathPrefix?: string;
  /**
   * Headers set on every request served under apiPathPrefix, replacing any the client sent, as
   * CloudFront's origin custom headers are (start:synth: the origin secret). Not on root paths.
   */
  readonly apiOriginHeaders?: Readonly<Record<string, string>>;
}

export interface LocalGateway {
  readonly url: string;
  close(): Promise<void>;
}

/** Bodies are read up to this size; the handlers apply each route's own, smaller limit. */
const MAX_READ_BYTES = 1024 * 1024;

const tokenRequestSchema = z.strictObject({
  userId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\w.@+-]+$/, 'letters, digits and . @ + - _ only'),
  // Cognito group names have no whitespace: API Gateway's "[a b]" rendering relies on it.
  groups: z.array(z.string().min(1).max(64).regex(/^\S+$/, 'no whitespace')).max(10).optional(),
});

interface CompiledRoute {
  readonly route: GatewayRoute;
  readonly method: string;
  readonly pattern: RegExp;
  readonly params: readonly string[];
  /** API Gateway prefers a route without a greedy parameter, then one with a named method over ANY. */
  readonly rank: number;
}

function compileRoute(route: GatewayRoute): CompiledRoute {
  const [method, path] = route.routeKey.split(' ');
  if (!method || !path?.startsWith('/')) throw new Error(`route key '${route.routeKey}' is not '<METHOD> /<path>'`);
  const params: string[] = [];
  let greedy = false;
  const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)(\\\+)?\\?\}/g, (_, name: string, plus?: string) => {
    params.push(name);
    greedy ||= Boolean(plus);
    return plus ? '(.+)' : '([^/]+)';
  });
  return { route, method, pattern: new RegExp(`^${source}$`), params, rank: (greedy ? 2 : 0) + (method === 'ANY' ? 1 : 0) };
}

/**
 * The local stand-in for API Gateway's HTTP API: it matches the routes it is given, verifies
 * bearer tokens like the JWT authorizer, builds the same version 2.0 event the cloud sends and
 * hands it to the route's function. `/local/*` routes exist only here. Both local modes serve
 * through it; they differ only in where a route's function runs.
 */
export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  const host = options.host ?? '127.0.0.1';
  const compiled = options.routes.map(compileRoute).sort((a, b) => a.rank - b.rank);
  // Each method's candidates in the same order (its own routes and ANY), so a request tries only those.
  const byMethod = new Map<string, readonly CompiledRoute[]>();
  const candidatesFor = (method: string) => {
    let candidates = byMethod.get(method);
    if (!candidates) {
      candidates = compiled.filter((route) => route.method === method || route.method === 'ANY');
      // Only the methods the routes name get a list of their own: a client's invented ones share ANY's.
      if (compiled.some((route) => route.method === method)) byMethod.set(method, candidates);
    }
    return candidates;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error(JSON.stringify({ level: 'ERROR', message: 'local server error', error: String(error) }));
      if (!res.headersSent) send(res, gatewayError(500, 'INTERNAL', 'something went wrong on our side'));
    });
  });

  /** Filled in once listening: the port may have been chosen by the system. */
  let ownHosts: ReadonlySet<string> = new Set();
  const prefix = options.apiPathPrefix;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A page of another site that rebinds its DNS name to 127.0.0.1 reaches this server with its own
    // name in Host: answering only our own address keeps it from minting local tokens (DNS rebinding).
    const { headers, host: hostHeader, authorizations } = headersOf(req);
    if (!ownHosts.has((hostHeader ?? '').toLowerCase())) {
      return send(
        res,
        gatewayError(400, 'VALIDATION_ERROR', `this server answers only requests for ${[...ownHosts].join(' or ')} (the Host header)`),
      );
    }
    const url = new URL(req.url ?? '/', `http://${host}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const { body, tooLarge } = hasBody(headers) ? await readBody(req) : NO_BODY;
    if (tooLarge) return send(res, gatewayError(413, 'PAYLOAD_TOO_LARGE', 'the body is too large'));

    const underApi = prefix !== undefined && (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`));
    const path = underApi ? url.pathname.slice(prefix.length) || '/' : url.pathname;

    const local = await handleLocalRoute(method, path, req, body);
    if (local) return send(res, local);
    if (!underApi) {
      for (const page of options.pages ?? []) {
        const answer = await page(method, path, `http://${hostHeader ?? host}`);
        if (answer) return send(res, answer);
      }
    }

    const match = matchRoute(candidatesFor(method), path);
    let claims: AuthorizerClaims | undefined;
    if (match?.route.authorized) {
      // Node keeps only the first of repeated Authorization headers; API Gateway joins them, and the join never verifies.
      claims = authorizations === 1 ? await verifyBearer(headers.authorization, match.route) : undefined;
      if (!claims) return send(res, gatewayError(401, 'UNAUTHENTICATED', 'sign in: send a valid bearer token in Authorization'));
    }
    if (underApi && options.apiOriginHeaders) Object.assign(headers, options.apiOriginHeaders);
    const event = toApiGatewayEvent(req, url, method, headers, body, match, claims);
    send(res, await (match ? match.route.invoke : options.defaultRoute)(event));
  }

  async function handleLocalRoute(method: string, path: string, req: IncomingMessage, body: Buffer): Promise<GatewayResult | undefined> {
    if (!path.startsWith('/local/')) return undefined;
    if (method === 'POST' && path === '/local/token') {
      let parsed: unknown;
      try {
        parsed = body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
      } catch {
        return gatewayError(400, 'VALIDATION_ERROR', 'the body is not valid JSON');
      }
      if (!/^application\/json/i.test(req.headers['content-type'] ?? '') && body.length > 0) {
        return gatewayError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as JSON with content-type: application/json');
      }
      const result = tokenRequestSchema.safeParse(parsed);
      if (!result.success) {
        const details = result.error.issues.map((issue) => ({ path: issue.path.join('.') || 'body', message: issue.message }));
        return gatewayError(400, 'VALIDATION_ERROR', 'the request body is not valid', details);
      }
      try {
        return jsonAnswer(200, await options.issuer.mint(result.data.userId, result.data.groups));
      } catch (error) {
        if (error instanceof TokenRequestRefused) return gatewayError(400, 'VALIDATION_ERROR', error.message);
        throw error;
      }
    }
    const job = options.localJobs.get(path);
    if (method === 'POST' && job) return job();
    return gatewayError(404, 'NOT_FOUND', 'no such local route');
  }

  /**
   * The claims as the handler sees them, per verified payload: the issuer hands back the same payload
   * object for a token it verified before (checking its clock each time), so a returning token costs
   * no conversion. Each request still gets a copy.
   */
  const converted = new WeakMap<object, AuthorizerClaims>();

  async function verifyBearer(authorization: string | undefined, route: GatewayRoute): Promise<AuthorizerClaims | undefined> {
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/.exec(authorization ?? '');
    if (!match) return undefined;
    const scopes = route.scopes ?? [];
    const payload = await (route.authorizer ?? options.issuer).verify(match[1]);
    if (!payload) return undefined;
    let claims = converted.get(payload);
    if (!claims) {
      const rendered = asAuthorizerClaims(payload);
      claims = { claims: rendered, scopes: scopesOf(rendered), tokenScopes: scopesOf(payload) };
      converted.set(payload, claims);
    }
    // As the authorizer's authorizationScopes: an access token with one of them; an ID token has none.
    if (scopes.length > 0 && (payload.token_use !== 'access' || !claims.tokenScopes.some((scope) => scopes.includes(scope))))
      return undefined;
    return claims;
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  ownHosts = new Set([`${host}:${port}`, `127.0.0.1:${port}`, `localhost:${port}`]);
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

/** A JSON answer with the headers the functions send (functions/http/responses.ts). */
export function jsonAnswer(statusCode: number, body: unknown): GatewayResult {
  return { statusCode, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}

/** An answer of the gateway itself, in the contract's error shape (a test holds it to functions/http/responses.ts). */
export function gatewayError(
  statusCode: number,
  code: string,
  message: string,
  details?: readonly { path: string; message: string }[],
): GatewayResult {
  return jsonAnswer(statusCode, { error: { code, message, ...(details ? { details } : {}) } });
}

/** The first of `candidates` (the request's method's, best first) whose path matches. */
function matchRoute(
  candidates: readonly CompiledRoute[],
  path: string,
): { route: GatewayRoute; pathParameters: Record<string, string> } | undefined {
  for (const { route, pattern, params } of candidates) {
    const found = pattern.exec(path);
    if (!found) continue;
    const pathParameters = Object.fromEntries(params.map((name, i) => [name, safeDecode(found[i + 1])]));
    return { route, pathParameters };
  }
  return undefined;
}

function safeDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function scopesOf(claims: Record<string, unknown>): string[] {
  return typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
}

/** API Gateway hands list claims to the handler as "[a b]" and every other claim as a string. */
function asAuthorizerClaims(payload: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [name, Array.isArray(value) ? `[${value.join(' ')}]` : String(value)]),
  );
}

/** The verified token's claims as API Gateway renders them, and the scopes it passes on. */
interface AuthorizerClaims {
  readonly claims: Readonly<Record<string, string>>;
  readonly scopes: readonly string[];
  /** The token's own scope claim, which the route's scopes are checked against. */
  readonly tokenScopes: readonly string[];
}

/**
 * The request's headers as API Gateway passes them: names in lower case, repeated ones joined with
 * commas (Node's headersDistinct, joined, in one pass over the raw list); the first Host, as Node
 * keeps it; and how many Authorization headers came.
 */
function headersOf(req: IncomingMessage): { headers: Record<string, string>; host: string | undefined; authorizations: number } {
  const raw = req.rawHeaders;
  const headers: Record<string, string> = {};
  let host: string | undefined;
  let authorizations = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    if (name === 'authorization') authorizations++;
    else if (name === 'host') host ??= value;
    if (Object.hasOwn(headers, name)) headers[name] += `,${value}`;
    // A header named __proto__ is a header like any other, not the object's prototype.
    else if (name === '__proto__') Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
    else headers[name] = value;
  }
  return { headers, host, authorizations };
}

function toApiGatewayEvent(
  req: IncomingMessage,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer,
  match: { route: GatewayRoute; pathParameters: Record<string, string> } | undefined,
  claims: AuthorizerClaims | undefined,
): GatewayEvent {
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const textual = /json|text/i.test(headers['content-type'] ?? '') || body.length === 0;
  const routeKey = match ? match.route.routeKey : '$default';
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
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: claims ? { ...claims.claims } : {}, scopes: claims ? [...claims.scopes] : [] },
      },
    },
  };
}

const NO_BODY = { body: Buffer.alloc(0), tooLarge: false } as const;

/** Whether a body follows the headers (HTTP/1.1: only with Content-Length or Transfer-Encoding); Node discards an unread one itself. */
function hasBody(headers: Readonly<Record<string, string>>): boolean {
  const length = headers['content-length'];
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
}

/** Reads the body with plain listeners: an async iterator per request costs a share of a busy server's CPU. */
function readBody(req: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    let ended = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_READ_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.once('end', () => {
      ended = true;
      resolve({ body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), tooLarge });
    });
    req.once('error', reject);
    // Every request closes once answered: the error (and its stack trace) is made only for one closed early.
    req.once('close', () => {
      if (!ended) reject(new Error('the request was closed before its body ended'));
    });
  });
}

function send(res: ServerResponse, result: GatewayResult): void {
  // A text body is written as the string it is: Node sends it together with the headers, no Buffer copy.
  const body = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? '');
  const headers: Record<string, string | string[]> = {
    ...(result.headers as Record<string, string>),
    'content-length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.length),
  };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
}
