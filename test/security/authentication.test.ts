import { routeKeyOf, routes } from '../../functions/http/route-table';
import { unverifiedQueueTokenClaims } from '../../functions/queue/queue-token';
import { activeUser, type ActiveUser } from '../support/active-users';
import { badBearerHeaders, expectContractError, rawRequest, signToken, snapshotTables, startSecureApi, type SecureApi } from './support';

/**
 * Bearer tokens and queue tokens over real HTTP. The local issuer's verify is unit-tested in
 * test/unit/local-issuer.test.ts; here every kind of bad token meets a route of each auth level.
 */
let api: SecureApi;
let alice: ActiveUser;

beforeAll(async () => {
  api = await startSecureApi();
  alice = await activeUser(api, 'aurora-live', 'alice');
});
afterAll(() => api.stop());

/** One route of each auth level, and the one that moves money. */
const SAMPLE_ROUTES: ReadonlyArray<{ method: string; path: string; body?: unknown }> = [
  { method: 'POST', path: '/concerts/aurora-live/queue' },
  { method: 'GET', path: '/balance' },
  { method: 'POST', path: '/balance/charge', body: { amount: 1000 } },
  { method: 'POST', path: '/reservations', body: { concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 1 } },
  { method: 'POST', path: '/payments', body: { reservationIds: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'] } },
  { method: 'GET', path: '/concerts/aurora-live/schedules/aurora-live-1/seats' },
  { method: 'POST', path: '/admin/concerts', body: { title: 'x', venue: 'y', schedules: [] } },
  { method: 'PATCH', path: '/admin/concerts/aurora-live/waiting-room', body: { joining: 'CLOSED' } },
  { method: 'GET', path: '/admin/concerts/aurora-live/waiting-room/stats' },
];

test('every bad bearer token is 401 UNAUTHENTICATED on every kind of route, and changes nothing', async () => {
  const before = await snapshotTables();
  const cases = await badBearerHeaders(api.issuerKey, 'alice');
  for (const route of SAMPLE_ROUTES) {
    for (const [name, authorization] of cases) {
      const headers: Array<[string, string]> = [['x-queue-token', alice.queueToken]];
      if (authorization !== undefined) headers.push(['authorization', authorization]);
      if (route.body !== undefined) headers.push(['content-type', 'application/json']);
      const response = await rawRequest(api.url, {
        ...route,
        headers,
        body: route.body === undefined ? undefined : JSON.stringify(route.body),
      });
      expect({ route: `${route.method} ${route.path}`, name, status: response.status, code: response.body?.error?.code }).toEqual({
        route: `${route.method} ${route.path}`,
        name,
        status: 401,
        code: 'UNAUTHENTICATED',
      });
      expectContractError(response, 401);
    }
  }
  expect(await snapshotTables()).toEqual(before);
});

test('two Authorization headers are refused, even when one of them is valid', async () => {
  const valid = `Bearer ${alice.token}`;
  const response = await rawRequest(api.url, {
    method: 'GET',
    path: '/balance',
    headers: [
      ['authorization', valid],
      ['authorization', valid],
    ],
  });
  expectContractError(response, 401);
});

test('a token the issuer signed, with the right claims, passes: the cases above fail for their one flaw', async () => {
  const token = await signToken(api.issuerKey, { sub: 'alice' });
  const response = await api.request('GET', '/balance', { token });
  expect(response.status).toBe(200);
});

test('a valid user without the admin group is 403 FORBIDDEN on the admin routes', async () => {
  const response = await api.request('POST', '/admin/concerts', { token: alice.token, body: { title: 'x', venue: 'y', schedules: [] } });
  expect(response.status).toBe(403);
  expect(response.body.error.code).toBe('FORBIDDEN');
  // The live stats, with a queue token too: nothing but the admin group opens them.
  const stats = await api.request('GET', '/admin/concerts/aurora-live/waiting-room/stats', {
    token: alice.token,
    queueToken: alice.queueToken,
  });
  expect(stats.status).toBe(403);
  expect(stats.body.error.code).toBe('FORBIDDEN');
  const admin = await api.request('GET', '/admin/concerts/aurora-live/waiting-room/stats', {
    token: await api.tokenFor('root', ['admin']),
  });
  expect(admin.status).toBe(200);
});

test.each(routes.filter((route) => route.auth === 'admin').map(routeKeyOf))(
  '%s: 403 FORBIDDEN without the admin group (a valid body and an If-Match change nothing of it), and nothing changes',
  async (key) => {
    const [method, template] = key.split(' ');
    const path = template.replace('{concertId}', 'aurora-live');
    const before = await snapshotTables();
    for (const token of [alice.token, await api.tokenFor('alice', ['Admin', 'ops'])]) {
      const response = await api.request(method, path, {
        token,
        body: method === 'GET' ? undefined : method === 'PATCH' ? { joining: 'CLOSED' } : { title: 'x', venue: 'y', schedules: [] },
        headers: method === 'PATCH' ? { 'if-match': '"0"' } : {},
      });
      expect([response.status, response.body.error.code]).toEqual([403, 'FORBIDDEN']);
    }
    expect(await snapshotTables()).toEqual(before);
  },
);

describe('queue tokens', () => {
  test('carry a MAC of at least 128 bits and never repeat', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const token = await api.tokenFor(`entropy-${i}`);
        return (await api.request('POST', '/concerts/neon-harbor/queue', { token })).body.token as string;
      }),
    );
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const [i, token] of tokens.entries()) {
      expect(unverifiedQueueTokenClaims(token)).toMatchObject({ concertId: 'neon-harbor', userId: `entropy-${i}` });
      const mac = token.split('.')[3];
      expect(Buffer.from(mac, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    }
    // Unpredictable without the key, not counted: MACs of consecutive joins share no common prefix worth guessing.
    const secrets = tokens.map((token) => token.split('.')[3]);
    const sharedPrefixes = secrets.slice(1).filter((secret, i) => secret.slice(0, 4) === secrets[i].slice(0, 4));
    expect(sharedPrefixes.length).toBeLessThan(3);
  });

  test("another user's token, a token of another concert, a forged or guessed one: 403 and nothing held", async () => {
    const bob = await activeUser(api, 'aurora-live', 'bob');
    const other = await activeUser(api, 'midnight-orchestra', 'carol');
    const [prefix, keyId, payload, mac] = alice.queueToken.split('.');
    const flipped = `${mac.slice(0, 2)}${mac[2] === 'A' ? 'B' : 'A'}${mac.slice(3)}`;
    // Alice's signed place claimed for Bob: the payload changed, the MAC kept.
    const claims = unverifiedQueueTokenClaims(alice.queueToken)!;
    const moved = Buffer.from(JSON.stringify({ c: claims.concertId, u: 'bob', n: claims.seq })).toString('base64url');
    const before = await snapshotTables();
    const hold = (queueToken: string) =>
      api.request('POST', '/reservations', {
        token: bob.token,
        queueToken,
        body: { concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 7 },
      });
    for (const [name, queueToken] of [
      ["alice's", alice.queueToken],
      ["carol's, of another concert", other.queueToken],
      ['forged: one character of the MAC changed', [prefix, keyId, payload, flipped].join('.')],
      ["alice's place claimed for bob under her MAC", [prefix, keyId, moved, mac].join('.')],
      ['guessed: all zeros', [prefix, keyId, payload, 'A'.repeat(22)].join('.')],
      ['the earlier format', 'qt.YXVyb3JhLWxpdmU.AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['not a token', 'x'],
    ] as const) {
      const response = await hold(queueToken);
      expect({ name, status: response.status }).toEqual({ name, status: 403 });
      expect(['QUEUE_TOKEN_INVALID', 'QUEUE_TOKEN_NOT_ACTIVE']).toContain(response.body.error.code);
    }
    expect(await snapshotTables()).toEqual(before);
    // Bob's own token works, so the refusals above were about the token.
    expect((await hold(bob.queueToken)).status).toBe(201);
  });
});
