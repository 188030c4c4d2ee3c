import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { admitWaitingTokens } from '../queue/admit-waiting-tokens';
import { log, withLogContext } from '../shared/logger';
import { recordMetric } from '../shared/metrics';
import { jobQueueDeps } from './default-job-deps';

/** Runs on the admission schedule (EventBridge deployed, a timer locally). Safe to retry or overlap. */
export const handler = async (_event?: unknown, context?: Pick<Context, 'awsRequestId'>) =>
  withLogContext({ requestId: context?.awsRequestId ?? randomUUID(), job: 'admission' }, async () => {
    const started = performance.now();
    const result = await admitWaitingTokens(jobQueueDeps());
    recordMetric.admissionRun(performance.now() - started, result.concerts);
    const admitted = result.concerts.reduce((sum, c) => sum + c.admitted, 0);
    // Quiet when nothing moved: the job runs every minute (every few seconds locally).
    if (admitted > 0) log.info('admission run', { admitted, concerts: result.concerts.filter((c) => c.admitted > 0) });
    return result;
  });
