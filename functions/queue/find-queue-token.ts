import { AppError, UnavailableError } from '../shared/errors';
import type { QueueDeps } from './queue-deps';
import type { AdmissionState, QueueTokenRecord, TokenState } from './queue-rules';
import { stateOf } from './queue-status';
import { concertOfQueueToken, sameQueueToken } from './queue-token';

export interface FoundQueueToken {
  readonly record: QueueTokenRecord & { readonly seq: number };
  readonly admission: AdmissionState;
  readonly state: TokenState;
  readonly now: number;
}

const invalid = () => new AppError('QUEUE_TOKEN_INVALID', 'this queue token is not yours for this concert');

/**
 * Reads a presented token and its status in one DynamoDB call. A token that is malformed,
 * unknown, replaced, another user's or another concert's is QUEUE_TOKEN_INVALID.
 * `concertId` is the concert the request is about, when it names one.
 */
export async function findQueueToken(
  deps: QueueDeps,
  input: { userId: string; token: string; concertId?: string },
  read: { recentAdmission?: boolean } = {},
): Promise<FoundQueueToken> {
  const tokenConcert = concertOfQueueToken(input.token);
  if (tokenConcert === undefined) throw invalid();
  if (input.concertId !== undefined && input.concertId !== tokenConcert) throw invalid();

  const { token: record, admission } = await deps.queue.findTokenWithAdmission(tokenConcert, input.userId, read);
  if (!record || !sameQueueToken(record.token, input.token)) throw invalid();
  // A token is handed out only once numbered; an unnumbered one is a join still in flight.
  if (record.seq === undefined) throw new UnavailableError(1);
  const now = deps.now();
  return {
    record: { ...record, seq: record.seq },
    admission,
    state: stateOf(record.seq, record.finishedAt, admission, now, deps.settings, record.shard),
    now,
  };
}
