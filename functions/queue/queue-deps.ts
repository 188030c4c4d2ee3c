import type { Settings } from '../shared/config';
import type { SeriesRecorder } from '../stats/stats-repository';
import type { QueueRepository } from './queue-repository';
import type { QueueTokens } from './queue-tokens';
import type { RecentTokens } from './recent-tokens';

export interface QueueDeps {
  readonly queue: QueueRepository;
  /** Signs the tokens joins hand out and verifies the ones presented. */
  readonly tokens: QueueTokens;
  /** True when the concert exists (a cached lookup is fine: concerts are not deleted). */
  readonly concertExists: (concertId: string) => Promise<boolean>;
  /** This instance's memory of tokens it handed out (none: every join goes to the table). */
  readonly recentTokens?: RecentTokens;
  readonly settings: Settings;
  readonly now: () => number;
  /** Where each admission run leaves a point of the stats series (none: no series). */
  readonly series?: SeriesRecorder;
}
