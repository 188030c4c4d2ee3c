import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { expireActiveTokens } from '../queue/expire-active-tokens';
import { log, withLogContext } from '../shared/logger';
import { recordMetric } from '../shared/metrics';
import { jobQueueDeps } from './default-job-deps';

/** Runs on the expiry schedule. Only tidies: every check already compares activeUntil with now. */
export const handler = async (_event?: unknown, context?: Pick<Context, 'awsRequestId'>) =>
  withLogContext({ requestId: context?.awsRequestId ?? randomUUID(), job: 'expiry' }, async () => {
    const started = performance.now();
    const result = await expireActiveTokens(jobQueueDeps());
    const expired = result.concerts.reduce((sum, c) => sum + c.expired, 0);
    recordMetric.expiryRun(performance.now() - started, expired);
    // Quiet when nothing moved: the job runs every minute (every few seconds locally).
    if (expired > 0) log.info('expiry run', { expired, concerts: result.concerts.filter((c) => c.expired > 0) });
    return result;
  });
