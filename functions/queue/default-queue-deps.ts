import type { CatalogueRepository } from '../catalogue/catalogue-repository';
import { createDynamoCatalogueRepository } from '../catalogue/dynamo-catalogue-repository';
import { settings, tableName } from '../shared/config';
import { documentClient } from '../shared/dynamodb-client';
import { pause } from '../shared/pause';
import { seriesRecorder } from '../stats/default-stats-deps';
import { createDynamoQueueRepository } from './dynamo-queue-repository';
import { createSequenceCounter } from './dynamo-sequence-counter';
import { createPreQueueCounter } from './dynamo-pre-queue-counter';
import { createDynamoWaitingRoomRepository } from './dynamo-waiting-room-repository';
import { createDynamoSpentChallenges } from './dynamo-spent-challenges';
import { joinChallenges, type JoinChallenges } from './join-challenges';
import type { QueueDeps } from './queue-deps';
import type { QueueRepository } from './queue-repository';
import { queueTokenKeySource, type QueueTokenKeySource } from './queue-token-keys';
import { queueTokens, type QueueTokens } from './queue-tokens';
import { RecentTokens } from './recent-tokens';
import type { WaitingRoomDeps } from './waiting-room-deps';

const CONCERT_CACHE_MS = 60_000;

let deps: QueueDeps | undefined;
let roomDeps: WaitingRoomDeps | undefined;

/** The waiting room's storage on this process's queue table (tests choose shards and cache themselves). */
export function queueRepository(options: { shards?: number; admissionCacheMs?: number } = {}): QueueRepository {
  const table = tableName('queue');
  return createDynamoQueueRepository(documentClient, table, {
    counter: createSequenceCounter(documentClient, table, options.shards ?? 1),
    preQueueCounter: createPreQueueCounter(documentClient, table, options.shards ?? 1),
    admissionCacheMs: options.admissionCacheMs ?? 0,
  });
}

/** The waiting room wired to this process's tables, built on first use and then reused. */
export function queueDeps(): QueueDeps {
  const current = settings();
  deps ??= {
    queue: queueRepository({ shards: current.queueShards, admissionCacheMs: current.pollAdmissionCacheMs }),
    tokens: tokensOnFirstUse(),
    recentTokens: new RecentTokens(),
    challenges: challengesOnFirstUse(),
    spentChallenges: createDynamoSpentChallenges(documentClient, tableName('queue')),
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

/**
 * The key source the environment names, looked up on first use: the jobs share these deps but
 * handle no tokens and are given no key. Queue tokens and join challenges share it (one read of the keys).
 */
let keySource: QueueTokenKeySource | undefined;
const keysOnFirstUse = () => (keySource ??= queueTokenKeySource());

function tokensOnFirstUse(): QueueTokens {
  let tokens: QueueTokens | undefined;
  const current = () => (tokens ??= queueTokens(keysOnFirstUse()));
  return {
    issue: async (claims) => current().issue(claims),
    verify: async (token) => current().verify(token),
  };
}

function challengesOnFirstUse(): JoinChallenges {
  let challenges: JoinChallenges | undefined;
  const current = () => (challenges ??= joinChallenges(keysOnFirstUse()));
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
