import { AppError, notFound, UnavailableError } from '../shared/errors';
import { challengeWorkOf } from './challenge-work';
import { carriedGuard, freshGuard, guardRefuses } from './challenge-replay-guard';
import { challengeFailed, passJoinChallenge, type PassedSolution } from './pass-join-challenge';
import type { QueueDeps } from './queue-deps';
import type { QueuePlace, ReplaceableToken } from './queue-repository';
import type { AdmissionState, QueueTokenRecord } from './queue-rules';
import { expiredThrough, isBanned, isLiveState } from './queue-rules';
import { describeToken, stateOf, type QueueStatusView } from './queue-status';
import { joinRefusal, waitingRoomOf, type JoinRefusal } from './waiting-room-rules';

/** A number taken: from the line's counter, or the pre-queue's (`preQueue`); `forPreQueue`: the pre-queue was asked first. */
type TakenPlace = QueuePlace & { readonly preQueue?: true; readonly forPreQueue: boolean };

export interface JoinResult {
  /** True when a new token was issued (201); false when the user's live token is returned again (200). */
  readonly created: boolean;
  readonly status: QueueStatusView;
}

const MAX_ATTEMPTS = 5;

type NumberedToken = QueueTokenRecord & { readonly seq: number };

/**
 * NONE → WAIT in two round trips: take the next number (with the admission record, from this
 * instance's recent read), then write the signed token carrying it, on the condition that the user
 * holds no live token. Of simultaneous joins of one user exactly one write lands (201); the
 * others' failed conditions hand back the winner's token (200), and their numbers stay unused:
 * a position may count such a number until admission passes it (API.md, widened rule).
 *
 * The admission record carries the concert's settings: while joining is CLOSED, or before
 * `preQueueOpensAt`, a join is refused (409 QUEUE_CLOSED / QUEUE_NOT_OPEN), except that a user who
 * holds a live token gets it back (200). The number is taken alongside the record's read only when
 * this instance last saw the room open to this user and asking no proof of work; otherwise (refusing,
 * protected, or never seen: an instance's first join of a concert) the record is read first, so
 * refused joins take no number. A number taken and not kept is admitted like any other and holds an
 * ACTIVE place until its turn ends: the refused joins that take one are an instance's first after
 * the room closed, and a banned user's first on an instance (below).
 *
 * A banned user's join is 403 QUEUE_BANNED. The ban is on the user's token item (revoke-queue-token.ts)
 * and the token write never lands over it, so it holds from the moment it is made, on every instance;
 * the write carries the number, so that join took one. The instance then remembers the user
 * (recent-bans.ts) and refuses their later joins before any call. Users an earlier version banned are
 * named in the admission record, and refused from it as before.
 *
 * Before saleOpensAt (and while no opening is recorded) a join takes an arrival number from the
 * pre-queue's counter instead, and its token is marked a pre-queue token (pre-queue.ts). Which counter
 * is decided from the record last seen, and checked against the fresh one with now: a number from the
 * wrong counter (the sale opened meanwhile) is not kept, and the right one is taken. The pre-queue's
 * counter refuses once the opening closed it: the join then takes a number in line, at the back.
 */
export async function joinQueue(deps: QueueDeps, input: { userId: string; concertId: string; altcha?: string }): Promise<JoinResult> {
  const { userId, concertId } = input;
  if (!(await deps.concertExists(concertId))) throw notFound('concert');
  if (deps.recentBans?.has(concertId, userId)) throw bannedError();
  // Still waiting with a token this instance handed out: the same token again, no number taken.
  const remembered = deps.recentTokens?.recall(concertId, userId);
  if (remembered && (await deps.tokens.verify(remembered.token))) {
    const admission = await deps.queue.findAdmission(concertId, { recentAdmission: true });
    refuseBanned(deps, admission, concertId, userId);
    const now = deps.now();
    const state = stateOf(remembered.seq, undefined, admission, now, deps.settings, remembered.shard, remembered.preQueue);
    if (state.status === 'WAIT') return { created: false, status: describeToken(remembered, state, now, deps.settings, admission) };
  }

  const seen = deps.queue.lastSeenAdmission(concertId);
  const numberAlongside = seen !== undefined && !refusalOf(deps, seen) && !isBanned(seen, userId) && challengeWorkOf(seen) === 0;
  const [taken, admission] = await Promise.all([
    numberAlongside ? takeNumber(deps, concertId, inPreQueue(deps, seen)) : undefined,
    deps.queue.findAdmission(concertId, { recentAdmission: true }),
  ]);
  refuseBanned(deps, admission, concertId, userId);
  const refusal = refusalOf(deps, admission);
  if (refusal) {
    const live = await handBackLiveToken(deps, concertId, userId, admission);
    if (live) return live;
    throw refusalError(refusal);
  }
  // A protected concert's proof of work (pass-join-challenge.ts), before a number is taken.
  const door = await passJoinChallenge(deps, input, admission, () => handBackLiveToken(deps, concertId, userId, admission));
  if (!door.open) return door.kept;
  const { solution } = door;
  const outcome = { used: false };
  try {
    return await placeNew(deps, { concertId, userId, taken, admission, solution }, outcome);
  } finally {
    if (solution) deps.claimedChallenges?.settle(solution.key, solution.expiresAt, outcome.used);
  }
}

/**
 * Takes the number (unless taken alongside the admission read) and writes the token. The write lands
 * only over no live token, and only where the replay guard lets it (challenge-replay-guard.ts): with a
 * solution, over a smaller key (else the solution was used: `outcome.used`, and CHALLENGE_FAILED unless
 * a live token stands); without one, over an ended key, or else carrying the key it found.
 */
async function placeNew(
  deps: QueueDeps,
  join: { concertId: string; userId: string; taken?: TakenPlace; admission: AdmissionState; solution?: PassedSolution },
  outcome: { used: boolean },
): Promise<JoinResult> {
  const { concertId, userId, taken, admission, solution } = join;
  const preQueue = inPreQueue(deps, admission);
  const { forPreQueue: _asked, ...place } = taken && taken.forPreQueue === preQueue ? taken : await takeNumber(deps, concertId, preQueue);
  const now = deps.now();
  const signed = await deps.tokens.issue({ concertId, userId, ...place });
  const record: NumberedToken = {
    token: signed,
    concertId,
    userId,
    ...place,
    joinedAt: now,
    ...(solution ? { challenge: solution.key } : {}),
  };
  const describe = (token: NumberedToken) =>
    describeToken(
      token,
      stateOf(token.seq, token.finishedAt, admission, deps.now(), deps.settings, token.shard, token.preQueue),
      deps.now(),
      deps.settings,
      admission,
    );

  const guardOf = (own: NumberedToken) => (solution ? freshGuard(solution.key) : carriedGuard(own.challenge, deps.now()));
  // A cached admission record is enough to tell a dead token from a live one (queue-rules `expiredThrough`).
  let replaceable: ReplaceableToken = {
    expiredThrough: expiredThrough(admission, now, deps.settings.activeSeconds, deps.settings.queueShards),
    challenge: guardOf(record),
  };
  // The join's own token: the record, or without a solution the record with the key it must carry.
  let joining = record;
  let writing = record;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const placed = await deps.queue.placeToken(writing, replaceable);
    if (placed.claimed) {
      if (writing === joining && solution) outcome.used = true;
      deps.recentTokens?.remember(writing);
      return { created: writing === joining, status: describe(writing) };
    }
    if (placed.banned) {
      deps.recentBans?.remember(concertId, userId);
      throw bannedError();
    }
    const current = placed.current;
    const state =
      current?.seq === undefined
        ? undefined
        : stateOf(current.seq, current.finishedAt, admission, deps.now(), deps.settings, current.shard, current.preQueue);
    if (current?.seq !== undefined && state && isLiveState(state)) {
      const live = { ...current, seq: current.seq };
      if (await deps.tokens.verify(current.token)) {
        deps.recentTokens?.remember(live);
        return { created: false, status: describe(live) };
      }
      // A live place whose token no key verifies any more (an earlier version's, or a retired key): same place, signed anew.
      writing = await resigned(deps, live);
      replaceable = { expiredThrough: [], token: current.token, challenge: carriedGuard(live.challenge, deps.now()) };
      continue;
    }
    if (current && guardRefuses(replaceable.challenge, current.challenge)) {
      if (solution && guardRefuses(freshGuard(solution.key), current.challenge)) {
        // This solution, or one fetched after it, let the user in already.
        outcome.used = true;
        throw challengeFailed();
      }
      // Without a solution, over a key still in force (the concert asked work a moment ago): keep that key.
      if (!solution) joining = { ...record, challenge: current.challenge };
    } else if (current?.seq === undefined) {
      continue; // gone meanwhile: write again
    }
    // It ran out between reading the record and now: replace exactly that one.
    writing = joining;
    replaceable = { ...replaceable, token: current!.token, challenge: guardOf(joining) };
  }
  throw new UnavailableError(1);
}

const refusalOf = (deps: QueueDeps, admission: AdmissionState) => joinRefusal(waitingRoomOf(admission.settings, deps.settings), deps.now());

/** A join now goes into the pre-queue: before saleOpensAt, while no opening is recorded. */
function inPreQueue(deps: QueueDeps, admission: AdmissionState): boolean {
  const { saleOpensAt } = waitingRoomOf(admission.settings, deps.settings).settings;
  return admission.preQueue === undefined && saleOpensAt !== null && deps.now() < saleOpensAt;
}

/** The next number of the pre-queue or of the line; a pre-queue the opening already closed gives a number in line. */
async function takeNumber(deps: QueueDeps, concertId: string, preQueue: boolean): Promise<TakenPlace> {
  const arrival = preQueue ? await deps.queue.nextPreQueueArrival(concertId) : undefined;
  if (arrival) return { ...arrival, preQueue: true, forPreQueue: true };
  return { ...(await deps.queue.nextSequence(concertId)), forPreQueue: preQueue };
}

function refusalError(refusal: JoinRefusal): AppError {
  if (refusal.code === 'QUEUE_CLOSED') {
    return new AppError('QUEUE_CLOSED', 'this waiting room is closed to new joins; people already in line keep their places');
  }
  const opensAt = new Date(refusal.opensAt).toISOString();
  return new AppError('QUEUE_NOT_OPEN', `this waiting room opens at ${opensAt}; join again then`, undefined, refusal.retryAfterSeconds);
}

/** The same place, signed with the current key. */
async function resigned(deps: QueueDeps, live: NumberedToken): Promise<NumberedToken> {
  const { concertId, userId, seq, shard, preQueue } = live;
  const claims = { concertId, userId, seq, ...(shard !== undefined ? { shard } : {}), ...(preQueue ? { preQueue: true as const } : {}) };
  return { ...live, token: await deps.tokens.issue(claims) };
}

/** A refused join of a user who holds a live token answers that token (200), as any join would. */
async function handBackLiveToken(
  deps: QueueDeps,
  concertId: string,
  userId: string,
  admission: AdmissionState,
): Promise<JoinResult | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await deps.queue.findToken(concertId, userId);
    if (current?.seq === undefined) return undefined;
    const live: NumberedToken = { ...current, seq: current.seq };
    const now = deps.now();
    const state = stateOf(live.seq, live.finishedAt, admission, now, deps.settings, live.shard, live.preQueue);
    if (!isLiveState(state)) return undefined;
    if (await deps.tokens.verify(live.token)) {
      deps.recentTokens?.remember(live);
      return { created: false, status: describeToken(live, state, now, deps.settings, admission) };
    }
    const renewed = await resigned(deps, live);
    const replaceable = { expiredThrough: [], token: live.token, challenge: carriedGuard(live.challenge, deps.now()) };
    if ((await deps.queue.placeToken(renewed, replaceable)).claimed) {
      deps.recentTokens?.remember(renewed);
      return { created: false, status: describeToken(renewed, state, deps.now(), deps.settings, admission) };
    }
  }
  return undefined;
}

/** Banned in the admission record's set, as an earlier version recorded bans (the token write refuses the others). */
function refuseBanned(deps: QueueDeps, admission: AdmissionState, concertId: string, userId: string): void {
  if (!isBanned(admission, userId)) return;
  deps.recentBans?.remember(concertId, userId);
  throw bannedError();
}

const bannedError = () => new AppError('QUEUE_BANNED', 'you may not join the waiting room of this concert');
