import fc from 'fast-check';
import { queueTokenKeyRing, signQueueToken, unverifiedQueueTokenClaims } from '../../functions/queue/queue-token';
import { activeUser, type ActiveUser } from '../support/active-users';
import { startLocalApi, type LocalApi } from '../support/local-api';
import { snapshotTables } from './support';

/**
 * Signed queue tokens over real HTTP: whatever is done to a genuine token (one character changed,
 * its payload moved to another user, concert, number or shard under the same MAC, re-encoded,
 * truncated, signed with another key), the waiting room's poll and an ACTIVE route answer 403
 * QUEUE_TOKEN_INVALID and nothing changes. The same checks, without HTTP and with many more
 * cases, are in test/unit/queue-token.test.ts.
 */
let api: LocalApi;
let alice: ActiveUser;
let bob: ActiveUser;

beforeAll(async () => {
  api = await startLocalApi();
  alice = await activeUser(api, 'aurora-live', 'alice');
  bob = await activeUser(api, 'aurora-live', 'bob');
});
afterAll(() => api.stop());

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const withPart = (token: string, index: number, part: string) =>
  token
    .split('.')
    .map((p, i) => (i === index ? part : p))
    .join('.');

/** Ways to make a token that is not one the service issued to Alice for aurora-live, from her genuine one. */
const forgery = (genuine: string): fc.Arbitrary<[string, string]> => {
  const claims = unverifiedQueueTokenClaims(genuine)!;
  const [, keyId, payload, mac] = genuine.split('.');
  return fc.oneof(
    fc
      .tuple(fc.nat(), fc.constantFrom(...'AZaz09-_.'))
      .filter(([at, c]) => genuine[at % genuine.length] !== c)
      .map(([at, c]): [string, string] => {
        const i = at % genuine.length;
        return [`one character at ${i} set to ${c}`, `${genuine.slice(0, i)}${c}${genuine.slice(i + 1)}`];
      }),
    fc
      .record({
        userId: fc.constantFrom('alice', 'bob', 'mallory'),
        concertId: fc.constantFrom('aurora-live', 'neon-harbor'),
        seq: fc.integer({ min: 1, max: 5 }),
        shard: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      })
      .filter(
        (other) =>
          JSON.stringify({ ...claims }) !==
          JSON.stringify(other.shard === undefined ? { concertId: other.concertId, userId: other.userId, seq: other.seq } : other),
      )
      .map((other): [string, string] => {
        const body = { c: other.concertId, u: other.userId, n: other.seq, ...(other.shard === undefined ? {} : { s: other.shard }) };
        return [`payload ${JSON.stringify(body)} under Alice's MAC`, withPart(genuine, 2, b64(JSON.stringify(body)))];
      }),
    fc.constantFrom<[string, string]>(
      ['payload re-encoded with padding', withPart(genuine, 2, `${payload}==`)],
      [
        'payload re-encoded as spaced JSON',
        withPart(genuine, 2, b64(JSON.stringify({ c: claims.concertId, u: claims.userId, n: claims.seq }, null, 1))),
      ],
      ['MAC as standard base64', withPart(genuine, 3, Buffer.from(mac, 'base64url').toString('base64'))],
      ['MAC as hex', withPart(genuine, 3, Buffer.from(mac, 'base64url').toString('hex'))],
      ['truncated MAC', genuine.slice(0, -1)],
      ['no MAC', genuine.split('.').slice(0, 3).join('.')],
      ['extended', `${genuine}A`],
      ['the earlier format', `qt.${b64('aurora-live')}.AAAAAAAAAAAAAAAAAAAAAAAA`],
    ),
    fc.string({ minLength: 32, maxLength: 64 }).map((key): [string, string] => {
      const foreign = signQueueToken(claims, queueTokenKeyRing([key]).current);
      return ['signed with another key', foreign];
    }),
    fc.string({ minLength: 32, maxLength: 64 }).map((key): [string, string] => {
      const foreign = signQueueToken(claims, queueTokenKeyRing([key]).current);
      return ["signed with another key under the service's key id", withPart(foreign, 1, keyId)];
    }),
  );
};

test('no altered, moved, re-encoded, truncated or foreign-key token is accepted by the poll or an ACTIVE route, and nothing changes', async () => {
  const before = await snapshotTables();
  await fc.assert(
    fc.asyncProperty(forgery(alice.queueToken), async ([how, token]) => {
      const poll = await api.request('GET', '/concerts/aurora-live/queue', { token: alice.token, queueToken: token });
      const hold = await api.request('POST', '/reservations', {
        token: alice.token,
        queueToken: token,
        body: { concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 3 },
      });
      expect({ how, poll: [poll.status, poll.body.error?.code], hold: [hold.status, hold.body.error?.code] }).toEqual({
        how,
        poll: [403, 'QUEUE_TOKEN_INVALID'],
        hold: [403, 'QUEUE_TOKEN_INVALID'],
      });
    }),
    { numRuns: 60 },
  );
  expect(await snapshotTables()).toEqual(before);
});

test('a genuine token moves neither between users nor between concerts', async () => {
  for (const [caller, token, concertId] of [
    [bob, alice.queueToken, 'aurora-live'],
    [alice, bob.queueToken, 'aurora-live'],
    [alice, alice.queueToken, 'neon-harbor'],
  ] as const) {
    const poll = await api.request('GET', `/concerts/${concertId}/queue`, { token: caller.token, queueToken: token });
    expect([poll.status, poll.body.error?.code]).toEqual([403, 'QUEUE_TOKEN_INVALID']);
    const seats = await api.request('GET', `/concerts/${concertId}/schedules`, { token: caller.token, queueToken: token });
    expect([seats.status, seats.body.error?.code]).toEqual([403, 'QUEUE_TOKEN_INVALID']);
  }
  // Their own tokens work, so the refusals above were about whose and where.
  expect((await api.request('GET', '/concerts/aurora-live/queue', { token: alice.token, queueToken: alice.queueToken })).body.status).toBe(
    'ACTIVE',
  );
  expect((await api.request('GET', '/concerts/aurora-live/schedules', { token: bob.token, queueToken: bob.queueToken })).status).toBe(200);
});
