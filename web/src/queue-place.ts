/**
 * The page's own reckoning of its place, from what its queue token says and the line's public
 * state (`GET /concerts/{concertId}/queue/state`), by the rule the server's poll follows
 * (functions/queue/waiting-place.ts, bundled here): waiting costs the service no signed-in call.
 * The token's payload is not secret; its MAC, which the page does not check, is the server's.
 */
import { fromStateBody, standingOf, waitingAnswer, type ClaimedPlace } from '../../functions/queue/waiting-place';
import type { QueueState, QueueStatus } from './api-types';

export interface QueueClaims extends ClaimedPlace {
  readonly concertId: string;
  readonly userId: string;
}

/** The claims of a `qt2.<key>.<payload>.<mac>` token: the payload is base64url JSON `{c,u,n,s?,q?}`. Undefined for anything else. */
export function claimsOf(token: string): QueueClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== 'qt2') return undefined;
  try {
    const base64 = parts[2].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const body = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    const { c, u, n, s, q } = body;
    if (typeof c !== 'string' || typeof u !== 'string' || typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) return undefined;
    if (s !== undefined && (typeof s !== 'number' || !Number.isInteger(s) || s < 0)) return undefined;
    return { concertId: c, userId: u, seq: n, ...(s !== undefined ? { shard: s } : {}), ...(q === 1 ? { preQueue: true } : {}) };
  } catch {
    return undefined;
  }
}

export type Reckoning =
  /** Still waiting: the answer the authenticated poll would give, and when to look again. */
  | { readonly kind: 'WAIT'; readonly status: QueueStatus; readonly retryAfterSeconds: number }
  /** Admission reached the place: only the authenticated poll can say ACTIVE (or EXPIRED). */
  | { readonly kind: 'ADMITTED' }
  /** A pre-queue token after the opening whose shuffled place the page has not heard yet. */
  | { readonly kind: 'UNPLACED' };

/** `place`: a pre-queue token's shuffled place, once heard. */
export function reckon(token: string, claims: QueueClaims, state: QueueState, place: number | undefined, now: number): Reckoning {
  const { line, terms } = fromStateBody(state);
  const standing = standingOf(claims, line, place);
  if (standing.stage !== 'WAITING') return { kind: standing.stage };
  const answer = waitingAnswer(standing.position, terms, now);
  return {
    kind: 'WAIT',
    status: {
      token,
      concertId: claims.concertId,
      status: 'WAIT',
      position: answer.position,
      estimatedWaitSeconds: answer.estimatedWaitSeconds,
      ...(answer.opensAt !== undefined ? { opensAt: new Date(answer.opensAt).toISOString() } : {}),
      ...(answer.paused ? { paused: true as const } : {}),
    },
    retryAfterSeconds: answer.retryAfterSeconds,
  };
}

/**
 * A pre-queue token's shuffled place from an authenticated WAIT answer: its position counts from
 * the places admitted, which the state read just before says (a later admission run only makes the
 * place look nearer, which the next authenticated answer corrects).
 */
export function placeFrom(status: QueueStatus, claims: QueueClaims, state: QueueState | undefined): number | undefined {
  if (!claims.preQueue || status.status !== 'WAIT' || status.position === null || !state?.preQueue?.opened) return undefined;
  return status.position + state.preQueue.admitted;
}
