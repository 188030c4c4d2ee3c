import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A queue token names its concert and carries 144 random bits: `qt.<concert>.<secret>`.
 * The concert part lets routes without a concert in the request (payments) find the token;
 * the secret makes it unguessable. Whose it is and what it may do is always read from the
 * token's item, never from the string.
 */
const PREFIX = 'qt';
const SECRET_BYTES = 18;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{24}$/;
const MAX_TOKEN_LENGTH = 400;

export function newQueueToken(concertId: string): string {
  const concert = Buffer.from(concertId, 'utf8').toString('base64url');
  return `${PREFIX}.${concert}.${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

/** The concert a token claims to be for, or undefined when the string cannot be a token. */
export function concertOfQueueToken(token: string): string | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX || !SECRET_PATTERN.test(parts[2])) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(parts[1])) return undefined;
  const concertId = Buffer.from(parts[1], 'base64url').toString('utf8');
  // Round-trip check: rejects strings that are not our own encoding.
  return Buffer.from(concertId, 'utf8').toString('base64url') === parts[1] ? concertId : undefined;
}

/** Constant-time comparison, so response timing does not leak how much of a token matched. */
export function sameQueueToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
