import fc from 'fast-check';
import {
  MAX_QUEUE_TOKEN_LENGTH,
  queueTokenKeyRing,
  sameQueueToken,
  signQueueToken,
  unverifiedQueueTokenClaims,
  verifyQueueToken,
  type QueueTokenClaims,
} from '../../functions/queue/queue-token';

const KEY = 'unit-test-queue-token-key-0123456789abcdefghij';
const OTHER_KEY = 'another-queue-token-key-0123456789abcdefghijkl';
const ring = queueTokenKeyRing([KEY]);
const sign = (claims: QueueTokenClaims) => signQueueToken(claims, ring.current);

const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const userId = fc.stringMatching(/^[\w.@+-]{1,128}$/);
const claimsArb: fc.Arbitrary<QueueTokenClaims> = fc.record(
  {
    concertId: id,
    userId,
    seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    shard: fc.integer({ min: 0, max: 63 }),
    preQueue: fc.constant(true as const),
  },
  { requiredKeys: ['concertId', 'userId', 'seq'] },
);

test('a token carries its claims, verifies under its key, and fits in 400 characters at the longest ids', () => {
  fc.assert(
    fc.property(claimsArb, (claims) => {
      const token = sign(claims);
      expect(token.length).toBeLessThanOrEqual(MAX_QUEUE_TOKEN_LENGTH);
      expect(verifyQueueToken(token, ring)).toEqual(claims);
      expect(unverifiedQueueTokenClaims(token)).toEqual(claims);
    }),
  );
  const longest = sign({ concertId: 'c'.repeat(64), userId: 'u'.repeat(128), seq: Number.MAX_SAFE_INTEGER, shard: 63, preQueue: true });
  expect(longest.length).toBeLessThanOrEqual(MAX_QUEUE_TOKEN_LENGTH);
});

test('the pre-queue flag is signed: a token without it (any made before it) is ordinary, and no other value of it verifies', () => {
  const claims = { concertId: 'c', userId: 'u', seq: 3 };
  expect(verifyQueueToken(sign(claims), ring)).toEqual(claims);
  expect(sign(claims)).toBe(sign({ ...claims }));
  const flagged = sign({ ...claims, preQueue: true });
  expect(verifyQueueToken(flagged, ring)).toEqual({ ...claims, preQueue: true });
  for (const q of [0, 2, true, '1']) {
    const payload = Buffer.from(JSON.stringify({ c: 'c', u: 'u', n: 3, q })).toString('base64url');
    expect(unverifiedQueueTokenClaims(`qt2.${ring.current.id}.${payload}.AAAAAAAAAAAAAAAAAAAAAA`)).toBeUndefined();
  }
});

describe('a token cannot be forged or moved', () => {
  const payloadOf = (token: string) => token.split('.')[2];
  const withPart = (token: string, index: number, part: string) =>
    token
      .split('.')
      .map((p, i) => (i === index ? part : p))
      .join('.');
  const b64 = (body: unknown) => Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');

  test('changing any one character makes it invalid', () => {
    fc.assert(
      fc.property(claimsArb, fc.nat(), fc.constantFrom(...'ABCabc019_-.='), (claims, at, replacement) => {
        const token = sign(claims);
        const i = at % token.length;
        fc.pre(token[i] !== replacement);
        const altered = `${token.slice(0, i)}${replacement}${token.slice(i + 1)}`;
        expect(verifyQueueToken(altered, ring)).toBeUndefined();
      }),
    );
  });

  test('another payload (another user, concert, number or shard) under the original MAC is invalid', () => {
    fc.assert(
      fc.property(claimsArb, claimsArb, (claims, other) => {
        fc.pre(JSON.stringify(claims) !== JSON.stringify(other));
        const token = sign(claims);
        const moved = withPart(token, 2, payloadOf(sign(other)));
        expect(verifyQueueToken(moved, ring)).toBeUndefined();
        // The same payload re-encoded another way (reordered or spaced JSON, padding) is not the signed text either.
        const { concertId, userId: u, seq, shard } = claims;
        const reordered = b64({ u, c: concertId, n: seq, ...(shard === undefined ? {} : { s: shard }) });
        expect(verifyQueueToken(withPart(token, 2, reordered), ring)).toBeUndefined();
        expect(verifyQueueToken(withPart(token, 2, `${payloadOf(token)}==`), ring)).toBeUndefined();
        expect(
          verifyQueueToken(
            withPart(token, 2, Buffer.from(JSON.stringify({ c: concertId, u, n: seq }, null, 1)).toString('base64url')),
            ring,
          ),
        ).toBeUndefined();
      }),
    );
  });

  test('a token signed with another key, or with our key id but another key, is invalid', () => {
    const other = queueTokenKeyRing([OTHER_KEY]);
    fc.assert(
      fc.property(claimsArb, (claims) => {
        const foreign = signQueueToken(claims, other.current);
        expect(verifyQueueToken(foreign, ring)).toBeUndefined();
        expect(verifyQueueToken(withPart(foreign, 1, ring.current.id), ring)).toBeUndefined();
      }),
    );
  });

  test('a truncated, extended or re-encoded MAC is invalid', () => {
    fc.assert(
      fc.property(claimsArb, fc.integer({ min: 1, max: 21 }), (claims, cut) => {
        const token = sign(claims);
        const mac = token.split('.')[3];
        expect(verifyQueueToken(token.slice(0, -cut), ring)).toBeUndefined();
        expect(verifyQueueToken(`${token}A`, ring)).toBeUndefined();
        expect(verifyQueueToken(withPart(token, 3, Buffer.from(mac, 'base64url').toString('base64')), ring)).toBeUndefined();
        expect(verifyQueueToken(withPart(token, 3, Buffer.from(mac, 'base64url').toString('hex')), ring)).toBeUndefined();
      }),
    );
  });

  test('random strings and made-up tokens are invalid', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (text) => {
        expect(verifyQueueToken(text, ring)).toBeUndefined();
      }),
    );
    const claims = { concertId: 'aurora-live', userId: 'alice', seq: 1 };
    const token = sign(claims);
    for (const madeUp of [
      '',
      'qt2',
      'qt2...',
      withPart(token, 3, 'A'.repeat(22)),
      withPart(token, 0, 'qt3'),
      `${token}.extra`,
      'qt.YXVyb3JhLWxpdmU.ANsf3AYjWH98SthtVoQrBZiT', // the earlier format
      `${token}${'A'.repeat(MAX_QUEUE_TOKEN_LENGTH)}`,
    ]) {
      expect(verifyQueueToken(madeUp, ring)).toBeUndefined();
    }
  });
});

test('after a rotation the previous key still verifies, and new tokens name the new key', () => {
  const before = queueTokenKeyRing([KEY]);
  const after = queueTokenKeyRing([OTHER_KEY, KEY]);
  const retired = queueTokenKeyRing([`${OTHER_KEY}-next`, OTHER_KEY]);
  const claims = { concertId: 'aurora-live', userId: 'alice', seq: 7 };
  const old = signQueueToken(claims, before.current);
  const fresh = signQueueToken(claims, after.current);
  expect(fresh).not.toBe(old);
  expect(verifyQueueToken(old, after)).toEqual(claims);
  expect(verifyQueueToken(fresh, after)).toEqual(claims);
  expect(verifyQueueToken(fresh, before)).toBeUndefined(); // an instance that has not seen the new key yet
  expect(verifyQueueToken(old, retired)).toBeUndefined(); // two rotations later
});

test('a token verified before is answered from memory only under the same ring: a ring read again without its key refuses it', () => {
  const claims = { concertId: 'aurora-live', userId: 'alice', seq: 9 };
  const token = signQueueToken(claims, ring.current);
  const first = verifyQueueToken(token, ring);
  expect(first).toEqual(claims);
  expect(verifyQueueToken(token, ring)).toBe(first);
  expect(Object.isFrozen(first)).toBe(true); // shared between requests, so nobody can change it
  expect(verifyQueueToken(token, queueTokenKeyRing([OTHER_KEY]))).toBeUndefined();
  expect(verifyQueueToken(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, ring)).toBeUndefined();
});

test('comparison is exact', () => {
  const token = sign({ concertId: 'c', userId: 'u', seq: 1 });
  expect(sameQueueToken(token, token)).toBe(true);
  expect(sameQueueToken(token, `${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}`)).toBe(false);
  expect(sameQueueToken(token, token.slice(0, -1))).toBe(false);
});
