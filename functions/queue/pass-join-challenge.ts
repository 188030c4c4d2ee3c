import { AppError } from '../shared/errors';
import { challengeKey } from './challenge-replay-guard';
import { challengeWorkOf } from './challenge-work';
import type { QueueDeps } from './queue-deps';
import type { AdmissionState } from './queue-rules';

/** A checked solution a join goes on with: its replay key, written on the token item (challenge-replay-guard.ts). */
export interface PassedSolution {
  readonly key: string;
  readonly expiresAt: number;
}

/** Go on (with the solution, when the concert asks work), or the answer already found. */
export type Door<Kept> = { readonly open: true; readonly solution?: PassedSolution } | { readonly open: false; readonly kept: Kept };

/**
 * The door of a protected waiting room, passed before a join takes a number. A concert that asks
 * no work (`challengeWork` 0) costs nothing here, whatever the body carries. Otherwise the join
 * needs a solved challenge of its own (this user, this concert, unexpired, as hard as the concert
 * asks now), checked in memory: two HMACs, no call. That no join used it before, the join's own
 * token write says (its replay guard); a solution this instance is using or used already is
 * refused here, before a number is taken. A user who already holds a live token needs none:
 * when a join brings no solution, or one that fails, `liveToken` looks (the only extra call, and
 * only then), and what it finds is the answer.
 */
export async function passJoinChallenge<Kept>(
  deps: QueueDeps,
  input: { userId: string; concertId: string; altcha?: string },
  admission: AdmissionState,
  liveToken: () => Promise<Kept | undefined>,
): Promise<Door<Kept>> {
  const work = challengeWorkOf(admission);
  if (work === 0) return { open: true };
  const { userId, concertId, altcha } = input;
  if (altcha && deps.challenges) {
    const now = deps.now();
    const check = await deps.challenges.check(altcha, { userId, concertId, requiredWork: work, now });
    // Checked before it is claimed: a solution shown by someone else never uses up its owner's.
    if (check.passed) {
      const solution = { key: challengeKey(check), expiresAt: check.expiresAt };
      if (deps.claimedChallenges?.claim(solution.key, now) !== false) return { open: true, solution };
    }
  }
  const live = await liveToken();
  if (live) return { open: false, kept: live };
  if (!altcha) {
    throw new AppError(
      'CHALLENGE_REQUIRED',
      'this waiting room asks for proof of work: solve GET .../queue/challenge and send it as altcha',
    );
  }
  throw challengeFailed();
}

export const challengeFailed = () =>
  new AppError('CHALLENGE_FAILED', 'that proof of work is not valid for you and this concert, has expired, or was used already');
