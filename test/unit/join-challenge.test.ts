import { createHmac } from 'node:crypto';
import { createChallenge, solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { challengeSecretOf } from '../../functions/queue/challenge-secrets';
import {
  CHALLENGE_ALGORITHM,
  CHALLENGE_SECONDS,
  ITERATIONS_PER_ATTEMPT,
  MAX_PAYLOAD_LENGTH,
  secretCounter,
} from '../../functions/queue/join-challenge';
import { joinChallenges } from '../../functions/queue/join-challenges';
import { queueTokenKey } from '../../functions/queue/queue-token';
import { cachedKeySource } from '../../functions/queue/queue-token-keys';

const KEY_A = 'join-challenge-test-key-A-0123456789abcdefghij';
const KEY_B = 'join-challenge-test-key-B-0123456789abcdefghij';
// Near the real clock, on a whole second: altcha-lib checks a challenge's expiry against Date.now() too.
const NOW = Math.floor(Date.now() / 1000) * 1000;
const ALICE = { userId: 'alice', concertId: 'aurora-live' };
const WORK = 20;

const challengesWith = (keys: string[]) => joinChallenges(cachedKeySource(async () => [...keys]));
const encode = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64');
const solve = async (challenge: Challenge) => (await solveChallenge({ challenge, deriveKey }))!;
const solved = async (challenge: Challenge) => encode({ challenge, solution: await solve(challenge) });
const expectAlice = { ...ALICE, requiredWork: WORK, now: NOW };

test('a challenge is exactly what altcha-lib makes: v2 parameters, PBKDF2-SHA-256, signed, bound in its data, 5 minutes', async () => {
  const challenge = await challengesWith([KEY_A]).issue({ ...ALICE, work: WORK, now: NOW });
  expect(Object.keys(challenge).sort()).toEqual(['parameters', 'signature']);
  expect(Object.keys(challenge.parameters).sort()).toEqual(
    ['algorithm', 'cost', 'data', 'expiresAt', 'keyLength', 'keyPrefix', 'keySignature', 'nonce', 'salt'].sort(),
  );
  expect(challenge.parameters).toMatchObject({
    algorithm: CHALLENGE_ALGORITHM,
    cost: ITERATIONS_PER_ATTEMPT,
    keyLength: 32,
    expiresAt: NOW / 1000 + CHALLENGE_SECONDS,
    data: { ...ALICE, work: WORK, keyId: queueTokenKey(KEY_A).id },
  });
  // Half of the secret counter's derived key is the prefix to find: no other counter matches by chance.
  expect(challenge.parameters.keyPrefix).toMatch(/^[0-9a-f]{32}$/);
});

test('the solution of the right user, concert and time passes, named by a digest of its signature', async () => {
  const challenges = challengesWith([KEY_A]);
  const challenge = await challenges.issue({ ...ALICE, work: WORK, now: NOW });
  const altcha = await solved(challenge);
  const check = await challenges.check(altcha, expectAlice);
  expect(check).toEqual({
    passed: true,
    spentId: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    expiresAt: (NOW / 1000 + CHALLENGE_SECONDS) * 1000,
  });
  // The same solution checks the same again: refusing its second use is the spent-challenge store's job.
  expect(await challenges.check(altcha, expectAlice)).toEqual(check);
});

describe('what fails, and why', () => {
  const challenges = challengesWith([KEY_A]);
  let challenge: Challenge;
  let solution: Awaited<ReturnType<typeof solve>>;
  beforeAll(async () => {
    challenge = await challenges.issue({ ...ALICE, work: WORK, now: NOW });
    solution = await solve(challenge);
  });

  test('a wrong derived key (the key is the proof: only the prefix of the right one is published)', async () => {
    for (const wrong of [
      { ...solution, derivedKey: `${solution.derivedKey.slice(0, -2)}00` },
      { ...solution, derivedKey: challenge.parameters.keyPrefix },
    ]) {
      expect(await challenges.check(encode({ challenge, solution: wrong }), expectAlice)).toEqual({ passed: false, reason: 'solution' });
    }
  });

  test('another user, another concert: the challenge names its owner', async () => {
    const altcha = encode({ challenge, solution });
    expect(await challenges.check(altcha, { ...expectAlice, userId: 'mallory' })).toEqual({ passed: false, reason: 'not yours' });
    expect(await challenges.check(altcha, { ...expectAlice, concertId: 'neon-harbor' })).toEqual({ passed: false, reason: 'not yours' });
  });

  test('a changed parameter breaks the signature: the owner, the work, the expiry, the prefix', async () => {
    const changed = (parameters: Partial<Challenge['parameters']>) =>
      encode({ challenge: { ...challenge, parameters: { ...challenge.parameters, ...parameters } }, solution });
    for (const altcha of [
      changed({ data: { ...challenge.parameters.data, userId: 'mallory' } }),
      changed({ data: { ...challenge.parameters.data, work: 1_000_000 } }),
      changed({ expiresAt: challenge.parameters.expiresAt! + 3600 }),
      changed({ keyPrefix: '00' }),
      encode({ challenge: { parameters: challenge.parameters }, solution }),
    ]) {
      expect(await challenges.check(altcha, { ...expectAlice, userId: 'alice' })).toMatchObject({ passed: false });
    }
    expect(await challenges.check(changed({ cost: 1 }), expectAlice)).toEqual({ passed: false, reason: 'signature' });
  });

  test('expired by our clock, from the second it ends', async () => {
    const altcha = encode({ challenge, solution });
    const end = challenge.parameters.expiresAt! * 1000;
    expect(await challenges.check(altcha, { ...expectAlice, now: end - 1 })).toMatchObject({ passed: true });
    expect(await challenges.check(altcha, { ...expectAlice, now: end })).toEqual({ passed: false, reason: 'expired' });
  });

  test('issued for less work than the concert asks now', async () => {
    expect(await challenges.check(encode({ challenge, solution }), { ...expectAlice, requiredWork: WORK + 1 })).toEqual({
      passed: false,
      reason: 'too easy',
    });
  });

  test('anything that is not a payload fails, never throws', async () => {
    for (const altcha of [
      '',
      'not base64!',
      Buffer.from('not json').toString('base64'),
      encode(null),
      encode([]),
      encode({ challenge }),
      encode({ challenge: { ...challenge, signature: 42 }, solution }),
      encode({ challenge, solution: { counter: '1', derivedKey: solution.derivedKey } }),
      encode({ challenge, solution: { counter: -1, derivedKey: solution.derivedKey } }),
      encode({ challenge, solution: { counter: 2 ** 40, derivedKey: solution.derivedKey } }),
      encode({ challenge, solution: { counter: solution.counter, derivedKey: solution.derivedKey.toUpperCase() } }),
      'A'.repeat(MAX_PAYLOAD_LENGTH + 4),
    ]) {
      expect(await challenges.check(altcha, expectAlice)).toMatchObject({ passed: false });
    }
  });
});

describe('keys', () => {
  test('a challenge of the previous key still passes after a rotation; one of a key no longer kept does not', async () => {
    const altcha = await solved(await challengesWith([KEY_A]).issue({ ...ALICE, work: WORK, now: NOW }));
    expect(await challengesWith([KEY_B, KEY_A]).check(altcha, expectAlice)).toMatchObject({ passed: true });
    expect(await challengesWith([KEY_B]).check(altcha, expectAlice)).toEqual({ passed: false, reason: 'signature' });
  });

  test('an instance that has not seen a rotated key yet looks again once', async () => {
    let stored = [KEY_A];
    const load = jest.fn(async () => [...stored]);
    const challenges = joinChallenges(cachedKeySource(load));
    await challenges.issue({ ...ALICE, work: 1, now: NOW });
    stored = [KEY_B, KEY_A];
    const altcha = await solved(await challengesWith([KEY_B]).issue({ ...ALICE, work: WORK, now: NOW }));
    expect(await challenges.check(altcha, expectAlice)).toMatchObject({ passed: true });
    expect(load).toHaveBeenCalledTimes(2);
  });

  test("challenges are signed with sub-keys of their own, never with the queue token's key", async () => {
    const key = queueTokenKey(KEY_A);
    const secret = challengeSecretOf(key);
    expect(new Set([secret.signatureSecret, secret.keySignatureSecret, KEY_A]).size).toBe(3);
    // The same challenge signed with the queue token key itself is refused.
    const forged = await createChallenge({
      algorithm: CHALLENGE_ALGORITHM,
      cost: ITERATIONS_PER_ATTEMPT,
      counter: 1,
      deriveKey,
      data: { ...ALICE, work: WORK, keyId: key.id },
      expiresAt: NOW / 1000 + CHALLENGE_SECONDS,
      hmacSignatureSecret: KEY_A,
      hmacKeySignatureSecret: KEY_A,
    });
    expect(await challengesWith([KEY_A]).check(await solved(forged), expectAlice)).toEqual({ passed: false, reason: 'signature' });
    // And a MAC of the queue token key is no MAC of the challenge key.
    expect(createHmac('sha256', KEY_A).update('x').digest('hex')).not.toBe(
      createHmac('sha256', secret.signatureSecret).update('x').digest('hex'),
    );
  });
});

test('work is attempts: the secret counter is uniform over 0 … 2 × work − 1, about `work` attempts on average', () => {
  for (const work of [1, 10, 6_000]) {
    const draws = Array.from({ length: 4_000 }, () => secretCounter(work));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThanOrEqual(2 * work - 1);
    const meanAttempts = draws.reduce((sum, counter) => sum + counter + 1, 0) / draws.length;
    expect(Math.abs(meanAttempts - (work + 0.5)) / (work + 0.5)).toBeLessThan(0.08);
  }
  // No work still makes a challenge: the least there is.
  expect(new Set(Array.from({ length: 200 }, () => secretCounter(0)))).toEqual(new Set([0, 1]));
});
