import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { jobs } from '../../functions/jobs/job-table';
import { ConcertReservationStack } from '../../lib/concert-reservation-stack';
import { readStageConfig } from '../../lib/stage-config';

const WEB_ACL_ARN = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/ConcertReservation-settings-Edge/1234';

/** The stack's security settings taken from context; no bundling, so this synth is quick. */
let resources: Record<string, { Type: string; Properties: Record<string, any> }>;

beforeAll(() => {
  const app = new App({
    context: {
      stage: 'settings',
      'aws:cdk:bundling-stacks': [],
      allowedOrigins: 'https://tickets.example,http://localhost:5173',
      throttleRate: 300,
      throttleBurst: 600,
      routeThrottles: '{"POST /concerts/{concertId}/queue":{"rateLimit":50,"burstLimit":100}}',
      jobReservedConcurrency: 2,
    },
  });
  const stack = new ConcertReservationStack(app, 'ConcertReservation-settings', {
    config: readStageConfig(app.node),
    // As bin/app.ts passes -c webAclArn= and -c originSecretVersion=.
    webAclArn: WEB_ACL_ARN,
    originSecretVersion: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
  });
  resources = Template.fromStack(stack).toJSON().Resources;
}, 60_000);

const ofType = (type: string) => Object.values(resources).filter((resource) => resource.Type === type);

test('CORS answers exactly the configured origins, for every method of the route table (the page itself needs none: it calls /api on its own origin)', () => {
  const [api] = ofType('AWS::ApiGatewayV2::Api');
  expect(api.Properties.CorsConfiguration).toEqual({
    AllowOrigins: ['https://tickets.example', 'http://localhost:5173'],
    AllowMethods: ['GET', 'POST', 'DELETE', 'PATCH'],
    AllowHeaders: ['authorization', 'content-type', 'x-queue-token', 'idempotency-key', 'if-match'],
    ExposeHeaders: ['retry-after', 'idempotent-replayed', 'etag'],
    MaxAge: 3600,
  });
});

test('the stage and route limits come from context, over the defaults', () => {
  const [stage] = ofType('AWS::ApiGatewayV2::Stage');
  expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 300, ThrottlingBurstLimit: 600 });
  expect(stage.Properties.RouteSettings['POST /concerts/{concertId}/queue']).toEqual({
    ThrottlingRateLimit: 50,
    ThrottlingBurstLimit: 100,
  });
  expect(stage.Properties.RouteSettings['POST /payments']).toBeDefined();
});

test('the jobs reserve the configured concurrency', () => {
  const reserved = ofType('AWS::Lambda::Function')
    .map((fn) => fn.Properties.ReservedConcurrentExecutions)
    .filter((value) => value !== undefined);
  expect(reserved).toEqual(jobs.map(() => 2));
});

test('the web ACL of the edge stack guards the distribution', () => {
  const [distribution] = ofType('AWS::CloudFront::Distribution');
  expect(distribution.Properties.DistributionConfig.WebACLId).toBe(WEB_ACL_ARN);
});

test('after a rotation, CloudFront sends the named version of the origin secret', () => {
  const [distribution] = ofType('AWS::CloudFront::Distribution');
  const headers = distribution.Properties.DistributionConfig.Origins.flatMap(
    (origin: { OriginCustomHeaders?: unknown[] }) => origin.OriginCustomHeaders ?? [],
  );
  expect(JSON.stringify(headers)).toContain(':SecretString:::a1b2c3d4-5678-90ab-cdef-EXAMPLE11111}}');
});
