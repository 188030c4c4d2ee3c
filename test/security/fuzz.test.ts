import fc from 'fast-check';
import { DEFAULT_MAX_BODY_BYTES, routeKeyOf, routes, type RouteDefinition } from '../../functions/http/route-table';
import { SETTING_NAMES } from '../../functions/queue/waiting-room-rules';
import { activeUser, type ActiveUser } from '../support/active-users';
import { setChallengeWork } from '../support/join-challenge';
import { expectContractError, rawRequest, signToken, snapshotTables, startSecureApi, type RawResponse, type SecureApi } from './support';

/**
 * Hostile input on every route of the route table, over real HTTP: random and deeply nested JSON,
 * wrong types, huge, negative and fractional money, unicode and control characters, very long
 * strings and path parameters, missing and repeated headers, bodies over the limit, bytes that are
 * not JSON, wrong content types, bad and good credentials. Every answer must be below 500 and every
 * refusal the contract's error shape; writes (POST and DELETE) must always be refused; and after the
 * run every table holds exactly what it held before.
 */
const RUNS_PER_ROUTE = 150;
const RANDOM_PATH_RUNS = 100;

let api: SecureApi;
let alice: ActiveUser;
let adminToken: string;
let expiredToken: string;
let before: Record<string, string[]>;
const statuses = new Map<string, number>();

beforeAll(async () => {
  api = await startSecureApi();
  alice = await activeUser(api, 'aurora-live', 'alice');
  adminToken = await api.tokenFor('root', ['admin']);
  expiredToken = await signToken(api.issuerKey, {
    sub: 'alice',
    iat: Math.floor(Date.now() / 1000) - 7200,
    exp: Math.floor(Date.now() / 1000) - 3600,
  });
  // Alice has money and a hold, so payments and holds have something real to get wrong.
  await api.request('POST', '/balance/charge', { token: alice.token, body: { amount: 300_000 } });
  // One concert asks for proof of work: every join of it without a solved challenge of its own is refused.
  await setChallengeWork(api, PROTECTED, 1);
  before = await snapshotTables();
}, 60_000);
afterAll(() => api.stop());

const PROTECTED = 'neon-harbor';
/** Codes of the refusals seen, to show the fuzzing reached the handlers' own checks. */
const errorCodes = new Set<string>();

// ---- pieces of hostile input ----

const controlChars = fc.string({
  unit: fc.integer({ min: 0, max: 31 }).map((code) => String.fromCharCode(code)),
  minLength: 1,
  maxLength: 20,
});
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  controlChars,
  fc.integer({ min: 65, max: 20_000 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom(
    '',
    ' ',
    '../../etc/passwd',
    '%00',
    'TOKEN#aurora-live#alice',
    'USER#alice',
    '\u0000',
    '😀'.repeat(50),
    '<script>',
    "' OR 1=1 --",
    '{"$ne":null}',
  ),
);
const hostileNumber = fc.oneof(
  fc.integer({ max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 64, 10_000_001, 100_000_001, 0.5, -0.0, 1e-300, 5e-324),
);
const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);
const nested = fc
  .integer({ min: 50, max: 5000 })
  .chain((depth) =>
    fc.constantFrom(`${'['.repeat(depth)}${']'.repeat(depth)}`, `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`, `${'['.repeat(depth)}`),
  );

/** A body that the route must refuse, as text or bytes. */
function hostileBody(route: RouteDefinition): fc.Arbitrary<string | Buffer | undefined> {
  const mutated = mutatedBody(route);
  const options: fc.Arbitrary<string | Buffer | undefined>[] = [
    fc.json({ maxDepth: 6 }),
    fc.anything({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'undefined'),
    nested,
    fc.uint8Array({ minLength: 1, maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
    fc.integer({ min: 16 * 1024 + 1, max: 300 * 1024 }).map((size) => JSON.stringify({ pad: 'x'.repeat(size) })),
    fc.constantFrom('{"a":', 'null', '[]', '"just a string"', '1e999', '{"__proto__":{"admin":true}}', '\uFEFF{}'),
  ];
  if (mutated) options.push(mutated, mutated);
  if (route.handler === 'joinQueue') options.push(hostileAltcha, hostileAltcha);
  // Joining takes no body: an empty one (or {}) on a real concert is a valid join, not hostile input.
  // A settings change of nothing ({}) is valid too (it changes nothing).
  const body = fc.oneof(...options);
  return EMPTY_BODY_IS_VALID.has(route.handler) ? body.filter((text) => !isEmptyObject(text)) : body;
}

const EMPTY_BODY_IS_VALID = new Set(['joinQueue', 'changeWaitingRoomSettings']);
/** Every writable field of the waiting-room settings: an "extra" field must be none of them. */
const SETTINGS_FIELDS: readonly string[] = SETTING_NAMES;

/**
 * `{"altcha": …}` of every kind a join of the protected concert must refuse: any string, base64 of
 * any JSON, and payloads shaped like a solved challenge with made-up numbers and signatures.
 */
const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const forgedPayload = fc
  .record({
    nonce: hex(16),
    salt: hex(16),
    keyPrefix: hex(16),
    keySignature: hex(32),
    signature: hex(32),
    counter: fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), hostileNumber),
    derivedKey: fc.oneof(hex(32), hostileString),
    userId: fc.constantFrom('alice', 'root', 'mallory'),
    work: fc.integer({ min: 0, max: 10_000_000 }),
    expiresAt: fc.integer({ min: 0, max: 2 ** 32 }),
  })
  .map(({ signature, counter, derivedKey, ...p }) =>
    JSON.stringify({
      challenge: {
        parameters: {
          algorithm: 'PBKDF2/SHA-256',
          cost: 1000,
          keyLength: 32,
          nonce: p.nonce,
          salt: p.salt,
          keyPrefix: p.keyPrefix,
          keySignature: p.keySignature,
          expiresAt: p.expiresAt,
          data: { concertId: PROTECTED, userId: p.userId, work: p.work, keyId: 'AAAAAAAA' },
        },
        signature,
      },
      solution: { counter, derivedKey },
    }),
  );
const hostileAltcha = fc
  .oneof(
    hostileString,
    fc.json({ maxDepth: 4 }).map((json) => Buffer.from(json).toString('base64')),
    forgedPayload.map((json) => Buffer.from(json).toString('base64')),
  )
  .map((altcha) => JSON.stringify({ altcha }));

/** A join body the contract accepts: none, `{}`, or `{"altcha": <at most 4096 characters>}`. */
function isJoinBody(text: string | Buffer | undefined): boolean {
  if (isEmptyObject(text)) return true;
  try {
    const parsed: unknown = JSON.parse(text!.toString());
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.keys(parsed).length !== 1) return false;
    const { altcha } = parsed as { altcha?: unknown };
    return typeof altcha === 'string' && altcha.length <= 4096;
  } catch {
    return false;
  }
}

function isEmptyObject(text: string | Buffer | undefined): boolean {
  if (text === undefined || text.length === 0) return true;
  try {
    const parsed: unknown = JSON.parse(text.toString());
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && Object.keys(parsed).length === 0;
  } catch {
    return false;
  }
}

/** A valid body with one field made wrong, or an extra field: still never a valid body. */
function mutatedBody(route: RouteDefinition): fc.Arbitrary<string> | undefined {
  const valid: Record<string, Record<string, unknown>> = {
    holdSeat: { concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 3 },
    chargeBalance: { amount: 1000 },
    payReservations: { reservationIds: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'] },
    createConcert: { title: 'Fuzz', venue: 'Nowhere', schedules: [{ date: '2099-01-01', seats: [{ seatNumber: 1, price: 1000 }] }] },
    // Each a real change of the demo concerts' settings, were it valid; every field is optional, so none goes missing.
    changeWaitingRoomSettings: {
      joining: 'CLOSED',
      admission: 'PAUSED',
      admitPerMinute: 7,
      maxActive: 7,
      activeSeconds: 61,
      holdSeconds: 31,
    },
    // Alice's token is live: only a body with something wrong may reach the revocation.
    revokeQueueToken: { userId: 'alice' },
    // A solution is any string to a concert that asks no work: only its type or length can be wrong.
    joinQueue: { altcha: 'c29sdmVk' },
  };
  const base = valid[route.handler];
  if (!base) return undefined;
  const fields = Object.keys(base);
  const badValue: Record<string, fc.Arbitrary<unknown>> = {
    concertId: fc.oneof(
      hostileString.filter((s) => !/^[A-Za-z0-9_-]{1,64}$/.test(s)),
      hostileNumber,
      wrongType,
    ),
    scheduleId: fc.oneof(
      hostileString.filter((s) => !/^[A-Za-z0-9_-]{1,64}$/.test(s)),
      hostileNumber,
      wrongType,
    ),
    seatNumber: fc.oneof(hostileNumber, hostileString, wrongType),
    userId: fc.oneof(
      hostileString.filter((s) => !/^[\x21-\x7e]{1,128}$/.test(s)),
      hostileNumber,
      wrongType,
    ),
    amount: fc.oneof(hostileNumber, hostileString, wrongType, fc.constant('1000')),
    altcha: fc.oneof(
      hostileNumber,
      wrongType,
      fc.integer({ min: 4097, max: 10_000 }).map((n) => 'A'.repeat(n)),
    ),
    reservationIds: fc.oneof(
      fc.constant([]),
      fc.array(fc.constant('01ARZ3NDEKTSV4RRFFQ69G5FAV'), { minLength: 2, maxLength: 6 }),
      fc.array(
        fc.string({ minLength: 1, maxLength: 10 }).map((s) => `${s}`),
        { minLength: 5, maxLength: 9 },
      ),
      fc.array(fc.oneof(hostileNumber, wrongType), { minLength: 1, maxLength: 3 }),
      hostileString,
    ),
    title: fc.oneof(
      fc.integer({ min: 300, max: 20_000 }).map((n) => 'x'.repeat(n)),
      wrongType,
      fc.constant(''),
    ),
    venue: fc.oneof(
      fc.integer({ min: 300, max: 20_000 }).map((n) => 'x'.repeat(n)),
      wrongType,
      fc.constant(''),
    ),
    joining: fc.oneof(
      hostileString.filter((text) => text !== 'OPEN' && text !== 'CLOSED'),
      hostileNumber,
      wrongType,
    ),
    admission: fc.oneof(
      hostileString.filter((text) => text !== 'RUNNING' && text !== 'PAUSED'),
      hostileNumber,
      wrongType,
    ),
    admitPerMinute: fc.oneof(hostileNumber, hostileString, wrongType, fc.constant(1_000_001)),
    maxActive: fc.oneof(hostileNumber, hostileString, wrongType),
    activeSeconds: fc.oneof(hostileNumber, hostileString, wrongType, fc.constantFrom(59, 3601)),
    holdSeconds: fc.oneof(hostileNumber, hostileString, wrongType, fc.constantFrom(29, 1801)),
    schedules: fc.oneof(
      fc.constant([]),
      wrongType,
      fc.constant([{ date: '2099-02-30', seats: [{ seatNumber: 1, price: 1000 }] }]),
      fc.constant([{ date: '2099-01-01', seats: [{ seatNumber: 0, price: -5 }] }]),
      fc.constant([{ date: '2099-01-01', seats: Array.from({ length: 1001 }, (_, i) => ({ seatNumber: i + 1, price: 1 })) }]),
    ),
  };
  const oneBadField = fc
    .constantFrom(...fields)
    .chain((field) => badValue[field].map((value) => JSON.stringify({ ...base, [field]: value })));
  const extraField = fc
    .string({ minLength: 1, maxLength: 20 })
    .filter((name) => !fields.includes(name) && !SETTINGS_FIELDS.includes(name))
    .map((name) => JSON.stringify({ ...base, [name]: 1 }));
  if (route.handler === 'changeWaitingRoomSettings') return fc.oneof(oneBadField, extraField);
  const missingField = fc.constantFrom(...fields).map((field) => JSON.stringify({ ...base, [field]: undefined }));
  return fc.oneof(oneBadField, extraField, missingField);
}

const pathParameter = fc.oneof(
  fc.constantFrom('aurora-live', 'aurora-live-1', PROTECTED, 'no-such-thing'),
  hostileString.filter((s) => s.length < 2500).map(encodeURIComponent),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '%2F', '%00', 'a%2Fb', '%F0%9F%98%80'),
);

type Header = readonly [string, string];
/** Header values Node can send (no control characters but tab), any length up to 4 KB. */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
  fc.integer({ min: 129, max: 4000 }).map((n) => 'k'.repeat(n)),
  fc.string({ unit: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 20 }),
);

function authorization(): fc.Arbitrary<Header[]> {
  // Mostly a valid sign-in, so most requests get past the gate and meet the handlers' own checks.
  const kind = fc.oneof(
    { weight: 6, arbitrary: fc.constant('alice') },
    { weight: 2, arbitrary: fc.constant('admin') },
    { weight: 1, arbitrary: fc.constantFrom('none', 'garbage', 'expired', 'twice') },
  );
  return kind.map((kind): Header[] => {
    switch (kind) {
      case 'none':
        return [];
      case 'garbage':
        return [['authorization', 'Bearer e30.e30.e30']];
      case 'expired':
        return [['authorization', `Bearer ${expiredToken}`]];
      case 'alice':
        return [['authorization', `Bearer ${alice.token}`]];
      case 'admin':
        return [['authorization', `Bearer ${adminToken}`]];
      default:
        return [
          ['authorization', `Bearer ${alice.token}`],
          ['authorization', `Bearer ${adminToken}`],
        ];
    }
  });
}

const queueTokenHeaders: fc.Arbitrary<Header[]> = fc.oneof(
  fc.constant<Header[]>([]),
  { weight: 5, arbitrary: fc.constant(null).map((): Header[] => [['x-queue-token', alice.queueToken]]) },
  headerValue.map((value): Header[] => [['x-queue-token', value]]),
  fc.constant(null).map((): Header[] => [
    ['x-queue-token', alice.queueToken],
    ['x-queue-token', 'qt.YXVyb3JhLWxpdmU.AAAAAAAAAAAAAAAAAAAAAAAA'],
  ]),
);

const contentTypeHeaders: fc.Arbitrary<Header[]> = fc.oneof(
  fc.constant<Header[]>([]),
  { weight: 6, arbitrary: fc.constant<Header[]>([['content-type', 'application/json']]) },
  fc
    .constantFrom(
      'application/json',
      'APPLICATION/JSON',
      'application/json; charset=utf-16',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      'application/xml',
      '',
      '*/*',
    )
    .map((type): Header[] => [['content-type', type]]),
  fc.constant<Header[]>([
    ['content-type', 'application/json'],
    ['content-type', 'text/plain'],
  ]),
);

const otherHeaders: fc.Arbitrary<Header[]> = fc.array(
  fc.oneof(
    headerValue.map((value): Header => ['idempotency-key', value]),
    fc.oneof(headerValue, fc.constantFrom('"0"', '*', 'W/"1"', '"-1"', '"1e3"')).map((value): Header => ['if-match', value]),
    fc.constant<Header>(['idempotency-key', '']),
    headerValue.map((value): Header => ['x-forwarded-for', value]),
    fc.tuple(fc.constantFrom('x-fuzz', 'cookie', 'x-amzn-trace-id', 'accept'), headerValue).map(([name, value]): Header => [name, value]),
  ),
  { maxLength: 3 },
);

const queryString = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(
      fc.string({ minLength: 1, maxLength: 10 }),
      hostileString.filter((s) => s.length < 1000),
      { maxKeys: 3 },
    )
    .map((query) => {
      const text = new URLSearchParams(query).toString();
      return text ? `?${text}` : '';
    }),
  fc.constantFrom('?limit=-1', '?limit=1e9', '?limit=abc', '?cursor=%00', '?cursor=' + 'z'.repeat(500), '?limit=1&limit=2'),
);

interface HostileRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Header[];
  readonly body?: string | Buffer;
}

function hostileRequest(route: RouteDefinition): fc.Arbitrary<HostileRequest> {
  const withParams = fc.array(pathParameter, { minLength: 2, maxLength: 2 }).map(([first, second]) => {
    let index = 0;
    return route.path.replace(/\{\w+\}/g, () => (index++ === 0 ? first : second));
  });
  const body =
    route.method !== 'GET'
      ? fc.option(hostileBody(route), { nil: undefined, freq: 8 })
      : fc.option(hostileBody(route), { nil: undefined, freq: 2 });
  return fc
    .record({
      path: withParams,
      query: queryString,
      auth: authorization(),
      queue: queueTokenHeaders,
      type: contentTypeHeaders,
      other: otherHeaders,
      body,
    })
    .filter(({ path, body: text, auth, queue }) => {
      // A write with nothing wrong in its body must be wrong elsewhere: a join on a real concert with a
      // good sign-in would be a valid request (unless the concert asks for proof of work, which only
      // a solved challenge of one's own passes), and so would Alice giving back her own token.
      if (route.handler === 'joinQueue') return !isJoinBody(text) || !/^\/concerts\/(aurora-live|midnight-orchestra)\/queue$/.test(path);
      if (!isEmptyObject(text)) return true;
      if (route.handler !== 'leaveQueue') return true;
      const asAlice = auth.length === 1 && auth[0][1] === `Bearer ${alice.token}`;
      const withHerToken = queue.length === 1 && queue[0][1] === alice.queueToken;
      return !(asAlice && withHerToken && path === '/concerts/aurora-live/queue');
    })
    .map(({ path, query, auth, queue, type, other, body: text }) => ({
      method: route.method,
      path: `${path}${query}`,
      headers: [...auth, ...queue, ...type, ...other],
      body: text,
    }));
}

async function send(request: HostileRequest): Promise<RawResponse> {
  try {
    return await rawRequest(api.url, request);
  } catch (error) {
    throw new Error(`the request could not be sent (${(error as Error).message}): ${describeRequest(request)}`);
  }
}

const describeRequest = (request: HostileRequest) =>
  JSON.stringify({
    ...request,
    body: request.body === undefined ? undefined : request.body.toString().slice(0, 200),
    path: request.path.slice(0, 200),
  });

function check(route: string, request: HostileRequest, response: RawResponse, mustRefuse: boolean, maxBodyBytes?: number): void {
  statuses.set(`${route} ${response.status}`, (statuses.get(`${route} ${response.status}`) ?? 0) + 1);
  const context = `${response.status} ${response.text.slice(0, 300)} for ${describeRequest(request)}`;
  if (response.status >= 500) throw new Error(`server error: ${context}`);
  if (mustRefuse && (response.status < 400 || response.status >= 500)) throw new Error(`a write was not refused: ${context}`);
  // Past sign-in, a body over the route's limit is refused for its size before anything reads it.
  const bodyBytes = request.body === undefined ? 0 : Buffer.byteLength(request.body);
  if (maxBodyBytes !== undefined && bodyBytes > maxBodyBytes && response.status !== 401 && response.status !== 413) {
    throw new Error(`a body over ${maxBodyBytes} bytes was not refused as too large: ${context}`);
  }
  if (typeof response.body?.error?.code === 'string') errorCodes.add(response.body.error.code);
  if (response.status >= 400) {
    // Node's own parser answers 400/431 without a body for requests it cannot read at all; those never reach a handler.
    if (response.text === '' && (response.status === 400 || response.status === 431) && !response.headers['content-type']) return;
    try {
      expectContractError(response);
    } catch (error) {
      throw new Error(`not the contract's error shape: ${context}\n${(error as Error).message}`);
    }
  }
}

describe.each(routes.map((route): [string, RouteDefinition] => [routeKeyOf(route), route]))('%s', (key, route) => {
  const write = route.method !== 'GET';
  test(`${RUNS_PER_ROUTE} hostile requests: no 5xx, the contract's error shape${write ? ', every one refused' : ''}`, async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest(route), async (request) => {
        check(key, request, await send(request), write, route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
      }),
      { numRuns: RUNS_PER_ROUTE },
    );
  }, 60_000);
});

test(`${RUNS_PER_ROUTE} made-up solutions on the protected concert's join: every one refused, no 5xx`, async () => {
  // No solution at all, whatever the random requests above happened to send.
  const bare = { method: 'POST', path: `/concerts/${PROTECTED}/queue`, headers: [['authorization', `Bearer ${alice.token}`] as const] };
  const refused = await send(bare);
  check('protected join', bare, refused, true, DEFAULT_MAX_BODY_BYTES);
  expect(refused.body?.error?.code).toBe('CHALLENGE_REQUIRED');
  await fc.assert(
    fc.asyncProperty(hostileAltcha, authorization(), async (body, auth) => {
      const request = {
        method: 'POST',
        path: `/concerts/${PROTECTED}/queue`,
        headers: [...auth, ['content-type', 'application/json'] as const],
        body,
      };
      check('protected join', request, await send(request), true, DEFAULT_MAX_BODY_BYTES);
    }),
    { numRuns: RUNS_PER_ROUTE },
  );
}, 60_000);

test(`${RANDOM_PATH_RUNS} requests to paths and methods no route serves: JSON 404 (or the contract's error), no 5xx`, async () => {
  const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS');
  const segment = hostileString.filter((s) => s.length > 0 && s.length < 300).map(encodeURIComponent);
  const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`);
  await fc.assert(
    fc.asyncProperty(method, path, authorization(), fc.option(fc.json(), { nil: undefined }), async (verb, target, auth, body) => {
      const request = { method: verb, path: target, headers: [...auth, ['content-type', 'application/json'] as const], body };
      check('unrouted', request, await send(request), verb !== 'GET' && verb !== 'OPTIONS');
    }),
    { numRuns: RANDOM_PATH_RUNS },
  );
}, 60_000);

test('after all of it, every table holds exactly what it held before', async () => {
  expect(await snapshotTables()).toEqual(before);
  // The fuzzing reached past the gate: refusals of many kinds, not only 401s.
  const codes = [...statuses.keys()].map((key) => key.split(' ').pop());
  for (const status of ['400', '401', '403', '404', '413', '415']) expect(codes).toContain(status);
  // Among them the protected concert's door, for joins without a solution and with made-up ones.
  expect([...errorCodes]).toEqual(expect.arrayContaining(['CHALLENGE_REQUIRED', 'CHALLENGE_FAILED']));
  console.log(`fuzz outcomes: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
});
