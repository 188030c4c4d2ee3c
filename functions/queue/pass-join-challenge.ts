import { AppError } from '../shared/errors';
import { challengeWorkOf } from './challenge-work';
import type { QueueDeps } from './queue-deps';
import type { AdmissionState } from './queue-rules';

/**
 * The door of a protected waiting room, passed before a join takes a number. A concert that asks
 * no work (`challengeWork` 0) costs nothing here, whatever the body carries. Otherwise the join
 * needs a solved challenge of its own (this user, this concert, unexpired, as hard as the concert
 * asks now) that no join used before: one HMAC, then one conditional write that only the first
 * join with this solution wins. A user who already holds a live token needs none: when a join
 * brings no solution, or one that fails, `liveToken` looks (the only extra call, and only then),
 * and what it finds is the answer. Undefined: the join goes on.
 */
export async function passJoinChallenge<Kept>(
  deps: QueueDeps,
  input: { userId: string; concertId: string; altcha?: string },
  admission: AdmissionState,
  liveToken: () => Promise<Kept | undefined>,
): Promise<Kept | undefined> {
  const work = challengeWorkOf(admission);
  if (work === 0) return undefined;
  const { userId, concertId, altcha } = input;
  if (altcha && deps.challenges && deps.spentChallenges) {
    const check = await deps.challenges.check(altcha, { userId, concertId, requiredWork: work, now: deps.now() });
    // Checked before it is spent: a solution shown by someone else never uses up its owner's.
    if (check.passed && (await deps.spentChallenges.spend(check.spentId, check.expiresAt))) return undefined;
  }
  const live = await liveToken();
  if (live) return live;
  if (!altcha) {
    throw new AppError(
      'CHALLENGE_REQUIRED',
      'this waiting room asks for proof of work: solve GET .../queue/challenge and send it as altcha',
    );
  }
  throw new AppError('CHALLENGE_FAILED', 'that proof of work is not valid for you and this concert, has expired, or was used already');
}
