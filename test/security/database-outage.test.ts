import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal, type RunningDynamoDb } from '../../local/dynamodb-local';
import type { LocalRuntime } from '../../local/runtime';
import { rawRequest, type Answer, type RawRequestOptions } from '../support/raw-request';

/**
 * A real outage: this file runs its own DynamoDB Local (files in a data directory) under the local
 * runtime, stops it mid-run and starts it again on the same port and data. While it is down every
 * route answers the contract's 503 with Retry-After, within the SDK's bounded retries; afterwards
 * every balance, hold and payment is exactly what the successful requests made it, and charges and
 * payments whose answer was lost are retried with their Idempotency-Key and count once.
 */
let dataDir: string;
let database: RunningDynamoDb;
let port: number;
let runtime: LocalRuntime;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'outage-'));
  database = await startDynamoDbLocal({ dataDir });
  port = Number(new URL(database.endpoint).port);
  // The handlers' one client is made on first use, from this endpoint: load them only now.
  process.env.DYNAMODB_ENDPOINT = database.endpoint;
  const { startLocalRuntime } = await import('../../local/runtime');
  runtime = await startLocalRuntime({ endpoint: database.endpoint, port: 0, jobIntervalSeconds: 0, tablePrefix: 'outage-', dataDir });
}, 90_000);

afterAll(async () => {
  await runtime?.stop();
  await database?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (method: string, path: string, options?: RawRequestOptions) => rawRequest(runtime.url, method, path, options);

interface User {
  readonly userId: string;
  readonly token: string;
  queueToken: string;
}

async function enter(userIds: string[], concertId: string): Promise<User[]> {
  const users = await Promise.all(
    userIds.map(async (userId) => {
      const token = (await call('POST', '/local/token', { body: { userId } })).body.accessToken as string;
      const joined = await call('POST', `/concerts/${concertId}/queue`, { token });
      return { userId, token, queueToken: joined.body.token as string };
    }),
  );
  await runtime.runJob('admission');
  return users;
}

/** What a user can see of their money and seats. */
async function stateOf(user: User) {
  const [balance, reservations, payments] = await Promise.all([
    call('GET', '/balance', { token: user.token }),
    call('GET', '/reservations', { token: user.token }),
    call('GET', '/payments', { token: user.token }),
  ]);
  return { balance: balance.body, reservations: reservations.body, payments: payments.body };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends a keyed request again until it is answered (not 503, not "still in progress"), as a client following the contract would. */
async function retryUntilAnswered(send: () => Promise<Answer>): Promise<Answer> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const answer = await send();
    // Never REUSED for the same body: a key whose first request is in flight, or whose outcome could not be recorded, is IN_USE.
    expect(answer.body?.error?.code).not.toBe('IDEMPOTENCY_KEY_REUSED');
    const inProgress = answer.status === 409 && answer.body?.error?.code === 'IDEMPOTENCY_KEY_IN_USE';
    if (inProgress) expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    if (answer.status !== 503 && !inProgress) return answer;
    await pause(answer.status === 503 ? 500 : 1000);
  }
  throw new Error('never answered');
}

async function restartDatabase(): Promise<void> {
  database = await startDynamoDbLocal({ dataDir, port });
}

test('while DynamoDB is down every route answers 503 with Retry-After; afterwards nothing half-done, and keyed retries count once', async () => {
  const users = await enter(['ann', 'ben', 'cho'], 'aurora-live');
  for (const [i, user] of users.entries()) {
    expect((await call('POST', '/balance/charge', { token: user.token, body: { amount: 200_000 }, key: `first-${i}` })).status).toBe(200);
    const hold = await call('POST', '/reservations', {
      token: user.token,
      queueToken: user.queueToken,
      body: { concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 40 + i },
    });
    expect(hold.status).toBe(201);
  }
  const before = await Promise.all(users.map(stateOf));
  const [ann, ben] = users;
  const annHold = before[0].reservations.reservations[0].reservationId as string;

  await database.stop();
  const startedAt = Date.now();
  const during: Array<[string, Answer]> = [
    ['GET /concerts', await call('GET', '/concerts')],
    ['POST queue', await call('POST', '/concerts/neon-harbor/queue', { token: ann.token })],
    ['GET queue', await call('GET', '/concerts/aurora-live/queue', { token: ann.token, queueToken: ann.queueToken })],
    [
      'GET seats',
      await call('GET', '/concerts/aurora-live/schedules/aurora-live-1/seats', { token: ann.token, queueToken: ann.queueToken }),
    ],
    [
      'POST /reservations',
      await call('POST', '/reservations', {
        token: ben.token,
        queueToken: ben.queueToken,
        body: { concertId: 'aurora-live', scheduleId: 'aurora-live-2', seatNumber: 1 },
      }),
    ],
    ['GET /balance', await call('GET', '/balance', { token: ann.token })],
    ['POST /balance/charge', await call('POST', '/balance/charge', { token: ben.token, body: { amount: 5_000 }, key: 'during-charge' })],
    [
      'POST /payments',
      await call('POST', '/payments', {
        token: ann.token,
        queueToken: ann.queueToken,
        body: { reservationIds: [annHold] },
        key: 'during-pay',
      }),
    ],
    ['GET /payments', await call('GET', '/payments', { token: ann.token })],
  ];
  const downForMs = Date.now() - startedAt;
  for (const [name, answer] of during) {
    expect({ name, status: answer.status, code: answer.body?.error?.code }).toEqual({ name, status: 503, code: 'UNAVAILABLE' });
    expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  }
  console.log(`${during.length} requests while DynamoDB was down answered 503 in ${downForMs} ms in all`);

  await restartDatabase();
  // Nothing the refused requests asked for happened.
  expect(await Promise.all(users.map(stateOf))).toEqual(before);

  // The client retries its keyed charge and payment: each takes effect once.
  const charge = await retryUntilAnswered(() =>
    call('POST', '/balance/charge', { token: ben.token, body: { amount: 5_000 }, key: 'during-charge' }),
  );
  expect(charge).toMatchObject({ status: 200, body: { balance: 205_000 } });
  const payment = await retryUntilAnswered(() =>
    call('POST', '/payments', { token: ann.token, queueToken: ann.queueToken, body: { reservationIds: [annHold] }, key: 'during-pay' }),
  );
  expect(payment.status).toBe(201);
  const replayed = await call('POST', '/payments', {
    token: ann.token,
    queueToken: ann.queueToken,
    body: { reservationIds: [annHold] },
    key: 'during-pay',
  });
  expect(replayed).toMatchObject({ status: 201, body: payment.body });
  const after = await Promise.all(users.map(stateOf));
  expect(after[1].balance).toEqual({ balance: 205_000 });
  expect(after[0].payments.payments).toEqual([payment.body]);
  expect(after[0].balance).toEqual({ balance: 200_000 - payment.body.amount });
  expect(after[2]).toEqual(before[2]);
}, 120_000);

test('streams of keyed charges running when DynamoDB stops: after it is back and the client retries, each key charged exactly once', async () => {
  const users = await enter(['dan', 'eve', 'fay', 'gus', 'hal', 'ivy'], 'midnight-orchestra');
  const chargeOf = (user: User, n: number) => () =>
    call('POST', '/balance/charge', { token: user.token, body: { amount: 1_000 + n }, key: `${user.userId}-charge-${n}` });
  const sent: Array<{ user: User; n: number; send: () => Promise<Answer>; answer: Answer }> = [];
  let stopped: Promise<void> | undefined;
  // Each user charges one key after another, until the database has been stopped under them and
  // they have met it: a few requests are in flight at the moment it stops.
  await Promise.all(
    users.map(async (user) => {
      for (let n = 0; n < 40; n++) {
        const send = chargeOf(user, n);
        const answer = await send();
        sent.push({ user, n, send, answer });
        if (!stopped && sent.length >= users.length * 3) stopped = database.stop();
        if (stopped && answer.status === 503) break;
      }
    }),
  );
  await stopped;
  await restartDatabase();

  const outcomes = { answered: 0, unavailable: 0 };
  for (const request of sent) {
    if (request.answer.status === 503) {
      outcomes.unavailable++;
      request.answer = await retryUntilAnswered(request.send);
    } else {
      outcomes.answered++;
    }
    expect(request.answer.status).toBe(200);
  }
  console.log(`charges across the outage: ${JSON.stringify(outcomes)}`);
  expect(outcomes.unavailable).toBeGreaterThanOrEqual(users.length);
  for (const user of users) {
    const expected = sent.filter((request) => request.user === user).reduce((sum, request) => sum + 1_000 + request.n, 0);
    expect((await call('GET', '/balance', { token: user.token })).body).toEqual({ balance: expected });
  }
}, 120_000);
