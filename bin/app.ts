import { App } from 'aws-cdk-lib';
import { ConcertReservationStack } from '../lib/concert-reservation-stack';
import { readStageConfig } from '../lib/stage-config';

const app = new App();
const config = readStageConfig(app.node);

// Environment-agnostic: synthesizes offline; `cdk deploy` takes the account and region of the caller.
new ConcertReservationStack(app, `ConcertReservation-${config.stage}`, {
  config,
  description: `Concert reservation service, stage ${config.stage}`,
});
