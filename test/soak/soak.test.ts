import { startLocalApi, type LocalApi } from '../support/local-api';
import { expectMoneyAndSeatsAddUp } from '../support/invariants';

/**
 * A rush in miniature: 200 simulated users at once go through the whole journey against the local
 * server (sign in, join, poll until admitted, dates, seat map, hold, charge, pay, history), racing
 * for the same seats, some double-clicking Pay, some walking away from their holds. The admission
 * job runs on a short timer meanwhile. Bounded: every user stops at the deadline.
 * Afterwards: no 500, no seat sold twice, balances equal their ledgers, no money made or lost.
 */
const USERS = 200;
const DEADLINE_MS = 40_000;
const ARRIVAL_SPACING_MS = 20;
const CONCERTS = ['aurora-live', 'midnight-orchestra', 'neon-harbor'];

let api: LocalApi;

interface Answer {
  readonly status: number;
  readonly body: any;
  readonly retryAfter?: string | null;
}
interface RequestOptions {
  readonly token?: string;
  readonly queueToken?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A request that can be abandoned; no answer (abandoned, or the connection failed) is status 0. */
async function request(method: string, path: string, options: RequestOptions, signal: AbortSignal | null): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.queueToken) headers['x-queue-token'] = options.queueToken;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, retryAfter: response.headers.get('retry-after') };
  } catch (error) {
    if (signal?.aborted || (error as Error).message === 'fetch failed') return { status: 0, body: undefined };
    throw error;
  }
}

beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(() => api.stop());

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

interface Tally {
  readonly statuses: Map<string, number>;
  readonly charged: Map<string, number>;
  completed: number;
  paid: number;
  walkedAway: number;
  timedOut: number;
}

test(`${USERS} users through the whole journey at once: no 500, no seat sold twice, balances equal their ledgers`, async () => {
  const tally: Tally = { statuses: new Map(), charged: new Map(), completed: 0, paid: 0, walkedAway: 0, timedOut: 0 };
  const startedAt = Date.now();
  const deadline = startedAt + DEADLINE_MS;
  const marks = { joined: [] as number[], active: [] as number[] };
  let rushing = true;
  const admission = (async () => {
    while (rushing) {
      await api.runtime.runJob('admission');
      await pause(250);
    }
  })();

  // At the deadline every request still open is abandoned, as a user closing the tab would.
  const rush = new AbortController();
  const stopRush = setTimeout(() => rush.abort(), DEADLINE_MS);

  /**
   * One request; a 503 is retried after a short pause, as a client honouring Retry-After would
   * (shortened). No answer at all (abandoned at the deadline, or the connection failed under the
   * load) is status 0: the user stops there.
   */
  const send = async (
    label: string,
    method: string,
    path: string,
    options: RequestOptions = {},
    signal: AbortSignal | null = rush.signal,
  ): Promise<Answer> => {
    for (;;) {
      const response = await request(method, path, options, signal);
      const key = `${label} ${response.status}${response.body?.error ? ` ${response.body.error.code}` : ''}`;
      tally.statuses.set(key, (tally.statuses.get(key) ?? 0) + 1);
      if (response.status !== 503 || Date.now() > deadline) return response;
      await pause(200 + Math.random() * 300);
    }
  };
  const chargeOutcomeUnknown = new Map<string, { amount: number; again: () => Promise<Answer> }>();

  const journey = async (i: number) => {
    const userId = `soak-${i}`;
    const concertId = CONCERTS[i % CONCERTS.length];
    const signIn = await send('sign-in', 'POST', '/local/token', { body: { userId } });
    if (signIn.status !== 200) return void tally.timedOut++;
    const token = signIn.body.accessToken as string;
    const joined = await send('join', 'POST', `/concerts/${concertId}/queue`, { token });
    if (joined.status === 0) return void tally.timedOut++;
    marks.joined.push(Date.now() - startedAt);
    const queueToken = joined.body.token as string;
    for (;;) {
      const poll = await send('poll', 'GET', `/concerts/${concertId}/queue`, { token, queueToken });
      if (poll.status === 0) return void tally.timedOut++;
      if (poll.body.status === 'ACTIVE') {
        marks.active.push(Date.now() - startedAt);
        break;
      }
      if (Date.now() > deadline) return void tally.timedOut++;
      // Retry-After says when to poll again; the simulation waits at most a second of it.
      await pause(Math.min(Number(poll.retryAfter ?? 1), 1) * 1000 * (0.5 + Math.random() / 2));
    }
    const asActive = { token, queueToken };
    const listed = await send('schedules', 'GET', `/concerts/${concertId}/schedules`, asActive);
    if (listed.status === 0) return void tally.timedOut++;
    const schedules = listed.body.schedules as { scheduleId: string }[];
    if (!schedules?.length) return void tally.completed++;
    // Most users want the same date and the best seats: the races are the point.
    const scheduleId = Math.random() < 0.7 ? schedules[0].scheduleId : pick(schedules).scheduleId;
    const wanted = 1 + (i % 2);
    const held: { reservationId: string; price: number }[] = [];
    for (let attempt = 0; attempt < 4 && held.length < wanted && Date.now() < deadline; attempt++) {
      const seatMap = await send('seats', 'GET', `/concerts/${concertId}/schedules/${scheduleId}/seats`, asActive);
      if (seatMap.status !== 200) break;
      const seats = seatMap.body.seats as { seatNumber: number; status: string }[];
      const free = seats.filter((seat) => seat.status === 'AVAILABLE').slice(0, 12);
      if (free.length === 0) break;
      const hold = await send('hold', 'POST', '/reservations', {
        ...asActive,
        body: { concertId, scheduleId, seatNumber: pick(free).seatNumber },
      });
      if (hold.status === 201) held.push(hold.body);
    }
    if (held.length === 0 || i % 10 === 9) {
      if (held.length > 0) tally.walkedAway++;
      return void tally.completed++;
    }
    const amount = held.reduce((sum, reservation) => sum + reservation.price, 0);
    const chargeRequest = { token, body: { amount }, headers: { 'idempotency-key': `${userId}-charge` } };
    const charge = await send('charge', 'POST', '/balance/charge', chargeRequest);
    if (charge.status === 200) tally.charged.set(userId, amount);
    if (charge.status === 0) {
      // No answer: whether the money moved is unknown until the client asks again with its key.
      chargeOutcomeUnknown.set(userId, { amount, again: () => send('charge again', 'POST', '/balance/charge', chargeRequest, null) });
      return void tally.timedOut++;
    }
    const pay = () =>
      send('pay', 'POST', '/payments', {
        ...asActive,
        body: { reservationIds: held.map((reservation) => reservation.reservationId) },
        headers: { 'idempotency-key': `${userId}-pay` },
      });
    // Every fifth user double-clicks Pay: both clicks must get the one payment.
    const payments = i % 5 === 0 ? await Promise.all([pay(), pay()]) : [await pay()];
    if (payments.some((payment) => payment.status === 201)) tally.paid++;
    if (payments.length === 2 && payments.every((payment) => payment.status === 201)) expect(payments[0].body).toEqual(payments[1].body);
    await send('reservations', 'GET', '/reservations', { token });
    await send('payments', 'GET', '/payments', { token });
    tally.completed++;
  };

  // They arrive within the first few seconds, as a rush does, and are then all in at once.
  await Promise.all(
    Array.from({ length: USERS }, async (_, i) => {
      await pause(i * ARRIVAL_SPACING_MS);
      await journey(i);
    }),
  );
  const elapsedMs = Date.now() - startedAt;
  clearTimeout(stopRush);
  rushing = false;
  await admission;
  // Charges whose answer never came: the same request with the same key tells what happened, and charges nothing twice.
  for (const [userId, { amount, again }] of chargeOutcomeUnknown) {
    const answer = await again();
    expect(answer).toMatchObject({ status: 200, body: { balance: amount } });
    tally.charged.set(userId, amount);
  }

  const statuses = Object.fromEntries([...tally.statuses].sort());
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? -1;
  console.log(`soak phases: median join at ${median(marks.joined)} ms, median admitted at ${median(marks.active)} ms`);
  console.log(
    `soak: ${USERS} users in ${elapsedMs} ms; completed ${tally.completed}, paid ${tally.paid}, walked away ${tally.walkedAway}, timed out ${tally.timedOut}\n${JSON.stringify(statuses)}`,
  );
  const serverErrors = [...tally.statuses.keys()].filter((key) => / 5\d\d/.test(key) && !/ 503 /.test(key));
  expect(serverErrors).toEqual([]);
  expect(tally.completed + tally.timedOut).toBe(USERS);
  expect(tally.paid).toBeGreaterThan(0);

  const scheduleIds = CONCERTS.flatMap((concertId) => [1, 2, 3].map((n) => `${concertId}-${n}`));
  const checked = await expectMoneyAndSeatsAddUp({
    userIds: Array.from({ length: USERS }, (_, i) => `soak-${i}`),
    scheduleIds,
    charged: tally.charged,
  });
  console.log(`soak invariants: ${JSON.stringify(checked)}`);
  // Payments abandoned at the deadline may have gone through unseen; every one seen is there.
  expect(checked.payments).toBeGreaterThanOrEqual(tally.paid);
}, 120_000);
