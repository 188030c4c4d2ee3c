import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { RouteHandler } from './http-types';
import { errorResponses } from './middleware/error-responses';
import { ORIGIN_SECRET_ENV, originSecret } from './middleware/origin-secret';
import { routeRequest, type ApiContext, type ApiEvent, type ApiResult } from './middleware/route-request';
import { log, withLogContext } from '../shared/logger';
import { jsonResponse } from './responses';
import { routes, type HandlerGroup, type HandlerName } from './route-table';

type ApiMiddleware = middy.MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext>;

export interface ApiHandlerOptions {
  /**
   * The Idempotency-Key middleware (middleware/idempotent-request.ts), for a group with routes the
   * route table marks `idempotent`. Only those groups load it: Powertools idempotency is a good
   * part of a bundle, and of its cold start.
   */
  readonly idempotency?: ApiMiddleware;
  /**
   * The ACTIVE guard (middleware/active-queue-token.ts), for a group with routes the route table
   * marks `active`. Only those groups load it and the queue token reads it wires.
   */
  readonly activeToken?: ApiMiddleware;
}

/**
 * The Lambda handler of one handler group: the shared middleware, then the route's handler.
 * Deployed, API Gateway sends only this group's routes here; locally the server does the same.
 */
export function createApiHandler<G extends HandlerGroup>(
  group: G,
  handlers: Record<HandlerName<G>, RouteHandler>,
  options: ApiHandlerOptions = {},
) {
  const byName = handlers as Record<string, RouteHandler>;
  const idempotentRoutes = routes.filter((route) => route.group === group && 'idempotent' in route && route.idempotent);
  if (idempotentRoutes.length > 0 && !options.idempotency) {
    throw new Error(`the ${group} group serves idempotent routes, so its handler needs the idempotency middleware`);
  }
  if (routes.some((route) => route.group === group && route.auth === 'active') && !options.activeToken) {
    throw new Error(`the ${group} group serves ACTIVE routes, so its handler needs the ACTIVE queue token middleware`);
  }
  // The origin secret first: a request that bypassed CloudFront costs one comparison and is refused.
  // Without ORIGIN_SECRET_ARN (locally) it checks nothing, so it is left out rather than awaited on every request.
  const origin = process.env[ORIGIN_SECRET_ENV] ? [originSecret()] : [];
  const handler = middy<ApiEvent, ApiResult, Error, ApiContext>()
    .use([errorResponses(), ...origin, routeRequest(), ...[options.idempotency, options.activeToken].filter((m) => m !== undefined)])
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
