import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import type { LocalApi } from './local-api';

/** The `altcha` field a join sends: base64 of `{challenge, solution}`, as the ALTCHA widget submits it. */
export const altchaPayload = (challenge: Challenge, solution: unknown) =>
  Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');

/** A challenge solved with altcha-lib in Node, as a client other than the page would. */
export async function solved(challenge: Challenge): Promise<string> {
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution) throw new Error('the challenge was not solved');
  return altchaPayload(challenge, solution);
}

/** A new challenge for the signed-in user (`token`) and concert, over HTTP. */
export async function challengeFor(api: LocalApi, token: string, concertId: string): Promise<Challenge> {
  const response = await api.request('GET', `/concerts/${concertId}/queue/challenge`, { token });
  if (response.status !== 200) throw new Error(`no challenge: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as Challenge;
}

/** A solved challenge of the user and concert, ready to join with. */
export const solvedFor = async (api: LocalApi, token: string, concertId: string) => solved(await challengeFor(api, token, concertId));

/**
 * Sets the concert's `challengeWork` through the admin route, as an operator would, then waits out
 * the second for which joins may still read the settings from before (POLL_ADMISSION_CACHE_MS).
 */
export async function setChallengeWork(api: LocalApi, concertId: string, challengeWork: number): Promise<void> {
  const admin = await api.tokenFor('challenge-operator', ['admin']);
  const response = await api.request('PATCH', `/admin/concerts/${concertId}/waiting-room`, { token: admin, body: { challengeWork } });
  if (response.status !== 200) throw new Error(`challengeWork not set: ${response.status} ${JSON.stringify(response.body)}`);
  await new Promise((resolve) => setTimeout(resolve, 1100));
}
