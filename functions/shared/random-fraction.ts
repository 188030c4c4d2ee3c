import { randomBytes } from 'node:crypto';

/** Bytes drawn from the system's generator at a time. */
const POOL_BYTES = 4096;

/**
 * A uniform fraction in [0, 1), from cryptographic random bytes drawn a pool at a time: a ULID's
 * sixteen random characters would otherwise cost sixteen calls into the system's generator.
 */
export function pooledRandomFraction(poolBytes = POOL_BYTES): () => number {
  let pool = randomBytes(poolBytes);
  let next = 0;
  return () => {
    if (next === pool.length) {
      pool = randomBytes(poolBytes);
      next = 0;
    }
    return pool[next++] / 256;
  };
}
