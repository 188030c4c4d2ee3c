import { notFound } from '../shared/errors';
import { challengeWorkOf } from './challenge-work';
import type { Challenge } from './join-challenge';
import type { QueueDeps } from './queue-deps';

/**
 * A proof-of-work challenge for this user's join of this concert, as hard as the concert asks now
 * (its settings, read through this instance's ≤ 1 s admission cache). A concert that asks for no
 * work still gets one, the least there is: a page may always solve before it joins.
 */
export async function getJoinChallenge(deps: QueueDeps, input: { userId: string; concertId: string }): Promise<Challenge> {
  const { userId, concertId } = input;
  if (!(await deps.concertExists(concertId))) throw notFound('concert');
  if (!deps.challenges) throw new Error('join challenges are not wired into these queue deps');
  const admission = await deps.queue.findAdmission(concertId, { recentAdmission: true });
  return deps.challenges.issue({ userId, concertId, work: challengeWorkOf(admission), now: deps.now() });
}
