import { keyIdOfQueueToken, signQueueToken, verifyQueueToken, type QueueTokenClaims } from './queue-token';
import { keyRingFor, type QueueTokenKeySource } from './queue-token-keys';

/** Signs and verifies queue tokens with this process's keys. */
export interface QueueTokens {
  issue(claims: QueueTokenClaims): Promise<string>;
  /** The claims of a token signed by a current or previous key, or undefined. */
  verify(token: string): Promise<QueueTokenClaims | undefined>;
}

export function queueTokens(source: QueueTokenKeySource): QueueTokens {
  return {
    async issue(claims) {
      return signQueueToken(claims, (await keyRingFor(source)).current);
    },
    async verify(token) {
      const keyId = keyIdOfQueueToken(token);
      if (keyId === undefined) return undefined;
      return verifyQueueToken(token, await keyRingFor(source, keyId));
    },
  };
}
