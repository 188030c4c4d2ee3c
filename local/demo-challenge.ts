import { changeWaitingRoomSettings } from '../functions/queue/change-waiting-room-settings';
import { DEFAULT_CHALLENGE_WORK } from '../functions/queue/join-challenge';
import type { WaitingRoomDeps } from '../functions/queue/waiting-room-deps';
import { AppError } from '../functions/shared/errors';
import { demoConcerts } from './demo-data';

/**
 * The demo concert whose waiting room asks joins for proof of work under `npm start`: the last one,
 * so people see the page solve a challenge. The first, which the README's walkthrough joins with
 * plain curl, stays open.
 */
export const PROTECTED_DEMO_CONCERT = demoConcerts(new Date()).at(-1)!.concertId;

/**
 * Sets the protected demo concert's `challengeWork` to DEFAULT_CHALLENGE_WORK, as an admin would
 * (the change is in its audit, by `demo-data`), only while its settings were never changed: an
 * operator's own setting, or an earlier start's, stands. True when this call set it.
 */
export async function protectDemoConcert(deps: WaitingRoomDeps): Promise<boolean> {
  try {
    await changeWaitingRoomSettings(deps, {
      concertId: PROTECTED_DEMO_CONCERT,
      by: 'demo-data',
      patch: { challengeWork: DEFAULT_CHALLENGE_WORK },
      ifMatch: 0,
    });
    return true;
  } catch (error) {
    if (error instanceof AppError && error.code === 'PRECONDITION_FAILED') return false;
    throw error;
  }
}
