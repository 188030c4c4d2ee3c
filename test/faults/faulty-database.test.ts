import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import type { LocalApi } from '../support/local-api';
import { seededRandom } from '../support/seeded-random';
import { rawRequest, type Answer, type RawRequestOptions } from '../support/raw-request';

/**
 * A rush through a DynamoDB that misbehaves (test/support/fault-proxy.ts between the local runtime
 * and DynamoDB Local): throttling answers, writes applied with their answer cut, slow answers and
 * outages. Sixty users charge, join, race for twenty seats and pay, each retrying 503s, lost answers
 * and 409 IDEMPOTENCY_KEY_IN_USE with the same Idempotency-Key and body until the answer is definite,
 * as the contract tells clients to. Every answer must agree with what landed: a 200/201 if and only
 * if the effect exists, the same answer for every retry of a key, never IDEMPOTENCY_KEY_REUSED for
 * an unchanged body, and no 5xx but 503.
 */
const USERS = 60;
const CONCERT = 'aurora-live';
const SCHEDULE = 'aurora-live-1';
/** The race: seats 31-50 of the first date (99,000 KRW each). */
const SEATS = Array.from({ length: 20 }, (_, i) => 31 + i);
const RUSH_FAULTS = { throttle: 0.2, cutWrites: 0.2, slow: 0.1, slowMs: 800 };

let proxy: FaultProxy;
let api: LocalApi;
let upstream: string;

// Seeded, so a failing run can be told apart by its seed in the log.
const seed = Math.floor(Math.random() * 2 ** 31);
const random = seededRandom(seed);

beforeAll(async () => {
  // Slow answers are the point here: the SDK's warning about each one is noise.
  const warn = console.warn.bind(console);
  jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).includes('requestTimeout')) warn(...args);
  });
  upstream = process.env.DYNAMODB_ENDPOINT!;
  proxy = await startFaultProxy(upstream, random);
  // The handlers' one client is made on first use, from this endpoint: load them only now.
  process.env.DYNAMODB_ENDPOINT = proxy.url;
  const { startLocalApi } = await import('../support/local-api');
  api = await startLocalApi();
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await proxy?.stop();
  process.env.DYNAMODB_ENDPOINT = upstream;
});

/** Requests whose answer never reached the client, at the transport. */
const noAnswer: string[] = [];

/** Every answer the API gave, whatever it was. */
const everyAnswer: Array<{ what: string; status: number; code?: string; retryAfter: string | null }> = [];

async function call(what: string, method: string, path: string, options: RawRequestOptions = {}): Promise<Answer> {
  let answer: Answer;
  try {
    answer = await rawRequest(api.url, method, path, options);
  } catch (error) {
    // A body that is not JSON is the API's fault, not the transport's.
    if (error instanceof SyntaxError) throw error;
    // No answer reached the client (a keep-alive connection closed under it): as a lost answer, sent again.
    noAnswer.push(`${what}: ${(error as Error).message} (${String((error as { cause?: unknown }).cause)})`);
    return { status: 0, retryAfter: '1', body: undefined };
  }
  everyAnswer.push({ what, status: answer.status, code: answer.body?.error?.code, retryAfter: answer.retryAfter });
  return answer;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isInUse = (answer: Answer) => answer.status === 409 && answer.body?.error?.code === 'IDEMPOTENCY_KEY_IN_USE';

/** As a client following the contract: wait what Retry-After says (a little less or more), then send again. */
async function waitRetryAfter(answer: Answer): Promise<void> {
  const seconds = Math.min(Number(answer.retryAfter ?? 1), 2);
  await pause(seconds * 1000 * (0.4 + 0.6 * random()));
}

/** A request without a key: sent again after each 503 until it is answered otherwise. */
async function untilAnswered(send: () => Promise<Answer>): Promise<Answer> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const answer = await send();
    if (answer.status !== 503 && answer.status !== 0) return answer;
    await waitRetryAfter(answer);
  }
  throw new Error('never answered');
}

/** The definite answers a keyed request got, each time one reached the client. */
const keyed = new Map<string, Answer[]>();

/**
 * A keyed request, sent again with the same key and body after a 503 or a 409 IN_USE, and after
 * a definite answer that (one time in ten) the network "lost" on its way to the client.
 */
async function untilDefinite(key: string, send: () => Promise<Answer>): Promise<Answer> {
  const definite: Answer[] = [];
  keyed.set(key, definite);
  for (let attempt = 0; attempt < 200; attempt++) {
    const answer = await send();
    if (answer.status === 503 || answer.status === 0 || isInUse(answer)) {
      await waitRetryAfter(answer);
      continue;
    }
    definite.push(answer);
    if (random() < 0.1) continue;
    return answer;
  }
  throw new Error(`no definite answer for ${key}`);
}

interface Rusher {
  readonly userId: string;
  readonly token: string;
  queueToken?: string;
  charges: Array<{ amount: number; answer: Answer }>;
  payment?: { reservationIds: string[]; answer: Answer };
}

async function rush(user: Rusher): Promise<void> {
  const i = Number(user.userId.split('-').pop());
  const charge = async (key: string, amount: number) => {
    const answer = await untilDefinite(key, () => call('charge', 'POST', '/balance/charge', { token: user.token, body: { amount }, key }));
    user.charges.push({ amount, answer });
  };
  await charge(`${user.userId}-charge-1`, 150_000 + i);

  const join = async () => {
    const joined = await untilAnswered(() => call('join', 'POST', `/concerts/${CONCERT}/queue`, { token: user.token }));
    expect([200, 201]).toContain(joined.status);
    user.queueToken = joined.body.token;
  };
  /** Joins, then polls until ACTIVE. Joins are not keyed: one whose answer was lost may have replaced the token, so a 403 means join again, as a client would. */
  const becomeActive = async () => {
    await join();
    for (;;) {
      const polled = await untilAnswered(() =>
        call('poll', 'GET', `/concerts/${CONCERT}/queue`, { token: user.token, queueToken: user.queueToken }),
      );
      if (polled.status === 403) {
        console.log(`${user.userId}: poll answered ${polled.body?.error?.code}; joining again`);
        await join();
        continue;
      }
      expect(polled.status).toBe(200);
      if (polled.body.status === 'ACTIVE') return;
      await pause(200);
    }
  };
  await becomeActive();

  // A second charge races the payment for the same wallet.
  const second = charge(`${user.userId}-charge-2`, 50_000 + i);
  // Up to four tries at random seats: a rush of sixty for twenty seats leaves most users without one.
  const seats = [...SEATS].sort(() => random() - 0.5).slice(0, 4);
  for (const seatNumber of seats) {
    let held = await untilAnswered(() =>
      call('hold', 'POST', '/reservations', {
        token: user.token,
        queueToken: user.queueToken,
        body: { concertId: CONCERT, scheduleId: SCHEDULE, seatNumber },
      }),
    );
    if (held.status === 403) {
      console.log(`${user.userId}: hold answered ${held.body?.error?.code}; joining again`);
      await becomeActive();
      held = await untilAnswered(() =>
        call('hold', 'POST', '/reservations', {
          token: user.token,
          queueToken: user.queueToken,
          body: { concertId: CONCERT, scheduleId: SCHEDULE, seatNumber },
        }),
      );
    }
    if (held.status === 201) break;
    expect({ status: held.status, code: held.body?.error?.code }).toEqual({ status: 409, code: 'SEAT_UNAVAILABLE' });
  }
  // A hold whose answer was lost may have landed too: the user pays for what the list shows.
  const listed = await untilAnswered(() => call('reservations', 'GET', '/reservations', { token: user.token }));
  const now = Date.now();
  const reservationIds = (listed.body.reservations as Array<{ reservationId: string; status: string; expiresAt: string }>)
    .filter((r) => r.status === 'HELD' && Date.parse(r.expiresAt) > now)
    .map((r) => r.reservationId)
    .slice(0, 2);
  if (reservationIds.length > 0) {
    const key = `${user.userId}-pay`;
    const answer = await untilDefinite(key, () =>
      call('pay', 'POST', '/payments', { token: user.token, queueToken: user.queueToken, body: { reservationIds }, key }),
    );
    user.payment = { reservationIds, answer };
  }
  await second;
}

test('a rush through throttling, cut answers, slow answers and outages: every answer agrees with what landed', async () => {
  const users: Rusher[] = await Promise.all(
    Array.from({ length: USERS }, async (_, i) => ({ userId: `rusher-${i}`, token: await api.tokenFor(`rusher-${i}`), charges: [] })),
  );
  const startedAt = Date.now();
  proxy.setFaults(RUSH_FAULTS);

  let done = false;
  // The admission job, on its local route, retried like any client after a 503.
  const admission = (async () => {
    while (!done) {
      const run = await call('job', 'POST', '/local/jobs/activate');
      expect([200, 503]).toContain(run.status);
      await pause(run.status === 503 ? 500 : 250);
    }
  })();
  // The ledger writer on the wallet table's stream, through the same faults: a failed poll is read again.
  let writerFailures = 0;
  const ledgerWriter = (async () => {
    while (!done) {
      await api.runtime.pollLedgerStream().catch(() => writerFailures++);
      await pause(500);
    }
  })();
  // Outages of two seconds, three seconds apart, until the rush is over.
  const outages = (async () => {
    await pause(1_000);
    for (let n = 0; n < 3 && !done; n++) {
      await proxy.outage(2_000);
      await pause(3_000);
    }
  })();
  const rushed = await Promise.allSettled(users.map((user) => rush(user)));
  done = true;
  await Promise.all([admission, outages, ledgerWriter]);
  const tookMs = Date.now() - startedAt;
  proxy.setFaults({});
  expect(
    rushed.flatMap((outcome) => (outcome.status === 'rejected' ? [String((outcome.reason as Error)?.stack ?? outcome.reason)] : [])),
  ).toEqual([]);
  // The writer catches up once the database is well: no charge is left pending.
  await api.runtime.pollLedgerStream();

  // No 5xx but 503, which always says when to retry; no 409 REUSED for an unchanged body.
  const statuses = new Map<string, number>();
  for (const answer of everyAnswer)
    statuses.set(
      `${answer.status}${answer.code ? ` ${answer.code}` : ''}`,
      (statuses.get(`${answer.status}${answer.code ? ` ${answer.code}` : ''}`) ?? 0) + 1,
    );
  console.log(
    `seed ${seed}: ${everyAnswer.length} answers in ${tookMs} ms ${JSON.stringify(Object.fromEntries(statuses))}; faults ${JSON.stringify(proxy.counts)}; ledger writer polls failed: ${writerFailures}; answers lost at the transport: ${noAnswer.length}`,
  );
  if (noAnswer.length > 0) console.log(noAnswer.slice(0, 5).join('\n'));
  expect(everyAnswer.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
  expect(everyAnswer.filter((a) => (a.status === 503 || a.code === 'IDEMPOTENCY_KEY_IN_USE') && !(Number(a.retryAfter) >= 1))).toEqual([]);
  expect(everyAnswer.filter((a) => a.code === 'IDEMPOTENCY_KEY_REUSED')).toEqual([]);
  // The faults happened.
  expect(proxy.counts.throttled).toBeGreaterThan(0);
  expect(proxy.counts.cut).toBeGreaterThan(0);
  expect(proxy.counts.refused).toBeGreaterThan(0);

  // Every definite answer of a key is the same answer.
  let disagreeing = 0;
  for (const [key, answers] of keyed) {
    const distinct = new Set(answers.map((answer) => JSON.stringify({ status: answer.status, body: answer.body })));
    if (distinct.size !== 1) {
      disagreeing++;
      console.log(`${key} answered differently: ${[...distinct].join(' | ')}`);
    }
  }

  const { documentClient } = await import('../../functions/shared/dynamodb-client');
  const { tableName } = await import('../../functions/shared/config');
  const { createDynamoWalletRepository } = await import('../../functions/wallet/dynamo-wallet-repository');
  const { expectMoneyAndSeatsAddUp } = await import('../support/invariants');
  const wallet = createDynamoWalletRepository(documentClient, tableName('wallet'));

  const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
  const { walletKeys } = await import('../../functions/wallet/wallet-keys');
  for (const user of users) {
    const balanceItem =
      (
        await documentClient.send(
          new GetCommand({ TableName: tableName('wallet'), Key: walletKeys.balance(user.userId), ConsistentRead: true }),
        )
      ).Item ?? {};
    expect({ userId: user.userId, pending: Object.keys(balanceItem).filter((name) => name.startsWith('pending#')) }).toEqual({
      userId: user.userId,
      pending: [],
    });
    // Charges: each answered 200 with the balance after it, and exactly those are in the ledger.
    const ledger = await wallet.listLedger(user.userId);
    const landedCharges = ledger
      .filter((entry) => entry.kind === 'CHARGE')
      .map((entry) => ({ amount: entry.amount, balance: entry.balanceAfter }));
    const answeredCharges = user.charges.map(({ amount, answer }) =>
      answer.status === 200 ? { amount, balance: answer.body.balance } : { amount, status: answer.status },
    );
    const sortByAmount = <T extends { amount: number }>(list: T[]) => [...list].sort((a, b) => a.amount - b.amount);
    if (JSON.stringify(sortByAmount(landedCharges)) !== JSON.stringify(sortByAmount(answeredCharges))) {
      disagreeing++;
      console.log(`${user.userId}: charges answered ${JSON.stringify(answeredCharges)}, landed ${JSON.stringify(landedCharges)}`);
    }
    // Payments: a 201 if and only if that payment is listed, with the same body.
    const listed = (await call('list', 'GET', '/payments', { token: user.token })).body.payments;
    const answered = user.payment?.answer.status === 201 ? [user.payment.answer.body] : [];
    if (JSON.stringify(listed) !== JSON.stringify(answered)) {
      disagreeing++;
      console.log(`${user.userId}: payment answered ${JSON.stringify(user.payment?.answer)}, listed ${JSON.stringify(listed)}`);
    }
  }
  expect(disagreeing).toBe(0);

  const charged = new Map(
    users.map((user) => [user.userId, user.charges.reduce((sum, { amount, answer }) => sum + (answer.status === 200 ? amount : 0), 0)]),
  );
  const counted = await expectMoneyAndSeatsAddUp({ userIds: users.map((user) => user.userId), scheduleIds: [SCHEDULE], charged });
  console.log(`landed: ${JSON.stringify(counted)}`);
  expect(counted.payments).toBeGreaterThan(0);
  expect(counted.soldSeats).toBeLessThanOrEqual(SEATS.length);
}, 300_000);

test('a job run that fails leaves nothing half-done: 503 with Retry-After, and the next run completes it', async () => {
  const concert = 'neon-harbor';
  proxy.setFaults({});
  const users = await Promise.all(
    ['job-a', 'job-b', 'job-c'].map(async (userId) => {
      const token = await api.tokenFor(userId);
      const joined = await call('join', 'POST', `/concerts/${concert}/queue`, { token });
      return { token, queueToken: joined.body.token as string };
    }),
  );
  const statuses = async () =>
    Promise.all(
      users.map(
        async (user) =>
          (await call('poll', 'GET', `/concerts/${concert}/queue`, { token: user.token, queueToken: user.queueToken })).body.status,
      ),
    );
  expect(await statuses()).toEqual(['WAIT', 'WAIT', 'WAIT']);

  // Throttled on every call: refused with a 503, and nobody admitted.
  proxy.setFaults({ throttle: 1 });
  const throttled = await call('job', 'POST', '/local/jobs/activate');
  proxy.setFaults({});
  expect(throttled).toMatchObject({ status: 503, body: { error: { code: 'UNAVAILABLE' } } });
  expect(Number(throttled.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(await statuses()).toEqual(['WAIT', 'WAIT', 'WAIT']);

  // Its write applied but every answer cut: a 503 too, and the admission is whole (all three or none).
  proxy.setFaults({ cutWrites: 1 });
  const cut = await call('job', 'POST', '/local/jobs/activate');
  proxy.setFaults({});
  expect(cut.status).toBe(503);
  const afterCut = await statuses();
  expect(new Set(afterCut).size).toBe(1);

  // The next run completes it, admitting nobody twice.
  const next = await call('job', 'POST', '/local/jobs/activate');
  expect(next.status).toBe(200);
  const admittedNow =
    (next.body.concerts as Array<{ concertId: string; admitted: number }>).find((c) => c.concertId === concert)?.admitted ?? 0;
  expect(admittedNow).toBe(afterCut[0] === 'ACTIVE' ? 0 : 3);
  expect(await statuses()).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);
});
