import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../local/dynamodb-local';
import packageJson from '../../package.json';

/**
 * `npm start` with DATA_DIR, stopped and started again: every balance, hold, payment, queue
 * token and Idempotency-Key answer is still there, and the bearer tokens it issued still verify.
 */
const ROOT = resolve(__dirname, '../..');
let dataDir: string;
let port: number;
let server: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'durable-'));
  port = await freePort();
});
afterAll(async () => {
  await stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Runs the `start` script's own command line, as npm would (through sh), so a change to how it
 * loads the code is tested too; the script `exec`s node, so the signal reaches the server itself.
 */
async function start(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), JOB_INTERVAL_SECONDS: '0' };
  delete env.DYNAMODB_ENDPOINT;
  const child = spawn('sh', ['-c', packageJson.scripts.start], {
    cwd: ROOT,
    env: { ...env, PATH: `${resolve(ROOT, 'node_modules/.bin')}:${env.PATH ?? ''}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  output = '';
  await new Promise<void>((ready, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('[local] ready:')) ready();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => fail(new Error(`npm start exited (${code}): ${output}`)));
  });
}

/** Ctrl-C, as a developer stops it: the server and its DynamoDB Local end. */
async function stop(): Promise<void> {
  const child = server;
  server = undefined;
  if (!child || child.exitCode !== null) return;
  await new Promise<void>((exited) => {
    child.once('exit', () => exited());
    child.kill('SIGINT');
  });
}

async function call(method: string, path: string, options: { token?: string; queueToken?: string; body?: unknown; key?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.queueToken) headers['x-queue-token'] = options.queueToken;
  if (options.key) headers['idempotency-key'] = options.key;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

test('stopping and starting npm start with DATA_DIR keeps balances, holds, payments, queue tokens and keyed answers', async () => {
  await start();
  const alice = (await call('POST', '/local/token', { body: { userId: 'alice' } })).body.accessToken as string;
  const bob = (await call('POST', '/local/token', { body: { userId: 'bob' } })).body.accessToken as string;
  const aliceQueue = (await call('POST', '/concerts/aurora-live/queue', { token: alice })).body.token as string;
  await call('POST', '/local/jobs/activate');
  // Bob joins after the admission run: he is still waiting when the server stops.
  const bobQueue = (await call('POST', '/concerts/aurora-live/queue', { token: bob })).body.token as string;
  const charge = await call('POST', '/balance/charge', { token: alice, body: { amount: 400_000 }, key: 'durable-charge' });
  expect(charge.status).toBe(200);
  const hold = (seatNumber: number) =>
    call('POST', '/reservations', {
      token: alice,
      queueToken: aliceQueue,
      body: { concertId: 'aurora-live', scheduleId: 'aurora-live-2', seatNumber },
    });
  const paidHold = await hold(5);
  const keptHold = await hold(6);
  expect([paidHold.status, keptHold.status]).toEqual([201, 201]);
  // Holding again the seat of a live hold is refused before and after the restart alike.
  expect((await hold(6)).status).toBe(409);
  const paid = await call('POST', '/payments', {
    token: alice,
    queueToken: aliceQueue,
    body: { reservationIds: [paidHold.body.reservationId] },
    key: 'durable-pay',
  });
  expect(paid.status).toBe(201);

  const seen = async () => ({
    balance: (await call('GET', '/balance', { token: alice })).body,
    reservations: (await call('GET', '/reservations', { token: alice })).body,
    payments: (await call('GET', '/payments', { token: alice })).body,
    aliceQueue: (await call('GET', '/concerts/aurora-live/queue', { token: alice, queueToken: aliceQueue })).body,
    bobQueue: (await call('GET', '/concerts/aurora-live/queue', { token: bob, queueToken: bobQueue })).body,
  });
  const before = await seen();
  expect(before.bobQueue).toMatchObject({ status: 'WAIT', position: 1 });
  expect(before.aliceQueue).toMatchObject({ status: 'EXPIRED' });

  await stop();
  await start();

  expect(await seen()).toEqual(before);
  // The keyed answers were kept too: the same requests replay them and change nothing.
  expect(await call('POST', '/balance/charge', { token: alice, body: { amount: 400_000 }, key: 'durable-charge' })).toEqual(charge);
  const replayedPayment = await call('POST', '/payments', {
    token: alice,
    queueToken: aliceQueue,
    body: { reservationIds: [paidHold.body.reservationId] },
    key: 'durable-pay',
  });
  expect(replayedPayment).toEqual(paid);
  expect((await call('GET', '/balance', { token: alice })).body).toEqual(before.balance);
  // Bob's place survives: the admission run now admits him.
  await call('POST', '/local/jobs/activate');
  expect((await call('GET', '/concerts/aurora-live/queue', { token: bob, queueToken: bobQueue })).body).toMatchObject({ status: 'ACTIVE' });
}, 180_000);
