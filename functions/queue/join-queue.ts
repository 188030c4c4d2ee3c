import { notFound, UnavailableError } from '../shared/errors';
import type { QueueDeps } from './queue-deps';
import type { QueueTokenRecord } from './queue-rules';
import { isLiveState } from './queue-rules';
import { describeToken, stateOf, type QueueStatusView } from './queue-status';
import { newQueueToken } from './queue-token';
import { pause } from '../shared/pause';

export interface JoinResult {
  /** True when a new token was issued (201); false when the user's live token is returned again (200). */
  readonly created: boolean;
  readonly status: QueueStatusView;
}

/** How long a place may sit without its number before another join of the same user takes it over. */
const UNNUMBERED_PLACE_TIMEOUT_MS = 3_000;
const MAX_ATTEMPTS = 20;

/**
 * NONE → WAIT. The user's place is claimed before a number is taken from the line's counter,
 * so of many simultaneous joins only one takes a number: the line has no gaps and positions
 * count real people. The others get the winner's token (200).
 */
export async function joinQueue(deps: QueueDeps, input: { userId: string; concertId: string }): Promise<JoinResult> {
  const { userId, concertId } = input;
  if (!(await deps.concertExists(concertId))) throw notFound('concert');

  let replacing: string | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record: QueueTokenRecord = { token: newQueueToken(concertId), concertId, userId, joinedAt: deps.now() };
    const claim = await deps.queue.claimPlace(record, replacing);
    if (claim.claimed) return { created: true, status: await numberPlace(deps, record) };

    const current = claim.current;
    if (!current) {
      replacing = undefined; // the place was removed meanwhile: claim it afresh
      continue;
    }
    if (current.seq === undefined) {
      // Another join of this user is between claiming and numbering: wait for it, or take over if it died.
      if (deps.now() - current.joinedAt < UNNUMBERED_PLACE_TIMEOUT_MS) {
        await pause(10 * (attempt + 1));
        const latest = await deps.queue.findToken(concertId, userId);
        if (latest?.seq !== undefined) return { created: false, status: await describe(deps, latest, latest.seq) };
        continue;
      }
      replacing = current.token;
      continue;
    }
    const admission = await deps.queue.findAdmission(concertId);
    const now = deps.now();
    const state = stateOf(current.seq, current.finishedAt, admission, now, deps.settings, current.shard);
    if (isLiveState(state)) return { created: false, status: describeToken(current, state, now, deps.settings) };
    replacing = current.token; // the old token is spent: a new one replaces it
  }
  throw new UnavailableError(1);
}

async function numberPlace(deps: QueueDeps, record: QueueTokenRecord): Promise<QueueStatusView> {
  const place = await deps.queue.nextSequence(record.concertId);
  const [assigned, admission] = await Promise.all([
    deps.queue.assignSequence(record.concertId, record.userId, record.token, place),
    // Only to show the new token's place: a recent record will do (POLL_ADMISSION_CACHE_MS).
    deps.queue.findAdmission(record.concertId, { recentAdmission: true }),
  ]);
  // Only if this join stalled for seconds and another took its place over: that one's token
  // stands, and joining again returns it.
  if (!assigned) throw new UnavailableError(1);
  const now = deps.now();
  return describeToken(record, stateOf(place.seq, undefined, admission, now, deps.settings, place.shard), now, deps.settings);
}

async function describe(deps: QueueDeps, record: QueueTokenRecord, seq: number): Promise<QueueStatusView> {
  const admission = await deps.queue.findAdmission(record.concertId);
  const now = deps.now();
  return describeToken(record, stateOf(seq, record.finishedAt, admission, now, deps.settings, record.shard), now, deps.settings);
}
