import { METRIC } from '../../functions/shared/metrics';
import { captureLogs, type CapturedLogs, type CapturedMetric } from '../support/captured-logs';
import { startLocalApi, type LocalApi } from '../support/local-api';

/**
 * The business metrics a sale writes, read back from the log lines the service writes locally:
 * the same embedded-metric-format lines CloudWatch turns into metrics deployed.
 */
let api: LocalApi;
let logs: CapturedLogs | undefined;
const CONCERT = 'midnight-orchestra';

beforeAll(async () => {
  api = await startLocalApi();
});
afterEach(() => logs?.stop());
afterAll(() => api.stop());

const named = (metrics: CapturedMetric[], name: string) => metrics.filter((metric) => metric.name === name);
const total = (metrics: CapturedMetric[], name: string, dimensions: Record<string, string> = {}) =>
  named(metrics, name)
    .filter((metric) => Object.entries(dimensions).every(([key, value]) => metric.dimensions[key] === value))
    .reduce((sum, metric) => sum + metric.value, 0);

test('joins, admissions, holds won and lost, a payment and its amount, refusals by code, and job durations', async () => {
  const [alice, bob] = await Promise.all(['metrics-alice', 'metrics-bob'].map((user) => api.tokenFor(user)));
  logs = captureLogs('ERROR');

  const joins = await Promise.all([alice, bob].map((token) => api.request('POST', `/concerts/${CONCERT}/queue`, { token })));
  expect(joins.map((join) => join.status)).toEqual([201, 201]);
  // A second join of the same user is no new place.
  expect((await api.request('POST', `/concerts/${CONCERT}/queue`, { token: alice })).status).toBe(200);
  await api.runtime.runJob('admission');
  const [aliceQueue, bobQueue] = joins.map((join) => join.body.token as string);

  const seat = { concertId: CONCERT, scheduleId: `${CONCERT}-1`, seatNumber: 41 };
  const won = await api.request('POST', '/reservations', { token: alice, queueToken: aliceQueue, body: seat });
  const lost = await api.request('POST', '/reservations', { token: bob, queueToken: bobQueue, body: seat });
  expect([won.status, lost.status]).toEqual([201, 409]);
  await api.request('POST', '/balance/charge', {
    token: alice,
    body: { amount: 500_000 },
    headers: { 'idempotency-key': 'metrics-charge-1' },
  });
  const paid = await api.request('POST', '/payments', {
    token: alice,
    queueToken: aliceQueue,
    body: { reservationIds: [won.body.reservationId] },
    headers: { 'idempotency-key': 'metrics-pay-1' },
  });
  expect(paid.status).toBe(201);
  // A replayed payment is answered from the idempotency record: not a second sale.
  await api.request('POST', '/payments', {
    token: alice,
    queueToken: aliceQueue,
    body: { reservationIds: [won.body.reservationId] },
    headers: { 'idempotency-key': 'metrics-pay-1' },
  });
  expect((await api.request('GET', '/concerts/no-such-concert/schedules', { token: bob, queueToken: bobQueue })).status).toBe(403);
  await api.runtime.runJob('expiry');
  logs.stop();

  const metrics = logs.metrics();
  expect(new Set(metrics.map((metric) => metric.namespace))).toEqual(new Set(['ConcertReservation/local']));
  for (const metric of metrics) expect(metric.dimensions.service).toBe('concert-reservation');
  expect(total(metrics, METRIC.joins)).toBe(2);
  expect(total(metrics, METRIC.admissions, { concertId: CONCERT })).toBe(2);
  // The run's total line has no concert: the sum over concerts, written once a run.
  expect(
    named(metrics, METRIC.admissions)
      .filter((metric) => !metric.dimensions.concertId)
      .map((metric) => metric.value),
  ).toEqual([2]);
  expect(total(metrics, METRIC.holdsWon)).toBe(1);
  expect(total(metrics, METRIC.holdsLost)).toBe(1);
  expect(total(metrics, METRIC.payments)).toBe(1);
  expect(total(metrics, METRIC.revenue)).toBe(paid.body.amount);
  expect(paid.body.amount).toBeGreaterThan(0);
  expect(
    named(metrics, METRIC.refusals)
      .map((metric) => metric.dimensions.code)
      .sort(),
  ).toEqual(['QUEUE_TOKEN_INVALID', 'SEAT_UNAVAILABLE'].sort());
  expect(named(metrics, METRIC.jobDuration).map((metric) => [metric.dimensions.job, metric.unit])).toEqual([
    ['admission', 'Milliseconds'],
    ['expiry', 'Milliseconds'],
  ]);
  expect(named(metrics, METRIC.expirations)).toEqual([expect.objectContaining({ value: 0 })]);
  // No line carries a user, a token or a reservation: the dimensions are the bounded ones only.
  const dimensionNames = new Set(metrics.flatMap((metric) => Object.keys(metric.dimensions)));
  expect([...dimensionNames].sort()).toEqual(['code', 'concertId', 'job', 'service']);
});
