import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The qualifier `cdk bootstrap` uses unless told otherwise. */
export const DEFAULT_CDK_QUALIFIER = 'hnb659fds';
/** The roles `cdk bootstrap` makes, by their `aws-cdk:bootstrap-role` tag: all a deploy needs. */
export const CDK_BOOTSTRAP_ROLES = ['deploy', 'file-publishing', 'image-publishing', 'lookup'] as const;

/** The one workflow that deploys: a role trusts its jobs only, as run from main. */
export const DEPLOY_WORKFLOW = '.github/workflows/pipeline.yml';
export const DEPLOY_REF = 'refs/heads/main';

export interface GitHubOidcStackProps extends StackProps {
  /** `owner/name` of the repository whose workflows may deploy. */
  readonly repository: string;
  /**
   * The GitHub environments whose jobs may deploy (`environment: dev` in the workflow): one role
   * each. Deploy this stack in each account with the environments that deploy there (prod alone in
   * a prod account: README, "Deploying from GitHub Actions").
   */
  readonly environments: readonly string[];
  /** An account has one provider per URL: pass its ARN when GitHub's is there already. */
  readonly existingProviderArn?: string;
  readonly cdkQualifier?: string;
}

/** `prod` → `Prod`: construct ids and output names. */
const pascal = (name: string) => name.replace(/(^|[-_.])(\w)/g, (_, __, letter: string) => letter.toUpperCase());

/**
 * What GitHub Actions needs to deploy the service with no long-lived keys: GitHub's OIDC
 * provider, and one role per environment that only that environment's jobs of the pipeline
 * workflow on main can assume, and that may do one thing: assume the CDK bootstrap roles of this
 * account (which do the deploying, with the permissions `cdk bootstrap` gave them). The dev job,
 * which runs without approval, cannot assume the prod role: only a job that waited for the prod
 * environment's reviewers gets a token whose subject names prod.
 */
export class GitHubOidcStack extends Stack {
  /** The deploy role of each environment. */
  readonly roles: ReadonlyMap<string, iam.Role>;

  constructor(scope: Construct, id: string, props: GitHubOidcStackProps) {
    super(scope, id, props);
    if (!/^[\w.-]+\/[\w.-]+$/.test(props.repository)) throw new Error(`repository '${props.repository}' must be owner/name`);
    if (props.environments.length === 0 || props.environments.some((name) => !/^[\w.-]+$/.test(name))) {
      throw new Error(`environments must be GitHub environment names, got '${props.environments.join(',')}'`);
    }
    const qualifier = props.cdkQualifier ?? DEFAULT_CDK_QUALIFIER;

    const provider = props.existingProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'GitHub', props.existingProviderArn)
      : new iam.OidcProviderNative(this, 'GitHub', { url: GITHUB_OIDC_URL, clientIds: ['sts.amazonaws.com'] });

    const roles = new Map<string, iam.Role>();
    for (const environment of props.environments) {
      const role = new iam.Role(this, `DeployRole${pascal(environment)}`, {
        description: `GitHub Actions of ${props.repository}, environment ${environment}, deploying with cdk`,
        maxSessionDuration: Duration.hours(1),
        assumedBy: new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
            // A job's token names its environment only when the job declares one; reviewers and branch rules live on the environment.
            [`${GITHUB_OIDC_HOST}:sub`]: `repo:${props.repository}:environment:${environment}`,
            // And only the pipeline as it is on main: a workflow added or changed on a branch cannot use the role.
            [`${GITHUB_OIDC_HOST}:job_workflow_ref`]: `${props.repository}/${DEPLOY_WORKFLOW}@${DEPLOY_REF}`,
          },
        }),
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeCdkBootstrapRoles',
          actions: ['sts:AssumeRole'],
          resources: [`arn:${this.partition}:iam::${this.account}:role/cdk-${qualifier}-*`],
          conditions: { StringEquals: { 'iam:ResourceTag/aws-cdk:bootstrap-role': [...CDK_BOOTSTRAP_ROLES] } },
        }),
      );
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-${qualifier}-*]`,
        reason:
          'The CDK bootstrap roles are named cdk-<qualifier>-<kind>-role-<account>-<region>; the tag condition narrows the wildcard to exactly those roles.',
      });
      new CfnOutput(this, `DeployRoleArn${pascal(environment)}`, {
        value: role.roleArn,
        description: `Set as the variable AWS_DEPLOY_ROLE_ARN of the GitHub environment ${environment} (not of the repository)`,
      });
      roles.set(environment, role);
    }
    this.roles = roles;
  }
}

/** Reads the stack's props from CDK context: `-c githubRepository=owner/name [-c githubEnvironments=dev,prod] [-c githubOidcProviderArn=…]`. */
export function readGitHubOidcProps(tryGetContext: (key: string) => unknown): GitHubOidcStackProps {
  const repository = tryGetContext('githubRepository');
  if (typeof repository !== 'string' || repository === '') {
    throw new Error('name the repository: -c githubRepository=<owner>/<name>');
  }
  const environments = String(tryGetContext('githubEnvironments') ?? 'dev,prod')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const existingProviderArn = tryGetContext('githubOidcProviderArn');
  const cdkQualifier = tryGetContext('cdkQualifier');
  return {
    repository,
    environments,
    ...(typeof existingProviderArn === 'string' && existingProviderArn ? { existingProviderArn } : {}),
    ...(typeof cdkQualifier === 'string' && cdkQualifier ? { cdkQualifier } : {}),
  };
}
