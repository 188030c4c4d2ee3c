import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { errorResponses } from '../../functions/http/middleware/error-responses';
import {
  ORIGIN_SECRET_ENV,
  ORIGIN_SECRET_HEADER,
  ORIGIN_SECRET_MAX_AGE_MS,
  originSecret,
  type LoadOriginSecrets,
} from '../../functions/http/middleware/origin-secret';
import { apiEvent } from '../support/api-event';

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
type Result = APIGatewayProxyStructuredResultV2;

/** The shared error middleware, then the origin check, then a handler that answers 200. */
function handlerWith(check: ReturnType<typeof originSecret>) {
  const handler = middy<Event, Result>()
    .use([errorResponses(), check])
    .handler(async () => ({ statusCode: 200, body: '{"status":"ok"}' }));
  return (headers: Record<string, string> = {}) => handler(apiEvent('GET /health', { headers }), {} as Context) as Promise<Result>;
}

const errorOf = (result: Result) => JSON.parse(result.body ?? '{}').error;

describe('deployed (a secret is named)', () => {
  let clock = 0;
  let calls = 0;
  let values: string[] = ['current-secret-value', ''];
  const load: LoadOriginSecrets = async (secretId) => {
    expect(secretId).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:origin');
    calls += 1;
    return values;
  };
  const call = handlerWith(
    originSecret({ secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:origin', load, now: () => clock }),
  );

  test('the header CloudFront adds lets the request through', async () => {
    expect((await call({ [ORIGIN_SECRET_HEADER]: 'current-secret-value' })).statusCode).toBe(200);
  });

  test.each([
    ['no header', {}],
    ['an empty header', { [ORIGIN_SECRET_HEADER]: '' }],
    ['a wrong value', { [ORIGIN_SECRET_HEADER]: 'current-secret-valuE' }],
    ['a prefix of the value', { [ORIGIN_SECRET_HEADER]: 'current-secret' }],
    ['the value with more after it', { [ORIGIN_SECRET_HEADER]: 'current-secret-value-and-more' }],
    ['the value in another header', { 'x-origin-verify-2': 'current-secret-value' }],
  ])("%s is 403 FORBIDDEN in the contract's shape, and the handler never runs", async (_, headers) => {
    const result = await call(headers);
    expect(result.statusCode).toBe(403);
    expect(errorOf(result)).toEqual({ code: 'FORBIDDEN', message: expect.any(String) });
  });

  test('the values are read once per instance and kept a few minutes; then read again, so a rotation is seen', async () => {
    const before = calls;
    await call({ [ORIGIN_SECRET_HEADER]: 'current-secret-value' });
    await call({ [ORIGIN_SECRET_HEADER]: 'current-secret-value' });
    expect(calls).toBe(before);

    // Rotated: the new value is current, the old one previous; both pass until CloudFront sends only the new one.
    values = ['rotated-secret-value', 'current-secret-value'];
    clock += ORIGIN_SECRET_MAX_AGE_MS;
    expect((await call({ [ORIGIN_SECRET_HEADER]: 'rotated-secret-value' })).statusCode).toBe(200);
    expect(calls).toBe(before + 1);
    expect((await call({ [ORIGIN_SECRET_HEADER]: 'current-secret-value' })).statusCode).toBe(200);
    expect((await call({ [ORIGIN_SECRET_HEADER]: 'another-value' })).statusCode).toBe(403);
  });

  test('an empty previous value (before the first rotation) never matches an empty header', async () => {
    values = ['only-value', ''];
    clock += ORIGIN_SECRET_MAX_AGE_MS;
    expect((await call({ [ORIGIN_SECRET_HEADER]: '' })).statusCode).toBe(403);
    expect((await call({ [ORIGIN_SECRET_HEADER]: 'only-value' })).statusCode).toBe(200);
  });
});

test('when the secret cannot be read, it fails closed: 503 UNAVAILABLE with Retry-After, never a pass', async () => {
  const call = handlerWith(
    originSecret({
      secretId: 'arn:x',
      load: async () => Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException' })),
    }),
  );
  const result = await call({ [ORIGIN_SECRET_HEADER]: 'anything' });
  expect(result.statusCode).toBe(503);
  expect(errorOf(result).code).toBe('UNAVAILABLE');
  expect(result.headers).toMatchObject({ 'retry-after': '2' });
  expect(result.body).not.toContain('ThrottlingException');
});

test('concurrent first requests of an instance share one read', async () => {
  let reads = 0;
  const call = handlerWith(originSecret({ secretId: 'arn:x', load: async () => ((reads += 1), ['v']) }));
  const results = await Promise.all(Array.from({ length: 5 }, () => call({ [ORIGIN_SECRET_HEADER]: 'v' })));
  expect(results.map((result) => result.statusCode)).toEqual([200, 200, 200, 200, 200]);
  expect(reads).toBe(1);
});

describe("which secret: the function's environment", () => {
  const saved = process.env[ORIGIN_SECRET_ENV];
  afterEach(() => (saved === undefined ? delete process.env[ORIGIN_SECRET_ENV] : (process.env[ORIGIN_SECRET_ENV] = saved)));

  test('locally ORIGIN_SECRET_ARN is unset: no check, nothing read', async () => {
    delete process.env[ORIGIN_SECRET_ENV];
    let reads = 0;
    const call = handlerWith(originSecret({ load: async () => ((reads += 1), ['v']) }));
    expect((await call()).statusCode).toBe(200);
    expect(reads).toBe(0);
  });

  test('deployed the stack sets it: the check is on', async () => {
    process.env[ORIGIN_SECRET_ENV] = 'arn:from-env';
    const call = handlerWith(originSecret({ load: async (id) => (id === 'arn:from-env' ? ['v'] : []) }));
    expect((await call()).statusCode).toBe(403);
    expect((await call({ [ORIGIN_SECRET_HEADER]: 'v' })).statusCode).toBe(200);
  });
});
