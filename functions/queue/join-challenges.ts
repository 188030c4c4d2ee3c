import { UnavailableError } from '../shared/errors';
import { challengeSecretOf } from './challenge-secrets';
import {
  checkJoinChallenge,
  issueJoinChallenge,
  keyIdOfPayload,
  readChallengePayload,
  type Challenge,
  type ChallengeBinding,
  type ChallengeCheck,
} from './join-challenge';
import type { QueueTokenKeyRing } from './queue-token';
import type { QueueTokenKeySource } from './queue-token-keys';

/** Issues and checks join challenges with this process's queue token keys (the current one signs; a previous one still verifies). */
export interface JoinChallenges {
  issue(binding: ChallengeBinding & { work: number; now: number }): Promise<Challenge>;
  /** Checks the `altcha` field of a join; a payload that is not one is a failed check, never an error. */
  check(altcha: string, expected: ChallengeBinding & { requiredWork: number; now: number }): Promise<ChallengeCheck>;
}

export function joinChallenges(source: QueueTokenKeySource): JoinChallenges {
  const keys = async (refresh = false): Promise<QueueTokenKeyRing> => {
    try {
      return await source.keys({ refresh });
    } catch (error) {
      // The key store did not answer: the request may be retried; nothing was written.
      throw new UnavailableError(1, { cause: error });
    }
  };
  return {
    async issue(binding) {
      return issueJoinChallenge(challengeSecretOf((await keys()).current), binding);
    },
    async check(altcha, expected) {
      const payload = readChallengePayload(altcha);
      const keyId = payload && keyIdOfPayload(payload);
      if (!payload || keyId === undefined) return { passed: false, reason: 'signature' };
      let ring = await keys();
      // A key this instance has not seen yet: another instance may already sign with a rotated key.
      if (!ring.accepted.some((key) => key.id === keyId)) ring = await keys(true);
      const key = ring.accepted.find((candidate) => candidate.id === keyId);
      if (!key) return { passed: false, reason: 'signature' };
      return checkJoinChallenge(challengeSecretOf(key), payload, expected);
    },
  };
}
