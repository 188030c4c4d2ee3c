/**
 * The static site on its own (one small synth): a private bucket read only by CloudFront through
 * origin access control, HTTPS with security headers, and the page uploaded with its config.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addPolicyChecks } from '../../lib/policy-checks';
import { pathPatternOf, QUEUE_STATE_PATH, StaticSite } from '../../lib/static-site';
import { routes } from '../../functions/http/route-table';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

let app: App;
let stack: Stack;
let site: StaticSite;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  app = new App();
  stack = new Stack(app, 'SiteTest');
  site = new StaticSite(stack, 'Site');
  const apiUrl = new CfnParameter(stack, 'ApiUrl').valueAsString;
  site.publish({
    apiUrl,
    signIn: { kind: 'cognito', region: stack.region, userPoolId: 'eu-west-1_pool', userPoolClientId: 'client' },
    adminSignIn: { kind: 'cognito', region: stack.region, userPoolId: 'eu-west-1_operators', userPoolClientId: 'console' },
  });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
}, 60_000);

const only = (type: string): Resource => {
  const found = Object.values(resources).filter((resource) => resource.Type === type);
  expect(found).toHaveLength(1);
  return found[0];
};
const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string;

test("the bucket is private, encrypted, SSL only, and kept like the stack's other data", () => {
  const bucket = resources[idOf(site.bucket)];
  expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  });
  expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
  expect(bucket.Properties.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
  expect(bucket.Properties.BucketName).toBeUndefined();
  expect(bucket.DeletionPolicy).toBe('Retain');
  expect(Object.values(resources).some((resource) => resource.Type === 'Custom::S3AutoDeleteObjects')).toBe(false);
});

test('only the distribution reads the bucket, through origin access control; nothing without TLS', () => {
  const statements = only('AWS::S3::BucketPolicy').Properties.PolicyDocument.Statement as Array<Record<string, any>>;
  expect(statements).toContainEqual(
    expect.objectContaining({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }),
  );
  const reads = statements.filter((statement) => statement.Effect === 'Allow');
  expect(reads).toHaveLength(1);
  expect(reads[0]).toMatchObject({
    Action: 's3:GetObject',
    Principal: { Service: 'cloudfront.amazonaws.com' },
    Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
  });
  expect(JSON.stringify(reads[0].Condition)).toContain(idOf(site.distribution));

  expect(only('AWS::CloudFront::OriginAccessControl').Properties.OriginAccessControlConfig).toMatchObject({
    OriginAccessControlOriginType: 's3',
    SigningBehavior: 'always',
    SigningProtocol: 'sigv4',
  });
  expect(Object.values(resources).some((resource) => resource.Type === 'AWS::CloudFront::CloudFrontOriginAccessIdentity')).toBe(false);
});

test('the distribution: HTTPS only, the page at /, reads only, security headers', () => {
  const config = only('AWS::CloudFront::Distribution').Properties.DistributionConfig;
  expect(config.DefaultRootObject).toBe('index.html');
  expect(config.Origins).toHaveLength(1);
  expect(config.Origins[0].OriginAccessControlId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Id'] });
  expect(config.DefaultCacheBehavior).toMatchObject({
    ViewerProtocolPolicy: 'redirect-to-https',
    AllowedMethods: ['GET', 'HEAD'],
    Compress: true,
  });

  const headers = only('AWS::CloudFront::ResponseHeadersPolicy').Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
  const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
  for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", 'https://cognito-idp.']) {
    expect(csp).toContain(directive);
  }
  // The API is at /api on the page's own origin: connect-src is 'self' and Cognito, no other host.
  expect(csp).toMatch(/connect-src 'self' https:\/\/cognito-idp\.[^;]+;/);
  expect(csp).not.toContain('execute-api');
  expect(headers).toMatchObject({
    ContentTypeOptions: { Override: true },
    FrameOptions: { FrameOption: 'DENY', Override: true },
    StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true, Override: true },
  });
});

test('the page, built at synth, and its config.json are uploaded; the edges are invalidated', () => {
  const deployment = only('Custom::CDKBucketDeployment').Properties;
  expect(deployment).toMatchObject({ DistributionPaths: ['/*'], Prune: true, SystemMetadata: { 'cache-control': 'public, max-age=60' } });
  expect(deployment.DestinationBucketName).toEqual({ Ref: idOf(site.bucket) });

  const assemblyDir = app.synth().directory;
  const [pageKey, configKey] = deployment.SourceObjectKeys as string[];
  const pageDir = join(assemblyDir, `asset.${pageKey.replace(/\.zip$/, '')}`);
  for (const file of [
    'index.html',
    'app/main.js',
    'app/style.css',
    'app/admin/index.html',
    'app/admin/console.js',
    'app/admin/console.css',
  ])
    expect(existsSync(join(pageDir, file))).toBe(true);
  expect(readFileSync(join(pageDir, 'index.html'), 'utf8')).toContain('<script type="module" src="/app/main.js"></script>');

  // config.json is written at deploy time: the API URL and region are filled in where the markers stand.
  const config = JSON.parse(readFileSync(join(assemblyDir, `asset.${configKey.replace(/\.zip$/, '')}`, 'app/config.json'), 'utf8'));
  expect(config).toEqual({
    apiUrl: expect.stringMatching(/^<<marker:0xbaba:\d>>$/),
    signIn: {
      kind: 'cognito',
      region: expect.stringMatching(/^<<marker:0xbaba:\d>>$/),
      userPoolId: 'eu-west-1_pool',
      userPoolClientId: 'client',
    },
    adminSignIn: {
      kind: 'cognito',
      region: expect.stringMatching(/^<<marker:0xbaba:\d>>$/),
      userPoolId: 'eu-west-1_operators',
      userPoolClientId: 'console',
    },
  });
  expect(Object.values(deployment.SourceMarkers[1])).toEqual(expect.arrayContaining([{ Ref: 'ApiUrl' }, { Ref: 'AWS::Region' }]));
});

test('/app/admin is the console: a viewer-request function answers its address with its page, and leaves its files alone', () => {
  const config = only('AWS::CloudFront::Distribution').Properties.DistributionConfig;
  const behavior = (config.CacheBehaviors as Array<Record<string, any>>).find((candidate) => candidate.PathPattern === '/app/admin*')!;
  // Like the page itself: the bucket, reads only, HTTPS, the same security headers.
  expect(behavior).toMatchObject({
    TargetOriginId: config.DefaultCacheBehavior.TargetOriginId,
    ViewerProtocolPolicy: 'redirect-to-https',
    AllowedMethods: ['GET', 'HEAD'],
    CachePolicyId: config.DefaultCacheBehavior.CachePolicyId,
    ResponseHeadersPolicyId: config.DefaultCacheBehavior.ResponseHeadersPolicyId,
  });
  expect(behavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: expect.anything() }]);
  expect(config.DefaultCacheBehavior.FunctionAssociations).toBeUndefined();

  // The function's own code, run as CloudFront runs it: the request's uri in, the request out.
  const code = only('AWS::CloudFront::Function').Properties.FunctionCode as string;
  const handler = new Function(`${code}; return handler;`)() as (event: { request: { uri: string } }) => { uri: string };
  const uriFor = (uri: string) => handler({ request: { uri } }).uri;
  expect(uriFor('/app/admin')).toBe('/app/admin/index.html');
  expect(uriFor('/app/admin/')).toBe('/app/admin/index.html');
  expect(uriFor('/app/admin/console.js')).toBe('/app/admin/console.js');
  expect(uriFor('/app/administrator')).toBe('/app/administrator');
  expect(only('AWS::CloudFront::Function').Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
});

test("the upload function's role: named actions on the asset, the site bucket and this distribution, its own log group", () => {
  const uploadFunction = Object.values(resources).find((resource) => resource.Type === 'AWS::Lambda::Function')!;
  const roleId = uploadFunction.Properties.Role['Fn::GetAtt'][0] as string;
  expect(resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  const statements = Object.values(resources)
    .filter(
      (resource) => resource.Type === 'AWS::IAM::Policy' && resource.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement) as Array<{ Action: string | string[]; Resource: unknown }>;
  const actions = statements.flatMap((statement) => [statement.Action].flat()).sort();
  expect(actions).toEqual([
    'cloudfront:CreateInvalidation',
    'cloudfront:GetInvalidation',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    's3:AbortMultipartUpload',
    's3:DeleteObject',
    's3:GetBucketLocation',
    's3:GetObject',
    's3:GetObject',
    's3:ListBucket',
    's3:PutObject',
  ]);
  const invalidation = statements.find((statement) => [statement.Action].flat().includes('cloudfront:CreateInvalidation'))!;
  expect(JSON.stringify(invalidation.Resource)).toContain(idOf(site.distribution));
  expect(uploadFunction.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(/^SiteDeploymentLogs/) });
});

test('cdk-nag AwsSolutions and the Control Tower Guard rules: every finding of the site is fixed or acknowledged with a reason', () => {
  addPolicyChecks(app);
  expect(() => app.synth({ force: true })).not.toThrow();
});

describe('with the API at /api and a web ACL, as the service stack builds it', () => {
  let config: Record<string, any>;
  let policies: Record<string, Resource>;
  beforeAll(() => {
    const withApi = new Stack(new App(), 'SiteWithApi');
    new StaticSite(withApi, 'Site', {
      api: { domainName: 'abc123.execute-api.eu-west-1.amazonaws.com', originHeaders: { 'x-origin-verify': 'from-secrets-manager' } },
      webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1234',
    });
    const all = Template.fromStack(withApi).toJSON().Resources as Record<string, Resource>;
    config = Object.values(all).find((resource) => resource.Type === 'AWS::CloudFront::Distribution')!.Properties.DistributionConfig;
    policies = Object.fromEntries(Object.entries(all).filter(([, resource]) => resource.Type === 'AWS::CloudFront::CachePolicy'));
  });

  test('/api/* goes to the API over TLS 1.2, uncached, with every viewer header but Host and the origin secret', () => {
    expect(config.CacheBehaviors.map((candidate: { PathPattern: string }) => candidate.PathPattern)).toEqual([
      '/app/admin*',
      '/api/concerts/*/queue/state',
      '/api/*',
    ]);
    const behavior = config.CacheBehaviors[2];
    expect(behavior).toMatchObject({
      PathPattern: '/api/*',
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      // The AWS managed CachingDisabled and AllViewerExceptHostHeader policies.
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    });
    const origin = config.Origins.find((candidate: { Id: string }) => candidate.Id === behavior.TargetOriginId);
    expect(origin).toMatchObject({
      DomainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
      OriginCustomHeaders: [{ HeaderName: 'x-origin-verify', HeaderValue: 'from-secrets-manager' }],
    });
    // The page itself still comes from the bucket.
    expect(config.DefaultCacheBehavior.TargetOriginId).not.toBe(behavior.TargetOriginId);
  });

  test("the queue's state is cached as the API says (max-age=1), 5 s at most, keyed on its path alone, on the same origin", () => {
    const [, state, rest] = config.CacheBehaviors as Array<Record<string, any>>;
    expect(state).toMatchObject({
      PathPattern: '/api/concerts/*/queue/state',
      TargetOriginId: rest.TargetOriginId,
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD'],
      CachedMethods: ['GET', 'HEAD'],
      ResponseHeadersPolicyId: rest.ResponseHeadersPolicyId,
      Compress: true,
    });
    // Only the cache key goes to the API: no viewer header (no Authorization, no Cookie), no query string.
    expect(state.OriginRequestPolicyId).toBeUndefined();
    expect(config.Origins).toHaveLength(2);

    const policy = policies[state.CachePolicyId.Ref];
    expect(policy).toBeDefined();
    expect(policy.Properties.CachePolicyConfig).toMatchObject({
      MinTTL: 0,
      DefaultTTL: 1,
      MaxTTL: 5,
      ParametersInCacheKeyAndForwardedToOrigin: {
        HeadersConfig: { HeaderBehavior: 'none' },
        CookiesConfig: { CookieBehavior: 'none' },
        QueryStringsConfig: { QueryStringBehavior: 'none' },
        EnableAcceptEncodingGzip: true,
        EnableAcceptEncodingBrotli: true,
      },
    });
  });

  test('the state route is the only cached path of the API: every other route, of every method, falls to the uncached /api/*', () => {
    // CloudFront's matching: the first behaviour in order whose pattern matches the path (`*` is any characters, case counts).
    const matches = (pattern: string, path: string) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(path);
    const behaviorOf = (path: string) =>
      (config.CacheBehaviors as Array<Record<string, any>>).find((candidate) => matches(candidate.PathPattern, path)) ??
      config.DefaultCacheBehavior;
    const cached = (path: string) => behaviorOf(path).CachePolicyId !== '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

    // The cached path is the route table's public state route: one answer for every viewer.
    expect(routes.filter((route) => (route.path as string) === QUEUE_STATE_PATH)).toEqual([
      expect.objectContaining({ method: 'GET', auth: 'public' }),
    ]);
    expect(cached('/api/concerts/c-1/queue/state')).toBe(true);
    expect(behaviorOf('/api/concerts/c-1/queue/state').PathPattern).toBe(pathPatternOf(QUEUE_STATE_PATH));
    for (const route of routes) {
      const path = `/api${route.path.replace(/\{[^}]+\}/g, 'x-1')}`;
      expect({ route: `${route.method} ${route.path}`, cached: cached(path) }).toEqual({
        route: `${route.method} ${route.path}`,
        cached: (route.path as string) === QUEUE_STATE_PATH,
      });
    }
    for (const path of ['/api/concerts/c-1/queue', '/api/concerts/c-1/queue/state/more', '/api/concerts/c-1/QUEUE/STATE', '/api/health'])
      expect(cached(path)).toBe(false);
    // Every cached behaviour of the distribution other than the page's files is the state's.
    const cachedApi = (config.CacheBehaviors as Array<Record<string, any>>).filter(
      (candidate) => candidate.PathPattern.startsWith('/api/') && candidate.CachePolicyId !== '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
    );
    expect(cachedApi.map((candidate) => candidate.PathPattern)).toEqual(['/api/concerts/*/queue/state']);
  });

  test('the web ACL guards the distribution', () => {
    expect(config.WebACLId).toBe('arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1234');
  });
});
