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

test('only jobs of the named environments of this repository can assume the role', () => {
  template.resourceCountIs('AWS::IAM::Role', 1);
  template.hasResourceProperties('AWS::IAM::Role', {
    MaxSessionDuration: 3600,
    AssumeRolePolicyDocument: {
      Statement: [
        {
          Action: 'sts:AssumeRoleWithWebIdentity',
          Effect: 'Allow',
          Principal: { Federated: { Ref: Match.stringLikeRegexp('^GitHub') } },
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': [`repo:${REPO}:environment:dev`, `repo:${REPO}:environment:prod`],
            },
          },
        },
      ],
    },
  });
});

test('the role may only assume the CDK bootstrap roles of its own account, and holds no managed policy', () => {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  expect(policies).toHaveLength(1);
  expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
    {
      Sid: 'AssumeCdkBootstrapRoles',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/cdk-hnb659fds-*']] },
      Condition: { StringEquals: { 'iam:ResourceTag/aws-cdk:bootstrap-role': ['deploy', 'file-publishing', 'image-publishing', 'lookup'] } },
    },
  ]);
  const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
  expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  expect(role.Properties.Policies).toBeUndefined();
});

test('outputs the role ARN to set as AWS_DEPLOY_ROLE_ARN', () => {
  template.hasOutput('DeployRoleArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeployRole'), 'Arn'] } });
});

test('cdk-nag AwsSolutions and the Control Tower Guard rules find nothing unexplained', () => {
  expect(nagFindings).toEqual([]);
});

test("uses the account's provider when one exists, and another bootstrap qualifier when told", () => {
  const arn = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
  const { template: existing } = synth({ existingProviderArn: arn, cdkQualifier: 'custom123', environments: ['dev'] });
  existing.resourceCountIs('AWS::IAM::OIDCProvider', 0);
  existing.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: {
      Statement: [Match.objectLike({ Principal: { Federated: arn }, Condition: Match.objectLike({ StringEquals: Match.objectLike({ 'token.actions.githubusercontent.com:sub': [`repo:${REPO}:environment:dev`] }) }) })],
    },
  });
  existing.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: [Match.objectLike({ Resource: { 'Fn::Join': ['', Match.arrayWith([':role/cdk-custom123-*'])] } })] },
  });
});

test('refuses a repository that is not owner/name, and no environment', () => {
  expect(() => new GitHubOidcStack(new App(), 'Bad', { repository: 'concert-reservation', environments: ['dev'] })).toThrow('must be owner/name');
  expect(() => new GitHubOidcStack(new App(), 'None', { repository: REPO, environments: [] })).toThrow('environments must be');
});

test('reads its props from context, dev and prod by default', () => {
  const context = (values: Record<string, string>) => (key: string) => values[key];
  expect(readGitHubOidcProps(context({ githubRepository: REPO }))).toEqual({ repository: REPO, environments: ['dev', 'prod'] });
  expect(readGitHubOidcProps(context({ githubRepository: REPO, githubEnvironments: 'dev, staging', githubOidcProviderArn: 'arn:x' }))).toEqual({
    repository: REPO,
    environments: ['dev', 'staging'],
    existingProviderArn: 'arn:x',
  });
  expect(() => readGitHubOidcProps(context({}))).toThrow('-c githubRepository=<owner>/<name>');
});
