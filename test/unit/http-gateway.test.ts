import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorResponse } from '../../functions/http/responses';
import type { ErrorCode } from '../../functions/shared/errors';
import { gatewayError, jsonAnswer, startLocalGateway, type GatewayEvent, type LocalGateway } from '../../local/http-gateway';
import { createLocalIssuer } from '../../local/local-issuer';

let gateway: LocalGateway;
let dataDir: string;
const seen: GatewayEvent[] = [];
const answer = (name: string) => async (event: GatewayEvent) => {
  seen.push(event);
  return { statusCode: 200, body: JSON.stringify({ name, path: event.pathParameters ?? null }) };
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gateway-'));
  gateway = await startLocalGateway({
    port: 0,
    issuer: await createLocalIssuer(dataDir),
    routes: [
      { routeKey: 'ANY /files/{path+}', authorized: false, invoke: answer('any-greedy') },
      { routeKey: 'GET /files/{path+}', authorized: false, invoke: answer('get-greedy') },
      { routeKey: 'GET /files/readme', authorized: false, invoke: answer('literal') },
      { routeKey: 'GET /private/{id}', authorized: true, invoke: answer('private') },
    ],
    defaultRoute: answer('$default'),
    localJobs: new Map([['/local/jobs/tick', async () => jsonAnswer(200, { ticked: true })]]),
  });
});
afterAll(async () => {
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const get = async (path: string, init?: RequestInit) => {
  const response = await fetch(`${gateway.url}${path}`, init);
  return { status: response.status, body: (await response.json()) as any };
};

test("the gateway's own answers have exactly the shape and headers of the functions' errors", () => {
  const codes: Array<[number, ErrorCode]> = [
    [400, 'VALIDATION_ERROR'],
    [401, 'UNAUTHENTICATED'],
    [404, 'NOT_FOUND'],
    [413, 'PAYLOAD_TOO_LARGE'],
    [415, 'UNSUPPORTED_MEDIA_TYPE'],
    [500, 'INTERNAL'],
  ];
  for (const [status, code] of codes) expect(gatewayError(status, code, 'm')).toEqual(errorResponse(code, 'm'));
  const details = [{ path: 'userId', message: 'required' }];
  expect(gatewayError(400, 'VALIDATION_ERROR', 'm', details)).toEqual(errorResponse('VALIDATION_ERROR', 'm', { details }));
});

test('a literal route wins over a greedy one, and a named method over ANY, as in API Gateway', async () => {
  expect((await get('/files/readme')).body.name).toBe('literal');
  expect((await get('/files/a/b.txt')).body).toEqual({ name: 'get-greedy', path: { path: 'a/b.txt' } });
  expect((await get('/files/a', { method: 'DELETE' })).body.name).toBe('any-greedy');
  expect((await get('/elsewhere')).body.name).toBe('$default');
});

test('an authorized route needs a token of the issuer; the function sees its claims', async () => {
  expect(await get('/private/7')).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
  const minted = await get('/local/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"userId":"ada","groups":["admin"]}',
  });
  const reply = await get('/private/7', { headers: { authorization: `Bearer ${minted.body.accessToken}` } });
  expect(reply.body.name).toBe('private');
  expect(seen.at(-1)!.requestContext.authorizer.jwt.claims).toMatchObject({ sub: 'ada', 'cognito:groups': '[admin]' });
});

test('repeated headers reach the function joined with commas, as API Gateway joins them; a chunked body is read whole', async () => {
  const { request } = await import('node:http');
  const url = new URL(gateway.url);
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/files/readme',
        // Raw pairs, so the same name goes out twice (and one named like an object's prototype).
        headers: [
          'Host',
          url.host,
          'X-Tag',
          'a',
          'x-tag',
          'b',
          '__proto__',
          'p',
          'Content-Type',
          'text/plain',
          'Transfer-Encoding',
          'chunked',
        ],
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.write('hello ');
    req.end('world');
  });
  expect(status).toBe(200);
  expect(seen.at(-1)!.routeKey).toBe('ANY /files/{path+}'); // POST: the literal and GET routes are not its method's
  const event = seen.at(-1)!;
  expect(event.headers['x-tag']).toBe('a,b');
  expect(Object.getOwnPropertyDescriptor(event.headers, '__proto__')?.value).toBe('p');
  expect(Object.getPrototypeOf(event.headers)).toBe(Object.prototype);
  expect(event.body).toBe('hello world');
});

test("local jobs answer their own result; an unknown local path is the contract's 404", async () => {
  expect(await get('/local/jobs/tick', { method: 'POST' })).toEqual({ status: 200, body: { ticked: true } });
  expect(await get('/local/jobs/nothing', { method: 'POST' })).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
});
