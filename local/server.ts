import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { jobs, type JobDefinition } from '../functions/jobs/job-table';
import { errorResponse, jsonResponse } from '../functions/http/responses';
import {
  ACCESS_TOKEN_SCOPE,
  API_PATH_PREFIX,
  groupEntry,
  NOT_FOUND_HANDLER,
  routeKeyOf,
  routes,
  type HandlerGroup,
} from '../functions/http/route-table';
import { isDatabaseUnavailable } from '../functions/shared/dynamodb-errors';
import { UnavailableError } from '../functions/shared/errors';
import { apiDocsResponse } from './api-docs';
import { startLocalGateway, type GatewayEvent, type GatewayResult, type Invoke } from './http-gateway';
import type { LocalIssuer } from './local-issuer';
import { localWebPage } from './web-assets';

type ApiHandler = (event: GatewayEvent, context: Context) => Promise<GatewayResult>;
type JobHandler = () => Promise<unknown>;

const ROOT = resolve(__dirname, '..');

const loadGroup = (group: HandlerGroup): ApiHandler => (require(resolve(ROOT, groupEntry(group))) as { handler: ApiHandler }).handler;
const loadJob = (job: JobDefinition): JobHandler => (require(resolve(ROOT, job.entry)) as { handler: JobHandler }).handler;

export interface LocalServer {
  readonly url: string;
  /** Runs one scheduled job now, as the timer and `POST /local/jobs/*` do. */
  runJob(name: JobDefinition['name']): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * `npm start`'s server: every row of the route table behind the local gateway (local/http-gateway.ts),
 * each calling the same handler the stack deploys, from the TypeScript sources in this process.
 */
export async function startLocalServer(options: { port: number; host?: string; issuer: LocalIssuer }): Promise<LocalServer> {
  const groups = new Map<HandlerGroup, ApiHandler>();
  const handlerOf = (group: HandlerGroup) => {
    if (!groups.has(group)) groups.set(group, loadGroup(group));
    return groups.get(group)!;
  };
  const invokeGroup =
    (group: HandlerGroup): Invoke =>
    (event) =>
      handlerOf(group)(event, lambdaContext(event.requestContext.requestId, group));
  const jobHandlers = new Map(jobs.map((job) => [job.name, loadJob(job)]));
  const runJob = (name: JobDefinition['name']) => jobHandlers.get(name)!();
  /** `POST /local/jobs/*`: as the API answers, a sick database is a 503 to retry; each run's writes are all or nothing, and the next run completes it. */
  const answerJob = async (name: JobDefinition['name']): Promise<GatewayResult> => {
    try {
      return jsonResponse(200, await runJob(name));
    } catch (error) {
      if (!(error instanceof UnavailableError) && !isDatabaseUnavailable(error)) throw error;
      const retryAfter = error instanceof UnavailableError ? error.retryAfterSeconds : 1;
      return errorResponse('UNAVAILABLE', 'the database is unavailable; run the job again shortly', {
        headers: { 'retry-after': String(retryAfter) },
      });
    }
  };
  const webPage = localWebPage();

  const gateway = await startLocalGateway({
    port: options.port,
    host: options.host,
    issuer: options.issuer,
    // As the stack's authorizer: access tokens with the scope only, so an ID token is refused.
    routes: routes.map((route) => ({
      routeKey: routeKeyOf(route),
      authorized: route.auth !== 'public',
      ...(route.auth === 'public' ? {} : { scopes: [ACCESS_TOKEN_SCOPE] }),
      invoke: invokeGroup(route.group),
    })),
    apiPathPrefix: API_PATH_PREFIX,
    defaultRoute: invokeGroup(NOT_FOUND_HANDLER.group),
    localJobs: new Map(jobs.map((job) => [job.localPath, () => answerJob(job.name)])),
    pages: [apiDocsResponse, (method, path) => webPage.serve(method, path)],
  });
  return { url: gateway.url, runJob, close: () => gateway.close() };
}

// Made once: functions made per request cost the local runtime a naming call each (tsx keeps names).
const nothing = () => undefined;
// As long as a deployed API function has (its timeout): Powertools idempotency keeps an in-flight key that long.
const remainingTime = () => 10_000;

function lambdaContext(requestId: string, group: string): Context {
  return {
    awsRequestId: requestId,
    functionName: `local-${group}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:local-${group}`,
    memoryLimitInMB: '256',
    logGroupName: `/local/${group}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: remainingTime,
    done: nothing,
    fail: nothing,
    succeed: nothing,
  };
}
