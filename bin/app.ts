import { App } from 'aws-cdk-lib';
import { ConcertReservationStack } from '../lib/concert-reservation-stack';
import { addPolicyChecks } from '../lib/policy-checks';
import { readStageConfig } from '../lib/stage-config';

const app = new App();
const config = readStageConfig(app.node);
// cdk-nag's AwsSolutions checks and the Control Tower controls as Guard rules: `cdk synth` fails on any
// finding not acknowledged next to its resource.
addPolicyChecks(app);

// Environment-agnostic: synthesizes offline; `cdk deploy` takes the account and region of the caller.
new ConcertReservationStack(app, `ConcertReservation-${config.stage}`, {
  config,
  description: `Concert reservation service, stage ${config.stage}`,
});
