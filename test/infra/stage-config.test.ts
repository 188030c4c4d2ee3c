import { App } from 'aws-cdk-lib';
import { readStageConfig } from '../../lib/stage-config';

const configOf = (context: Record<string, unknown>) => readStageConfig(new App({ context }).node);

test('the stage defaults to dev, with the settings of functions/shared/config.ts', () => {
  expect(configOf({})).toEqual({
    stage: 'dev',
    settingsEnvironment: {
      HOLD_SECONDS: '300',
      ACTIVE_SECONDS: '600',
      ADMIT_PER_TICK: '100',
      MAX_ACTIVE_PER_CONCERT: '1000',
      JOB_INTERVAL_SECONDS: '60',
    },
  });
});

test('stage and settings come from context', () => {
  const config = configOf({ stage: 'load-test', holdSeconds: '120', activeSeconds: 300, admitPerTick: '500', maxActivePerConcert: '5000' });
  expect(config).toEqual({
    stage: 'load-test',
    settingsEnvironment: {
      HOLD_SECONDS: '120',
      ACTIVE_SECONDS: '300',
      ADMIT_PER_TICK: '500',
      MAX_ACTIVE_PER_CONCERT: '5000',
      JOB_INTERVAL_SECONDS: '60',
    },
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
