import { App } from 'aws-cdk-lib';
import { ConcertReservationStack } from '../lib/concert-reservation-stack';
import { EdgeProtectionStack, readWafMode } from '../lib/edge-protection-stack';
import { addPolicyChecks } from '../lib/policy-checks';
import { readStageConfig } from '../lib/stage-config';

const app = new App();
const config = readStageConfig(app.node);
// cdk-nag's AwsSolutions checks and the Control Tower controls as Guard rules: `cdk synth` fails on any
// finding not acknowledged next to its resource.
addPolicyChecks(app);

// Environment-agnostic: synthesizes offline; `cdk deploy` takes the account and region of the caller.
const context = (key: string) => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
};
new ConcertReservationStack(app, `ConcertReservation-${config.stage}`, {
  config,
  description: `Concert reservation service, stage ${config.stage}`,
  webAclArn: context('webAclArn'),
  originSecretVersion: context('originSecretVersion'),
});

// The site's web ACL: CloudFront's must be in us-east-1, so a stack of its own, deployed first; its
// ARN reaches the service's stack as context (a value, so both synthesize offline; README, "Security").
new EdgeProtectionStack(app, `ConcertReservation-${config.stage}-Edge`, {
  env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT },
  mode: readWafMode((key) => app.node.tryGetContext(key)),
  description: `Per-client limits at the edge for the concert reservation service, stage ${config.stage}`,
});
