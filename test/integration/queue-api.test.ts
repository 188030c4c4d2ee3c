import { startLocalApi, type LocalApi } from '../support/local-api';

let api: LocalApi;
let alice: string;
let bob: string;

beforeAll(async () => {
  api = await startLocalApi();
  [alice, bob] = await Promise.all([api.tokenFor('alice'), api.tokenFor('bob')]);
});
afterAll(() => api.stop());

const join = (token: string, concertId = 'aurora-live') => api.request('POST', `/concerts/${concertId}/queue`, { token });
const poll = (token: string, queueToken?: string, concertId = 'aurora-live') =>
  api.request('GET', `/concerts/${concertId}/queue`, { token, queueToken });

test('the waiting room over HTTP: join, join again, poll, admitted, poll', async () => {
  const joined = await join(alice);
  expect(joined.status).toBe(201);
  expect(Object.keys(joined.body).sort()).toEqual(['concertId', 'estimatedWaitSeconds', 'position', 'status', 'token']);
  expect(joined.body).toMatchObject({ concertId: 'aurora-live', status: 'WAIT', position: 1 });
  expect(Number(joined.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

  const again = await join(alice);
  expect(again.status).toBe(200);
  expect(again.body.token).toBe(joined.body.token);

  const waiting = await poll(alice, joined.body.token);
  expect(waiting.status).toBe(200);
  expect(waiting.body).toMatchObject({ status: 'WAIT', position: 1, token: joined.body.token });
  expect(waiting.body.activeUntil).toBeUndefined();
  expect(waiting.headers.get('retry-after')).toMatch(/^\d+$/);

  const run = await api.request('POST', '/local/jobs/activate');
  expect(run.status).toBe(200);
  expect(run.body.concerts).toEqual(expect.arrayContaining([expect.objectContaining({ concertId: 'aurora-live', admitted: 1 })]));

  const active = await poll(alice, joined.body.token);
  expect(active.body).toMatchObject({ status: 'ACTIVE', position: 0, estimatedWaitSeconds: 0 });
  expect(Date.parse(active.body.activeUntil)).toBeGreaterThan(Date.now());

  const expiry = await api.request('POST', '/local/jobs/expire');
  expect(expiry.status).toBe(200);
  expect(expiry.body.concerts).toEqual(expect.arrayContaining([{ concertId: 'aurora-live', expired: 0 }]));
});

test('50 simultaneous joins by one user over HTTP: one 201, 49 × 200, one token', async () => {
  const responses = await Promise.all(Array.from({ length: 50 }, () => join(bob, 'neon-harbor')));
  expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
  expect(responses.filter((r) => r.status === 200)).toHaveLength(49);
  expect(new Set(responses.map((r) => r.body.token)).size).toBe(1);
});

describe('errors of the contract', () => {
  test('401 without a valid bearer token, on join and poll', async () => {
    for (const response of [
      await api.request('POST', '/concerts/aurora-live/queue'),
      await api.request('POST', '/concerts/aurora-live/queue', { headers: { authorization: 'Bearer not-a-jwt' } }),
      await api.request('POST', '/concerts/aurora-live/queue', { headers: { authorization: `Basic ${alice}` } }),
      await api.request('GET', '/concerts/aurora-live/queue', { headers: { authorization: 'Bearer a.b.c' } }),
    ]) {
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHENTICATED');
    }
  });

  test("403 when the queue token is missing, another user's, another concert's, or made up", async () => {
    const { body } = await join(alice, 'midnight-orchestra');
    expect((await poll(alice, undefined, 'midnight-orchestra')).body.error.code).toBe('QUEUE_TOKEN_REQUIRED');
    for (const response of [
      await poll(bob, body.token, 'midnight-orchestra'),
      await poll(alice, body.token, 'aurora-live'),
      await poll(alice, 'qt.bWlkbmlnaHQtb3JjaGVzdHJh.AAAAAAAAAAAAAAAAAAAAAAAA', 'midnight-orchestra'),
      await poll(alice, 'nonsense', 'midnight-orchestra'),
    ]) {
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('QUEUE_TOKEN_INVALID');
    }
  });

  test('404 for an unknown concert and an unknown route, as JSON', async () => {
    const unknownConcert = await join(alice, 'no-such-concert');
    expect(unknownConcert.status).toBe(404);
    expect(unknownConcert.body.error.code).toBe('NOT_FOUND');
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/health'],
      ['GET', '/concerts/aurora-live/nope'],
      ['GET', '/apps'],
    ]) {
      const response = await api.request(method, path);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
    }
  });

  test('400 for a concert id that cannot exist, with the field named', async () => {
    const response = await join(alice, 'x'.repeat(65));
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: 'concertId' }] });
    expect((await join(alice, 'bad%20id')).status).toBe(400);
  });

  test('415 / 413 / 400 for bodies that break the rules, and nothing joined', async () => {
    const path = '/concerts/neon-harbor/queue';
    const carol = await api.tokenFor('carol');
    const wrongType = await api.request('POST', path, { token: carol, body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect([wrongType.status, wrongType.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const tooLarge = await api.request('POST', path, { token: carol, body: { pad: 'x'.repeat(17 * 1024) } });
    expect([tooLarge.status, tooLarge.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const malformed = await api.request('POST', path, { token: carol, body: '{"a":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toEqual({ code: 'VALIDATION_ERROR', message: expect.any(String) });
    const unknownField = await api.request('POST', path, { token: carol, body: { priority: true } });
    expect(unknownField.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: 'priority', message: 'unknown field' }] });

    const first = await join(carol, 'neon-harbor');
    expect(first.status).toBe(201); // none of the refused requests joined
  });

  test('POST /local/token validates its body', async () => {
    const response = await api.request('POST', '/local/token', { body: { userId: '' } });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0].path).toBe('userId');
  });
});
