/**
 * The OpenAPI 3.1 document of the API, generated from the route table, the zod/mini schemas the
 * handlers validate requests with (functions/http/*-schemas.ts) and the response schemas
 * (functions/http/response-schemas.ts). Responses go through zod-to-openapi; requests, which it
 * cannot read in their zod/mini form, through zod's own JSON Schema conversion. `npm run openapi`
 * writes it to openapi.json; the local server serves it at /openapi.json and renders it at /docs.
 * Only tooling imports this module: the Lambda bundles never carry the generator.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import type * as zm from 'zod/mini';
import { IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_RECORD_SECONDS } from '../functions/idempotency/idempotency-key';
import { STATUS_OF } from '../functions/http/responses';
import { ADMIN_GROUP, DEFAULT_MAX_BODY_BYTES, routeKeyOf, routes, type RouteDefinition } from '../functions/http/route-table';
import { errorBodySchema } from '../functions/http/response-schemas';
import type { ErrorCode } from '../functions/shared/errors';
import { routeDocs, type ErrorUse, type RouteDoc, type RowKey } from './openapi-routes';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

export const BEARER_SCHEME = 'bearerAuth';
export const QUEUE_TOKEN_SCHEME = 'queueToken';
/** The Cognito group admin routes require (the role named in their security requirement). */

const DEFAULT_SERVER = 'http://127.0.0.1:3000';

const TAGS = [
  { name: 'public', description: 'No sign-in needed.' },
  {
    name: 'queue',
    description:
      "The waiting room: join a concert's line, poll your place until you are `ACTIVE`, give it back; admins change its settings live and revoke tokens.",
  },
  { name: 'catalogue', description: 'Dates and seat maps (ACTIVE only), and creating concerts (admins).' },
  { name: 'reservations', description: 'Seat holds, your reservations, and giving a hold back.' },
  { name: 'wallet', description: 'Your balance, payments and payment history.' },
] as const;

const DESCRIPTION = `A concert reservation service that survives a ticket rush: a waiting room, seat holds and atomic payments.

- JSON in, JSON out. Times are ISO-8601 UTC, concert dates \`YYYY-MM-DD\`, money whole KRW.
- **Identity**: \`Authorization: Bearer <JWT>\` (deployed: a Cognito token of the stack's user pool; locally: \`POST /local/token\`). Your user id is the token's \`sub\`; admins are in the \`${ADMIN_GROUP}\` group.
- **Queue token**: routes marked ACTIVE (security \`${QUEUE_TOKEN_SCHEME}\`) also need \`X-Queue-Token\`: your own token for that concert, \`ACTIVE\` right now.
- **Errors** all have one shape, \`{"error":{"code","message","details"?}}\`; every operation lists the codes it can answer. An unknown path is a JSON 404 \`NOT_FOUND\`.
- **Idempotency-Key** (optional, on \`POST /balance/charge\` and \`POST /payments\`): the same key from the same user with the same body answers the first response again (header \`Idempotent-Replayed: true\`) and changes nothing more; with another body, 409 \`IDEMPOTENCY_KEY_REUSED\`; while the first request is still running, or its outcome could not yet be recorded, 409 \`IDEMPOTENCY_KEY_IN_USE\` with \`Retry-After\`. A request whose effect landed is answered as a success on every retry with its key. Keys are kept at least ${IDEMPOTENCY_RECORD_SECONDS / 3600} hours.

The local server's extra routes (\`/local/*\`, \`/openapi.json\`, \`/docs\`) are not part of the deployed API and not listed here.`;

/** A message of each code, for the examples. */
const EXAMPLE_MESSAGES: Record<ErrorCode, string> = {
  VALIDATION_ERROR: 'the request body is not valid',
  UNAUTHENTICATED: 'sign in: send a valid bearer token in Authorization',
  QUEUE_TOKEN_REQUIRED: 'this route needs your ACTIVE queue token in X-Queue-Token',
  QUEUE_TOKEN_INVALID: 'this queue token is not yours for this concert',
  QUEUE_TOKEN_NOT_ACTIVE: 'this queue token is not ACTIVE',
  FORBIDDEN: 'this route is for admins only',
  QUEUE_BANNED: 'you may not join the waiting room of this concert',
  CHALLENGE_REQUIRED: 'this waiting room asks for proof of work: solve GET .../queue/challenge and send it as altcha',
  CHALLENGE_FAILED: 'that proof of work is not valid for you and this concert, has expired, or was used already',
  NOT_FOUND: 'seat was not found',
  PRECONDITION_FAILED: 'the settings changed since revision 3 (they are at revision 4): read them again and reapply your change',
  QUEUE_CLOSED: 'this waiting room is closed to new joins',
  QUEUE_NOT_OPEN: 'this waiting room opens at 2026-12-24T09:00:00.000Z; join again after Retry-After seconds',
  SEAT_UNAVAILABLE: 'this seat is held or sold',
  HOLD_LIMIT_REACHED: 'you already hold 4 seats of this date; pay for them or let a hold end first',
  RESERVATION_EXPIRED: 'a hold has expired; hold the seat again',
  ALREADY_PAID: 'a reservation has already been paid',
  INSUFFICIENT_BALANCE: 'the balance does not cover the total; charge it and pay again',
  BALANCE_LIMIT_EXCEEDED: 'the balance may not exceed 100000000 KRW',
  IDEMPOTENCY_KEY_REUSED: 'this Idempotency-Key was already used with a different body',
  IDEMPOTENCY_KEY_IN_USE: 'the first request with this Idempotency-Key is still in progress; send it again after Retry-After seconds',
  PAYLOAD_TOO_LARGE: 'the body is over the 16 KiB this route accepts',
  UNSUPPORTED_MEDIA_TYPE: 'send the body as JSON with content-type: application/json',
  TOO_MANY_REQUESTS: 'too many requests; slow down',
  INTERNAL: 'something went wrong on our side (request 5f0c…)',
  UNAVAILABLE: 'the service is busy; try again shortly',
};

const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'The state does not allow it',
  412: 'Precondition failed',
  413: 'Body too large',
  415: 'Body not JSON',
  429: 'Throttled',
  500: 'A bug on our side',
  503: 'Busy: try again after Retry-After',
};

const retryAfterHeader = (description: string) => ({ 'Retry-After': { description, schema: { type: 'integer' as const, minimum: 1 } } });

const ifMatchHeaders = z.object({
  'If-Match': z
    .string()
    .regex(/^(?:\*|"\d{1,15}"|\d{1,15})$/)
    .optional()
    .meta({ description: 'the revision your change was made against, quoted as `ETag` gives it: another revision is 412', example: '"3"' }),
});

const idempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN)
    .optional()
    .meta({ description: '1–128 printable ASCII characters: the same key and body replay the first answer', example: 'pay-7f3a9c' }),
});

type SchemaObject = Record<string, unknown>;
type Parameter = { name: string; in: 'path' | 'query'; required: boolean; description?: string; schema: SchemaObject };

/**
 * A request schema as JSON Schema (2020-12, which OpenAPI 3.1 uses): what a handler accepts after
 * parsing, so a query's text-to-number coercion documents the number it must be. zod's bounds of
 * a safe integer say nothing a reader needs, so they go.
 */
function requestJsonSchema(schema: zm.ZodMiniType): SchemaObject {
  const { $schema: _dialect, ...converted } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as SchemaObject;
  // A schema with an id comes as a reference to itself in $defs; the component is the schema itself.
  const defs = (converted.$defs ?? {}) as Record<string, SchemaObject>;
  const self = typeof converted.$ref === 'string' ? converted.$ref.replace('#/$defs/', '') : undefined;
  if (Object.keys(defs).some((name) => name !== self)) throw new Error('a request schema may have an id only at its root');
  const json = self ? defs[self] : converted;
  return JSON.parse(JSON.stringify(json), (key, value: unknown) =>
    (key === 'minimum' && value === Number.MIN_SAFE_INTEGER) || (key === 'maximum' && value === Number.MAX_SAFE_INTEGER)
      ? undefined
      : value,
  ) as SchemaObject;
}

/** One parameter per field of a path or query schema. */
function requestParameters(schema: zm.ZodMiniObject | undefined, where: Parameter['in']): Parameter[] {
  if (!schema) return [];
  const json = requestJsonSchema(schema);
  const properties = (json.properties ?? {}) as Record<string, SchemaObject>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    schema: property,
    required: where === 'path' || required.has(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    name,
    in: where,
  }));
}

/** A request body's schema: a reference to its component when it has an id, inline otherwise. */
function requestBodySchema(registry: OpenAPIRegistry, schema: zm.ZodMiniType): SchemaObject {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) return requestJsonSchema(schema);
  registry.registerComponent('schemas', id, requestJsonSchema(schema) as never);
  return { $ref: `#/components/schemas/${id}` };
}

/** Everything a route can answer besides success: derived from its row of the route table, plus the handler's own codes. */
export function errorUses(route: RouteDefinition, doc: RouteDoc): ErrorUse[] {
  const uses: ErrorUse[] = [];
  const invalid: string[] = [];
  if (doc.pathParameters) invalid.push('a bad path parameter');
  if (doc.query) invalid.push('a bad query parameter');
  if (doc.body) invalid.push('malformed JSON, wrong types, unknown or missing fields, out-of-range values');
  if (route.idempotent) invalid.push('a bad Idempotency-Key');
  if (invalid.length > 0) uses.push(['VALIDATION_ERROR', invalid.join('; ')]);
  if (route.auth !== 'public') uses.push(['UNAUTHENTICATED', 'a missing, malformed, expired or badly signed JWT']);
  if (route.auth === 'active') {
    uses.push(
      ['QUEUE_TOKEN_REQUIRED', 'no X-Queue-Token'],
      ['QUEUE_TOKEN_INVALID', 'an unknown token, or one of another user or another concert'],
      ['QUEUE_TOKEN_NOT_ACTIVE', 'the token is WAIT or EXPIRED'],
    );
  }
  if (route.auth === 'admin') uses.push(['FORBIDDEN', `you are not in the ${ADMIN_GROUP} group`]);
  uses.push(...(doc.errors ?? []));
  if (route.idempotent) {
    uses.push(
      ['IDEMPOTENCY_KEY_REUSED', 'this key was used with another body'],
      ['IDEMPOTENCY_KEY_IN_USE', "this key's first request is still running, or its outcome is not recorded yet: retry after Retry-After"],
    );
  }
  if (doc.body) {
    const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    uses.push(
      ['PAYLOAD_TOO_LARGE', `a body over ${limit / 1024} KiB`],
      ['UNSUPPORTED_MEDIA_TYPE', 'a body sent with a content type other than application/json'],
    );
  }
  uses.push(
    ['TOO_MANY_REQUESTS', 'too many requests at once (throttled)'],
    ['INTERNAL', 'a bug: logged with the request id the message names'],
  );
  if (!doc.noDatabase) uses.push(['UNAVAILABLE', 'the database is unavailable or throttling; nothing was half-done']);
  return uses;
}

function errorResponses(uses: readonly ErrorUse[]): Record<string, ResponseConfig> {
  const byStatus = new Map<number, ErrorUse[]>();
  for (const use of uses) {
    const status = STATUS_OF[use[0]];
    byStatus.set(status, [...(byStatus.get(status) ?? []), use]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      {
        description: `${STATUS_DESCRIPTIONS[status]}: ${list.map(([code, when]) => `\`${code}\`: ${when}`).join('; ')}.`,
        ...(status === 503 ? { headers: retryAfterHeader('seconds to wait before trying again') } : {}),
        ...(list.some(([code]) => code === 'QUEUE_NOT_OPEN')
          ? { headers: retryAfterHeader('`QUEUE_NOT_OPEN`: seconds until it opens') }
          : {}),
        content: {
          'application/json': {
            schema: errorBodySchema,
            // A 3.1 reference may carry its own summary: here, when this operation answers that code.
            examples: Object.fromEntries(list.map(([code, when]) => [code, { $ref: `#/components/examples/${code}`, summary: when }])),
          },
        },
      } satisfies ResponseConfig,
    ]),
  );
}

/** One example body per error code, which the operations refer to. */
function registerErrorExamples(registry: OpenAPIRegistry): void {
  for (const code of Object.keys(STATUS_OF) as ErrorCode[]) {
    const details =
      code === 'VALIDATION_ERROR' ? { details: [{ path: 'seatNumber', message: 'Too small: expected number to be >=1' }] } : {};
    registry.registerComponent('examples', code, {
      summary: `${STATUS_OF[code]} ${code}`,
      value: { error: { code, message: EXAMPLE_MESSAGES[code], ...details } },
    });
  }
}

function security(route: RouteDefinition, doc: RouteDoc): RouteConfig['security'] {
  switch (route.auth) {
    case 'public':
      return [];
    case 'admin':
      return [{ [BEARER_SCHEME]: [ADMIN_GROUP] }];
    case 'active':
      return [{ [BEARER_SCHEME]: [], [QUEUE_TOKEN_SCHEME]: [] }];
    case 'jwt':
      return [doc.queueToken ? { [BEARER_SCHEME]: [], [QUEUE_TOKEN_SCHEME]: [] } : { [BEARER_SCHEME]: [] }];
  }
}

function operation(registry: OpenAPIRegistry, route: RouteDefinition, doc: RouteDoc): RouteConfig {
  const successHeaders = {
    ...(doc.retryAfter ? retryAfterHeader('seconds until the next poll is worth making') : {}),
    ...(doc.cacheControl
      ? {
          'Cache-Control': {
            description: 'caches may share this answer for a second',
            schema: { type: 'string' as const, enum: [doc.cacheControl] },
          },
        }
      : {}),
    ...(doc.etag
      ? { ETag: { description: "the settings' revision, quoted: send it as `If-Match`", schema: { type: 'string' as const } } }
      : {}),
    ...(route.idempotent
      ? {
          'Idempotent-Replayed': {
            description: '`true` when this is the first answer to this Idempotency-Key, replayed',
            schema: { type: 'string' as const, enum: ['true'] },
          },
        }
      : {}),
  };
  const parameters = [...requestParameters(doc.pathParameters, 'path'), ...requestParameters(doc.query, 'query')];
  const auth =
    route.auth === 'active'
      ? 'ACTIVE: bearer JWT and X-Queue-Token'
      : route.auth === 'jwt' && doc.queueToken
        ? 'bearer JWT and X-Queue-Token'
        : route.auth === 'admin'
          ? `bearer JWT of the ${ADMIN_GROUP} group`
          : route.auth === 'jwt'
            ? 'bearer JWT'
            : 'public';
  return {
    method: route.method.toLowerCase() as RouteConfig['method'],
    path: route.path,
    operationId: route.handler,
    // The admin routes run in a function of their own (least privilege); to readers they are the catalogue's.
    tags: [doc.tag ?? (route.auth === 'public' ? 'public' : route.group === 'admin' ? 'catalogue' : route.group)],
    summary: doc.summary,
    description: [doc.description, `Auth: ${auth}.`].filter(Boolean).join('\n\n'),
    security: security(route, doc),
    ...(parameters.length > 0 ? { parameters: parameters as RouteConfig['parameters'] } : {}),
    request: {
      ...(route.idempotent ? { headers: idempotencyHeaders } : {}),
      ...(doc.ifMatch ? { headers: ifMatchHeaders } : {}),
      ...(doc.body
        ? {
            body: {
              required: !doc.body.optional,
              content: { 'application/json': { schema: requestBodySchema(registry, doc.body.schema) as never } },
            },
          }
        : {}),
    },
    responses: {
      ...Object.fromEntries(
        doc.responses.map((response) => [
          String(response.status),
          {
            description: response.description,
            ...(Object.keys(successHeaders).length > 0 ? { headers: successHeaders } : {}),
            content: { 'application/json': { schema: response.schema } },
          } satisfies ResponseConfig,
        ]),
      ),
      ...errorResponses(errorUses(route, doc)),
    },
  };
}

/** The document; `serverUrl` names the server it is served from (the committed file names the local default). */
export function buildOpenApiDocument(options: { serverUrl?: string } = {}): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', BEARER_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: `Deployed: a Cognito access token of the stack's user pool. Locally: \`POST /local/token\`. Admin routes need the \`${ADMIN_GROUP}\` group (\`cognito:groups\`).`,
  });
  registry.registerComponent('securitySchemes', QUEUE_TOKEN_SCHEME, {
    type: 'apiKey',
    in: 'header',
    name: 'X-Queue-Token',
    description: 'The token `POST /concerts/{concertId}/queue` gave you, for the same concert, `ACTIVE` right now.',
  });
  registerErrorExamples(registry);
  for (const route of routes) {
    registry.registerPath(operation(registry, route, routeDocs[routeKeyOf(route) as RowKey]));
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Concert reservation API', version: '1.0.0', description: DESCRIPTION },
    servers: [
      options.serverUrl
        ? { url: options.serverUrl, description: 'this server' }
        : {
            url: '{baseUrl}',
            description: '`npm start`, or the ApiUrl output of a deployed stack',
            variables: { baseUrl: { default: DEFAULT_SERVER } },
          },
    ],
    tags: [...TAGS],
  });
}

/** The document as committed in openapi.json. */
export const openApiJson = (document: OpenApiDocument = buildOpenApiDocument()) => `${JSON.stringify(document, null, 2)}\n`;
