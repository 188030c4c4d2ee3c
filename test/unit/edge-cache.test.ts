/**
 * The bench's edge cache (bench/edge-cache.ts) in front of a small origin over real HTTP on loopback:
 * it keeps an answer as its Cache-Control says, serves it stale while one request revalidates it,
 * collapses concurrent misses into one origin request, keeps the viewer's headers and query string
 * from the origin, and passes every other path through uncached.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EdgeCache } from '../../bench/edge-cache';
import { HttpClient } from '../../bench/http-client';
import { sleep } from '../../bench/stats';

const STATE = '/concerts/c-1/queue/state';
let origin: Server;
let seen: { method: string; path: string; headers: IncomingHttpHeaders }[] = [];
let computed = 0;
let cache: EdgeCache;
let http: HttpClient;

beforeAll(async () => {
  origin = createServer((req, res) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    if (req.method === 'GET' && /\/queue\/state$/.test(req.url ?? '')) {
      computed++;
      // A little slow, so that concurrent viewers meet one request in flight.
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=1, stale-while-revalidate=5' });
        res.end(JSON.stringify({ computed }));
      }, 30);
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ path: req.url, authorization: req.headers.authorization ?? null }));
    }
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  cache = await EdgeCache.start({
    originUrl: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`,
    cached: (path) => /^\/concerts\/[^/]+\/queue\/state$/.test(path),
  });
  http = new HttpClient(cache.url, 256);
});

afterAll(async () => {
  http.close();
  await cache.close();
  origin.closeAllConnections();
  await new Promise<void>((resolve) => origin.close(() => resolve()));
});

beforeEach(async () => {
  // Each test has a path of its own; only the counts start afresh.
  seen = [];
  cache.take();
});

test('200 viewers at once cost one origin request (a second); the origin sees no viewer header and no query string', async () => {
  const path = '/concerts/collapse/queue/state';
  const started = Date.now();
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) => http.request('GET', `${path}?v=${i}`, { token: `viewer-${i}`, headers: { cookie: `id=${i}` } })),
  );
  const seconds = (Date.now() - started) / 1000;
  expect(answers.every((answer) => answer.status === 200)).toBe(true);
  expect(answers.every((answer) => String(answer.headers['cache-control']).includes('max-age=1'))).toBe(true);
  // Those that came while the request was out shared it; those after it were hits. On a busy machine
  // the 200 may take longer than the answer's second: one more request for each second they took.
  const count = cache.take().get(path)!;
  expect(count.hits + count.misses).toBe(200);
  expect(count.requests).toBeGreaterThanOrEqual(1);
  expect(count.requests).toBeLessThanOrEqual(1 + Math.floor(seconds));
  expect(new Set(answers.map((answer) => answer.body.computed)).size).toBeLessThanOrEqual(count.requests);
  expect(seen).toHaveLength(count.requests);
  for (const request of seen) {
    expect(request.path).toBe(path);
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers.cookie).toBeUndefined();
  }
});

test('fresh for max-age, then served stale while one request revalidates it, then fresh again', async () => {
  const path = '/concerts/stale/queue/state';
  const first = await http.request('GET', path);
  expect(first.headers['x-cache']).toMatch(/^Miss/);
  const hit = await http.request('GET', path);
  expect(hit.headers['x-cache']).toMatch(/^Hit/);
  expect(hit.body).toEqual(first.body);

  await sleep(1_100);
  // Stale now: the next viewers get the old answer at once, and one origin request goes out meanwhile.
  const stale = await Promise.all(Array.from({ length: 50 }, () => http.request('GET', path)));
  const refreshHits = stale.filter((answer) => answer.headers['x-cache'] === "RefreshHit from the bench's edge cache");
  expect(refreshHits.length).toBeGreaterThanOrEqual(1);
  expect(refreshHits.every((answer) => answer.body.computed === first.body.computed)).toBe(true);
  expect(stale.every((answer) => /^(RefreshHit|Hit)/.test(String(answer.headers['x-cache'])))).toBe(true);
  let refreshed = await http.request('GET', path);
  for (let tries = 0; refreshed.body.computed === first.body.computed && tries < 100; tries++) {
    await sleep(20);
    refreshed = await http.request('GET', path);
  }
  expect(refreshed.headers['x-cache']).toMatch(/^Hit/);
  expect(refreshed.body.computed).toBeGreaterThan(first.body.computed);
  expect(cache.take().get(path)).toMatchObject({ requests: 2, misses: 1 });
});

test('1,000 viewers polling for 2.5 s: at most one origin request per second of the run, whatever their number', async () => {
  const path = '/concerts/steady/queue/state';
  const started = Date.now();
  // 1,000 simulated viewers, each polling about every 2.5 s at its own phase, over real HTTP through the cache.
  await Promise.all(
    Array.from({ length: 1_000 }, async (_, viewer) => {
      await sleep((viewer / 1_000) * 2_500);
      const answer = await http.request('GET', path);
      expect(answer.status).toBe(200);
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const count = cache.take().get(path)!;
  expect(count.hits + count.misses).toBe(1_000);
  expect(count.requests).toBeGreaterThanOrEqual(2);
  expect(count.requests).toBeLessThanOrEqual(Math.floor(seconds) + 1);
});

test('every other path passes through uncached, with its headers', async () => {
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push(await http.request('GET', '/concerts/c-1/queue?x=1', { token: 'signed-in' }));
  expect(answers.map((answer) => answer.body)).toEqual(
    Array(3).fill({ path: '/concerts/c-1/queue?x=1', authorization: 'Bearer signed-in' }),
  );
  expect(seen).toHaveLength(3);
  expect(cache.take().size).toBe(0);
  // Only reads of the state are cached: any other method of its path goes to the origin as it came.
  const posted = await http.request('POST', STATE, { body: { a: 1 } });
  expect(posted.body).toEqual({ path: STATE, authorization: null });
  expect(seen.at(-1)).toMatchObject({ method: 'POST', path: STATE });
  expect(cache.take().size).toBe(0);
});
