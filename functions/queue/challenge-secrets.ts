import { hkdfSync } from 'node:crypto';
import type { ChallengeSecret } from './join-challenge';
import type { QueueTokenKey } from './queue-token';

/**
 * The join challenge's signing secrets, derived from a queue token key with HKDF-SHA-256 under
 * labels of their own: one key in the stack's secret (or the local key file) serves both, and
 * rotates both at once, yet a queue token's MAC and a challenge's signatures never share a key.
 */
const SIGNATURE_LABEL = 'concert-reservation/altcha-join-challenge/signature/v1';
const KEY_SIGNATURE_LABEL = 'concert-reservation/altcha-join-challenge/key-signature/v1';

const derived = new WeakMap<QueueTokenKey, ChallengeSecret>();

export function challengeSecretOf(key: QueueTokenKey): ChallengeSecret {
  let secret = derived.get(key);
  if (!secret) {
    const derive = (label: string) => Buffer.from(hkdfSync('sha256', key.secret, Buffer.alloc(0), label, 32)).toString('base64url');
    secret = { id: key.id, signatureSecret: derive(SIGNATURE_LABEL), keySignatureSecret: derive(KEY_SIGNATURE_LABEL) };
    derived.set(key, secret);
  }
  return secret;
}
