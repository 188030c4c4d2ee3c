import { AppError, notFound, UnavailableError } from '../shared/errors';
import type { QueueDeps } from './queue-deps';
import type { ReplaceableToken } from './queue-repository';
import type { QueueTokenRecord } from './queue-rules';
import { expiredThrough, isBanned, isLiveState, type AdmissionState } from './queue-rules';
import { describeToken, stateOf, type QueueStatusView } from './queue-status';

export interface JoinResult {
  /** True when a new token was issued (201); false when the user's live token is returned again (200). */
  readonly created: boolean;
  readonly status: QueueStatusView;
}

const MAX_ATTEMPTS = 5;

/**
 * NONE → WAIT in two round trips: take the next number (with the admission record, from this
 * instance's recent read), then write the signed token carrying it, on the condition that the user
 * holds no live token. Of simultaneous joins of one user exactly one write lands (201); the
 * others' failed conditions hand back the winner's token (200), and their numbers stay unused:
 * a position may count such a number until admission passes it (API.md, widened rule).
 */
export async function joinQueue(deps: QueueDeps, input: { userId: string; concertId: string }): Promise<JoinResult> {
  const { userId, concertId } = input;
  if (!(await deps.concertExists(concertId))) throw notFound('concert');
  // Still waiting with a token this instance handed out: the same token again, no number taken.
  const remembered = deps.recentTokens?.recall(concertId, userId);
  if (remembered && (await deps.tokens.verify(remembered.token))) {
    const admission = await deps.queue.findAdmission(concertId, { recentAdmission: true });
    refuseBanned(admission, userId);
    const now = deps.now();
    const state = stateOf(remembered.seq, undefined, admission, now, deps.settings, remembered.shard);
    if (state.status === 'WAIT') return { created: false, status: describeToken(remembered, state, now, deps.settings) };
  }

  const [place, admission] = await Promise.all([
    deps.queue.nextSequence(concertId),
    deps.queue.findAdmission(concertId, { recentAdmission: true }),
  ]);
  // The ban rides on the record read alongside the number, so that number is one a join took and did not keep.
  refuseBanned(admission, userId);
  const now = deps.now();
  const record = { token: await deps.tokens.issue({ concertId, userId, ...place }), concertId, userId, ...place, joinedAt: now };
  const describe = (token: QueueTokenRecord & { seq: number }) =>
    describeToken(
      token,
      stateOf(token.seq, token.finishedAt, admission, deps.now(), deps.settings, token.shard),
      deps.now(),
      deps.settings,
    );

  // A cached admission record is enough to tell a dead token from a live one (queue-rules `expiredThrough`).
  let replaceable: ReplaceableToken = {
    expiredThrough: expiredThrough(admission, now, deps.settings.activeSeconds, deps.settings.queueShards),
  };
  let writing: QueueTokenRecord & { seq: number } = record;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const placed = await deps.queue.placeToken(writing, replaceable);
    if (placed.claimed) {
      deps.recentTokens?.remember(writing);
      return { created: writing === record, status: describe(writing) };
    }
    const current = placed.current;
    if (current?.seq === undefined) continue; // gone meanwhile: write again
    const state = stateOf(current.seq, current.finishedAt, admission, deps.now(), deps.settings, current.shard);
    if (!isLiveState(state)) {
      // It ran out between reading the record and now: replace exactly that one.
      writing = record;
      replaceable = { ...replaceable, token: current.token };
      continue;
    }
    const live = { ...current, seq: current.seq };
    if (await deps.tokens.verify(current.token)) {
      deps.recentTokens?.remember(live);
      return { created: false, status: describe(live) };
    }
    // A live place whose token no key verifies any more (an earlier version's, or a retired key): same place, signed anew.
    writing = {
      ...live,
      token: await deps.tokens.issue({ concertId, userId, seq: live.seq, ...(live.shard !== undefined ? { shard: live.shard } : {}) }),
    };
    replaceable = { expiredThrough: [], token: current.token };
  }
  throw new UnavailableError(1);
}

function refuseBanned(admission: AdmissionState, userId: string): void {
  if (isBanned(admission, userId)) throw new AppError('QUEUE_BANNED', 'you may not join the waiting room of this concert');
}
