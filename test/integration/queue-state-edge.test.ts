/**
 * The queue's public state as CloudFront serves it, locally: the local server answers
 * `GET /api/concerts/{concertId}/queue/state` with the headers the deployed API sends, and the
 * bench's edge cache in front of it (bench/edge-cache.ts, keyed and cached like the distribution's
 * state behaviour) turns many concurrent polls into one computation, while authenticated calls pass
 * through it untouched.
 */
import { EdgeCache } from '../../bench/edge-cache';
import { HttpClient } from '../../bench/http-client';
import { sleep } from '../../bench/stats';
import { startLocalApi, type LocalApi } from '../support/local-api';

let api: LocalApi;
let cache: EdgeCache;
let viewers: HttpClient;
let concertId: string;

beforeAll(async () => {
  api = await startLocalApi();
  cache = await EdgeCache.start({ originUrl: api.url, cached: (path) => /^\/api\/concerts\/[^/]+\/queue\/state$/.test(path) });
  viewers = new HttpClient(cache.url, 64);
  concertId = (await api.request('GET', '/concerts')).body.concerts[0].concertId;
}, 60_000);

afterAll(async () => {
  viewers?.close();
  await cache?.close();
  await api?.stop();
});

test('the local server answers the state under /api and at the root, public for a second, with no sign-in', async () => {
  for (const path of [`/api/concerts/${concertId}/queue/state`, `/concerts/${concertId}/queue/state`]) {
    const answer = await api.request('GET', path);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toMatch(/^public, max-age=1, stale-while-revalidate=\d+$/);
    expect(answer.body).toMatchObject({ concertId, admittedSeq: expect.any(Number), paused: false });
  }
  const unknown = await api.request('GET', '/api/concerts/no-such-concert/queue/state');
  expect(unknown.status).toBe(404);
  expect(unknown.headers.get('cache-control')).toBe('no-store');
});

test('through the edge cache: 300 polls at once cost one computation a second, and admission shows within the cache time', async () => {
  const path = `/api/concerts/${concertId}/queue/state`;
  const token = await api.tokenFor('edge-waiter');
  const joined = await viewers.request('POST', `/api/concerts/${concertId}/queue`, { token });
  expect(joined.status).toBe(201);
  await sleep(1_100);
  cache.take();

  const started = Date.now();
  const before = await Promise.all(Array.from({ length: 300 }, () => viewers.request('GET', path)));
  const seconds = (Date.now() - started) / 1000;
  expect(before.every((answer) => answer.status === 200)).toBe(true);
  // One computation, and one more for each second the 300 took to get through (the answer is fresh for a second).
  expect(cache.take().get(path)?.requests).toBeLessThanOrEqual(1 + Math.floor(seconds));
  const { admittedSeq } = before[0].body;

  // The authenticated poll passes through, with its headers, every time.
  for (let i = 0; i < 2; i++) {
    const polled = await viewers.request('GET', `/api/concerts/${concertId}/queue`, { token, queueToken: joined.body.token });
    expect(polled.status).toBe(200);
    expect(polled.headers['x-cache']).toBeUndefined();
  }
  expect(cache.take().size).toBe(0);

  await api.request('POST', '/local/jobs/activate');
  // max-age=1 and stale-while-revalidate: the new state is served at most a second or two later.
  let after = before[0].body;
  for (let tries = 0; after.admittedSeq === admittedSeq && tries < 50; tries++) {
    await sleep(200);
    after = (await viewers.request('GET', path)).body;
  }
  expect(after.admittedSeq).toBeGreaterThan(admittedSeq);
});
