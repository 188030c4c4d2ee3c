/**
 * The local server answers only requests addressed to itself (its loopback address and port in
 * Host), so a page of another site that rebinds its DNS name to 127.0.0.1 can neither mint local
 * tokens nor call the API. And it serves the API under /api as well as at the root, as deployed.
 */
import { request as httpRequest } from 'node:http';
import { startLocalApi, type LocalApi } from '../support/local-api';
import { snapshotTables } from './support';

let api: LocalApi;
let port: string;

beforeAll(async () => {
  api = await startLocalApi();
  port = new URL(api.url).port;
});
afterAll(() => api.stop());

/** A request with exactly this Host header (fetch would set its own). */
function requestWithHost(host: string | undefined, method: string, path: string, body?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> =
    body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  if (host !== undefined) headers.host = host;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers, agent: false, setHost: host === undefined ? false : undefined },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

test.each([
  ['another name', 'evil.example'],
  ['another name on our port', () => `attacker.example:${port}`],
  ['our address on another port', '127.0.0.1:1'],
  ['a name that resolves here but is not ours', () => `127.0.0.1.nip.io:${port}`],
])('400 VALIDATION_ERROR for a Host of %s, on every kind of path, and no token is minted', async (_, hostOf) => {
  const host = typeof hostOf === 'function' ? hostOf() : hostOf;
  const before = await snapshotTables();
  for (const [method, path, body] of [
    ['POST', '/local/token', '{"userId":"mallory","groups":["admin"]}'],
    ['POST', '/api/local/token', '{"userId":"mallory"}'],
    ['GET', '/concerts', undefined],
    ['GET', '/', undefined],
    ['POST', '/local/jobs/activate', undefined],
  ] as const) {
    const response = await requestWithHost(host, method, path, body);
    expect({ path, status: response.status, code: response.body?.error?.code }).toEqual({ path, status: 400, code: 'VALIDATION_ERROR' });
    expect(response.body.error.message).toContain(`127.0.0.1:${port}`);
    expect(response.body.accessToken).toBeUndefined();
  }
  expect(await snapshotTables()).toEqual(before);
});

test('no Host header at all is refused too (Node refuses an HTTP/1.1 request without one before the server sees it)', async () => {
  const response = await requestWithHost(undefined, 'GET', '/concerts');
  expect(response.status).toBe(400);
});

test('its own address and localhost, on its port, in any case, are answered', async () => {
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
    expect((await requestWithHost(host, 'GET', '/concerts')).status).toBe(200);
    expect((await requestWithHost(host, 'POST', '/local/token', '{"userId":"alice"}')).status).toBe(200);
  }
});

describe('the API under /api, as deployed, and at the root, as the contract says locally', () => {
  test('the same routes, the same handlers, the same answers', async () => {
    const token = await api.tokenFor('priya');
    const [root, prefixed] = await Promise.all([api.request('GET', '/concerts'), api.request('GET', '/api/concerts')]);
    expect(prefixed.status).toBe(200);
    expect(prefixed.body).toEqual(root.body);
    expect((await api.request('GET', '/api/balance', { token })).body).toEqual({ balance: 0 });
    expect((await api.request('GET', '/api/health')).body).toEqual({ status: 'ok' });
    const minted = await api.request('POST', '/api/local/token', { body: { userId: 'priya' } });
    expect(minted.status).toBe(200);
    expect((await api.request('GET', '/api/balance', { token: minted.body.accessToken })).status).toBe(200);
  });

  test('auth is checked the same way under /api', async () => {
    const noToken = await api.request('GET', '/api/balance');
    expect([noToken.status, noToken.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const notAdmin = await api.request('POST', '/api/admin/concerts', { token: await api.tokenFor('quinn', ['Admin']), body: {} });
    expect([notAdmin.status, notAdmin.body.error.code]).toEqual([403, 'FORBIDDEN']);
  });

  test('the page and the API docs live only at the root: /api/ and /api/docs are the JSON 404', async () => {
    for (const path of ['/api', '/api/', '/api/docs', '/api/openapi.json', '/api/app/config.json']) {
      const response = await api.request('GET', path);
      expect({ path, status: response.status, code: response.body?.error?.code }).toEqual({ path, status: 404, code: 'NOT_FOUND' });
    }
  });
});
