/**
 * `npm run smoke -- --base-url URL`: the whole journey against any deployment, one line per step;
 * exits 1 on the first failure.
 *
 * - The local server (`npm start`): JWTs from /local/token, admission by /local/jobs/activate.
 * - A deployed stack: set SMOKE_USERNAME, SMOKE_PASSWORD and SMOKE_COGNITO_CLIENT_ID (the stack's
 *   UserPoolClientId output; region from SMOKE_COGNITO_REGION or AWS_REGION), or SMOKE_ACCESS_TOKEN;
 *   it then waits for the scheduled admission, at most --admission-timeout seconds. To create its
 *   concert it signs in an operator of the admin pool: SMOKE_ADMIN_USERNAME, SMOKE_ADMIN_PASSWORD,
 *   SMOKE_ADMIN_TOTP_SECRET and SMOKE_ADMIN_COGNITO_CLIENT_ID (AdminUserPoolClientId); or pass --concert-id.
 */
import { parseArgs } from 'node:util';
import { cognitoAccessToken, runSmokeJourney, SmokeFailure, type SmokeAuth } from './smoke-journey';

const USAGE = `usage: npm run smoke -- --base-url <url> [--concert-id <id>] [--admission-timeout <seconds>]

  against npm start:      npm run smoke -- --base-url http://127.0.0.1:3000
  against a deployment:   SMOKE_USERNAME=... SMOKE_PASSWORD=... SMOKE_COGNITO_CLIENT_ID=... AWS_REGION=... \\
                          npm run smoke -- --base-url https://<site>.cloudfront.net/api

Deployed, a concert of its own (4 seats, tomorrow) is created by an operator of the admin pool
(SMOKE_ADMIN_USERNAME, SMOKE_ADMIN_PASSWORD, SMOKE_ADMIN_TOTP_SECRET, SMOKE_ADMIN_COGNITO_CLIENT_ID);
with --concert-id it buys a seat of that concert instead.`;

function authFromEnvironment(env: NodeJS.ProcessEnv): SmokeAuth {
  if (env.SMOKE_ACCESS_TOKEN) {
    const token = env.SMOKE_ACCESS_TOKEN;
    return { kind: 'cognito', accessToken: async () => token, describe: 'access token from SMOKE_ACCESS_TOKEN' };
  }
  if (!env.SMOKE_USERNAME) return { kind: 'local' };
  const region = env.SMOKE_COGNITO_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const missing = [
    ['SMOKE_PASSWORD', env.SMOKE_PASSWORD],
    ['SMOKE_COGNITO_CLIENT_ID', env.SMOKE_COGNITO_CLIENT_ID],
    ['SMOKE_COGNITO_REGION or AWS_REGION', region],
  ].filter(([, value]) => !value);
  if (missing.length > 0) throw new Error(`SMOKE_USERNAME is set, so also set ${missing.map(([name]) => name).join(', ')}`);
  const username = env.SMOKE_USERNAME;
  const admin = env.SMOKE_ADMIN_USERNAME;
  if (admin && !(env.SMOKE_ADMIN_PASSWORD && env.SMOKE_ADMIN_TOTP_SECRET && env.SMOKE_ADMIN_COGNITO_CLIENT_ID)) {
    throw new Error(
      'SMOKE_ADMIN_USERNAME is set, so also set SMOKE_ADMIN_PASSWORD, SMOKE_ADMIN_TOTP_SECRET and SMOKE_ADMIN_COGNITO_CLIENT_ID',
    );
  }
  return {
    kind: 'cognito',
    accessToken: () =>
      cognitoAccessToken({ region: region!, clientId: env.SMOKE_COGNITO_CLIENT_ID!, username, password: env.SMOKE_PASSWORD! }),
    describe: `Cognito user ${username} (${region})`,
    ...(admin
      ? {
          adminAccessToken: () =>
            cognitoAccessToken({
              region: region!,
              clientId: env.SMOKE_ADMIN_COGNITO_CLIENT_ID!,
              username: admin,
              password: env.SMOKE_ADMIN_PASSWORD!,
              totpSecret: env.SMOKE_ADMIN_TOTP_SECRET,
            }),
        }
      : {}),
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string' },
      'concert-id': { type: 'string' },
      'admission-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const baseUrl = values['base-url'];
  if (!baseUrl || !/^https?:\/\/[^/]+/.test(baseUrl)) {
    console.error(`name the API with --base-url http(s)://…\n\n${USAGE}`);
    return 2;
  }
  const timeoutSeconds = Number(values['admission-timeout'] ?? 180);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    console.error('--admission-timeout takes a number of seconds');
    return 2;
  }
  const auth = authFromEnvironment(process.env);
  console.log(
    `smoke test of ${baseUrl} (${auth.kind === 'local' ? 'local server: /local/token and /local/jobs/activate' : 'deployed: Cognito sign-in, scheduled admission'})`,
  );
  const started = Date.now();
  try {
    const result = await runSmokeJourney({ baseUrl, auth, concertId: values['concert-id'], admissionTimeoutMs: timeoutSeconds * 1000 });
    console.log(`passed: ${result.steps} steps in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (error) {
    console.error(`✗ ${error instanceof SmokeFailure ? error.message : error instanceof Error ? error.message : String(error)}`);
    console.error('failed');
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
