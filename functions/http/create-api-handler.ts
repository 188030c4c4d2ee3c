import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { RouteHandler } from './http-types';
import { activeQueueToken } from './middleware/active-queue-token';
import { errorResponses } from './middleware/error-responses';
import { idempotentRequest } from './middleware/idempotent-request';
import { routeRequest, type ApiContext, type ApiEvent, type ApiResult } from './middleware/route-request';
import { log, withLogContext } from '../shared/logger';
import { jsonResponse } from './responses';
import type { HandlerGroup, HandlerName } from './route-table';

/**
 * The Lambda handler of one handler group: the shared middleware, then the route's handler.
 * Deployed, API Gateway sends only this group's routes here; locally the server does the same.
 */
export function createApiHandler<G extends HandlerGroup>(group: G, handlers: Record<HandlerName<G>, RouteHandler>) {
  const byName = handlers as Record<string, RouteHandler>;
  const handler = middy<ApiEvent, ApiResult, Error, ApiContext>()
    .use(errorResponses())
    .use(routeRequest())
    .use(idempotentRequest())
    .use(activeQueueToken())
    .handler(async (_event, context) => {
      const handle = byName[context.route.handler];
      if (!handle) throw new Error(`route ${context.route.handler} is not served by the ${group} group`);
      const result = await handle(context.httpRequest);
      return jsonResponse(result.statusCode, result.body, result.headers);
    });
  // The handler names this group serves, so a test can check the route table against the code.
  // Lambda passes a plain Context; the middleware fills in the rest.
  const run = handler as unknown as (event: ApiEvent, context: Context) => Promise<ApiResult>;
  // Every log line of the request carries its id (API Gateway's, the one access logs and 500 bodies show);
  // at DEBUG every request, replayed ones included, leaves one line with its status.
  const lambdaHandler = (event: ApiEvent, context: Context) =>
    withLogContext({ requestId: event.requestContext?.requestId ?? context.awsRequestId, routeKey: event.routeKey }, async () => {
      const result = await run(event, context);
      log.debug('request handled', { statusCode: result.statusCode });
      return result;
    });
  return Object.assign(lambdaHandler, { routeHandlers: Object.keys(byName) });
}
