/**
 * A first deploy to a new AWS account, checked on the synthesized template against the quotas such
 * an account starts with. Nothing here reaches AWS: the figures are the documented defaults.
 */
import { App } from 'aws-cdk-lib';
import { jobs } from '../../functions/jobs/job-table';
import { ConcertReservationStack } from '../../lib/concert-reservation-stack';
import { addPolicyChecks } from '../../lib/policy-checks';
import { readStageConfig } from '../../lib/stage-config';

type Resource = { Type: string; Properties: Record<string, any> };

/**
 * New accounts often get 10 concurrent Lambda executions, and Lambda keeps at least 10 of an
 * account's executions unreserved, so not one may be reserved. API Gateway's account-level
 * throttle is 10,000 requests per second with a burst of 5,000.
 */
const NEW_ACCOUNT = { lambdaConcurrentExecutions: 10, minimumUnreserved: 10, apiRateLimit: 10_000, apiBurstLimit: 5_000 };

/** The stack as `cdk synth -c stage=first` makes it (with the policy checks; bundling skipped: only the template matters). */
function synth(context: Record<string, unknown> = {}) {
  const app = new App({ context: { stage: 'first', 'aws:cdk:bundling-stacks': [], ...context } });
  addPolicyChecks(app);
  const stack = new ConcertReservationStack(app, 'ConcertReservation-first', { config: readStageConfig(app.node) });
  // Throws on any policy finding not acknowledged: the new-account settings must pass them as well.
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<string, Resource>;
    Outputs: Record<string, unknown>;
  };
  const ofType = (type: string) => Object.values(template.Resources).filter((resource) => resource.Type === type);
  return { template, ofType };
}

const reservedConcurrency = (functions: Resource[]) =>
  functions.reduce((sum, fn) => sum + ((fn.Properties.ReservedConcurrentExecutions as number | undefined) ?? 0), 0);
const reservable = NEW_ACCOUNT.lambdaConcurrentExecutions - NEW_ACCOUNT.minimumUnreserved;

describe('with the default settings', () => {
  const { ofType } = synth();

  test('no function reserves concurrency, and none has provisioned concurrency', () => {
    expect(reservedConcurrency(ofType('AWS::Lambda::Function'))).toBeLessThanOrEqual(reservable);
    expect(reservedConcurrency(ofType('AWS::Lambda::Function'))).toBe(0);
    for (const alias of ofType('AWS::Lambda::Alias')) expect(alias.Properties.ProvisionedConcurrencyConfig).toBeUndefined();
    expect(ofType('AWS::Lambda::Version')).toEqual([]);
  });

  test("the stage and every route are throttled within the account's API Gateway limits", () => {
    const [stage] = ofType('AWS::ApiGatewayV2::Stage');
    const limits = [stage.Properties.DefaultRouteSettings, ...Object.values(stage.Properties.RouteSettings as Record<string, unknown>)] as {
      ThrottlingRateLimit: number;
      ThrottlingBurstLimit: number;
    }[];
    for (const limit of limits) {
      expect(limit.ThrottlingRateLimit).toBeLessThanOrEqual(NEW_ACCOUNT.apiRateLimit);
      expect(limit.ThrottlingBurstLimit).toBeLessThanOrEqual(NEW_ACCOUNT.apiBurstLimit);
    }
  });
});

test('-c jobReservedConcurrency=1, for an account whose quota was raised, reserves one execution per job: more than a new account allows', () => {
  const { ofType } = synth({ jobReservedConcurrency: '1' });
  expect(reservedConcurrency(ofType('AWS::Lambda::Function'))).toBe(jobs.length);
  expect(reservedConcurrency(ofType('AWS::Lambda::Function'))).toBeGreaterThan(reservable);
});

test('-c webSite=false leaves out the page, its bucket and its CloudFront distribution, and the API allows no other origin', () => {
  const { template, ofType } = synth({ webSite: 'false' });
  expect(ofType('AWS::CloudFront::Distribution')).toEqual([]);
  expect(ofType('AWS::S3::Bucket')).toEqual([]);
  expect(template.Outputs.SiteUrl).toBeUndefined();
  expect(template.Outputs.ApiUrl).toBeDefined();
  const [api] = ofType('AWS::ApiGatewayV2::Api');
  expect(api.Properties.CorsConfiguration).toBeUndefined();
});
