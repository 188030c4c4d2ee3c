/**
 * Figure 15: waiting at the edge. Waiting pages poll the queue's public state
 * (`GET /concerts/{concertId}/queue/state`) through a cache that does what CloudFront's state
 * behaviour does (bench/edge-cache.ts); the figure is how often the server computes the state,
 * per second and concert, with N clients polling (target ≤ 1/s whatever N). The clients are a
 * schedule of real HTTP requests through the cache (N clients each polling every P seconds at their
 * own phase), not a socket each.
 */
import { EdgeCache } from '../edge-cache';
import { HttpClient } from '../http-client';
import { judged, type Figure } from '../results';
import type { Scenario } from '../scenario';
import { round, sleep } from '../stats';
import { createConcert, expectStatus } from '../world';

export const GROUP = '15 waiting at the edge';

/** The paths CloudFront caches (lib/static-site.ts, `/api/concerts/*\/queue/state`), without `/api`: the bench's server answers at the root. */
export const isStatePath = (path: string) => /^\/concerts\/[^/]+\/queue\/state$/.test(path);

export const edgeStateScenario: Scenario = {
  name: 'edge-state',
  async run({ env, http, sizes, log }) {
    const concert = await createConcert(http, 'edge-state', 1, 10);
    const path = `/concerts/${concert.concertId}/queue/state`;
    const cache = await EdgeCache.start({ originUrl: env.url, cached: isStatePath });
    const viewers = new HttpClient(cache.url, 128);
    const figures: Figure[] = [];
    try {
      const first = expectStatus(await viewers.request('GET', path), 'the queue state through the edge cache', 200);
      const cacheControl = String(first.headers['cache-control'] ?? '');
      if (!/\bmax-age=1\b/.test(cacheControl) || !/\bpublic\b/.test(cacheControl))
        throw new Error(`the queue state says Cache-Control "${cacheControl}", not public, max-age=1`);
      for (const clients of sizes.edgeClients) {
        await sleep(1_100);
        cache.take();
        const run = await pollThrough(viewers, path, clients, sizes.edgePollSeconds, sizes.edgeSeconds);
        const count = cache.take().get(path);
        if (!count) throw new Error('no poll reached the edge cache');
        // The rate between the first and the last computation: a window's edges would add one computation to a short run.
        const spanSeconds = (count.lastAt - count.firstAt) / 1000;
        const perSecond = count.requests > 1 ? (count.requests - 1) / spanSeconds : 0;
        log(`edge-state: ${clients} clients, ${run.polls} polls in ${round(run.seconds, 1)} s, ${count.requests} reached the server`);
        figures.push(
          judged(
            GROUP,
            `origin computations of the state / s per concert, ${clients.toLocaleString('en-US')} clients`,
            round(perSecond, 2),
            '/s',
            '<=',
            1,
            `${run.polls.toLocaleString('en-US')} polls in ${round(run.seconds, 1)} s (${Math.round(run.polls / run.seconds)}/s: each client every ${sizes.edgePollSeconds} s); ` +
              `${count.requests} reached the server (${round((100 * count.requests) / run.polls, 2)} %), ${count.staleHits} answered stale while revalidating; ` +
              `answers ${JSON.stringify(run.statuses)}`,
          ),
        );
      }
    } finally {
      viewers.close();
      await cache.close();
    }
    return figures;
  },
};

/**
 * `clients` clients, each polling `path` every `everySeconds` at its own phase, for `seconds`: the
 * polls go out evenly spaced (client i at i/clients of the period), each a real HTTP request.
 */
async function pollThrough(
  viewers: HttpClient,
  path: string,
  clients: number,
  everySeconds: number,
  seconds: number,
): Promise<{ polls: number; seconds: number; statuses: Record<string, number> }> {
  const total = Math.floor((clients * seconds) / everySeconds);
  const spacingMs = (everySeconds * 1000) / clients;
  const statuses: Record<string, number> = {};
  const pending: Promise<void>[] = [];
  const started = Date.now();
  for (let sent = 0; sent < total;) {
    const due = Math.min(total, Math.floor((Date.now() - started) / spacingMs) + 1);
    for (; sent < due; sent++) {
      pending.push(
        viewers.request('GET', path).then(
          (answer) => void (statuses[answer.status] = (statuses[answer.status] ?? 0) + 1),
          () => void (statuses.error = (statuses.error ?? 0) + 1),
        ),
      );
    }
    await sleep(5);
  }
  await Promise.all(pending);
  if (Object.keys(statuses).some((status) => status !== '200')) throw new Error(`state polls answered ${JSON.stringify(statuses)}`);
  return { polls: total, seconds: (Date.now() - started) / 1000, statuses };
}
