import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { z } from 'zod';
import type { CreatedConcertView } from '../../functions/catalogue/create-concert';
import type { ScheduleView } from '../../functions/catalogue/list-schedules';
import type { SeatView } from '../../functions/catalogue/get-seat-map';
import {
  balanceSchema,
  concertListSchema,
  createdConcertSchema,
  paymentListSchema,
  paymentSchema,
  queueStatusSchema,
  reservationListSchema,
  reservationSchema,
  scheduleListSchema,
  seatMapSchema,
  waitingRoomChangesSchema,
  waitingRoomSettingsSchema,
} from '../../functions/http/response-schemas';
import { STATUS_OF } from '../../functions/http/responses';
import { groupEntry, handlerGroups, routeKeyOf, routes, type RouteDefinition } from '../../functions/http/route-table';
import { describeToken, type QueueStatusView } from '../../functions/queue/queue-status';
import { changeSettings, waitingRoomOf } from '../../functions/queue/waiting-room-rules';
import {
  toChangeView,
  toSettingsView,
  type WaitingRoomChangeView,
  type WaitingRoomSettingsView,
} from '../../functions/queue/waiting-room-settings';
import type { ReservationList } from '../../functions/reservations/list-reservations';
import { toReservationView, type ReservationView } from '../../functions/reservations/reservation';
import type { ErrorCode } from '../../functions/shared/errors';
import { readSettings } from '../../functions/shared/config';
import type { PaymentList } from '../../functions/wallet/list-payments';
import { toPaymentView, type PaymentView } from '../../functions/wallet/payment';
import { ADMIN_GROUP } from '../../functions/http/route-table';
import { BEARER_SCHEME, buildOpenApiDocument, openApiJson, QUEUE_TOKEN_SCHEME } from '../../local/openapi-document';

const ROOT = resolve(__dirname, '../..');
const document = buildOpenApiDocument();
type Json = Record<string, any>;

const operationOf = (route: RouteDefinition): Json | undefined =>
  (document.paths?.[route.path] as Json | undefined)?.[route.method.toLowerCase()];
/** The codes an operation documents, by status. */
const codesOf = (operation: Json): Record<string, string[]> =>
  Object.fromEntries(
    Object.entries<Json>(operation.responses)
      .filter(([status]) => !status.startsWith('2'))
      .map(([status, response]) => [status, Object.keys(response.content['application/json'].examples)]),
  );

describe.each(routes.map((route) => [routeKeyOf(route), route] as const))('%s', (_key, route: RouteDefinition) => {
  const operation = operationOf(route)!;

  test('is in the document, named after its handler', () => {
    expect(operation).toBeDefined();
    expect(operation.operationId).toBe(route.handler);
  });

  test('asks for what its auth level needs', () => {
    const expected = {
      public: [],
      jwt: [{ [BEARER_SCHEME]: [] }],
      active: [{ [BEARER_SCHEME]: [], [QUEUE_TOKEN_SCHEME]: [] }],
      admin: [{ [BEARER_SCHEME]: [ADMIN_GROUP] }],
    }[route.auth];
    // Polling and giving the place back are the JWT routes that also need the queue token.
    if (route.handler === 'pollQueue' || route.handler === 'leaveQueue')
      expect(operation.security).toEqual([{ [BEARER_SCHEME]: [], [QUEUE_TOKEN_SCHEME]: [] }]);
    else expect(operation.security).toEqual(expected);
  });

  test('lists the errors every route of its kind can answer, each at its status', () => {
    const codes = codesOf(operation);
    for (const [status, list] of Object.entries(codes)) {
      for (const code of list) expect(STATUS_OF[code as ErrorCode]).toBe(Number(status));
    }
    const all = Object.values(codes).flat();
    expect(all).toEqual(expect.arrayContaining(['TOO_MANY_REQUESTS', 'INTERNAL']));
    if (route.path !== '/health') expect(all).toContain('UNAVAILABLE');
    if (route.auth !== 'public') expect(all).toContain('UNAUTHENTICATED');
    else expect(all).not.toContain('UNAUTHENTICATED');
    if (route.auth === 'active') expect(codes['403']).toEqual(['QUEUE_TOKEN_REQUIRED', 'QUEUE_TOKEN_INVALID', 'QUEUE_TOKEN_NOT_ACTIVE']);
    if (route.auth === 'admin') expect(codes['403']).toEqual(['FORBIDDEN']);
    if (route.method === 'POST')
      expect(all).toEqual(expect.arrayContaining(['VALIDATION_ERROR', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE']));
    if (route.path.includes('{')) expect(all).toContain('VALIDATION_ERROR');
  });

  test('documents Idempotency-Key exactly where the route honours it', () => {
    const header = (operation.parameters ?? []).find((p: Json) => p.in === 'header' && p.name === 'Idempotency-Key');
    if (route.idempotent) {
      expect(header).toMatchObject({ required: false, schema: { type: 'string', pattern: '^[\\x20-\\x7e]{1,128}$' } });
      expect(codesOf(operation)['409']).toContain('IDEMPOTENCY_KEY_REUSED');
      expect(Object.keys(operation.responses[successStatus(operation)].headers)).toContain('Idempotent-Replayed');
    } else {
      expect(header).toBeUndefined();
    }
  });

  test('names its success body and every path parameter', () => {
    const success = operation.responses[successStatus(operation)];
    expect(success.content['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\/\w+$/);
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const documented = (operation.parameters ?? []).filter((p: Json) => p.in === 'path').map((p: Json) => p.name);
    expect(documented).toEqual(pathParams);
  });
});

const successStatus = (operation: Json) => Object.keys(operation.responses).find((status) => status.startsWith('2'))!;

test('has no path the route table lacks: /local/*, /openapi.json and /docs are local only', () => {
  const documented = Object.entries<Json>(document.paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  );
  expect(documented.sort()).toEqual(routes.map(routeKeyOf).sort());
});

test('documents every error code of the contract at its status, with an example', () => {
  const documented = new Set(
    routes.flatMap((route) =>
      Object.entries(codesOf(operationOf(route)!)).flatMap(([status, codes]) => codes.map((code) => `${status} ${code}`)),
    ),
  );
  const contract = Object.entries(STATUS_OF).map(([code, status]) => `${status} ${code}`);
  expect([...documented].sort()).toEqual(contract.sort());
  expect(Object.keys(document.components?.examples ?? {}).sort()).toEqual(Object.keys(STATUS_OF).sort());
});

test('pages of reservations and payments take limit and cursor', () => {
  for (const path of ['/reservations', '/payments']) {
    const query = ((document.paths?.[path] as Json).get.parameters as Json[]).filter((p) => p.in === 'query');
    expect(query.map((p) => [p.name, p.required])).toEqual([
      ['limit', false],
      ['cursor', false],
    ]);
  }
});

test('every $ref points at a component that exists', () => {
  const refs: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === '$ref') refs.push(inner as string);
        else walk(inner);
      }
    }
  };
  walk(document);
  expect(refs.length).toBeGreaterThan(50);
  for (const ref of new Set(refs)) {
    const [, , kind, name] = ref.split('/');
    expect((document.components as Json)?.[kind]?.[name]).toBeDefined();
  }
});

test('the committed openapi.json is what `npm run openapi` writes now', () => {
  const committed = readFileSync(resolve(ROOT, 'openapi.json'), 'utf8');
  // On failure: run `npm run openapi` and commit openapi.json.
  expect(committed === openApiJson(document)).toBe(true);
});

describe('the response schemas', () => {
  /** Compiles only when a schema has exactly the view's fields and what it parses fits the view. */
  type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
  type Agrees<S extends z.ZodType, View> =
    Equal<keyof z.output<S>, keyof View> extends true ? (z.output<S> extends View ? true : false) : false;
  const agreements: [
    Agrees<typeof queueStatusSchema, Omit<QueueStatusView, 'retryAfterSeconds'>>,
    Agrees<typeof reservationSchema, ReservationView>,
    Agrees<typeof reservationListSchema, ReservationList>,
    Agrees<typeof paymentSchema, PaymentView>,
    Agrees<typeof paymentListSchema, PaymentList>,
    Agrees<typeof balanceSchema, { balance: number }>,
    Agrees<z.ZodArray<typeof seatMapSchema.shape.seats.element>, SeatView[]>,
    Agrees<typeof scheduleListSchema.shape.schedules.element, ScheduleView>,
    Agrees<typeof createdConcertSchema, CreatedConcertView>,
    Agrees<typeof concertListSchema.shape.concerts.element, { concertId: string; title: string; venue: string }>,
    Agrees<typeof waitingRoomSettingsSchema, WaitingRoomSettingsView>,
    Agrees<typeof waitingRoomChangesSchema.shape.changes.element, WaitingRoomChangeView>,
  ] = [true, true, true, true, true, true, true, true, true, true, true, true];

  test('agree with the views the use cases return', () => {
    expect(agreements.every(Boolean)).toBe(true);
  });

  const strict = <S extends z.ZodObject>(schema: S) => z.strictObject(schema.shape);
  const now = Date.parse('2026-12-01T10:00:00.000Z');

  test('accept what the domain renders, and nothing more', () => {
    const settings = readSettings({});
    const waiting = describeToken(
      { token: 'qt.aurora-live.abc', concertId: 'aurora-live' },
      { status: 'WAIT', position: 3 },
      now,
      settings,
    );
    const { retryAfterSeconds: _, ...status } = waiting;
    expect(strict(queueStatusSchema).parse(status)).toEqual(status);

    const reservation = toReservationView(
      {
        reservationId: '01JZ8Q4N7W3YV6X2B9C5D0E1FA',
        userId: 'alice',
        concertId: 'aurora-live',
        scheduleId: 'aurora-live-1',
        date: '2026-12-24',
        seatNumber: 7,
        price: 120_000,
        status: 'HELD',
        expiresAt: now + 300_000,
        createdAt: now,
      },
      now,
    );
    expect(strict(reservationSchema).parse(reservation)).toEqual(reservation);

    const payment = toPaymentView({
      paymentId: '01JZ8Q4N7W3YV6X2B9C5D0E1FB',
      userId: 'alice',
      concertId: 'aurora-live',
      reservationIds: [reservation.reservationId],
      amount: 120_000,
      balance: 0,
      paidAt: now,
    });
    expect(strict(paymentSchema).parse(payment)).toEqual(payment);

    const defaults = toSettingsView('aurora-live', waitingRoomOf(undefined, settings));
    expect(strict(waitingRoomSettingsSchema).parse(defaults)).toEqual(defaults);
    const outcome = changeSettings(waitingRoomOf(undefined, settings), { admission: 'PAUSED', saleOpensAt: now }, 'ada', now);
    if (outcome.kind !== 'changed') throw new Error('expected a change');
    const changed = toSettingsView('aurora-live', outcome.room);
    expect(strict(waitingRoomSettingsSchema).parse(changed)).toEqual(changed);
    const changes = { changes: [toChangeView(outcome.change)] };
    expect(waitingRoomChangesSchema.parse(changes)).toEqual(changes);
    expect(changes.changes[0].changed.saleOpensAt).toEqual({ from: null, to: '2026-12-01T10:00:00.000Z' });
  });

  test('refuse a body of another shape', () => {
    expect(reservationSchema.safeParse({ reservationId: 'r1', status: 'LOST' }).success).toBe(false);
    expect(strict(balanceSchema).safeParse({ balance: 1, extra: true }).success).toBe(false);
  });
});

test('no Lambda bundle carries the OpenAPI generator, the response schemas or anything of local/', async () => {
  for (const group of handlerGroups) {
    const result = await build({
      entryPoints: [resolve(ROOT, groupEntry(group))],
      bundle: true,
      platform: 'node',
      target: 'node22',
      external: ['@aws-sdk/*'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    // Response schemas only document: building them would lengthen every cold start for nothing.
    expect(inputs.filter((input) => /zod-to-openapi|openapi3-ts|^local\/|response-schemas/.test(input))).toEqual([]);
  }
});
