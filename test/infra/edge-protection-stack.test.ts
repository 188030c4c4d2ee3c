/**
 * The site's web ACL (lib/edge-protection-stack.ts): CloudFront scope in us-east-1, the IP
 * reputation list, rate limits per session (Authorization) and per address on /api/*, counting
 * until told to block, and a 429 in the contract's shape when it blocks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_EDGE_LIMITS, EdgeProtectionStack, readWafMode, type WafMode } from '../../lib/edge-protection-stack';

function synth(mode: WafMode) {
  const app = new App({ context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new EdgeProtectionStack(app, 'ConcertReservation-test-Edge', { env: { region: 'us-east-1' }, mode });
  const template = Template.fromStack(stack).toJSON();
  const report = JSON.parse(readFileSync(join(app.synth().directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations: { ruleName: string }[] }[];
  };
  const [acl] = Object.values(template.Resources as Record<string, { Type: string; Properties: Record<string, any> }>).filter(
    (resource) => resource.Type === 'AWS::WAFv2::WebACL',
  );
  const rule = (name: string) => acl.Properties.Rules.find((candidate: { Name: string }) => candidate.Name === name);
  return { template, acl, rule, nagFindings: report.pluginReports.flatMap((plugin) => plugin.violations.map((v) => v.ruleName)) };
}

const counting = synth('count');
const blocking = synth('block');
const apiOnly = {
  ByteMatchStatement: {
    FieldToMatch: { UriPath: {} },
    PositionalConstraint: 'STARTS_WITH',
    SearchString: '/api/',
    TextTransformations: [{ Priority: 0, Type: 'NONE' }],
  },
};

test('one web ACL for CloudFront, allowing by default, its ARN an output', () => {
  expect(counting.acl.Properties).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
  expect(counting.template.Outputs.WebAclArn.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebAcl/), 'Arn'] });
  expect(counting.acl.Properties.Rules.map((rule: { Name: string }) => rule.Name)).toEqual(['IpReputation', 'RatePerSession', 'RatePerIp']);
});

test('a web ACL for CloudFront can only be made in us-east-1', () => {
  expect(() => new EdgeProtectionStack(new App(), 'Elsewhere', { env: { region: 'eu-west-1' }, mode: 'count' })).toThrow('us-east-1');
});

test('rate limits per Authorization header and per client address, on /api/* only', () => {
  expect(counting.rule('RatePerSession').Statement.RateBasedStatement).toEqual({
    Limit: DEFAULT_EDGE_LIMITS.perToken,
    EvaluationWindowSec: 60,
    AggregateKeyType: 'CUSTOM_KEYS',
    CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }],
    ScopeDownStatement: apiOnly,
  });
  expect(counting.rule('RatePerIp').Statement.RateBasedStatement).toEqual({
    Limit: DEFAULT_EDGE_LIMITS.perIp,
    EvaluationWindowSec: 60,
    AggregateKeyType: 'IP',
    ScopeDownStatement: apiOnly,
  });
  expect(counting.rule('IpReputation').Statement).toEqual({
    ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesAmazonIpReputationList' },
  });
});

test('count mode (the default) blocks nothing: every rule only counts', () => {
  expect(readWafMode(() => undefined)).toBe('count');
  expect(counting.rule('IpReputation').OverrideAction).toEqual({ Count: {} });
  for (const name of ['RatePerSession', 'RatePerIp']) expect(counting.rule(name).Action).toEqual({ Count: {} });
});

test("block mode (-c wafMode=block): 429 in the contract's error shape with Retry-After, and the reputation list's own blocks", () => {
  expect(readWafMode((key) => (key === 'wafMode' ? 'block' : undefined))).toBe('block');
  expect(() => readWafMode(() => 'enforce')).toThrow('count or block');
  expect(blocking.rule('IpReputation').OverrideAction).toEqual({ None: {} });
  for (const name of ['RatePerSession', 'RatePerIp']) {
    expect(blocking.rule(name).Action).toEqual({
      Block: {
        CustomResponse: {
          ResponseCode: 429,
          CustomResponseBodyKey: 'tooManyRequests',
          ResponseHeaders: [{ Name: 'retry-after', Value: '60' }],
        },
      },
    });
  }
  const body = blocking.acl.Properties.CustomResponseBodies.tooManyRequests;
  expect(body.ContentType).toBe('APPLICATION_JSON');
  expect(JSON.parse(body.Content)).toEqual({ error: { code: 'TOO_MANY_REQUESTS', message: expect.any(String) } });
});

test('every rule has metrics and sampled requests, so count mode shows what block mode would do', () => {
  for (const rule of [...counting.acl.Properties.Rules, counting.acl.Properties]) {
    expect(rule.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
  }
});

test('cdk-nag AwsSolutions finds nothing unexplained', () => {
  expect(counting.nagFindings).toEqual([]);
  expect(blocking.nagFindings).toEqual([]);
});
