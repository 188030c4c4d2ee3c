import type { Settings } from '../shared/config';
import type { ClaimedChallenges } from './challenge-replay-guard';
import type { SeriesRecorder } from '../stats/stats-repository';
import type { JoinChallenges } from './join-challenges';
import type { QueueRepository } from './queue-repository';
import type { QueueTokens } from './queue-tokens';
import type { RecentBans } from './recent-bans';
import type { RecentTokens } from './recent-tokens';

export interface QueueDeps {
  readonly queue: QueueRepository;
  /** Signs the tokens joins hand out and verifies the ones presented. */
  readonly tokens: QueueTokens;
  /** True when the concert exists (a cached lookup is fine: concerts are not deleted). */
  readonly concertExists: (concertId: string) => Promise<boolean>;
  /** This instance's memory of tokens it handed out (none: every join goes to the table). */
  readonly recentTokens?: RecentTokens;
  /** This instance's memory of users it refused as banned (none: each such join takes a number when it takes one alongside). */
  readonly recentBans?: RecentBans;
  /**
   * The proof of work of protected concerts: challenges issued and checked. Without them a concert
   * that asks for work cannot be joined (the jobs need none). Which solutions were used, the token
   * items say; `claimedChallenges` is this instance's memory of the ones it used (none: every join with a
   * used solution takes a number before its token write is refused).
   */
  readonly challenges?: JoinChallenges;
  readonly claimedChallenges?: ClaimedChallenges;
  readonly settings: Settings;
  readonly now: () => number;
  /** Where each admission run leaves a point of the stats series (none: no series). */
  readonly series?: SeriesRecorder;
}

/** What the ACTIVE check needs: the token's item and admission record, and the keys that verify the token. */
export type TokenCheckDeps = Pick<QueueDeps, 'queue' | 'tokens' | 'settings' | 'now'>;

/** What the scheduled jobs need: no tokens, challenges or catalogue. */
export type QueueJobDeps = Pick<QueueDeps, 'queue' | 'settings' | 'now' | 'series'>;
