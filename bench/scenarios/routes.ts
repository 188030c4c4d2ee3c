/**
 * Figures 1 and 2: for each route, the DynamoDB calls one request makes (how many, how many one
 * after another on the critical path, capacity consumed), and its latency under load against the
 * same calls sent straight to DynamoDB Local in the same run.
 */
import { criticalPathRoundTrips, WRITE_COMMANDS, type DynamoDbCall } from '../dynamodb-calls';
import { load, type LoadRequest } from '../load';
import { replayLatencies } from '../replay';
import { cpuMeter } from '../process-stats';
import { judged, notMeasured, reported, type Figure } from '../results';
import type { Scenario, ScenarioContext } from '../scenario';
import { mapConcurrent, median, percentile, round } from '../stats';
import { activeUsers, bearerToken, createConcert, expectStatus, userIds, type ActiveUser } from '../world';

type RouteKind = 'poll' | 'activeRead' | 'hold' | 'payment' | 'join' | 'charge' | 'other';

interface RouteCase {
  readonly route: string;
  readonly kind: RouteKind;
  readonly status: number;
  /** The i-th request: 0 warms the route up, 1 is the one whose calls are recorded, the rest are the load. */
  request(i: number): LoadRequest;
}

const ROUND_TRIPS = '1 round trips';
const OVERHEAD = '2 handler overhead';
const CALLS = '8 rush calls';
const SCHEDULES = 8;
const SEATS = 300;
/** Holds per user and date: the contract's limit. */
const HOLD_LIMIT = 4;
/** Route and raw calls are measured in this many alternating rounds. */
const ROUNDS = 4;

export const routesScenario: Scenario = {
  name: 'routes',
  async run(context) {
    const { cases, path } = await prepare(context);
    // What the HTTP hop alone costs: a route that makes no DynamoDB call.
    const healthCpu = cpuMeter(context.env.pids?.server);
    healthCpu.start();
    const health = await load({
      url: context.env.url,
      connections: context.sizes.routeConnections,
      amount: context.sizes.routeRequests,
      maxSeconds: context.sizes.routeMaxSeconds,
      request: () => ({ method: 'GET', path: '/health' }),
    });
    healthCpu.stop();
    const hop = median(health.samples);
    const figures: Figure[] = [reported(OVERHEAD, 'GET /health p50 (no DynamoDB call: the HTTP hop)', round(hop), 'ms')];
    if (healthCpu.seconds !== undefined) {
      const perRequest = (healthCpu.seconds * 1000) / Math.max(health.samples.length, 1);
      figures.push(reported(OVERHEAD, 'GET /health server CPU per request', round(perRequest, 3), 'ms'));
    }
    for (const routeCase of cases) figures.push(...(await measure(context, routeCase, hop)));
    figures.push(await seatMapToPayment(context, path));
    return figures;
  },
};

interface PathCase {
  readonly user: ActiveUser;
  readonly concertId: string;
  readonly scheduleId: string;
}

/**
 * One user from the seat map to a paid seat, as the journeys go (seat map, hold, charge the price,
 * pay; without Idempotency-Keys): the DynamoDB round trips of the four requests one after another.
 * The seat map's token check reads the admission record fresh, so the hold that follows sends its
 * claim alongside its own check.
 */
async function seatMapToPayment({ env, http }: ScenarioContext, path: PathCase): Promise<Figure> {
  const name = 'seat map to payment round trips (seats, hold, charge, pay)';
  if (!env.calls) return notMeasured(CALLS, name, 'round trips', '<= 6', "the server is not the bench's, its calls cannot be counted");
  const active = { token: path.user.token, queueToken: path.user.queueToken };
  const steps: { step: string; roundTrips: number; calls: number }[] = [];
  const step = async <T>(stepName: string, send: () => Promise<T>) => {
    await env.calls!.start({ keepCalls: true, capacity: true });
    const answer = await send();
    const calls = (await env.calls!.take()).calls ?? [];
    steps.push({ step: stepName, roundTrips: criticalPathRoundTrips(calls), calls: calls.length });
    return answer;
  };
  const seats = expectStatus(
    await step('seats', () => http.request('GET', `/concerts/${path.concertId}/schedules/${path.scheduleId}/seats`, active)),
    'the seat map',
    200,
  );
  const free = (seats.body.seats as { seatNumber: number; status: string }[]).filter((seat) => seat.status === 'AVAILABLE');
  if (free.length === 0) throw new Error('no seat left for the seat-map-to-payment path');
  const body = { concertId: path.concertId, scheduleId: path.scheduleId, seatNumber: free[free.length - 1].seatNumber };
  const held = expectStatus(
    await step('hold', () => http.request('POST', '/reservations', { ...active, body })),
    "the path's hold",
    201,
  ).body;
  expectStatus(
    await step('charge', () => http.request('POST', '/balance/charge', { token: path.user.token, body: { amount: held.price } })),
    "the path's charge",
    200,
  );
  expectStatus(
    await step('pay', () => http.request('POST', '/payments', { ...active, body: { reservationIds: [held.reservationId] } })),
    "the path's payment",
    201,
  );
  const roundTrips = steps.reduce((sum, s) => sum + s.roundTrips, 0);
  const note = steps.map((s) => `${s.step} ${s.roundTrips} (${s.calls} calls)`).join(' + ');
  return judged(CALLS, name, roundTrips, 'round trips', '<=', 6, note);
}

async function prepare(context: ScenarioContext): Promise<{ cases: RouteCase[]; path: PathCase }> {
  const { http, sizes, log } = context;
  const perRoute = sizes.routeRequests + 2 + ROUNDS;
  log(`routes: a concert of ${SCHEDULES} dates x ${SEATS} seats and the users of ${perRoute} requests per route`);
  const concert = await createConcert(http, 'routes', SCHEDULES, SEATS);
  const { concertId, scheduleIds } = concert;
  const holdSchedules = scheduleIds.slice(0, SCHEDULES / 2);
  const paySchedules = scheduleIds.slice(SCHEDULES / 2);
  if (perRoute > (SCHEDULES / 2) * SEATS) throw new Error('not enough seats for the hold and payment runs');

  const holdUsersNeeded = Math.ceil(perRoute / (holdSchedules.length * HOLD_LIMIT));
  const [reader, ...holders] = await activeUsers(http, concertId, userIds('route-user', 1 + Math.max(holdUsersNeeded, HOLD_LIMIT)));
  const payers = await activeUsers(http, concertId, userIds('route-payer', perRoute));
  const [pathUser] = await activeUsers(http, concertId, userIds('route-path', 1));
  const joiners = await mapConcurrent(userIds('route-joiner', perRoute), 32, async (userId) => ({
    userId,
    token: await bearerToken(http, userId),
  }));
  const chargers = await mapConcurrent(userIds('route-charger', 50), 32, async (userId) => ({
    userId,
    token: await bearerToken(http, userId),
  }));

  // Each payer holds one seat and has the money for it.
  const payments = await mapConcurrent(payers, 32, async (payer: ActiveUser, i) => {
    const scheduleId = paySchedules[i % paySchedules.length];
    const seatNumber = Math.floor(i / paySchedules.length) + 1;
    const held = await http.request('POST', '/reservations', {
      token: payer.token,
      queueToken: payer.queueToken,
      body: { concertId, scheduleId, seatNumber },
    });
    const reservation = expectStatus(held, 'hold for a payer', 201).body;
    expectStatus(
      await http.request('POST', '/balance/charge', { token: payer.token, body: { amount: reservation.price } }),
      'charge for a payer',
      200,
    );
    return { payer, reservationId: reservation.reservationId as string };
  });

  // Holds: request i goes to user i mod U, on a date and seat nobody else takes, at most 4 per user and date.
  const holdSeats = holdSchedules.map(() => 0);
  const holdRequests = Array.from({ length: perRoute }, (_, i) => {
    const user = holders[i % holders.length];
    const schedule = Math.floor(i / holders.length) % holdSchedules.length;
    return { user, body: { concertId, scheduleId: holdSchedules[schedule], seatNumber: ++holdSeats[schedule] } };
  });
  const active = (user: ActiveUser) => ({ token: user.token, queueToken: user.queueToken });
  const seatMapSchedule = holdSchedules[holdSchedules.length - 1];

  const path = { user: pathUser, concertId, scheduleId: seatMapSchedule };
  const cases: RouteCase[] = [
    { route: 'GET /concerts', kind: 'other', status: 200, request: () => ({ method: 'GET', path: '/concerts' }) },
    {
      route: 'GET /concerts/{concertId}/queue',
      kind: 'poll',
      status: 200,
      request: () => ({ method: 'GET', path: `/concerts/${concertId}/queue`, ...active(reader) }),
    },
    {
      route: 'GET /concerts/{concertId}/schedules',
      kind: 'activeRead',
      status: 200,
      request: () => ({ method: 'GET', path: `/concerts/${concertId}/schedules`, ...active(reader) }),
    },
    {
      route: 'GET /concerts/{concertId}/schedules/{scheduleId}/seats',
      kind: 'activeRead',
      status: 200,
      request: () => ({ method: 'GET', path: `/concerts/${concertId}/schedules/${seatMapSchedule}/seats`, ...active(reader) }),
    },
    {
      route: 'POST /concerts/{concertId}/queue',
      kind: 'join',
      status: 201,
      request: (i) => ({ method: 'POST', path: `/concerts/${concertId}/queue`, token: joiners[i].token }),
    },
    {
      route: 'POST /reservations',
      kind: 'hold',
      status: 201,
      request: (i) => ({ method: 'POST', path: '/reservations', ...active(holdRequests[i].user), body: holdRequests[i].body }),
    },
    {
      route: 'GET /reservations',
      kind: 'other',
      status: 200,
      request: () => ({ method: 'GET', path: '/reservations', token: holders[0].token }),
    },
    {
      route: 'POST /balance/charge',
      kind: 'charge',
      status: 200,
      request: (i) => ({ method: 'POST', path: '/balance/charge', token: chargers[i % chargers.length].token, body: { amount: 1 } }),
    },
    { route: 'GET /balance', kind: 'other', status: 200, request: () => ({ method: 'GET', path: '/balance', token: chargers[0].token }) },
    {
      route: 'POST /payments',
      kind: 'payment',
      status: 201,
      request: (i) => ({
        method: 'POST',
        path: '/payments',
        ...active(payments[i].payer),
        body: { reservationIds: [payments[i].reservationId] },
      }),
    },
    {
      route: 'GET /payments',
      kind: 'other',
      status: 200,
      request: () => ({ method: 'GET', path: '/payments', token: payments[0].payer.token }),
    },
  ];
  return { cases, path };
}

async function measure(context: ScenarioContext, routeCase: RouteCase, hop: number): Promise<Figure[]> {
  const { env, http, sizes, log } = context;
  const send = (request: LoadRequest) => http.request(request.method, request.path, request);
  expectStatus(await send(routeCase.request(0)), `${routeCase.route} (warm-up)`, routeCase.status);

  let calls: DynamoDbCall[] | undefined;
  if (env.calls) {
    await env.calls.start({ keepCalls: true, capacity: true });
    expectStatus(await send(routeCase.request(1)), routeCase.route, routeCase.status);
    calls = (await env.calls.take()).calls;
  } else {
    expectStatus(await send(routeCase.request(1)), routeCase.route, routeCase.status);
  }

  // Route and raw calls alternate in rounds, so a busy moment of the machine touches both alike.
  const client = env.dynamo?.client;
  const dataCalls = calls?.filter((call) => !isTokenCheck(call)) ?? [];
  const routeSamples: number[] = [];
  const rawSamples: number[] = [];
  const singleSamples: number[] = [];
  const statuses: Record<number, number> = {};
  let loadSeconds = 0;
  // CPU per request of the server, and of the bench's client for the same calls sent raw: at one
  // connection all of a request's CPU but what follows its answer lies on its critical path.
  const serverCpu = cpuMeter(env.pids?.server);
  const rawClientCpu = cpuMeter(process.pid);
  const perRound = Math.ceil(sizes.routeRequests / ROUNDS);
  for (let round_ = 0; round_ < ROUNDS; round_++) {
    const first = 2 + round_ * perRound;
    serverCpu.start();
    const loaded = await load({
      url: env.url,
      connections: sizes.routeConnections,
      amount: perRound,
      maxSeconds: sizes.routeMaxSeconds / ROUNDS,
      request: (i) => routeCase.request(first + i),
    });
    serverCpu.stop();
    routeSamples.push(...loaded.samples);
    loadSeconds += loaded.samples.length / Math.max(loaded.requestsPerSecond, 1e-9);
    for (const [status, count] of Object.entries(loaded.statuses)) statuses[Number(status)] = (statuses[Number(status)] ?? 0) + count;
    if (calls && client) {
      rawClientCpu.start();
      rawSamples.push(...(await replayLatencies(client, calls, loaded.samples.length, sizes.routeConnections)));
      rawClientCpu.stop();
      if (routeCase.kind === 'activeRead' && dataCalls.length === 1) {
        singleSamples.push(...(await replayLatencies(client, dataCalls, loaded.samples.length, sizes.routeConnections)));
      }
    }
  }
  const unexpected = Object.entries(statuses).filter(([status]) => Number(status) !== routeCase.status);
  const routeP50 = median(routeSamples);
  const summary = `p50 ${round(routeP50)} ms, p99 ${round(percentile(routeSamples, 99))} ms, ${Math.round(routeSamples.length / Math.max(loadSeconds, 1e-9))} req/s at ${sizes.routeConnections} connection(s)`;
  const statusNote = unexpected.length > 0 ? `; unexpected answers: ${unexpected.map(([s, n]) => `${n} x ${s}`).join(', ')}` : '';
  log(`  ${routeCase.route}: ${summary}${statusNote}`);

  if (!calls || !env.dynamo) {
    return [
      notMeasured(ROUND_TRIPS, routeCase.route, 'round trips', null, "the server is not the bench's, its calls cannot be counted"),
      reported(OVERHEAD, `${routeCase.route} p50`, round(routeP50), 'ms', summary + statusNote),
    ];
  }

  const figures: Figure[] = [];
  const roundTrips = criticalPathRoundTrips(calls);
  const writes = calls.filter((call) => WRITE_COMMANDS.has(call.command));
  const readCapacity = round(calls.reduce((sum, call) => sum + call.readCapacity, 0));
  const writeCapacity = round(calls.reduce((sum, call) => sum + call.writeCapacity, 0));
  const callNote = `${calls.length} calls (${calls.map((c) => c.command.replace(/Command$/, '')).join(', ')}); ${readCapacity} RCU, ${writeCapacity} WCU`;
  switch (routeCase.kind) {
    case 'poll':
      // An ACTIVE token's poll reads its token item (spent or replaced matter); a waiting one reads nothing (figure 8).
      figures.push(judged(ROUND_TRIPS, `${routeCase.route} calls (an ACTIVE token)`, calls.length, 'calls', '==', 1, callNote));
      break;
    case 'activeRead':
      figures.push(judged(ROUND_TRIPS, `${routeCase.route} calls`, calls.length, 'calls', '<=', 2, callNote));
      figures.push(
        judged(ROUND_TRIPS, `${routeCase.route} round trips`, roundTrips, 'round trips', '==', 1, 'token check and data read overlap'),
      );
      break;
    case 'hold': {
      // Issue 14: one single-item write on the seat decides a race, and only its winner commits
      // (one transaction). The claim goes out alongside issue 7's token check once the instance's
      // recent admission record shows the caller admitted (the warm-up hold read it just before).
      const transactions = writes.filter((call) => call.command === 'TransactWriteItemsCommand').length;
      figures.push(
        judged(ROUND_TRIPS, `${routeCase.route} writes (the winner's claim and commit)`, writes.length, 'writes', '==', 2, callNote),
      );
      figures.push(
        judged(
          ROUND_TRIPS,
          `${routeCase.route} transactions`,
          transactions,
          'transactions',
          '==',
          1,
          'the commit; the claim is a single-item write',
        ),
      );
      figures.push(
        judged(
          ROUND_TRIPS,
          `${routeCase.route} round trips`,
          roundTrips,
          'round trips',
          '<=',
          2,
          'the claim alongside the token check, then the commit',
        ),
      );
      break;
    }
    case 'payment':
      figures.push(judged(ROUND_TRIPS, `${routeCase.route} writes`, writes.length, 'writes', '==', 1, callNote));
      figures.push(
        judged(
          ROUND_TRIPS,
          `${routeCase.route} round trips`,
          roundTrips,
          'round trips',
          '<=',
          2,
          'token check with the reads it needs, then the transaction',
        ),
      );
      break;
    case 'join':
      figures.push(reported(CALLS, `${routeCase.route} calls`, calls.length, 'calls', callNote));
      figures.push(
        judged(
          CALLS,
          `${routeCase.route} round trips`,
          roundTrips,
          'round trips',
          '<=',
          2,
          'a join once the server is warm (the concert seen before)',
        ),
      );
      break;
    case 'charge':
      figures.push(
        judged(CALLS, `${routeCase.route} round trips`, roundTrips, 'round trips', '==', 1, `without an Idempotency-Key; ${callNote}`),
      );
      break;
    case 'other':
      figures.push(reported(ROUND_TRIPS, `${routeCase.route} round trips`, roundTrips, 'round trips', callNote));
      break;
  }

  const rawP50 = median(rawSamples);
  figures.push(
    judged(
      OVERHEAD,
      `${routeCase.route} p50 / raw calls p50`,
      round(routeP50 / rawP50),
      'x',
      '<=',
      1.5,
      `${summary}; its raw calls p50 ${round(rawP50)} ms${statusNote}`,
    ),
  );
  if (serverCpu.seconds !== undefined && rawClientCpu.seconds !== undefined) {
    figures.push(
      reported(
        OVERHEAD,
        `${routeCase.route} server CPU per request`,
        round((serverCpu.seconds * 1000) / Math.max(routeSamples.length, 1), 3),
        'ms',
        `the bench's own CPU per replay of its raw calls: ${round((rawClientCpu.seconds * 1000) / Math.max(rawSamples.length, 1), 3)} ms (10 ms ticks: read it over a full run)`,
      ),
    );
  }
  figures.push(
    reported(
      OVERHEAD,
      `${routeCase.route} (p50 − HTTP hop) / raw calls p50`,
      round((routeP50 - hop) / rawP50),
      'x',
      'the handler and its calls, without the client-to-server hop that a raw call does not make',
    ),
  );

  if (routeCase.kind === 'activeRead') {
    // The same read alone, one raw call: what the route costs beyond it is the overlapped token check and the handler.
    if (dataCalls.length === 1) {
      const single = median(singleSamples);
      figures.push(
        judged(
          ROUND_TRIPS,
          `${routeCase.route} p50 / one raw read p50`,
          round(routeP50 / single),
          'x',
          '<=',
          1.3,
          `route p50 ${round(routeP50)} ms, ${dataCalls[0].command.replace(/Command$/, '')} alone p50 ${round(single)} ms`,
        ),
      );
    } else {
      figures.push(
        judged(
          ROUND_TRIPS,
          `${routeCase.route} p50 / one raw read p50`,
          Number.NaN,
          'x',
          '<=',
          1.3,
          `the data read is ${dataCalls.length} calls, not one`,
        ),
      );
    }
  }
  return figures;
}

/** The queue token check: a BatchGetItem of the user's token and the concert's admission record. */
function isTokenCheck(call: DynamoDbCall): boolean {
  return call.command === 'BatchGetItemCommand' && JSON.stringify(call.input ?? {}).includes('TOKEN#');
}
