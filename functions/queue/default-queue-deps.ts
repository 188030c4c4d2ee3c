import type { CatalogueRepository } from '../catalogue/catalogue-repository';
import { createDynamoCatalogueRepository } from '../catalogue/dynamo-catalogue-repository';
import { settings, tableName } from '../shared/config';
import { documentClient } from '../shared/dynamodb-client';
import { pause } from '../shared/pause';
import { seriesRecorder } from '../stats/default-stats-deps';
import { processQueueRepository } from './default-queue-repository';
import { processQueueTokens, queueTokenKeys } from './default-queue-tokens';
import { createDynamoWaitingRoomRepository } from './dynamo-waiting-room-repository';
import { ClaimedChallenges } from './challenge-replay-guard';
import { joinChallenges, type JoinChallenges } from './join-challenges';
import type { QueueDeps } from './queue-deps';
import { RecentBans } from './recent-bans';
import { RecentTokens } from './recent-tokens';
import type { WaitingRoomDeps } from './waiting-room-deps';

export { queueRepository } from './default-queue-repository';

const CONCERT_CACHE_MS = 60_000;

let deps: QueueDeps | undefined;
let roomDeps: WaitingRoomDeps | undefined;

/** The waiting room wired to this process's tables, built on first use and then reused. */
export function queueDeps(): QueueDeps {
  const current = settings();
  deps ??= {
    queue: processQueueRepository(),
    tokens: processQueueTokens(),
    recentTokens: new RecentTokens(),
    recentBans: new RecentBans(),
    challenges: challengesOnFirstUse(),
    claimedChallenges: new ClaimedChallenges(),
    concertExists: cachedConcertExists(),
    settings: current,
    now: Date.now,
    series: seriesRecorder(),
  };
  return deps;
}

/** The admin's waiting-room settings, wired to this process's tables, built on first use and then reused. */
export function waitingRoomDeps(): WaitingRoomDeps {
  roomDeps ??= {
    rooms: createDynamoWaitingRoomRepository(documentClient, tableName('queue')),
    concertExists: cachedConcertExists(),
    settings: settings(),
    now: Date.now,
    pause,
  };
  return roomDeps;
}

function challengesOnFirstUse(): JoinChallenges {
  let challenges: JoinChallenges | undefined;
  const current = () => (challenges ??= joinChallenges(queueTokenKeys()));
  return {
    issue: async (binding) => current().issue(binding),
    check: async (altcha, expected) => current().check(altcha, expected),
  };
}

/**
 * Concerts are never deleted, so a concert seen once is remembered for a minute, and a lookup in
 * flight is shared by every join that asks meanwhile (a burst at the opening reads it once). The
 * catalogue is looked up on first use: the jobs share these deps but are given no access to it.
 */
function cachedConcertExists(): (concertId: string) => Promise<boolean> {
  let catalogue: CatalogueRepository | undefined;
  const seen = new Map<string, number>();
  const looking = new Map<string, Promise<boolean>>();
  const lookUp = async (concertId: string) => {
    catalogue ??= createDynamoCatalogueRepository(documentClient, tableName('catalogue'));
    try {
      const exists = (await catalogue.findConcert(concertId)) !== undefined;
      if (exists) seen.set(concertId, Date.now());
      return exists;
    } finally {
      looking.delete(concertId);
    }
  };
  return async (concertId) => {
    const seenAt = seen.get(concertId);
    if (seenAt !== undefined && Date.now() - seenAt < CONCERT_CACHE_MS) return true;
    let pending = looking.get(concertId);
    if (!pending) {
      pending = lookUp(concertId);
      looking.set(concertId, pending);
    }
    return pending;
  };
}
