/**
 * `GET /concerts/{concertId}/queue/state` over real HTTP on DynamoDB Local: public, cacheable, one
 * admission read a second per instance whoever asks, and a place the page works out from it (with
 * the page's own code, web/src/queue-place.ts) that equals the authenticated poll's, on a sharded line.
 */
import { countDynamoDbCalls } from '../../bench/dynamodb-calls';
import { queueStateSchema } from '../../functions/http/response-schemas';
import { queueKeys } from '../../functions/queue/queue-keys';
import { QUEUE_STATE_CACHE_CONTROL } from '../../functions/queue/queue-state';
import { documentClient } from '../../functions/shared/dynamodb-client';
import type { QueueState, QueueStatus } from '../../web/src/api-types';
import { claimsOf, placeFrom, reckon } from '../../web/src/queue-place';
import { startLocalApi, type LocalApi } from '../support/local-api';
import { seededRandom } from '../support/seeded-random';
import { createConcertAsAdmin } from '../support/admin-concerts';

// A sharded line: the place rule with epochs and rounds, over HTTP. The handlers read it on first use.
process.env.QUEUE_SHARDS = '3';

/** Past the server's 1 s admission cache: every answer after it reads what was last written. */
const cacheTimePasses = () => new Promise((resolve) => setTimeout(resolve, 1_150));

let api: LocalApi;
let admin: string;
let serial = 0;

beforeAll(async () => {
  api = await startLocalApi();
  admin = await api.tokenFor('state-ops', ['admin']);
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

const newConcert = () =>
  createConcertAsAdmin(api, admin, {
    title: `State Hall ${++serial}`,
    venue: 'Hall',
    schedules: [{ date: '2099-01-01', seats: [{ seatNumber: 1, price: 10_000 }] }],
  });

async function changeSettings(concertId: string, change: Record<string, unknown>): Promise<void> {
  expect((await api.request('PATCH', `/admin/concerts/${concertId}/waiting-room`, { token: admin, body: change })).status).toBe(200);
}

const admit = async () => expect((await api.request('POST', '/local/jobs/activate')).status).toBe(200);

describe('the queue state route', () => {
  test('answers without a JWT, the same for everyone, cacheable for a second; an unknown concert is a 404', async () => {
    const concertId = await newConcert();
    const token = await api.tokenFor('state-ann');
    const joined = await api.request('POST', `/concerts/${concertId}/queue`, { token });
    expect(joined.status).toBe(201);

    for (const path of [`/concerts/${concertId}/queue/state`, `/api/concerts/${concertId}/queue/state`]) {
      const answer = await api.request<QueueState>('GET', path);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe(QUEUE_STATE_CACHE_CONTROL);
      expect(answer.headers.get('cache-control')).toMatch(/^public, max-age=1, stale-while-revalidate=\d+$/);
      expect(answer.headers.get('retry-after')).toBeNull();
      expect(answer.headers.get('set-cookie')).toBeNull();
      expect(queueStateSchema.strict().parse(answer.body)).toEqual(answer.body);
      expect(answer.body).toMatchObject({ concertId, admittedSeq: 0, paused: false, saleOpensAt: null, preQueue: null });
      expect(answer.body.shards?.admitted).toEqual([0, 0, 0]);
      // Nothing about one user: not the token, not who joined.
      expect(JSON.stringify(answer.body)).not.toContain('state-ann');
      expect(JSON.stringify(answer.body)).not.toContain(joined.body.token);
    }
    // A JWT changes nothing: the answer is the public one.
    const signedIn = await api.request('GET', `/concerts/${concertId}/queue/state`, { token });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('cache-control')).toBe(QUEUE_STATE_CACHE_CONTROL);

    const unknown = await api.request('GET', '/concerts/no-such-concert/queue/state');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    expect(unknown.headers.get('cache-control')).toBe('no-store');
    expect((await api.request('GET', '/concerts/bad%20id/queue/state')).body.error.code).toBe('VALIDATION_ERROR');
    // The authenticated poll is as it was: it still wants the JWT.
    expect((await api.request('GET', `/concerts/${concertId}/queue`, { queueToken: joined.body.token })).status).toBe(401);
  });

  test('reads the admission record at most once a second per instance, however many ask', async () => {
    const concertId = await newConcert();
    await api.request('GET', `/concerts/${concertId}/queue/state`); // the concert lookup, cached a minute from here
    await cacheTimePasses();
    const counter = countDynamoDbCalls(documentClient, { inputs: true });
    const admissionPk = queueKeys.admission(concertId).pk;
    const started = Date.now();
    try {
      for (let burst = 0; burst < 6; burst++) {
        const answers = await Promise.all(Array.from({ length: 20 }, () => api.request('GET', `/concerts/${concertId}/queue/state`)));
        expect(answers.every((answer) => answer.status === 200)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const seconds = (Date.now() - started) / 1000;
      const admissionReads = counter.records.filter((call) => JSON.stringify(call.input ?? {}).includes(admissionPk));
      expect(admissionReads.length).toBeGreaterThanOrEqual(1);
      expect(admissionReads.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
      // 120 answers and nothing else read: no per-user item, no catalogue.
      expect(counter.records.length).toBe(admissionReads.length);
    } finally {
      counter.detach();
    }
  });

  test('the place the page works out from it equals the authenticated poll, over random sharded lines and a shuffled opening', async () => {
    for (const seed of [1, 2, 3]) {
      const random = seededRandom(seed); // each random case is the same every run
      const concertId = await newConcert();
      const preQueue = seed === 3;
      if (preQueue) await changeSettings(concertId, { saleOpensAt: new Date(Date.now() + 60_000).toISOString() });
      await changeSettings(concertId, { maxActive: 1 + Math.floor(random() * 3) });
      const users: { token: string; queueToken: string; place?: number }[] = [];
      const join = async (count: number) => {
        for (let i = 0; i < count; i++) {
          const token = await api.tokenFor(`state-${seed}-${users.length}`);
          const joined = await api.request('POST', `/concerts/${concertId}/queue`, { token });
          expect(joined.status).toBe(201);
          users.push({ token, queueToken: joined.body.token });
        }
      };
      await join(4 + Math.floor(random() * 6));
      if (preQueue) {
        await compare(concertId, users); // before the opening: no place for anyone
        await changeSettings(concertId, { saleOpensAt: new Date(Date.now() + 1_000).toISOString() });
        await new Promise((resolve) => setTimeout(resolve, 1_100));
      }
      for (let round = 0; round < 3; round++) {
        await join(Math.floor(random() * 4));
        await changeSettings(concertId, { maxActive: 1 + round + Math.floor(random() * 4) + (preQueue ? round * 2 : 0) });
        await admit();
        await compare(concertId, users);
      }
    }
    // Every kind of answer was compared: waiting, admitted, and a shuffled place heard from the poll.
    expect(seen.WAIT).toBeGreaterThan(10);
    expect(seen.ADMITTED).toBeGreaterThan(3);
    expect(seen.PLACED_BY_POLL).toBeGreaterThan(0);
  }, 120_000);
});

/** Each user's place as the page works it out from the state, against what the authenticated poll says. */
const seen = { WAIT: 0, ADMITTED: 0, PLACED_BY_POLL: 0 };

async function compare(concertId: string, users: { token: string; queueToken: string; place?: number }[]): Promise<void> {
  await cacheTimePasses();
  const state = (await api.request<QueueState>('GET', `/concerts/${concertId}/queue/state`)).body;
  for (const user of users) {
    const claims = claimsOf(user.queueToken)!;
    const polled = await api.request<QueueStatus>('GET', `/concerts/${concertId}/queue`, {
      token: user.token,
      queueToken: user.queueToken,
    });
    expect(polled.status).toBe(200);
    let reckoning = reckon(user.queueToken, claims, state, user.place, Date.now());
    if (reckoning.kind === 'UNPLACED') {
      // After a shuffled opening the page asks the poll once: its place follows from that answer and the state.
      user.place = placeFrom(polled.body, claims, state);
      if (user.place === undefined) {
        expect(['ACTIVE', 'EXPIRED']).toContain(polled.body.status);
        continue;
      }
      seen.PLACED_BY_POLL++;
      reckoning = reckon(user.queueToken, claims, state, user.place, Date.now());
    }
    if (reckoning.kind === 'ADMITTED') {
      seen.ADMITTED++;
      expect(['ACTIVE', 'EXPIRED']).toContain(polled.body.status);
      continue;
    }
    seen.WAIT++;
    expect(reckoning.kind).toBe('WAIT');
    if (reckoning.kind !== 'WAIT') continue;
    expect(reckoning.status).toEqual(polled.body);
    expect(String(reckoning.retryAfterSeconds)).toBe(polled.headers.get('retry-after'));
  }
}
