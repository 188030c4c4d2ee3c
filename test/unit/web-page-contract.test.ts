/**
 * The page's and the operator console's view of the API against openapi.json: every route they
 * call is documented with the success they expect, and every field their types read is a field of
 * the documented body. (The types themselves come from the handlers' code, so this closes the loop
 * to the document.)
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONSOLE_ROUTES, type ConsoleResponses } from '../../web/src/admin/console-api';
import { PAGE_ROUTES, type Responses } from '../../web/src/api';

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
type Operation = {
  responses: Record<string, { headers?: Record<string, unknown>; content?: { 'application/json'?: { schema: Schema } } }>;
};
const document = JSON.parse(readFileSync(resolve(__dirname, '../../openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

const at = '2026-12-24T19:00:00.000Z';
const reservation = {
  reservationId: 'r',
  concertId: 'c',
  scheduleId: 's',
  date: '2026-12-24',
  seatNumber: 1,
  price: 1,
  status: 'HELD',
  expiresAt: at,
  createdAt: at,
} as const;
const payment = { paymentId: 'p', reservationIds: ['r'], amount: 1, balance: 0, paidAt: at };
const queue = {
  token: 't',
  concertId: 'c',
  status: 'ACTIVE',
  position: 0,
  estimatedWaitSeconds: 0,
  activeUntil: at,
  paused: true,
  opensAt: at,
} as const;
/** One body per route with every field the page's types know, optional ones included. */
const SAMPLES: { [K in keyof Responses]: Required<Responses[K]> } = {
  'GET /concerts': { concerts: [{ concertId: 'c', title: 't', venue: 'v' }] },
  'POST /concerts/{concertId}/queue': queue,
  'GET /concerts/{concertId}/queue': queue,
  'DELETE /concerts/{concertId}/queue': queue,
  'GET /concerts/{concertId}/queue/state': {
    concertId: 'c',
    admittedSeq: 3,
    shards: {
      admitted: [1, 2],
      epochs: [
        [0, 0],
        [2, 3],
      ],
    },
    paused: false,
    saleOpensAt: at,
    preQueue: { opened: true, size: 4, admitted: 1 },
    rate: { admitPerRun: 2.5, runEverySeconds: 10, maxActive: 100, activeSeconds: 600 },
    updatedAt: at,
  },
  'GET /concerts/{concertId}/queue/challenge': {
    parameters: {
      algorithm: 'PBKDF2/SHA-256',
      nonce: '00',
      salt: '00',
      cost: 1000,
      keyLength: 32,
      keyPrefix: '00',
      keySignature: '00',
      expiresAt: 1,
      data: { concertId: 'c', userId: 'u', work: 1, keyId: 'k' },
    },
    signature: '00',
  },
  'GET /concerts/{concertId}/schedules': { schedules: [{ scheduleId: 's', date: '2026-12-24', availableSeats: 1 }] },
  'GET /concerts/{concertId}/schedules/{scheduleId}/seats': { seats: [{ seatNumber: 1, price: 1, status: 'AVAILABLE' }] },
  'POST /reservations': reservation,
  'GET /reservations': { reservations: [reservation], nextCursor: 'x' },
  'DELETE /reservations/{reservationId}': { ...reservation, status: 'RELEASED' },
  'GET /balance': { balance: 0 },
  'POST /balance/charge': { balance: 0 },
  'POST /payments': payment,
  'GET /payments': { payments: [payment], nextCursor: 'x' },
};

const deref = (schema: Schema): Schema => (schema.$ref ? deref(document.components.schemas[schema.$ref.split('/').pop()!]) : schema);

/** Paths of the sample's fields that the schema does not declare. */
function undeclared(value: unknown, schema: Schema, path: string): string[] {
  const s = deref(schema);
  const variants = [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])];
  if (variants.length > 0) {
    const results = variants.map((variant) => undeclared(value, variant, path));
    return results.find((r) => r.length === 0) ?? results[0];
  }
  if (Array.isArray(value))
    return s.items ? value.flatMap((item, i) => undeclared(item, s.items!, `${path}[${i}]`)) : [`${path}: not an array`];
  if (value !== null && typeof value === 'object') {
    // A map (`additionalProperties`) declares every key with its value's schema.
    const other = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    return Object.entries(value).flatMap(([key, field]) => {
      const declared = s.properties?.[key] ?? other;
      return declared ? undeclared(field, declared, `${path}.${key}`) : [`${path}.${key}`];
    });
  }
  return [];
}

function expectDocumented(route: string, sample: unknown): void {
  const [method, path] = route.split(' ');
  const operation = document.paths[path]?.[method.toLowerCase()];
  expect(operation).toBeDefined();
  const success = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
  expect(success.length).toBeGreaterThan(0);
  for (const [, response] of success) {
    const schema = response.content?.['application/json']?.schema;
    expect(schema).toBeDefined();
    expect(undeclared(sample, schema!, 'body')).toEqual([]);
  }
}

test.each(PAGE_ROUTES.map((route) => [route]))('%s is documented, with the body the page reads', (route) => {
  expectDocumented(route, SAMPLES[route]);
});

const settings = {
  concertId: 'c',
  revision: 1,
  joining: 'OPEN',
  admission: 'PAUSED',
  admitPerMinute: 1,
  maxActive: 1,
  activeSeconds: 60,
  holdSeconds: 30,
  preQueueOpensAt: at,
  saleOpensAt: at,
  challengeWork: 0,
  updatedAt: at,
  updatedBy: 'ops',
} as const;
const point = { at, waiting: 0, active: 0, joined: 0, admitted: 0, sold: 0, revenue: 0 };
/** One body per admin route the console calls, with every field its types know. */
const CONSOLE_SAMPLES: { [K in keyof ConsoleResponses]: Required<ConsoleResponses[K]> } = {
  'POST /admin/concerts': { concertId: 'c', title: 't', venue: 'v', schedules: [{ scheduleId: 's', date: '2026-12-24', seatCount: 1 }] },
  'GET /admin/concerts/{concertId}/waiting-room': settings,
  'PATCH /admin/concerts/{concertId}/waiting-room': settings,
  'GET /admin/concerts/{concertId}/waiting-room/changes': {
    changes: [{ at, by: 'ops', revision: 1, changed: { admission: { from: 'RUNNING', to: 'PAUSED' } } }],
  },
  'GET /admin/concerts/{concertId}/waiting-room/stats': {
    concertId: 'c',
    at,
    waiting: 0,
    active: 0,
    joinedTotal: 0,
    admittedTotal: 0,
    leftTotal: 0,
    estimatedWaitSecondsForNewJoiner: 0,
    holdsLive: 0,
    seatsSold: 0,
    seatsTotal: 0,
    revenue: 0,
    salesByDate: [{ date: '2026-12-24', seatsSold: 0, revenue: 0 }],
    series: [point],
  },
  'POST /admin/concerts/{concertId}/queue/revocations': { userId: 'u', revoked: true, banned: true },
};

test.each(CONSOLE_ROUTES.map((route) => [route]))('%s is documented, with the body the operator console reads', (route) => {
  expectDocumented(route, CONSOLE_SAMPLES[route]);
});

test('the waiting room reads Retry-After, which the document promises on joining and polling', () => {
  for (const route of ['POST /concerts/{concertId}/queue', 'GET /concerts/{concertId}/queue']) {
    const [method, path] = route.split(' ');
    for (const [status, response] of Object.entries(document.paths[path][method.toLowerCase()].responses)) {
      if (status.startsWith('2')) expect(Object.keys(response.headers ?? {})).toContain('Retry-After');
    }
  }
});
