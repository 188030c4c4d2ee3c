import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';

const POOL_BYTES = 4096;

/**
 * ULIDs from a pool of random bytes. The library's own source makes a getRandomValues call for each
 * of an id's 16 random characters, ~3 % of the local server's CPU for a charge under load; here one
 * call serves 4,096 characters, from the same cryptographic source.
 */
export function ulidFactory(): (seedTime?: number) => string {
  let pool = Buffer.alloc(0);
  let next = 0;
  return monotonicFactory(() => {
    if (next === pool.length) {
      pool = randomBytes(POOL_BYTES);
      next = 0;
    }
    return pool[next++] / 256;
  });
}
