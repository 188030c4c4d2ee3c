import { readFile } from 'node:fs/promises';
import { parseQueueTokenKeys, queueTokenKeySetting, type QueueTokenKeySetting } from '../shared/config';
import { UnavailableError } from '../shared/errors';
import { queueTokenKeyRing, type QueueTokenKeyRing } from './queue-token';

/** Keys are looked at again after this long, so a rotation reaches every warm instance. */
export const KEY_MAX_AGE_SECONDS = 300;
/** A token naming an unknown key makes at most one early look this often: a forger cannot hammer the store. */
export const KEY_REFRESH_INTERVAL_MS = 10_000;

/** The queue token keys of this process, read once and then reused. */
export interface QueueTokenKeySource {
  /** `refresh`: a token named a key not in the ring; look again if none looked in the last few seconds. */
  keys(options?: { refresh?: boolean }): Promise<QueueTokenKeyRing>;
}

/**
 * The ring to sign with, or to verify a text signed by `keyId`: a key this instance has not seen yet
 * makes it look again, since another instance may already sign with a rotated key. A key store that
 * does not answer is a 503: the request may be retried, and nothing was written.
 */
export async function keyRingFor(source: QueueTokenKeySource, keyId?: string): Promise<QueueTokenKeyRing> {
  const ring = await keysOf(source, false);
  return keyId === undefined || ring.accepted.some((key) => key.id === keyId) ? ring : keysOf(source, true);
}

async function keysOf(source: QueueTokenKeySource, refresh: boolean): Promise<QueueTokenKeyRing> {
  try {
    return await source.keys({ refresh });
  } catch (error) {
    throw new UnavailableError(1, { cause: error });
  }
}

/** Reads the key texts, current first; `force` skips any cache underneath. */
export type KeyLoader = (force: boolean) => Promise<string[]>;

/** The key source the environment names (config.ts `queueTokenKeySetting`). */
export function queueTokenKeySource(
  setting: QueueTokenKeySetting = queueTokenKeySetting(),
  now: () => number = Date.now,
): QueueTokenKeySource {
  return cachedKeySource(loaderFor(setting), now);
}

export function cachedKeySource(load: KeyLoader, now: () => number = Date.now): QueueTokenKeySource {
  let cached: { readonly ring: Promise<QueueTokenKeyRing>; readonly at: number } | undefined;
  let lastRefresh = Number.NEGATIVE_INFINITY;
  return {
    keys({ refresh = false } = {}) {
      const time = now();
      const early = refresh && time - lastRefresh >= KEY_REFRESH_INTERVAL_MS;
      if (cached && !early && time - cached.at < KEY_MAX_AGE_SECONDS * 1000) return cached.ring;
      if (early) lastRefresh = time;
      const before = cached;
      const ring = load(early).then((secrets) => queueTokenKeyRing(secrets));
      // Concurrent callers share one read; a failed one keeps the keys read before, if any.
      const entry = { ring: before ? ring.catch(() => before.ring) : ring, at: time };
      cached = entry;
      entry.ring.catch(() => {
        if (cached === entry) cached = undefined;
      });
      return entry.ring;
    },
  };
}

function loaderFor(setting: QueueTokenKeySetting): KeyLoader {
  switch (setting.source) {
    case 'keys':
      return async () => [...setting.keys];
    case 'file':
      // Read again at every look, so a local key file can be rotated without a restart.
      return async () => parseQueueTokenKeys(await readFile(setting.path, 'utf8'), setting.path, /\r?\n/);
    case 'secret':
      return secretLoader(setting.secretId);
  }
}

/**
 * Deployed: the stack's secret, through Powertools Parameters (which caches each version for
 * KEY_MAX_AGE_SECONDS). AWSCURRENT signs; AWSPREVIOUS, which Secrets Manager keeps for the value a
 * rotation replaced, still verifies. The two versions need two providers: the cache key is the name.
 */
function secretLoader(secretId: string): KeyLoader {
  // Loaded on first use: locally no function needs the Secrets Manager client.
  const providers = import('@aws-lambda-powertools/parameters/secrets').then(({ SecretsProvider }) => ({
    current: new SecretsProvider(),
    previous: new SecretsProvider(),
  }));
  providers.catch(() => undefined);
  return async (force) => {
    const { current, previous } = await providers;
    const options = { maxAge: KEY_MAX_AGE_SECONDS, forceFetch: force };
    const [currentKey, previousKey] = await Promise.all([
      current.get(secretId, options),
      previous.get(secretId, { ...options, sdkOptions: { VersionStage: 'AWSPREVIOUS' } }).catch((error: unknown) => {
        // Before the first rotation there is no previous version.
        if ((error as { cause?: { name?: string } }).cause?.name === 'ResourceNotFoundException') return undefined;
        throw error;
      }),
    ]);
    if (typeof currentKey !== 'string') throw new Error(`the queue token secret ${secretId} has no string value`);
    const texts = typeof previousKey === 'string' && previousKey !== currentKey ? [currentKey, previousKey] : [currentKey];
    return parseQueueTokenKeys(texts.join('\n'), `the queue token secret ${secretId}`, '\n');
  };
}
