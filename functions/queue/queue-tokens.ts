import { UnavailableError } from '../shared/errors';
import { keyIdOfQueueToken, signQueueToken, verifyQueueToken, type QueueTokenClaims, type QueueTokenKeyRing } from './queue-token';
import type { QueueTokenKeySource } from './queue-token-keys';

/** Signs and verifies queue tokens with this process's keys. */
export interface QueueTokens {
  issue(claims: QueueTokenClaims): Promise<string>;
  /** The claims of a token signed by a current or previous key, or undefined. */
  verify(token: string): Promise<QueueTokenClaims | undefined>;
}

export function queueTokens(source: QueueTokenKeySource): QueueTokens {
  const keys = async (refresh = false): Promise<QueueTokenKeyRing> => {
    try {
      return await source.keys({ refresh });
    } catch (error) {
      // The key store did not answer: the request may be retried; nothing was written.
      throw new UnavailableError(1, { cause: error });
    }
  };
  return {
    async issue(claims) {
      return signQueueToken(claims, (await keys()).current);
    },
    async verify(token) {
      const keyId = keyIdOfQueueToken(token);
      if (keyId === undefined) return undefined;
      let ring = await keys();
      // A key this instance has not seen yet: another instance may already sign with a rotated key.
      if (!ring.accepted.some((key) => key.id === keyId)) ring = await keys(true);
      return verifyQueueToken(token, ring);
    },
  };
}
