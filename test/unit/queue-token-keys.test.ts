import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { queueTokenKeySetting } from '../../functions/shared/config';
import { queueTokenKey } from '../../functions/queue/queue-token';
import { cachedKeySource, KEY_MAX_AGE_SECONDS, KEY_REFRESH_INTERVAL_MS, queueTokenKeySource } from '../../functions/queue/queue-token-keys';
import { queueTokens } from '../../functions/queue/queue-tokens';
import { UnavailableError } from '../../functions/shared/errors';
import { QUEUE_TOKEN_KEY_FILE, queueTokenKeyEnv } from '../../local/queue-token-key';

const KEY_A = 'key-source-test-key-A-0123456789abcdefghijklmn';
const KEY_B = 'key-source-test-key-B-0123456789abcdefghijklmn';

/** A clock the test moves by hand. */
const clock = () => {
  const state = { time: 1_000_000 };
  return { now: () => state.time, advance: (ms: number) => (state.time += ms) };
};

describe('which key source the environment names', () => {
  test('the secret deployed, else the keys, else a key file; none is an error, never a default key', () => {
    expect(queueTokenKeySetting({ QUEUE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:x', QUEUE_TOKEN_KEYS: KEY_A })).toEqual({
      source: 'secret',
      secretId: 'arn:aws:secretsmanager:x',
    });
    expect(queueTokenKeySetting({ QUEUE_TOKEN_KEYS: `${KEY_B}, ${KEY_A}` })).toEqual({ source: 'keys', keys: [KEY_B, KEY_A] });
    expect(queueTokenKeySetting({ QUEUE_TOKEN_KEY_FILE: '/tmp/keys' })).toEqual({ source: 'file', path: '/tmp/keys' });
    expect(() => queueTokenKeySetting({})).toThrow(/QUEUE_TOKEN_SECRET_ARN.*QUEUE_TOKEN_KEYS.*QUEUE_TOKEN_KEY_FILE/);
    expect(() => queueTokenKeySetting({ QUEUE_TOKEN_KEYS: 'short' })).toThrow(/at least 32 characters/);
  });
});

describe('cached key source', () => {
  test('reads once, shares one read between concurrent callers, and looks again only after its max age', async () => {
    const time = clock();
    const load = jest.fn(async () => [KEY_A]);
    const source = cachedKeySource(load, time.now);
    const rings = await Promise.all(Array.from({ length: 20 }, () => source.keys()));
    expect(load).toHaveBeenCalledTimes(1);
    expect(rings.every((ring) => ring.current.id === queueTokenKey(KEY_A).id)).toBe(true);
    time.advance(KEY_MAX_AGE_SECONDS * 1000 - 1);
    await source.keys();
    expect(load).toHaveBeenCalledTimes(1);
    time.advance(1);
    await source.keys();
    expect(load).toHaveBeenCalledTimes(2);
  });

  test('an unknown key id looks again at once, but at most once per interval (a forger cannot hammer the store)', async () => {
    const time = clock();
    let stored = [KEY_A];
    const load = jest.fn(async () => [...stored]);
    const tokens = queueTokens(cachedKeySource(load, time.now));
    const claims = { concertId: 'c', userId: 'u', seq: 1 };
    await tokens.issue(claims);
    stored = [KEY_B, KEY_A];
    const signedElsewhere = await queueTokens(cachedKeySource(async () => [KEY_B])).issue(claims);
    expect(await tokens.verify(signedElsewhere)).toEqual(claims);
    expect(load).toHaveBeenCalledTimes(2);
    const forged = `qt2.ZZZZZZZZ.${signedElsewhere.split('.')[2]}.${signedElsewhere.split('.')[3]}`;
    for (let i = 0; i < 50; i++) expect(await tokens.verify(forged)).toBeUndefined();
    expect(load).toHaveBeenCalledTimes(2);
    time.advance(KEY_REFRESH_INTERVAL_MS);
    await tokens.verify(forged);
    expect(load).toHaveBeenCalledTimes(3);
  });

  test('a store that fails keeps the keys read before; with none read yet it is 503, not 500', async () => {
    const time = clock();
    let fail = false;
    const source = cachedKeySource(async () => {
      if (fail) throw new Error('store down');
      return [KEY_A];
    }, time.now);
    await source.keys();
    fail = true;
    time.advance(KEY_MAX_AGE_SECONDS * 1000);
    expect((await source.keys()).current.id).toBe(queueTokenKey(KEY_A).id);

    const cold = queueTokens(cachedKeySource(async () => Promise.reject(new Error('store down'))));
    await expect(cold.issue({ concertId: 'c', userId: 'u', seq: 1 })).rejects.toBeInstanceOf(UnavailableError);
  });

  test('a key file is read again when it looks, so it rotates without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'queue-keys-'));
    const file = join(dir, 'keys');
    writeFileSync(file, `${KEY_A}\n`);
    const time = clock();
    const source = queueTokenKeySource({ source: 'file', path: file }, time.now);
    expect((await source.keys()).current.id).toBe(queueTokenKey(KEY_A).id);
    writeFileSync(file, `${KEY_B}\n${KEY_A}\n`);
    time.advance(KEY_MAX_AGE_SECONDS * 1000);
    const ring = await source.keys();
    expect(ring.current.id).toBe(queueTokenKey(KEY_B).id);
    expect(ring.accepted.map((key) => key.id)).toEqual([queueTokenKey(KEY_B).id, queueTokenKey(KEY_A).id]);
  });
});

describe('the secret, through Powertools Parameters', () => {
  const secrets = mockClient(SecretsManagerClient);
  const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:QueueTokenKey-abc';
  beforeAll(() => {
    process.env.AWS_REGION ??= 'eu-west-1';
  });
  beforeEach(() => secrets.reset());

  test('AWSCURRENT signs and AWSPREVIOUS verifies; read once for all callers until the max age', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: KEY_B });
    secrets.on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: KEY_A });
    const source = queueTokenKeySource({ source: 'secret', secretId: ARN });
    const rings = await Promise.all(Array.from({ length: 10 }, () => source.keys()));
    expect(rings[0].current.id).toBe(queueTokenKey(KEY_B).id);
    expect(rings[0].accepted.map((key) => key.id)).toEqual([queueTokenKey(KEY_B).id, queueTokenKey(KEY_A).id]);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  test('before the first rotation there is no previous version: the current key alone', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: KEY_A });
    secrets
      .on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSPREVIOUS' })
      .rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret version", $metadata: {} }));
    const ring = await queueTokenKeySource({ source: 'secret', secretId: ARN }).keys();
    expect(ring.accepted.map((key) => key.id)).toEqual([queueTokenKey(KEY_A).id]);
  });
});

describe('the local runtime names a key to the handlers', () => {
  test('in memory without a data directory; a file kept there with one; one already named is left alone', () => {
    const inMemory = queueTokenKeyEnv({});
    expect(Object.keys(inMemory)).toEqual(['QUEUE_TOKEN_KEYS']);
    expect(queueTokenKeySetting(inMemory)).toMatchObject({ source: 'keys' });

    const dir = mkdtempSync(join(tmpdir(), 'queue-key-dir-'));
    const first = queueTokenKeyEnv({}, dir);
    expect(first).toEqual({ QUEUE_TOKEN_KEY_FILE: join(dir, QUEUE_TOKEN_KEY_FILE) });
    const saved = readFileSync(first.QUEUE_TOKEN_KEY_FILE, 'utf8');
    expect(saved.trim().length).toBeGreaterThanOrEqual(64);
    expect(statSync(first.QUEUE_TOKEN_KEY_FILE).mode & 0o077).toBe(0); // the owner's alone
    queueTokenKeyEnv({}, dir);
    expect(readFileSync(first.QUEUE_TOKEN_KEY_FILE, 'utf8')).toBe(saved); // kept across restarts

    expect(queueTokenKeyEnv({ QUEUE_TOKEN_SECRET_ARN: ARN_FOR_LOCAL }, dir)).toEqual({});
    expect(queueTokenKeyEnv({ QUEUE_TOKEN_KEYS: KEY_A })).toEqual({});
  });
});

const ARN_FOR_LOCAL = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x';
