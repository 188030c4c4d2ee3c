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
import { keyRingFor, type QueueTokenKeySource } from './queue-token-keys';

/** Issues and checks join challenges with this process's queue token keys (the current one signs; a previous one still verifies). */
export interface JoinChallenges {
  issue(binding: ChallengeBinding & { work: number; now: number }): Promise<Challenge>;
  /** Checks the `altcha` field of a join; a payload that is not one is a failed check, never an error. */
  check(altcha: string, expected: ChallengeBinding & { requiredWork: number; now: number }): Promise<ChallengeCheck>;
}

export function joinChallenges(source: QueueTokenKeySource): JoinChallenges {
  return {
    async issue(binding) {
      return issueJoinChallenge(challengeSecretOf((await keyRingFor(source)).current), binding);
    },
    async check(altcha, expected) {
      const payload = readChallengePayload(altcha);
      const keyId = payload && keyIdOfPayload(payload);
      if (!payload || keyId === undefined) return { passed: false, reason: 'signature' };
      const key = (await keyRingFor(source, keyId)).accepted.find((candidate) => candidate.id === keyId);
      if (!key) return { passed: false, reason: 'signature' };
      return checkJoinChallenge(challengeSecretOf(key), payload, expected);
    },
  };
}
