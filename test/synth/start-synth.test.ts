/**
 * The deployable bundles, served by `npm run start:synth` from the synthesized assembly alone:
 * the smoke test's own script, every route of the template, a journey with a race, the schedules
 * driving admission, each authorizer's issuer, audience and scope, the origin secret CloudFront adds
 * at /api, the secrets from the local Secrets Manager, and the web page the stack uploads.
 * SYNTH_TEST_LOG=1 prints what start:synth and its functions logged.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ACCESS_TOKEN_SCOPE, routes } from '../../functions/http/route-table';
import { BALANCE_SK, LEDGER_PREFIX, ledgerItemEntries, pendingCharges, walletKeys } from '../../functions/wallet/wallet-keys';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../local/local-issuer';
import { readStackAssembly } from '../../local/synth/assembly';
import { readServiceModel } from '../../local/synth/service-model';
import { localToken, send, type SendOptions } from '../../scripts/smoke-journey';
import { assemblyDir, ROOT, startSynthCli, type RunningCli } from './support';

let cli: RunningCli;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'concert-synth-data-'));
  // One deployed minute of the schedules lasts 2 s here, so the admission rule runs while the tests do.
  cli = await startSynthCli({ JOB_INTERVAL_SECONDS: '2', DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT!, DATA_DIR: dataDir });
}, 90_000);

afterAll(async () => {
  await cli?.stop();
  if (process.env.SYNTH_TEST_LOG) console.log(cli?.output());
  rmSync(dataDir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

/** A request as the page makes it: under /api, through the site's CloudFront; `root` for the execute-api address (or the page itself). */
const call = (method: string, path: string, options: SendOptions & { root?: boolean } = {}): Promise<Reply> =>
  send(`${cli.url}${options.root ? '' : '/api'}${path}`, method, options);

const tokenFor = (userId: string, groups?: string[]) => localToken(`${cli.url}/api`, userId, groups);
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown> & { iss: string; aud: string };

/** A token signed with the local issuer's key (kept in DATA_DIR), with whatever claims the test needs. */
async function signed(claims: { iss: string; aud: string } & Record<string, unknown>): Promise<string> {
  const saved = JSON.parse(readFileSync(join(dataDir, 'local-issuer-key.json'), 'utf8')) as { privateJwk: JWK; kid: string };
  const { iss, aud, ...rest } = claims;
  return new SignJWT({ 'cognito:groups': [], ...rest })
    .setProtectedHeader({ alg: 'ES256', kid: saved.kid })
    .setSubject('claims-reader')
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(await importJWK(saved.privateJwk, 'ES256'));
}

/** The values the local Secrets Manager keeps in DATA_DIR, by logical id prefix (`OriginSecret`, `QueueTokenKeySecret`). */
function storedSecret(logicalIdPrefix: string): { arn: string; current: string } {
  const store = JSON.parse(readFileSync(join(dataDir, 'local-secrets.json'), 'utf8')) as Record<
    string,
    { arn: string; versions: { secretString: string; stages: string[] }[] }
  >;
  const [, secret] = Object.entries(store).find(([id]) => id.startsWith(logicalIdPrefix))!;
  return { arn: secret.arn, current: secret.versions.find((version) => version.stages.includes('AWSCURRENT'))!.secretString };
}

test('the smoke test (npm run smoke) passes against it, step by step', async () => {
  const smoke = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/smoke.ts', '--base-url', `${cli.url}/api`], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [smoke.stdout, smoke.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolveExit) => smoke.once('exit', resolveExit));
  expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/passed: 17 steps/) });
  expect(output.match(/^✓ /gm)).toHaveLength(17);
});

test("every route of the template reaches its bundle: a JWT route refuses no token and the other pool's token, none answers a 5xx", async () => {
  const model = readServiceModel(readStackAssembly(assemblyDir()));
  const admin = await tokenFor('route-sweeper', ['admin']);
  const buyer = await tokenFor('route-sweeper');
  expect(model.routes.length).toBe(routes.length);
  expect(model.authorizers.size).toBe(2);
  const wrong: string[] = [];
  for (const route of model.routes) {
    const [method, template] = route.routeKey.split(' ');
    const path = template.replace(/\{(\w+)\+?\}/g, 'sweep-$1');
    const body = method === 'POST' ? {} : undefined;
    const anonymous = await call(method, path, { body });
    if (route.authorizerId && (anonymous.status !== 401 || anonymous.body?.error?.code !== 'UNAUTHENTICATED')) {
      wrong.push(`${route.routeKey} without a token: ${anonymous.status} ${JSON.stringify(anonymous.body)}`);
    }
    // The admin routes' authorizer trusts the operators' pool only; every other JWT route the buyers' pool only.
    const adminRoute = route.authorizerId ? model.authorizers.get(route.authorizerId)!.groups.includes('admin') : false;
    const [own, other] = adminRoute ? [admin, buyer] : [buyer, admin];
    if (route.authorizerId) {
      const foreign = await call(method, path, { token: other, body });
      if (foreign.status !== 401)
        wrong.push(`${route.routeKey} with the other pool's token: ${foreign.status} ${JSON.stringify(foreign.body)}`);
    }
    const signedIn = await call(method, path, { token: own, body });
    const shaped =
      signedIn.status < 400 || (typeof signedIn.body?.error?.code === 'string' && typeof signedIn.body.error.message === 'string');
    if (signedIn.status >= 500 || !shaped || !/^application\/json/.test(signedIn.headers.get('content-type') ?? '')) {
      wrong.push(`${route.routeKey} signed in: ${signedIn.status} ${JSON.stringify(signedIn.body)}`);
    }
  }
  expect(wrong).toEqual([]);
  const unknown = await call('GET', '/no/such/route');
  expect({ status: unknown.status, code: unknown.body.error.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
  expect(model.routes.filter((route) => route.authorizerId && !route.scopes?.includes(ACCESS_TOKEN_SCOPE))).toEqual([]);
});

test('a journey of six buyers: the schedule admits them, one of six simultaneous holds of a seat wins, the winner pays', async () => {
  const admin = await tokenFor('journey-admin', ['admin']);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const created = await call('POST', '/admin/concerts', {
    token: admin,
    body: {
      title: 'Synth journey',
      venue: 'Hall',
      schedules: [{ date: tomorrow, seats: [1, 2].map((seatNumber) => ({ seatNumber, price: 5_000 })) }],
    },
  });
  expect(created.status).toBe(201);
  const { concertId } = created.body;
  const scheduleId = created.body.schedules[0].scheduleId;

  const buyers = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      const userId = `buyer-${i}-${concertId}`;
      const token = await tokenFor(userId);
      const joined = await call('POST', `/concerts/${concertId}/queue`, { token });
      expect(joined.status).toBe(201);
      return { userId, token, queueToken: joined.body.token as string };
    }),
  );
  // Nobody calls /local/jobs: the admission rule's own schedule lets them in.
  const deadline = Date.now() + 30_000;
  for (const buyer of buyers) {
    for (;;) {
      const status = await call('GET', `/concerts/${concertId}/queue`, buyer);
      if (status.body.status === 'ACTIVE') break;
      expect(status.body.status).toBe('WAIT');
      if (Date.now() > deadline) throw new Error('the schedule did not admit the buyers within 30 s');
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    }
  }

  const holds = await Promise.all(
    buyers.map((buyer) => call('POST', '/reservations', { ...buyer, body: { concertId, scheduleId, seatNumber: 1 } })),
  );
  const statuses = holds.map((hold) => hold.status).sort();
  expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
  expect(holds.filter((hold) => hold.status === 409).every((hold) => hold.body.error.code === 'SEAT_UNAVAILABLE')).toBe(true);

  const winner = buyers[holds.findIndex((hold) => hold.status === 201)];
  const reservation = holds.find((hold) => hold.status === 201)!.body;
  expect(
    (
      await call('POST', '/balance/charge', {
        token: winner.token,
        body: { amount: 5_000 },
        headers: { 'idempotency-key': `charge-${concertId}` },
      })
    ).status,
  ).toBe(200);
  const paid = await call('POST', '/payments', {
    ...winner,
    body: { reservationIds: [reservation.reservationId] },
    headers: { 'idempotency-key': `pay-${concertId}` },
  });
  expect(paid).toMatchObject({ status: 201, body: { amount: 5_000, balance: 0 } });
  const seats = await call(
    'GET',
    `/concerts/${concertId}/schedules/${scheduleId}/seats`,
    buyers[(buyers.indexOf(winner) + 1) % buyers.length],
  );
  expect(seats.body.seats.map((seat: { status: string }) => seat.status)).toEqual(['SOLD', 'AVAILABLE']);

  const expiry = await call('POST', '/local/jobs/expire');
  expect(expiry.status).toBe(200);
  expect(expiry.body).toEqual(expect.any(Object));

  // The tables' stream consumers run as their event source mappings say: the sale reaches the
  // operator's figures, and the charge is written out to the ledger, off the balance item.
  const statsDeadline = Date.now() + 20_000;
  let stats: Reply;
  do {
    await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    stats = await call('GET', `/admin/concerts/${concertId}/waiting-room/stats`, { token: admin });
    expect(stats.status).toBe(200);
  } while ((stats.body.seatsSold !== 1 || stats.body.revenue !== 5_000) && Date.now() < statsDeadline);
  expect(stats.body).toMatchObject({ seatsSold: 1, revenue: 5_000 });
  const wallet = new DynamoDBClient({
    endpoint: process.env.DYNAMODB_ENDPOINT,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const model = readServiceModel(readStackAssembly(assemblyDir()));
    const walletTable = `${model.stackName}-${model.tables.find((table) => /wallet/i.test(table.name))!.name}`;
    const ledgerDeadline = Date.now() + 20_000;
    let items: Record<string, unknown>[] = [];
    for (;;) {
      const page = await wallet.send(
        new QueryCommand({
          TableName: walletTable,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: walletKeys.balance(winner.userId).pk } },
          ConsistentRead: true,
        }),
      );
      items = (page.Items ?? []).map((item) => unmarshall(item));
      const balance = items.find((item) => item.sk === BALANCE_SK);
      if (balance && pendingCharges(balance).length === 0) break;
      if (Date.now() > ledgerDeadline) throw new Error(`the charge stayed pending: ${JSON.stringify(balance)}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    }
    // The charge in a ledger page the stream's writer wrote, the payment in its own item.
    const ledger = items.filter((item) => String(item.sk).startsWith(LEDGER_PREFIX)).flatMap(ledgerItemEntries);
    expect(ledger.map((entry) => [entry.kind, entry.amount])).toEqual([
      ['CHARGE', 5_000],
      ['PAYMENT', 5_000],
    ]);
  } finally {
    wallet.destroy();
  }
});

test("tokens must carry the issuer and audience the template's JWT authorizer trusts, not npm start's", async () => {
  const minted = await tokenFor('claims-reader');
  const claims = claimsOf(minted);
  // The user pool and its client, as the stand-ins of their logical ids.
  expect(claims.iss).toMatch(/^https:\/\/cognito-idp\.local\.amazonaws\.com\/local_ApiUsers[0-9A-F]{8}$/);
  expect(claims.aud).toMatch(/^apiusersapiclient[0-9a-f]{8}$/);
  expect((await call('GET', '/balance', { token: minted })).status).toBe(200);

  // The same key (kept in DATA_DIR), npm start's names: refused.
  const access = { token_use: 'access', scope: ACCESS_TOKEN_SCOPE };
  expect((await call('GET', '/balance', { token: await signed({ iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, ...access }) })).status).toBe(401);
  expect((await call('GET', '/balance', { token: await signed({ iss: claims.iss, aud: LOCAL_AUDIENCE, ...access }) })).status).toBe(401);
  expect((await call('GET', '/balance', { token: await signed({ iss: claims.iss, aud: claims.aud, ...access }) })).status).toBe(200);
});

test("the routes' authorization scope: an ID token and an access token without the scope are refused", async () => {
  const { iss, aud } = claimsOf(await tokenFor('scope-reader'));
  // Cognito's ID token: token_use id, no scope claim at all.
  const idToken = await signed({ iss, aud, token_use: 'id', email: 'scope-reader@example.com' });
  const noScope = await signed({ iss, aud, token_use: 'access' });
  const otherScope = await signed({ iss, aud, token_use: 'access', scope: 'openid profile' });
  const idTokenWithScope = await signed({ iss, aud, token_use: 'id', scope: ACCESS_TOKEN_SCOPE });
  for (const token of [idToken, noScope, otherScope, idTokenWithScope]) {
    const reply = await call('GET', '/balance', { token });
    expect({ status: reply.status, code: reply.body.error.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  }
  expect(
    (await call('GET', '/balance', { token: await signed({ iss, aud, token_use: 'access', scope: `openid ${ACCESS_TOKEN_SCOPE}` }) }))
      .status,
  ).toBe(200);
});

test("admin routes trust the operators' pool only: /local/token with the admin group mints from it", async () => {
  const admin = await tokenFor('operator', ['admin']);
  const adminClaims = claimsOf(admin);
  expect(adminClaims.iss).toMatch(/^https:\/\/cognito-idp\.local\.amazonaws\.com\/local_ApiAdminsPool[0-9A-F]{8}$/);
  expect(adminClaims.aud).toMatch(/^apiadminspoolconsoleclient[0-9a-f]{8}$/);
  expect(adminClaims['cognito:groups']).toEqual(['admin']);
  const concert = {
    title: 'Operators only',
    venue: 'Hall',
    schedules: [{ date: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10), seats: [{ seatNumber: 1, price: 100 }] }],
  };
  expect((await call('POST', '/admin/concerts', { token: admin, body: concert })).status).toBe(201);

  // A buyer's token, even one claiming the admin group, is of the other pool: the authorizer refuses it before the handler.
  const { iss, aud } = claimsOf(await tokenFor('buyer'));
  const buyerClaimingAdmin = await signed({ iss, aud, token_use: 'access', scope: ACCESS_TOKEN_SCOPE, 'cognito:groups': ['admin'] });
  expect((await call('POST', '/admin/concerts', { token: buyerClaimingAdmin, body: concert })).status).toBe(401);
  // An operator of the admin pool without the group passes the authorizer; the handler refuses it.
  const groupless = await signed({ iss: adminClaims.iss, aud: adminClaims.aud, token_use: 'access', scope: ACCESS_TOKEN_SCOPE });
  expect((await call('POST', '/admin/concerts', { token: groupless, body: concert })).status).toBe(403);
  // Groups no pool of the stack has: Cognito never issues such a token, nor does /local/token.
  const refused = await call('POST', '/local/token', { body: { userId: 'someone', groups: ['admin', 'auditor'] } });
  expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 400, code: 'VALIDATION_ERROR' });
});

test('the origin secret: /api adds the header CloudFront adds (over any sent), the root paths stand for the execute-api address', async () => {
  const origin = storedSecret('OriginSecret');
  // As GenerateSecretString says: 48 letters and digits.
  expect(origin.current).toMatch(/^[A-Za-z0-9]{48}$/);
  expect((await call('GET', '/concerts')).status).toBe(200);
  expect((await call('GET', '/concerts', { headers: { 'x-origin-verify': 'forged' } })).status).toBe(200);

  // Deployed, a request to the execute-api URL lacks the header and the function refuses it.
  const bypass = await call('GET', '/concerts', { root: true });
  expect({ status: bypass.status, code: bypass.body.error.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
  expect((await call('GET', '/concerts', { root: true, headers: { 'x-origin-verify': 'forged' } })).status).toBe(403);
  expect((await call('GET', '/concerts', { root: true, headers: { 'x-origin-verify': origin.current } })).status).toBe(200);
  // The authorizer still answers first, as API Gateway's does; the local routes are served at both.
  expect((await call('GET', '/balance', { root: true })).status).toBe(401);
  expect((await call('POST', '/local/token', { root: true, body: { userId: 'root' } })).status).toBe(200);
});

test('the secrets come from the local Secrets Manager through the SDK, as GenerateSecretString makes them', async () => {
  const url = /secrets: 2 in a local Secrets Manager at (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.output())?.[1];
  expect(url).toBeDefined();
  const client = new SecretsManagerClient({
    endpoint: url,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const key = storedSecret('QueueTokenKeySecret');
    expect(key.current).toMatch(/^[A-Za-z0-9]{64}$/);
    const current = await client.send(new GetSecretValueCommand({ SecretId: key.arn }));
    expect(current).toMatchObject({ ARN: key.arn, SecretString: key.current, VersionStages: ['AWSCURRENT'] });
    // Before a rotation there is no previous version: the functions read that as "one key".
    await expect(client.send(new GetSecretValueCommand({ SecretId: key.arn, VersionStage: 'AWSPREVIOUS' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  } finally {
    client.destroy();
  }
});

test('the web page is the one the stack uploads, with the local sign-in for its config', async () => {
  const model = readServiceModel(readStackAssembly(assemblyDir()));
  const page = await call('GET', '/', { root: true });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.body).toBe(readFileSync(model.site!.files.get('index.html')!, 'utf8'));
  const script = await call('GET', '/app/main.js', { root: true });
  expect(script.status).toBe(200);
  expect(script.body).toBe(readFileSync(model.site!.files.get('app/main.js')!, 'utf8'));
  expect((await call('GET', '/app/config.json', { root: true })).body).toEqual({ apiUrl: '/api', signIn: { kind: 'local' } });
});

test("it says what it serves, and each function's log lines carry the function's name", () => {
  expect(cli.output()).toMatch(
    new RegExp(`serving ConcertReservation-dev from .*: ${routes.length} routes, 10 functions, 2 schedules, 2 stream consumers`),
  );
  expect(cli.output()).toMatch(/API: +http:\/\/127\.0\.0\.1:\d+\/api\/… as through the site.s CloudFront \(adds x-origin-verify\)/);
  expect(cli.output()).toMatch(/^\[AdmissionJob\] \{"level":"INFO","message":"admission run"/m);
  // The stream consumers as their mappings say: which function, and how many records a batch holds.
  const consumers = readServiceModel(readStackAssembly(assemblyDir())).streamConsumers;
  expect(consumers.map((consumer) => [consumer.name.split('/')[0], consumer.batchSize])).toEqual([
    ['LedgerWriter', 1000],
    ['SalesCounter', 100],
  ]);
});
