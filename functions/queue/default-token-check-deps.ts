import { settings } from '../shared/config';
import { processQueueRepository } from './default-queue-repository';
import { processQueueTokens } from './default-queue-tokens';
import type { TokenCheckDeps } from './queue-deps';

/**
 * The ACTIVE check's wiring: the token's keys and reads only. The catalogue, reservations and
 * wallet functions load this, and none of the joins, challenges or pre-queue that only the queue
 * function serves.
 */
export function tokenCheckDeps(): TokenCheckDeps {
  return { queue: processQueueRepository(), tokens: processQueueTokens(), settings: settings(), now: Date.now };
}
