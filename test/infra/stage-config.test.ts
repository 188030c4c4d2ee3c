import { App } from 'aws-cdk-lib';
import { DEFAULT_ROUTE_THROTTLES, DEFAULT_THROTTLE, readStageConfig } from '../../lib/stage-config';

const configOf = (context: Record<string, unknown>) => readStageConfig(new App({ context }).node);

const securityDefaults = {
  throttle: DEFAULT_THROTTLE,
  routeThrottles: DEFAULT_ROUTE_THROTTLES,
  allowedOrigins: [],
  jobReservedConcurrency: undefined,
  webSite: true,
};

test('the stage defaults to dev, with the settings of functions/shared/config.ts', () => {
  expect(configOf({})).toEqual({
    ...securityDefaults,
    stage: 'dev',
    settingsEnvironment: {
      HOLD_SECONDS: '300',
      ACTIVE_SECONDS: '600',
      ADMIT_PER_TICK: '100',
      MAX_ACTIVE_PER_CONCERT: '1000',
      JOB_INTERVAL_SECONDS: '60',
      POLL_ADMISSION_CACHE_MS: '1000',
    },
  });
});

test('stage and settings come from context', () => {
  const config = configOf({ stage: 'load-test', holdSeconds: '120', activeSeconds: 300, admitPerTick: '500', maxActivePerConcert: '5000' });
  expect(config).toEqual({
    ...securityDefaults,
    stage: 'load-test',
    settingsEnvironment: {
      HOLD_SECONDS: '120',
      ACTIVE_SECONDS: '300',
      ADMIT_PER_TICK: '500',
      MAX_ACTIVE_PER_CONCERT: '5000',
      JOB_INTERVAL_SECONDS: '60',
      POLL_ADMISSION_CACHE_MS: '1000',
    },
  });
});

test("a turn lasts at most an hour, as a concert's own activeSeconds: with one batch on the admission record per run, longer turns filled its 400 KB", () => {
  expect(configOf({ activeSeconds: 3600 }).settingsEnvironment.ACTIVE_SECONDS).toBe('3600');
  // 8 hours: 480 live batches, about 470 KB of them at 64 shards.
  expect(() => configOf({ activeSeconds: 28_800, queueShards: 64 })).toThrow(/ACTIVE_SECONDS: expected a whole number from 1 to 3600/);
});

test('the poll admission cache is named to the functions even when turned off, and is at most 1 s', () => {
  expect(configOf({ pollAdmissionCacheMs: 0 }).settingsEnvironment.POLL_ADMISSION_CACHE_MS).toBe('0');
  expect(configOf({ pollAdmissionCacheMs: '250' }).settingsEnvironment.POLL_ADMISSION_CACHE_MS).toBe('250');
  expect(() => configOf({ pollAdmissionCacheMs: 2000 })).toThrow(/POLL_ADMISSION_CACHE_MS/);
});

describe('throttling, CORS origins and job concurrency from context', () => {
  test('the stage throttle and per-route limits, over the defaults', () => {
    const config = configOf({
      throttleRate: '300',
      throttleBurst: 600,
      routeThrottles: '{"POST /payments":{"rateLimit":5,"burstLimit":9}}',
    });
    expect(config.throttle).toEqual({ rateLimit: 300, burstLimit: 600 });
    expect(config.routeThrottles).toEqual({ ...DEFAULT_ROUTE_THROTTLES, 'POST /payments': { rateLimit: 5, burstLimit: 9 } });
    // From cdk.json the object arrives parsed.
    expect(configOf({ routeThrottles: { 'GET /health': { rateLimit: 1, burstLimit: 2 } } }).routeThrottles['GET /health']).toEqual({
      rateLimit: 1,
      burstLimit: 2,
    });
  });

  test('money and admin routes are throttled tighter than the stage by default', () => {
    for (const key of ['POST /payments', 'POST /balance/charge', 'POST /admin/concerts']) {
      expect(DEFAULT_ROUTE_THROTTLES[key].rateLimit).toBeLessThan(DEFAULT_THROTTLE.rateLimit);
    }
  });

  test('jobs reserve no concurrency unless asked to; the web page is on unless turned off', () => {
    expect(configOf({}).jobReservedConcurrency).toBeUndefined();
    expect(configOf({ jobReservedConcurrency: '1' }).jobReservedConcurrency).toBe(1);
    expect(configOf({ webSite: 'false' }).webSite).toBe(false);
    expect(configOf({ webSite: false }).webSite).toBe(false);
  });

  test('allowed origins as a comma list or a list; none by default', () => {
    expect(configOf({ allowedOrigins: 'https://tickets.example, http://localhost:5173' }).allowedOrigins).toEqual([
      'https://tickets.example',
      'http://localhost:5173',
    ]);
    expect(configOf({ allowedOrigins: ['https://tickets.example'] }).allowedOrigins).toEqual(['https://tickets.example']);
  });

  test.each([
    [{ allowedOrigins: '*' }, /allowedOrigins.0: must be https/],
    [{ allowedOrigins: 'https://*.example' }, /allowedOrigins.0/],
    [{ allowedOrigins: 'http://tickets.example' }, /allowedOrigins.0/],
    [{ allowedOrigins: 'https://tickets.example/app' }, /allowedOrigins.0/],
    [{ routeThrottles: '{"GET /nowhere":{"rateLimit":1,"burstLimit":1}}' }, /routeThrottles.GET \/nowhere: is not a route/],
    [{ routeThrottles: '{"POST /payments":{"rateLimit":0,"burstLimit":1}}' }, /routeThrottles.POST \/payments.rateLimit/],
    [{ routeThrottles: 'not json' }, /not JSON/],
    [{ throttleRate: '-1' }, /throttleRate\/throttleBurst.rateLimit/],
    [{ jobReservedConcurrency: '0' }, /jobReservedConcurrency/],
    [{ webSite: 'no' }, /webSite/],
  ])('%j stops the synth', (context, message) => {
    expect(() => configOf(context)).toThrow(message);
  });
});

test('a stage name that cannot be part of a stack name stops the synth', () => {
  expect(() => configOf({ stage: 'Prod_1' })).toThrow("stage 'Prod_1' must be lower-case letters");
});

test('an invalid setting stops the synth with its name', () => {
  expect(() => configOf({ holdSeconds: 'soon' })).toThrow(/invalid settings: HOLD_SECONDS/);
});

test('a handler group without a table access entry stops the synth', () => {
  jest.isolateModules(() => {
    jest.doMock('../../lib/table-access', () => {
      const actual = jest.requireActual('../../lib/table-access');
      const { queue: _missing, ...others } = actual.handlerGroupTableAccess;
      return { ...actual, handlerGroupTableAccess: others };
    });
    const { ConcertReservationStack } = require('../../lib/concert-reservation-stack');
    // No bundling: the stack must fail before any code is built.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(() => new ConcertReservationStack(app, 'ConcertReservation-test', { config: readStageConfig(app.node) })).toThrow(
      "lib/table-access.ts has no entry for the handler group 'queue'",
    );
  });
});
