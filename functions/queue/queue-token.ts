import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A queue token says whose place it is and where: `qt2.<keyId>.<payload>.<mac>`.
 * - payload: base64url of the JSON `{"c":concertId,"u":userId,"n":number in line,"s":shard?,"q":1?}`;
 *   `q` marks a pre-queue token, whose `n` is its arrival number in the pre-queue (pre-queue.ts).
 *   Tokens signed before `q` existed carry none and verify as ordinary ones.
 *   It is not secret (a page may read its own place from it); it cannot be changed.
 * - mac: HMAC-SHA256 of everything before it, under the key named by keyId, cut to 128 bits.
 * A waiting user's poll is answered from the verified claims and the admission record alone;
 * whether a token was spent or replaced is read from its item only once it is admitted.
 * Tokens of the earlier `qt.<concert>.<random>` form are refused like any other invalid one.
 */
const PREFIX = 'qt2';
const MAC_BYTES = 16;
const KEY_ID_LENGTH = 8;
export const MAX_QUEUE_TOKEN_LENGTH = 400;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAX_SHARDS = 64;

export interface QueueTokenClaims {
  readonly concertId: string;
  readonly userId: string;
  /** The number the join took from the line's counter. */
  readonly seq: number;
  /** Which counter gave `seq` (QUEUE_SHARDS > 1); absent with one counter. */
  readonly shard?: number;
  /** Joined the pre-queue of a scheduled opening: `seq` is its arrival number there, not a number in line. */
  readonly preQueue?: true;
}

/** A signing key and its id; the id travels in the token so a rotated key still verifies. */
export interface QueueTokenKey {
  readonly id: string;
  readonly secret: Buffer;
}

/** The key new tokens are signed with, and every key a token may be signed with (current first). */
export interface QueueTokenKeyRing {
  readonly current: QueueTokenKey;
  readonly accepted: readonly QueueTokenKey[];
}

/** A key from its secret text; the id is a digest of it, so the same secret has the same id everywhere. */
export function queueTokenKey(secret: string): QueueTokenKey {
  const id = createHash('sha256').update(`queue-token-key-id:${secret}`).digest('base64url').slice(0, KEY_ID_LENGTH);
  return { id, secret: Buffer.from(secret, 'utf8') };
}

/** A ring of keys, current first; later ones only verify. */
export function queueTokenKeyRing(secrets: readonly string[]): QueueTokenKeyRing {
  if (secrets.length === 0) throw new Error('a queue token key ring needs at least one key');
  const accepted = secrets.map(queueTokenKey);
  return { current: accepted[0], accepted };
}

const macOf = (signed: string, key: QueueTokenKey) => createHmac('sha256', key.secret).update(signed).digest().subarray(0, MAC_BYTES);

export function signQueueToken(claims: QueueTokenClaims, key: QueueTokenKey): string {
  const body: Record<string, unknown> = { c: claims.concertId, u: claims.userId, n: claims.seq };
  if (claims.shard !== undefined) body.s = claims.shard;
  if (claims.preQueue) body.q = 1;
  const signed = `${PREFIX}.${key.id}.${Buffer.from(JSON.stringify(body), 'utf8').toString('base64url')}`;
  const token = `${signed}.${macOf(signed, key).toString('base64url')}`;
  if (token.length > MAX_QUEUE_TOKEN_LENGTH)
    throw new Error(`a queue token would be ${token.length} characters, over ${MAX_QUEUE_TOKEN_LENGTH}`);
  return token;
}

/** The key id a token names, or undefined when the string is not shaped like a token. */
export function keyIdOfQueueToken(token: string): string | undefined {
  return split(token)?.keyId;
}

/**
 * The claims of a token signed by one of `keys`, or undefined: malformed, signed by an unknown
 * key, altered anywhere, or re-encoded (the MAC covers the exact text).
 */
export function verifyQueueToken(token: string, keys: QueueTokenKeyRing): QueueTokenClaims | undefined {
  const verified = verifiedUnder(keys);
  const known = verified.get(token);
  if (known) return known;
  const parts = split(token);
  if (!parts) return undefined;
  const key = keys.accepted.find((candidate) => candidate.id === parts.keyId);
  if (!key) return undefined;
  const mac = Buffer.from(parts.mac, 'base64url');
  if (mac.length !== MAC_BYTES || mac.toString('base64url') !== parts.mac) return undefined;
  if (!timingSafeEqual(mac, macOf(parts.signed, key))) return undefined;
  const claims = readPayload(parts.payload);
  if (claims) {
    if (verified.size >= VERIFIED_PER_RING) verified.clear();
    verified.set(token, Object.freeze(claims));
  }
  return claims;
}

/**
 * Tokens that verified under a ring, by their exact text: a waiting user polls with the same token
 * every few seconds, and the same text under the same keys verifies the same way, so its HMAC is
 * computed once. Only valid tokens are kept (a forger's attempts fill nothing); a ring read again
 * (a rotation, or the periodic look) starts with none, so a retired key's tokens are checked anew.
 */
const verifiedRings = new WeakMap<QueueTokenKeyRing, Map<string, QueueTokenClaims>>();
/** Past this many tokens under one ring, it forgets them all and starts again. */
const VERIFIED_PER_RING = 10_000;

function verifiedUnder(keys: QueueTokenKeyRing): Map<string, QueueTokenClaims> {
  let verified = verifiedRings.get(keys);
  if (!verified) {
    verified = new Map();
    verifiedRings.set(keys, verified);
  }
  return verified;
}

/**
 * The claims a token's text carries, NOT verified: for reading one's own token (tests, a page).
 * Never use it to decide anything.
 */
export function unverifiedQueueTokenClaims(token: string): QueueTokenClaims | undefined {
  const parts = split(token);
  return parts ? readPayload(parts.payload) : undefined;
}

/** Constant-time comparison, so response timing does not leak how much of a token matched. */
export function sameQueueToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function split(token: string) {
  if (token.length > MAX_QUEUE_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX) return undefined;
  const [, keyId, payload, mac] = parts;
  if (keyId.length !== KEY_ID_LENGTH || ![keyId, payload, mac].every((part) => BASE64URL.test(part))) return undefined;
  return { keyId, payload, mac, signed: `${PREFIX}.${keyId}.${payload}` };
}

function readPayload(payload: string): QueueTokenClaims | undefined {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { c, u, n, s, q, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return undefined;
  if (typeof c !== 'string' || c.length === 0 || typeof u !== 'string' || u.length === 0) return undefined;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) return undefined;
  if (s !== undefined && (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s >= MAX_SHARDS)) return undefined;
  if (q !== undefined && q !== 1) return undefined;
  return { concertId: c, userId: u, seq: n, ...(s !== undefined ? { shard: s } : {}), ...(q === 1 ? { preQueue: true as const } : {}) };
}
