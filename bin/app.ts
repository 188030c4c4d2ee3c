import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConcertReservationStack } from '../lib/concert-reservation-stack';
import { readStageConfig } from '../lib/stage-config';

const app = new App();
const config = readStageConfig(app.node);
// cdk-nag's AwsSolutions checks: `cdk synth` fails on any finding not acknowledged next to its resource.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

// Environment-agnostic: synthesizes offline; `cdk deploy` takes the account and region of the caller.
new ConcertReservationStack(app, `ConcertReservation-${config.stage}`, {
  config,
  description: `Concert reservation service, stage ${config.stage}`,
});
