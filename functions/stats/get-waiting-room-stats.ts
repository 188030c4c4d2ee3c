import { notFound } from '../shared/errors';
import type { StatsDeps } from './stats-deps';
import { holdHorizonSeconds, waitingRoomStats, type WaitingRoomStatsView } from './stats-rules';

/**
 * A concert's live stats: the line, the holds and the sales now, totals, and the series of the
 * last two hours. One read of known keys, whatever the length of the line or the number of sales.
 */
export async function getWaitingRoomStats(deps: StatsDeps, concertId: string): Promise<WaitingRoomStatsView> {
  const now = deps.now();
  const facts = await deps.stats.readFacts(concertId, now, holdHorizonSeconds(deps.settings));
  if (!facts) throw notFound('concert');
  return waitingRoomStats(concertId, facts, now, deps.settings);
}
