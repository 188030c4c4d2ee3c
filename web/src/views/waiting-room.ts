/**
 * The waiting room: the user's place in line, a progress bar and the estimate. The page works its
 * place out itself from its queue token and the line's public state (queue-place.ts), polled at the
 * pace the server's poll would set; it asks the signed-in poll only after a reload, after a shuffled
 * opening (to hear its place) and once it reckons it is admitted, and that answer settles any
 * difference. The queue token and the time of the next look live in session storage, so a reload
 * keeps the place and the pace. When the token turns ACTIVE the page moves on to the dates by itself. It says how the sale stands (a pre-queue
 * before the opening, admission paused, joining closed or not open yet), and the user may leave.
 */
import { ApiFailure, type Answer } from '../api';
import type { QueueState, QueueStatus } from '../api-types';
import { liveTurn, type Context } from '../context';
import { button, h, link, notice, replace } from '../dom';
import { formatCountdown, formatOpening, formatWait, queueProgress } from '../format';
import { leaveLine } from '../leave-line';
import { ProofOfWorkFailed, solveJoinChallenge } from '../proof-of-work';
import { claimsOf, placeFrom, reckon } from '../queue-place';
import { session, type QueueEntry } from '../session';

/** When the server says nothing about the pace (no answer at all), wait this long, doubling up to the cap. */
const FALLBACK_RETRY_SECONDS = 5;
const MAX_FALLBACK_RETRY_SECONDS = 60;

export async function waitingRoomView(ctx: Context, { concertId }: { concertId: string }): Promise<void> {
  const { api, scope, user } = ctx;
  const concert = await scope.live(ctx.concert(concertId));
  const title = concert?.title ?? 'this concert';
  document.title = `Waiting room · ${title}`;

  const opening = h('p', { class: 'opening', hidden: true });
  const position = h('p', { class: 'position' });
  const progress = h('progress', { max: 100, value: 0, 'aria-label': 'Progress through the line' });
  const estimate = h('p', { class: 'estimate' });
  const nextCheck = h('p', { class: 'next-check hint', 'aria-live': 'off' });
  const problem = h('div', { class: 'messages' });
  const leave = button('Leave the line', () => void leaveNow(), { hidden: true });
  const status = h(
    'section',
    { class: 'card waiting', 'aria-live': 'polite', 'aria-atomic': 'true' },
    opening,
    position,
    progress,
    estimate,
  );
  replace(
    ctx.main,
    h('h1', null, 'Waiting room'),
    h('p', { class: 'lead' }, `${title}${concert ? ` · ${concert.venue}` : ''}`),
    status,
    nextCheck,
    problem,
    h('p', { class: 'hint' }, 'Keep this page open: it moves on by itself when it is your turn. Reloading keeps your place.'),
    h('p', null, leave),
  );
  position.textContent = 'Finding your place in line…';

  let fallbackSeconds = FALLBACK_RETRY_SECONDS;
  let rejoined = false;
  /** While the user is asked whether to leave, answers are kept, not drawn, and no poll starts. */
  let leaving = false;
  let heldWhileLeaving: { queue: QueueStatus; entry: QueueEntry } | undefined;
  let stopCountdown: (() => void) | undefined;
  /** Heard from the signed-in poll (or the join) since this view opened: until then, the next look is that poll. */
  let confirmed = false;
  /** The public state last read, for a pre-queue token's place. */
  let lastState: QueueState | undefined;

  const save = (entry: QueueEntry | undefined) => session.setQueue(user.userId, concertId, entry);

  /** Runs `next` (a look at the line, or a join that waits for the opening) at `at`, counting down to it. */
  const pollAt = (at: number, next: () => Promise<void> = () => (confirmed ? watch() : poll())) => {
    stopCountdown?.();
    const tick = () => {
      const left = at - Date.now();
      const seconds = Math.max(0, Math.ceil(left / 1000));
      nextCheck.textContent = seconds <= 0 ? 'Checking…' : `Checking again in ${seconds < 60 ? `${seconds} s` : formatCountdown(left)}.`;
    };
    tick();
    stopCountdown = scope.every(1000, tick);
    scope.after(Math.max(0, at - Date.now()), () => void (leaving || next()));
  };

  const showPlace = (entry: QueueEntry) => {
    // Before the sale opens (a pre-queue) there is no place yet: everyone here then gets a random one at the opening.
    const opened = entry.opensAt !== undefined && Date.parse(entry.opensAt) <= Date.now();
    opening.hidden = !entry.opensAt;
    opening.textContent = !entry.opensAt
      ? ''
      : opened
        ? `The sale opened at ${formatOpening(entry.opensAt)}. Everyone who was here before then gets a random place in line.`
        : `The sale opens at ${formatOpening(entry.opensAt)}. Everyone here before then gets a random place in line.`;
    if (entry.position === null) {
      position.replaceChildren('Your place in line: ', h('strong', { class: 'number' }, 'not yet assigned'), '.');
      progress.hidden = true;
    } else {
      position.replaceChildren(
        entry.position === 1
          ? 'You are next in line.'
          : h('span', null, 'You are number ', h('strong', { class: 'number' }, entry.position.toLocaleString('en-US')), ' in line.'),
      );
      progress.hidden = false;
      progress.value = Math.round(queueProgress(entry.firstPosition || entry.position, entry.position) * 100);
      progress.textContent = `${progress.value}%`;
    }
    // While paused nobody moves on, so an estimate would mislead: say what is happening instead.
    estimate.textContent = entry.paused
      ? 'The sale is paused by the organiser: nobody is being let in right now. You keep your place, and this page moves on by itself when the sale resumes.'
      : entry.estimatedWaitSeconds !== null
        ? `Estimated wait: ${formatWait(entry.estimatedWaitSeconds)}.`
        : entry.opensAt
          ? opened
            ? 'Places are being drawn; this page shows yours in a moment.'
            : `Places are drawn at ${formatOpening(entry.opensAt)}; this page shows yours then.`
          : '';
    estimate.classList.toggle('paused', entry.paused === true);
    leave.hidden = false;
    pollAt(entry.nextPollAt);
  };

  /** No place to show and none to wait for: why, and the way back. */
  const noPlace = (headline: string, sentence: string) => {
    stopCountdown?.();
    nextCheck.textContent = '';
    leave.hidden = true;
    replace(
      status,
      h('p', { class: 'position' }, headline),
      h('p', null, sentence),
      link('#/', 'Back to the concerts', { class: 'button' }),
    );
  };

  /** Before the waiting room opens: when it does, in the user's own time, and a join by itself then. */
  const notOpenYet = (retryAfterSeconds: number | undefined) => {
    const at = Date.now() + Math.max(1, retryAfterSeconds ?? fallbackSeconds) * 1000;
    opening.hidden = true;
    estimate.classList.remove('paused');
    progress.hidden = true;
    leave.hidden = true;
    position.textContent = `The waiting room opens at ${formatOpening(new Date(at).toISOString())}.`;
    estimate.textContent = 'Keep this page open: it joins the line by itself when the waiting room opens.';
    pollAt(at, join);
  };

  const show = (queue: QueueStatus, entry: QueueEntry) => {
    problem.replaceChildren();
    fallbackSeconds = FALLBACK_RETRY_SECONDS;
    if (queue.status === 'ACTIVE' && queue.activeUntil) {
      save({ ...entry, activeUntil: queue.activeUntil });
      stopCountdown?.();
      position.textContent = 'It is your turn!';
      progress.value = 100;
      ctx.navigate(`#/concerts/${encodeURIComponent(concertId)}/dates`, { replace: true });
      return;
    }
    if (queue.status === 'EXPIRED') {
      save(undefined);
      stopCountdown?.();
      nextCheck.textContent = '';
      leave.hidden = true;
      replace(
        status,
        h('p', { class: 'position' }, 'Your turn has ended.'),
        h('p', null, 'Your place in this waiting room is used up: your booking time ran out, you paid, or the place was given up.'),
        button('Join the waiting room again', () => ctx.reload(), { class: 'primary' }),
      );
      return;
    }
    showPlace(entry);
  };

  /** Never sooner than the server asked; without an answer, back off. */
  const nextPollAt = (retryAfterSeconds: number | undefined) => Date.now() + Math.max(1, retryAfterSeconds ?? fallbackSeconds) * 1000;

  const failed = (error: unknown, retry: () => void) => {
    if (error instanceof ProofOfWorkFailed) {
      stopCountdown?.();
      nextCheck.textContent = '';
      replace(
        problem,
        notice('error', 'We could not finish checking that you are not a bot.'),
        button('Try again', () => ctx.reload(), { class: 'primary' }),
      );
      return;
    }
    if (error instanceof ApiFailure && ['QUEUE_TOKEN_INVALID', 'QUEUE_TOKEN_REQUIRED'].includes(error.kind) && !rejoined) {
      rejoined = true; // the place was lost (e.g. the service's data was reset): take a new one, once
      save(undefined);
      void join();
      return;
    }
    if (error instanceof ApiFailure && error.kind === 'QUEUE_NOT_OPEN') return notOpenYet(error.retryAfterSeconds);
    if (error instanceof ApiFailure && error.kind === 'QUEUE_CLOSED') return noPlace('This sale is closed.', ctx.describe(error));
    if (error instanceof ApiFailure && error.kind === 'QUEUE_BANNED') return noPlace('You cannot join this line.', ctx.describe(error));
    const sentence = ctx.describe(error, { thing: 'concert' });
    if (error instanceof ApiFailure && (error.outcomeUnknown || error.kind === 'UNAVAILABLE')) {
      const at = nextPollAt(error.retryAfterSeconds);
      fallbackSeconds = Math.min(MAX_FALLBACK_RETRY_SECONDS, fallbackSeconds * 2);
      replace(problem, notice('warning', `${sentence} We will keep trying.`));
      stopCountdown?.();
      scope.after(Math.max(0, at - Date.now()), retry);
      return;
    }
    stopCountdown?.();
    nextCheck.textContent = '';
    replace(problem, notice('error', sentence), link('#/', 'Back to the concerts'));
  };

  const heard = (answer: Answer<QueueStatus>) => ({
    opensAt: answer.body.opensAt,
    position: answer.body.position,
    estimatedWaitSeconds: answer.body.estimatedWaitSeconds,
    paused: answer.body.paused === true,
    nextPollAt: nextPollAt(answer.retryAfterSeconds),
  });

  /**
   * A concert that asks for proof of work answers a plain join CHALLENGE_REQUIRED (a user who is
   * already in line gets the place back instead): then the page solves a challenge in Web Workers,
   * saying so, and joins with the solution; once more with a new challenge if that one is refused
   * (it expired meanwhile, or the concert asks for more work now).
   */
  async function joinWithProof(): Promise<Answer<QueueStatus>> {
    try {
      return await api.joinQueue(concertId);
    } catch (error) {
      if (!(error instanceof ApiFailure) || error.kind !== 'CHALLENGE_REQUIRED') throw error;
    }
    for (let attempt = 1; ; attempt++) {
      const altcha = await proveNotABot();
      try {
        return await api.joinQueue(concertId, altcha);
      } catch (error) {
        if (attempt >= 2 || !(error instanceof ApiFailure) || error.kind !== 'CHALLENGE_FAILED') throw error;
      }
    }
  }

  async function proveNotABot(): Promise<string> {
    const started = Date.now();
    position.textContent = 'Checking you are not a bot…';
    const tick = () => {
      const seconds = Math.floor((Date.now() - started) / 1000);
      estimate.textContent = seconds < 1 ? 'This takes a moment, once.' : `This takes a moment, once. ${seconds} s so far.`;
    };
    tick();
    const stopTicking = scope.every(1000, tick);
    try {
      const challenge = await api.joinChallenge(concertId);
      const solveStarted = performance.now();
      const altcha = await solveJoinChallenge(challenge.body, scope.signal);
      // What the work cost this user, for anyone measuring it (the bench reads it).
      performance.measure('proof-of-work', { start: solveStarted });
      return altcha;
    } finally {
      stopTicking();
      estimate.textContent = '';
      position.textContent = 'Finding your place in line…';
    }
  }

  async function join(): Promise<void> {
    try {
      const answer = await scope.live(joinWithProof());
      const first = answer.body.position;
      const entry: QueueEntry = {
        token: answer.body.token,
        firstPosition: first === null ? null : Math.max(1, first),
        ...heard(answer),
      };
      confirmed = true;
      save(entry);
      show(answer.body, entry);
    } catch (error) {
      failed(error, () => void join());
    }
  }

  /** The signed-in poll: after a reload, after a shuffled opening, and to confirm an admission the page reckoned. */
  async function poll(): Promise<void> {
    const entry = session.queue(user.userId, concertId);
    if (!entry) return join();
    try {
      const answer = await scope.live(api.pollQueue(concertId, entry.token));
      confirmed = true;
      const claims = claimsOf(entry.token);
      const place = (claims && placeFrom(answer.body, claims, lastState)) ?? entry.place;
      // The progress bar starts at the first place heard, which a pre-queue gives only at the opening.
      const next = {
        ...entry,
        ...heard(answer),
        firstPosition: entry.firstPosition || answer.body.position || null,
        ...(place !== undefined ? { place } : {}),
      };
      if (leaving) return void (heldWhileLeaving = { queue: answer.body, entry: next });
      save(next);
      show(answer.body, next);
    } catch (error) {
      if (!leaving) failed(error, () => void poll());
    }
  }

  /**
   * A look at the line's public state: the page works out its place itself, at the pace the poll
   * would set, and asks the signed-in poll only when it reckons it is admitted or must hear its
   * shuffled place. A token it cannot read is polled as before.
   */
  async function watch(): Promise<void> {
    const entry = session.queue(user.userId, concertId);
    if (!entry) return join();
    const claims = claimsOf(entry.token);
    if (!claims) return poll();
    try {
      const state = await scope.live(api.queueState(concertId));
      lastState = state.body;
      const reckoning = reckon(entry.token, claims, state.body, entry.place, Date.now());
      if (reckoning.kind !== 'WAIT') return poll();
      const queue = reckoning.status;
      const next: QueueEntry = {
        ...entry,
        opensAt: queue.opensAt,
        position: queue.position,
        estimatedWaitSeconds: queue.estimatedWaitSeconds,
        paused: queue.paused === true,
        nextPollAt: nextPollAt(reckoning.retryAfterSeconds),
        firstPosition: entry.firstPosition || queue.position || null,
      };
      if (leaving) return void (heldWhileLeaving = { queue, entry: next });
      save(next);
      show(queue, next);
    } catch (error) {
      if (!leaving) failed(error, () => void watch());
    }
  }

  /** Asks, then gives the place back and goes to the concerts; a user who stays sees the line as last heard. */
  async function leaveNow(): Promise<void> {
    const entry = session.queue(user.userId, concertId);
    if (!entry || leaving) return;
    leaving = true;
    leave.setAttribute('aria-busy', 'true');
    const outcome = await leaveLine(ctx, { concertId, token: entry.token, title, turn: false });
    if (outcome.left) return; // the concert list is on its way; nothing here may save the token again
    leaving = false;
    leave.removeAttribute('aria-busy');
    const held = heldWhileLeaving;
    heldWhileLeaving = undefined;
    if (held) {
      save(held.entry);
      show(held.queue, held.entry);
    } else {
      showPlace(entry);
    }
    if (outcome.problem) replace(problem, notice('error', outcome.problem));
  }

  if (liveTurn(user, concertId)) {
    ctx.navigate(`#/concerts/${encodeURIComponent(concertId)}/dates`, { replace: true });
    return;
  }
  const entry = session.queue(user.userId, concertId);
  if (!entry || entry.activeUntil) return join(); // new here, or a turn that has ended: a new place
  // Back after a reload or from another page: the place as last heard, and the pace the server set.
  showPlace(entry);
}
