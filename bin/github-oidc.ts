/**
 * A CDK app of its own for the one-time setup of deploys from GitHub Actions: GitHub's OIDC
 * provider and one deploy role per GitHub environment. Deployed by hand, once per account, with
 * the environments that deploy to that account (a separate prod account is recommended: README):
 *
 *   npx cdk deploy --app "npx tsx bin/github-oidc.ts" -c githubRepository=<owner>/<name> -c githubEnvironments=dev
 *   npx cdk deploy --app "npx tsx bin/github-oidc.ts" -c githubRepository=<owner>/<name> -c githubEnvironments=prod   # prod account
 */
import { App } from 'aws-cdk-lib';
import { GitHubOidcStack, readGitHubOidcProps } from '../lib/github-oidc-stack';
import { addPolicyChecks } from '../lib/policy-checks';

const app = new App();
addPolicyChecks(app);

new GitHubOidcStack(app, 'ConcertReservation-GitHubOidc', {
  ...readGitHubOidcProps((key) => app.node.tryGetContext(key)),
  description: 'Lets GitHub Actions deploy the concert reservation service through OIDC, with no long-lived keys',
});
