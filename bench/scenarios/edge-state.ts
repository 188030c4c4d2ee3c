/**
 * Figure 15: waiting at the edge. Waiting pages poll the queue's public state
 * (`GET /concerts/{concertId}/queue/state`) through a cache that does what CloudFront's state
 * behaviour does (bench/edge-cache.ts).
 * - How often the server computes the state, per second and concert, with N clients polling (target
 *   ≤ 1/s whatever N). The clients are a schedule of real HTTP requests through the cache (N clients
 *   each polling every P seconds at their own phase), not a socket each.
 * - Authenticated calls per waiting client over a whole wait (target ≤ 3): clients that wait as the
 *   page does (join; one authenticated poll; then the state alone, their place worked out from
 *   their token by the page's own module, web/src/queue-place.ts; one authenticated poll once it
 *   says admitted), through a line that admission runs move a share at a time.
 */
import { EdgeCache } from '../edge-cache';
import { HttpClient } from '../http-client';
import { judged, type Figure } from '../results';
import type { Scenario } from '../scenario';
import type { QueueState } from '../../web/src/api-types';
import { claimsOf, reckon } from '../../web/src/queue-place';
import { mapConcurrent, round, sleep } from '../stats';
import { bearerToken, createConcert, expectStatus, runAdmission, runTag, userIds } from '../world';

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
      figures.push(...(await wholeWaits({ http, viewers, cache, waiters: sizes.edgeWaiters, log })));
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

/** Admission runs admit this many shares of the line, so each client waits through several of them. */
const RUNS_TO_EMPTY = 5;

async function wholeWaits(context: {
  http: HttpClient;
  viewers: HttpClient;
  cache: EdgeCache;
  waiters: number;
  log: (message: string) => void;
}): Promise<Figure[]> {
  const { http, viewers, cache, waiters, log } = context;
  const concert = await createConcert(http, 'edge-wait', 1, 10);
  const { concertId } = concert;
  const admin = await bearerToken(http, `bench-admin-${runTag}`, ['admin']);
  const perRun = Math.ceil(waiters / RUNS_TO_EMPTY);
  // The bench's server runs admission once a second (as it is asked): admitPerMinute is 60 runs' worth.
  expectStatus(
    await http.request('PATCH', `/admin/concerts/${concertId}/waiting-room`, {
      token: admin,
      body: { admitPerMinute: perRun * 60, maxActive: waiters * 2 },
    }),
    'waiting-room settings of the whole-wait concert',
    200,
  );
  const tokens = await mapConcurrent(userIds('edge-wait', waiters), 32, (userId) => bearerToken(http, userId));
  cache.take();

  let waiting = waiters;
  let runs = 0;
  const started = Date.now();
  // Admission runs once a second while anyone waits, as the deployed job does once a minute.
  const admitting = (async () => {
    while (waiting > 0 && Date.now() - started < 120_000) {
      await sleep(1_000);
      await runAdmission(http);
      runs++;
    }
  })();
  const statePath = `/concerts/${concertId}/queue/state`;
  // Every client goes through the edge cache, as the page goes through CloudFront: its authenticated calls pass through.
  const waits = await mapConcurrent(tokens, waiters, async (token) => {
    let calls = 0;
    let statePolls = 0;
    try {
      calls++;
      const joined = expectStatus(await viewers.request('POST', `/concerts/${concertId}/queue`, { token }), 'join', 201, 200);
      const queueToken = joined.body.token as string;
      // The page's own reading of its token and of the state (web/src/queue-place.ts, on waiting-place.ts).
      const claims = claimsOf(queueToken);
      if (!claims) throw new Error(`the page cannot read its queue token ${queueToken}`);
      const poll = async () => {
        calls++;
        const polled = expectStatus(await viewers.request('GET', `/concerts/${concertId}/queue`, { token, queueToken }), 'poll', 200);
        return { status: polled.body.status as string, retryAfter: Number(polled.headers['retry-after'] ?? 1) };
      };
      let status = await poll();
      while (status.status === 'WAIT') {
        await sleep(status.retryAfter * 1000);
        statePolls++;
        const state = expectStatus(await viewers.request<QueueState>('GET', statePath), 'queue state', 200).body;
        const reckoning = reckon(queueToken, claims, state, undefined, Date.now());
        // Admitted by the state's reckoning: only the authenticated answer says ACTIVE, and settles any disagreement.
        if (reckoning.kind !== 'WAIT') status = await poll();
        else status = { status: 'WAIT', retryAfter: reckoning.retryAfterSeconds };
      }
      return { calls, statePolls, status: status.status };
    } finally {
      waiting--;
    }
  });
  await admitting;
  const seconds = (Date.now() - started) / 1000;
  const notActive = waits.filter((wait) => wait.status !== 'ACTIVE').length;
  if (notActive > 0) throw new Error(`${notActive} of ${waiters} clients ended their wait not ACTIVE`);
  const calls = waits.map((wait) => wait.calls);
  const mean = calls.reduce((sum, n) => sum + n, 0) / waiters;
  const statePolls = waits.reduce((sum, wait) => sum + wait.statePolls, 0);
  const computed = cache.take().get(statePath)?.requests ?? 0;
  log(`edge-state: ${waiters} clients waited ${round(seconds, 1)} s through ${runs} admission runs; ${statePolls} state polls`);
  return [
    judged(
      GROUP,
      'authenticated API calls per waiting client over a whole wait (most of any client)',
      Math.max(...calls),
      'calls',
      '<=',
      3,
      `${waiters} clients, ${perRun} admitted a run, ${runs} admission runs a second apart, all ACTIVE in ${round(seconds, 1)} s; ` +
        `mean ${round(mean, 2)} calls (join, a poll after it, a poll on admission); ${statePolls} state polls, ${computed} reached the server`,
    ),
  ];
}
