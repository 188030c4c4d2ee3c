import type { Settings } from '../shared/config';
import type { QueueRepository } from './queue-repository';

export interface QueueDeps {
  readonly queue: QueueRepository;
  /** True when the concert exists (a cached lookup is fine: concerts are not deleted). */
  readonly concertExists: (concertId: string) => Promise<boolean>;
  readonly settings: Settings;
  readonly now: () => number;
}
