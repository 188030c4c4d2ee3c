/**
 * Figures 5 and 7: virtual users buy tickets from start to end (join → admitted → dates → seats →
 * hold → charge → pay), as a client would, honouring Retry-After while they wait and when the
 * service answers 503 (busy). Completed
 * journeys per second, each step's p99, and the DynamoDB capacity one journey consumes.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { HttpClient, HttpResponse } from '../http-client';
import { judged, reported, type Figure } from '../results';
import type { Scenario } from '../scenario';
import { percentile, round, sleep } from '../stats';
import { bearerToken, createConcert, runAdmission, userIds, type BenchConcert } from '../world';

const JOURNEYS = '5 journeys';
const COST = '7 cost';
const STEPS = ['join', 'admitted (poll)', 'dates', 'seats', 'hold', 'charge', 'pay'] as const;
type Step = (typeof STEPS)[number];

/** DynamoDB on-demand prices, us-east-1 (USD per million request units); BENCHMARKS.md shows the arithmetic. */
export const ON_DEMAND_USD_PER_MILLION = { read: 0.125, write: 0.625 } as const;
export const JOURNEYS_PER_MONTH = 1_000_000;

class JourneyFailed extends Error {}

/** Tries of one step that the service answers 503 (busy), Retry-After apart. */
const BUSY_ATTEMPTS = 3;

export const journeysScenario: Scenario = {
  name: 'journeys',
  async run({ env, http, sizes, log }) {
    const users = sizes.journeyUsers;
    // Enough seats that users rarely fight over one: a full run sells a few thousand.
    const concertCount = sizes.journeySeconds > 0 ? 2 : 1;
    const schedules = sizes.journeySeconds > 0 ? 4 : 2;
    const concerts: BenchConcert[] = [];
    for (let i = 0; i < concertCount; i++) concerts.push(await createConcert(http, `journeys-${i}`, schedules, 1000));
    const accounts = await Promise.all(userIds('buyer', users).map(async (userId) => ({ userId, token: await bearerToken(http, userId) })));
    log(
      `journeys: ${users} virtual users, ${sizes.journeySeconds > 0 ? `for ${sizes.journeySeconds} s` : 'one journey each'}; ${concertCount * schedules * 1000} seats`,
    );

    const samples = new Map<Step, number[]>(STEPS.map((step) => [step, []]));
    const waits: number[] = [];
    let busy = 0;
    let completed = 0;
    let failed = 0;
    const failures = new Map<string, number>();
    let running = true;
    const admission = (async () => {
      while (running) {
        await runAdmission(http).catch(() => undefined);
        await sleep(1000);
      }
    })();

    await env.calls?.start({ capacity: true });
    const started = performance.now();
    const deadline = started + sizes.journeySeconds * 1000;
    await Promise.all(
      accounts.map(async (account, i) => {
        const concert = concerts[i % concerts.length];
        do {
          try {
            await journey(
              http,
              account.token,
              concert,
              (step, ms) => samples.get(step)!.push(ms),
              (ms) => waits.push(ms),
              () => busy++,
            );
            completed++;
          } catch (error) {
            failed++;
            const reason = error instanceof JourneyFailed ? error.message : String(error);
            failures.set(reason, (failures.get(reason) ?? 0) + 1);
          }
        } while (performance.now() < deadline);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    running = false;
    await admission;
    const window = await env.calls?.take();

    const figures: Figure[] = [
      reported(
        JOURNEYS,
        `completed journeys per second, ${users} users`,
        round(completed / seconds),
        'journeys/s',
        `${completed} journeys in ${round(seconds, 1)} s`,
      ),
      judged(
        JOURNEYS,
        'journeys that failed',
        failed,
        'journeys',
        '==',
        0,
        failed > 0 ? [...failures].map(([r, n]) => `${n} x ${r}`).join('; ') : undefined,
      ),
      reported(
        JOURNEYS,
        '503 answers, tried again after Retry-After',
        busy,
        'answers',
        `a journey fails when a step is still 503 after ${BUSY_ATTEMPTS} tries`,
      ),
      ...STEPS.map((step) => {
        const s = samples.get(step)!;
        return reported(
          JOURNEYS,
          `${step} p99`,
          round(percentile(s, 99)),
          'ms',
          `p50 ${round(percentile(s, 50))} ms over ${s.length} requests`,
        );
      }),
      reported(
        JOURNEYS,
        'wait from join to ACTIVE p50',
        round(percentile(waits, 50)),
        'ms',
        'admission runs once a second; clients poll when Retry-After says',
      ),
    ];
    if (window && completed > 0) {
      const rcu = window.summary.readCapacity / completed;
      const wcu = window.summary.writeCapacity / completed;
      const monthly = (JOURNEYS_PER_MONTH * (rcu * ON_DEMAND_USD_PER_MILLION.read + wcu * ON_DEMAND_USD_PER_MILLION.write)) / 1_000_000;
      const callsNote = `${round(window.summary.calls / completed, 1)} DynamoDB calls per journey (${Object.entries(
        window.summary.byCommand,
      )
        .map(([c, n]) => `${c.replace(/Command$/, '')} ${round(n / completed, 1)}`)
        .join(', ')}), admission runs and failed holds included`;
      figures.push(
        reported(COST, 'read capacity units per journey', round(rcu), 'RCU', callsNote),
        reported(COST, 'write capacity units per journey', round(wcu), 'WCU'),
        reported(
          COST,
          'DynamoDB on-demand cost of 1,000,000 journeys a month',
          round(monthly),
          'USD',
          `at $${ON_DEMAND_USD_PER_MILLION.read}/M reads, $${ON_DEMAND_USD_PER_MILLION.write}/M writes`,
        ),
      );
    }
    return figures;
  },
};

async function journey(
  http: HttpClient,
  token: string,
  concert: BenchConcert,
  record: (step: Step, ms: number) => void,
  recordWait: (ms: number) => void,
  recordBusy: () => void,
): Promise<void> {
  // A 503 says "busy, try again after Retry-After": the user does, a few times, with the same
  // request (charges and payments keep their Idempotency-Key, so a retry never counts twice).
  const step = async (name: Step, send: () => Promise<HttpResponse>, ...expected: number[]) => {
    for (let attempt = 1; ; attempt++) {
      const answer = await send();
      record(name, answer.ms);
      if (answer.status === 503 && attempt < BUSY_ATTEMPTS) {
        recordBusy();
        await sleep(Number(answer.headers['retry-after'] ?? 1) * 1000);
        continue;
      }
      if (!expected.includes(answer.status)) throw new JourneyFailed(`${name}: ${answer.status} ${answer.body?.error?.code ?? ''}`.trim());
      return answer;
    }
  };
  const { concertId } = concert;
  const joined = await step('join', () => http.request('POST', `/concerts/${concertId}/queue`, { token }), 201, 200);
  const queueToken = joined.body.token as string;
  const joinedAt = performance.now();
  let status = joined.body.status as string;
  let retryAfter = Number(joined.headers['retry-after'] ?? 1);
  while (status === 'WAIT') {
    await sleep(retryAfter * 1000);
    const polled = await step('admitted (poll)', () => http.request('GET', `/concerts/${concertId}/queue`, { token, queueToken }), 200);
    status = polled.body.status;
    retryAfter = Number(polled.headers['retry-after'] ?? 1);
  }
  if (status !== 'ACTIVE') throw new JourneyFailed(`admitted: ${status}`);
  recordWait(performance.now() - joinedAt);
  const active = { token, queueToken };

  const dates = await step('dates', () => http.request('GET', `/concerts/${concertId}/schedules`, active), 200);
  const open = (dates.body.schedules as { scheduleId: string; availableSeats: number }[]).filter((s) => s.availableSeats > 0);
  if (open.length === 0) throw new JourneyFailed('dates: sold out');
  const scheduleId = open[Math.floor(Math.random() * open.length)].scheduleId;

  let reservation: { reservationId: string; price: number } | undefined;
  for (let attempt = 0; attempt < 3 && !reservation; attempt++) {
    const seats = await step('seats', () => http.request('GET', `/concerts/${concertId}/schedules/${scheduleId}/seats`, active), 200);
    const free = (seats.body.seats as { seatNumber: number; status: string }[]).filter((s) => s.status === 'AVAILABLE');
    // A few tries from one seat map: another user may take a seat between the map and the hold.
    for (let pick = 0; pick < 5 && free.length > 0 && !reservation; pick++) {
      const [seat] = free.splice(Math.floor(Math.random() * free.length), 1);
      const held = await step(
        'hold',
        () => http.request('POST', '/reservations', { ...active, body: { concertId, scheduleId, seatNumber: seat.seatNumber } }),
        201,
        409,
      );
      if (held.status === 201) reservation = held.body;
    }
  }
  if (!reservation) throw new JourneyFailed('hold: no seat after three seat maps');

  const chargeKey = randomUUID();
  const { reservationId, price } = reservation;
  await step(
    'charge',
    () => http.request('POST', '/balance/charge', { token, body: { amount: price }, headers: { 'idempotency-key': chargeKey } }),
    200,
  );
  const payKey = randomUUID();
  await step(
    'pay',
    () =>
      http.request('POST', '/payments', { ...active, body: { reservationIds: [reservationId] }, headers: { 'idempotency-key': payKey } }),
    201,
  );
}
