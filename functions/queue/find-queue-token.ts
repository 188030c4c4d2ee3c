import { AppError } from '../shared/errors';
import type { TokenCheckDeps } from './queue-deps';
import type { AdmissionState, QueueTokenRecord, TokenState } from './queue-rules';
import { stateOf } from './queue-status';
import type { QueueTokenClaims } from './queue-token';
import { sameQueueToken } from './queue-token';

export interface FoundQueueToken {
  readonly record: QueueTokenRecord & { readonly seq: number };
  readonly admission: AdmissionState;
  readonly state: TokenState;
  readonly now: number;
}

const invalid = () => new AppError('QUEUE_TOKEN_INVALID', 'this queue token is not yours for this concert');

/**
 * The claims of a presented token: signed by one of our keys, this user's, and for the concert
 * the request is about (when it names one). Anything else is QUEUE_TOKEN_INVALID, before any read.
 */
export async function verifiedClaims(
  deps: Pick<TokenCheckDeps, 'tokens'>,
  input: { userId: string; token: string; concertId?: string },
): Promise<QueueTokenClaims> {
  const claims = await deps.tokens.verify(input.token);
  if (!claims || claims.userId !== input.userId) throw invalid();
  if (input.concertId !== undefined && input.concertId !== claims.concertId) throw invalid();
  return claims;
}

/**
 * A presented token with its item and a fresh admission record, read in one DynamoDB call: the
 * exact check of ACTIVE routes. A token its item no longer holds (replaced by a later join) is
 * QUEUE_TOKEN_INVALID; a spent one is EXPIRED.
 */
export async function findQueueToken(
  deps: TokenCheckDeps,
  input: { userId: string; token: string; concertId?: string },
): Promise<FoundQueueToken> {
  const claims = await verifiedClaims(deps, input);
  const { token: item, admission } = await deps.queue.findTokenWithAdmission(claims.concertId, claims.userId);
  const record = heldRecord(item, input.token, claims);
  const now = deps.now();
  return {
    record,
    admission,
    state: stateOf(record.seq, record.finishedAt, admission, now, deps.settings, record.shard, record.preQueue),
    now,
  };
}

/** The token's record, if its item still holds exactly this token (the item then says whether it was spent). */
export function heldRecord(
  item: QueueTokenRecord | undefined,
  token: string,
  claims: QueueTokenClaims,
): QueueTokenRecord & { readonly seq: number } {
  if (!item || !sameQueueToken(item.token, token)) throw invalid();
  const { shard: _shard, preQueue: _preQueue, ...rest } = item;
  return {
    ...rest,
    seq: claims.seq,
    ...(claims.shard !== undefined ? { shard: claims.shard } : {}),
    ...(claims.preQueue ? { preQueue: true } : {}),
  };
}
