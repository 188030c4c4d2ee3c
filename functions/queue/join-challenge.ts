/**
 * The proof of work a protected waiting room asks of a join: an ALTCHA challenge in altcha-lib's
 * current (v2) format, made and checked by altcha-lib itself. Nothing here is our own crypto.
 *
 * Work is counted in attempts. A challenge is issued in altcha-lib's deterministic mode: the
 * server picks a secret counter, derives that counter's key once (PBKDF2-SHA-256,
 * ITERATIONS_PER_ATTEMPT iterations), and publishes half of the key as the prefix to find. The
 * solver derives the keys of counters 0, 1, 2, … until one starts with that prefix, so it makes
 * counter + 1 attempts. The counter is drawn uniformly from 0 … 2 × work − 1: about `work`
 * attempts on average, never more than twice that, and no scan order does better on average.
 * Checking a solution costs the server one HMAC of the derived key (the challenge carries the
 * key's signature); its key derivation was paid once, when the challenge was issued.
 */
import { createHash } from 'node:crypto';
import { createChallenge, randomInt, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import * as z from 'zod/mini';

export type { Challenge } from 'altcha-lib';

export const CHALLENGE_ALGORITHM = 'PBKDF2/SHA-256';
/** PBKDF2 iterations in one attempt: enough that WebCrypto's own speed, not a call's overhead, sets a browser's pace. */
export const ITERATIONS_PER_ATTEMPT = 1_000;
/** A challenge is good for this long after it was issued. */
export const CHALLENGE_SECONDS = 300;
/** The most `challengeWork` a concert may ask (API.md): 20,000,000 counters, well inside altcha-lib's uint32. */
export const MAX_CHALLENGE_WORK = 10_000_000;
/**
 * The difficulty to turn on for a sale: the median solve of the page in Chromium on the
 * development machine (2 cores, two workers) is about 1 s at this value (README, "Security").
 */
export const DEFAULT_CHALLENGE_WORK = 5_000;
/** A payload longer than this is no payload of ours (a real one is about 700 characters). */
export const MAX_PAYLOAD_LENGTH = 4_096;

/** The secrets that sign challenges: derived from a queue token key, never that key itself (challenge-secrets.ts). */
export interface ChallengeSecret {
  /** The queue token key's id, carried in the challenge so a rotated key still verifies. */
  readonly id: string;
  /** Signs the challenge's parameters (altcha-lib's `hmacSignatureSecret`). */
  readonly signatureSecret: string;
  /** Signs the derived key of the secret counter (altcha-lib's `hmacKeySignatureSecret`). */
  readonly keySignatureSecret: string;
}

/** Whom and what a challenge is for, in its signed `data`. */
export interface ChallengeBinding {
  readonly userId: string;
  readonly concertId: string;
}

/** The secret counter of a challenge of `work` attempts: uniform over 0 … 2 × work − 1 (at least 0 … 1). */
export const secretCounter = (work: number): number => randomInt(2 * Math.max(1, Math.min(work, MAX_CHALLENGE_WORK)) - 1, 0);

/** A new challenge for this user and concert, asking about `work` attempts, valid CHALLENGE_SECONDS from `now`. */
export function issueJoinChallenge(secret: ChallengeSecret, binding: ChallengeBinding & { work: number; now: number }): Promise<Challenge> {
  return createChallenge({
    algorithm: CHALLENGE_ALGORITHM,
    cost: ITERATIONS_PER_ATTEMPT,
    counter: secretCounter(binding.work),
    deriveKey,
    data: { concertId: binding.concertId, userId: binding.userId, work: binding.work, keyId: secret.id },
    expiresAt: Math.floor(binding.now / 1000) + CHALLENGE_SECONDS,
    hmacSignatureSecret: secret.signatureSecret,
    hmacKeySignatureSecret: secret.keySignatureSecret,
  });
}

const hex = z.string().check(z.maxLength(256), z.regex(/^[0-9a-f]*$/));
const payloadSchema = z.object({
  challenge: z.object({
    // altcha-lib checks the signature over every parameter, extra ones included; these are only the shapes it reads.
    parameters: z.looseObject({
      algorithm: z.string().check(z.maxLength(32)),
      nonce: hex,
      salt: hex,
      cost: z.number(),
      keyLength: z.number(),
      keyPrefix: hex,
      keySignature: z.optional(hex),
      expiresAt: z.number(),
      data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    }),
    signature: hex,
  }),
  solution: z.object({ counter: z.number(), derivedKey: hex, time: z.optional(z.number()) }),
});
export type JoinChallengePayload = z.infer<typeof payloadSchema>;

/** The `{challenge, solution}` of a join's `altcha` field (base64 of JSON, as the widget submits it), or undefined. */
export function readChallengePayload(text: string): JoinChallengePayload | undefined {
  if (text.length > MAX_PAYLOAD_LENGTH || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = payloadSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** The key id a payload's challenge names (unverified: only to pick the secret to check it with). */
export const keyIdOfPayload = (payload: JoinChallengePayload): string | undefined => {
  const keyId = payload.challenge.parameters.data.keyId;
  return typeof keyId === 'string' ? keyId : undefined;
};

export type ChallengeCheck =
  /** `spentId` names the challenge among the used ones; a use counts until `expiresAt` (epoch ms). */
  | { readonly passed: true; readonly spentId: string; readonly expiresAt: number }
  | { readonly passed: false; readonly reason: 'signature' | 'solution' | 'expired' | 'not yours' | 'too easy' };

/**
 * A solved challenge, checked: for this user and concert, not expired at `now` (our clock), issued
 * for at least `requiredWork` (a challenge issued before the concert asked for more work is not
 * enough), signed with `secret` and solved. The checks of the payload's own fields come first: they
 * cost nothing, and any field they read is also covered by the signature checked after them, so
 * a changed field fails either way. Whether it was used before is for the replay guard to say, after
 * this (challenge-replay-guard.ts).
 */
export async function checkJoinChallenge(
  secret: ChallengeSecret,
  payload: JoinChallengePayload,
  expected: ChallengeBinding & { requiredWork: number; now: number },
): Promise<ChallengeCheck> {
  const { data, expiresAt } = payload.challenge.parameters;
  if (data.userId !== expected.userId || data.concertId !== expected.concertId) return { passed: false, reason: 'not yours' };
  if (expiresAt * 1000 <= expected.now) return { passed: false, reason: 'expired' };
  if (typeof data.work !== 'number' || data.work < expected.requiredWork) return { passed: false, reason: 'too easy' };
  const result = await verifySolution({
    challenge: payload.challenge,
    solution: payload.solution,
    deriveKey,
    hmacSignatureSecret: secret.signatureSecret,
    hmacKeySignatureSecret: secret.keySignatureSecret,
  }).catch(() => undefined);
  if (!result || result.invalidSignature !== false) return { passed: false, reason: result?.expired ? 'expired' : 'signature' };
  if (!result.verified) return { passed: false, reason: 'solution' };
  return { passed: true, spentId: spentIdOf(payload.challenge.signature), expiresAt: expiresAt * 1000 };
}

/** A challenge's name among the used ones: a digest of its signature, which its random nonce and salt make unique. */
const spentIdOf = (signature: string) => createHash('sha256').update(signature).digest('base64url');
