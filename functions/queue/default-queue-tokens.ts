import { queueTokenKeySource, type QueueTokenKeySource } from './queue-token-keys';
import { queueTokens, type QueueTokens } from './queue-tokens';

let keySource: QueueTokenKeySource | undefined;
let tokens: QueueTokens | undefined;

/**
 * The key source the environment names, looked up on first use: a function that handles no tokens
 * (the jobs) is given no key. Queue tokens and join challenges share it (one read of the keys).
 */
export const queueTokenKeys = (): QueueTokenKeySource => (keySource ??= queueTokenKeySource());

/** This process's queue tokens, signed and verified under those keys; the keys are read at the first token. */
export function processQueueTokens(): QueueTokens {
  tokens ??= {
    issue: async (claims) => signing().issue(claims),
    verify: async (token) => signing().verify(token),
  };
  return tokens;
}

let keyed: QueueTokens | undefined;
const signing = () => (keyed ??= queueTokens(queueTokenKeys()));
