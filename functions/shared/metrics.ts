import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ErrorCode } from './errors';
import { log } from './logger';

/**
 * The service's business metrics, in CloudWatch embedded metric format: each is one JSON line on
 * stdout, which CloudWatch Logs turns into a metric deployed (no API call, nothing to wait for)
 * and which stays in the log locally. They are recorded at the edges only (HTTP results, the
 * error middleware, the job entries), one call each.
 *
 * Dimensions stay bounded: `service` everywhere, plus the error code (a closed list), the job
 * (two), and the concert on admissions only. Admissions are written by the job, one line per
 * concert per run, so a concert dimension there costs one metric per concert that ran a sale,
 * whatever the crowd. Joins, holds and payments are counted stage-wide: a sale's own figures
 * belong to the operator's per-concert stats, read from the tables, not to a metric per concert.
 */

/** Every metric the service writes: the stack's dashboard and alarms use these names too. */
export const METRIC = {
  joins: 'QueueJoins',
  admissions: 'Admissions',
  waiting: 'Waiting',
  expirations: 'Expirations',
  holdsWon: 'HoldsWon',
  holdsLost: 'HoldsLost',
  payments: 'Payments',
  /** KRW paid. */
  revenue: 'Revenue',
  refusals: 'Refusals',
  jobDuration: 'JobDuration',
} as const;

/** Dimension names besides `service`. */
export const DIMENSION = { code: 'code', job: 'job', concert: 'concertId' } as const;

export const SERVICE_NAME = 'concert-reservation';

/** Deployed, one namespace per stage (the stack sets POWERTOOLS_METRICS_NAMESPACE); locally this one. */
export const metricsNamespace = (stage: string) => `ConcertReservation/${stage}`;
export const NAMESPACE_ENV = 'POWERTOOLS_METRICS_NAMESPACE';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];
type Values = Partial<Record<(typeof METRIC)[keyof typeof METRIC], readonly [Unit, number]>>;

let shared: { metrics: Metrics; environment: string } | undefined;

/**
 * One Metrics object for the process, made at the first line (a Metrics object costs a Console of
 * its own, far more than a line) and made again only if its environment changed (tests switch the
 * lines on and off with POWERTOOLS_METRICS_DISABLED).
 */
function sharedMetrics(): Metrics {
  const namespace = process.env[NAMESPACE_ENV] || metricsNamespace('local');
  const environment = `${namespace} ${process.env.POWERTOOLS_METRICS_DISABLED}`;
  if (shared?.environment !== environment) shared = { metrics: new Metrics({ namespace, serviceName: SERVICE_NAME }), environment };
  return shared.metrics;
}

/**
 * Writes one EMF line now. Adding and publishing run without a pause, so a line's dimensions never
 * mix with another request's (the local server runs many in one process). A metric never fails the
 * request that it counts: a bad value is dropped, with a warning.
 */
function emit(values: Values, dimensions: Record<string, string> = {}): void {
  const metrics = sharedMetrics();
  try {
    for (const [name, value] of Object.entries(dimensions)) metrics.addDimension(name, value);
    for (const [name, [unit, value]] of Object.entries(values)) {
      // NaN would be written as null, and CloudWatch drops a line with a null metric.
      if (!Number.isFinite(value)) throw new RangeError(`${name} is ${value}, not a finite number`);
      metrics.addMetric(name, unit, value);
    }
    metrics.publishStoredMetrics();
  } catch (error) {
    metrics.clearMetrics();
    metrics.clearDimensions();
    log.warn('metric not written', { error, metrics: Object.keys(values) });
  }
}

const count = (value = 1) => [MetricUnit.Count, value] as const;

export const recordMetric = {
  /** A new place in a line (201). */
  joined: () => emit({ [METRIC.joins]: count() }),
  /** A seat held (201). */
  holdWon: () => emit({ [METRIC.holdsWon]: count() }),
  payment: (amount: number) => emit({ [METRIC.payments]: count(), [METRIC.revenue]: [MetricUnit.NoUnit, amount] }),
  /** Every error answer, by code; a seat someone else got first is also a hold lost. */
  refusal: (code: ErrorCode, routeHandler?: string) => {
    emit({ [METRIC.refusals]: count() }, { [DIMENSION.code]: code });
    if (code === 'SEAT_UNAVAILABLE' && routeHandler === 'holdSeat') emit({ [METRIC.holdsLost]: count() });
  },
  /** One admission run: the totals (zero included, so a graph shows a still line, not a gap) and each concert that moved. */
  admissionRun: (durationMs: number, concerts: readonly { concertId: string; admitted: number; waiting?: number }[]) => {
    const total = (key: 'admitted' | 'waiting') => concerts.reduce((sum, concert) => sum + (concert[key] ?? 0), 0);
    emit({ [METRIC.jobDuration]: [MetricUnit.Milliseconds, durationMs] }, { [DIMENSION.job]: 'admission' });
    emit({ [METRIC.admissions]: count(total('admitted')), [METRIC.waiting]: count(total('waiting')) });
    for (const { concertId, admitted } of concerts) {
      if (admitted > 0) emit({ [METRIC.admissions]: count(admitted) }, { [DIMENSION.concert]: concertId });
    }
  },
  expiryRun: (durationMs: number, expired: number) => {
    emit({ [METRIC.jobDuration]: [MetricUnit.Milliseconds, durationMs] }, { [DIMENSION.job]: 'expiry' });
    emit({ [METRIC.expirations]: count(expired) });
  },
};
