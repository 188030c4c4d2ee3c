import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GitHubOidcStack, readGitHubOidcProps, type GitHubOidcStackProps } from '../../lib/github-oidc-stack';
import { addPolicyChecks } from '../../lib/policy-checks';

const REPO = 'acme/concert-reservation';

function synth(props: Partial<GitHubOidcStackProps> = {}) {
  const app = new App({ context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  addPolicyChecks(app);
  const stack = new GitHubOidcStack(app, 'GitHubOidc', { repository: REPO, environments: ['dev', 'prod'], ...props });
  const template = Template.fromStack(stack);
  const report = JSON.parse(readFileSync(join(app.synth().directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations: { ruleName: string }[] }[];
  };
  return { template, nagFindings: report.pluginReports.flatMap((plugin) => plugin.violations.map((v) => v.ruleName)) };
}

const { template, nagFindings } = synth();

test("creates GitHub's OIDC provider for STS", () => {
  template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
  template.hasResourceProperties('AWS::IAM::OIDCProvider', {
    Url: 'https://token.actions.githubusercontent.com',
    ClientIdList: ['sts.amazonaws.com'],
  });
});

const PIPELINE_ON_MAIN = `${REPO}/.github/workflows/pipeline.yml@refs/heads/main`;
const roleResources = () => template.findResources('AWS::IAM::Role');
/** The trust condition of the role whose logical id starts with `DeployRole<Env>`. */
const trustOf = (environment: 'Dev' | 'Prod') => {
  const [id, role] = Object.entries(roleResources()).find(([logicalId]) => logicalId.startsWith(`DeployRole${environment}`))!;
  return { id, statement: role.Properties.AssumeRolePolicyDocument.Statement, role };
};

test('one role per environment, each trusting only its own environment of the pipeline workflow on main', () => {
  expect(Object.keys(roleResources())).toHaveLength(2);
  for (const [environment, name] of [
    ['Dev', 'dev'],
    ['Prod', 'prod'],
  ] as const) {
    const { statement, role } = trustOf(environment);
    expect(role.Properties.MaxSessionDuration).toBe(3600);
    expect(statement).toEqual([
      {
        Action: 'sts:AssumeRoleWithWebIdentity',
        Effect: 'Allow',
        Principal: { Federated: { Ref: expect.stringMatching(/^GitHub/) } },
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            // One subject, not a list: no other environment's job matches.
            'token.actions.githubusercontent.com:sub': `repo:${REPO}:environment:${name}`,
            'token.actions.githubusercontent.com:job_workflow_ref': PIPELINE_ON_MAIN,
          },
        },
      },
    ]);
  }
});

test("the dev job's token cannot assume the prod role, nor a job of another workflow or branch", () => {
  // A token's claims as GitHub issues them, checked against a trust condition as STS does (StringEquals on each key).
  const admits = (environment: 'Dev' | 'Prod', claims: Record<string, string>) =>
    Object.entries(trustOf(environment).statement[0].Condition.StringEquals as Record<string, string>).every(
      ([key, value]) => claims[key.replace('token.actions.githubusercontent.com:', '')] === value,
    );
  const job = (environment: string, workflowRef = PIPELINE_ON_MAIN) => ({
    aud: 'sts.amazonaws.com',
    sub: `repo:${REPO}:environment:${environment}`,
    job_workflow_ref: workflowRef,
  });
  expect(admits('Dev', job('dev'))).toBe(true);
  expect(admits('Prod', job('prod'))).toBe(true);
  expect(admits('Prod', job('dev'))).toBe(false);
  expect(admits('Dev', job('prod'))).toBe(false);
  expect(admits('Prod', job('prod', `${REPO}/.github/workflows/other.yml@refs/heads/main`))).toBe(false);
  expect(admits('Prod', job('prod', `${REPO}/.github/workflows/pipeline.yml@refs/heads/feature`))).toBe(false);
  expect(admits('Prod', { ...job('prod'), sub: `repo:${REPO}:ref:refs/heads/main` })).toBe(false);
});

test('each role may only assume the CDK bootstrap roles of its own account, and holds no managed policy', () => {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  expect(policies).toHaveLength(2);
  for (const policy of policies) {
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AssumeCdkBootstrapRoles',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/cdk-hnb659fds-*']] },
        Condition: {
          StringEquals: { 'iam:ResourceTag/aws-cdk:bootstrap-role': ['deploy', 'file-publishing', 'image-publishing', 'lookup'] },
        },
      },
    ]);
    expect(policy.Properties.Roles).toHaveLength(1);
  }
  for (const role of Object.values(roleResources())) {
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
  }
});

test("outputs each role's ARN, to set as AWS_DEPLOY_ROLE_ARN of its own GitHub environment", () => {
  template.hasOutput('DeployRoleArnDev', { Value: { 'Fn::GetAtt': [trustOf('Dev').id, 'Arn'] } });
  template.hasOutput('DeployRoleArnProd', { Value: { 'Fn::GetAtt': [trustOf('Prod').id, 'Arn'] } });
  expect(template.toJSON().Outputs.DeployRoleArnProd.Description).toContain('environment prod');
});

test('cdk-nag AwsSolutions and the Control Tower Guard rules find nothing unexplained', () => {
  expect(nagFindings).toEqual([]);
});

test("uses the account's provider when one exists, and another bootstrap qualifier when told", () => {
  const arn = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
  const { template: existing } = synth({ existingProviderArn: arn, cdkQualifier: 'custom123', environments: ['dev'] });
  existing.resourceCountIs('AWS::IAM::OIDCProvider', 0);
  existing.resourceCountIs('AWS::IAM::Role', 1);
  existing.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: {
      Statement: [
        Match.objectLike({
          Principal: { Federated: arn },
          Condition: Match.objectLike({
            StringEquals: Match.objectLike({ 'token.actions.githubusercontent.com:sub': `repo:${REPO}:environment:dev` }),
          }),
        }),
      ],
    },
  });
  existing.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: [Match.objectLike({ Resource: { 'Fn::Join': ['', Match.arrayWith([':role/cdk-custom123-*'])] } })] },
  });
});

test('refuses a repository that is not owner/name, and no environment', () => {
  expect(() => new GitHubOidcStack(new App(), 'Bad', { repository: 'concert-reservation', environments: ['dev'] })).toThrow(
    'must be owner/name',
  );
  expect(() => new GitHubOidcStack(new App(), 'None', { repository: REPO, environments: [] })).toThrow('environments must be');
});

test('reads its props from context, dev and prod by default', () => {
  const context = (values: Record<string, string>) => (key: string) => values[key];
  expect(readGitHubOidcProps(context({ githubRepository: REPO }))).toEqual({ repository: REPO, environments: ['dev', 'prod'] });
  expect(
    readGitHubOidcProps(context({ githubRepository: REPO, githubEnvironments: 'dev, staging', githubOidcProviderArn: 'arn:x' })),
  ).toEqual({
    repository: REPO,
    environments: ['dev', 'staging'],
    existingProviderArn: 'arn:x',
  });
  expect(() => readGitHubOidcProps(context({}))).toThrow('-c githubRepository=<owner>/<name>');
});
