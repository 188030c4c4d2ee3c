import type middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { AppError } from '../../shared/errors';
import type { ActiveQueueToken } from '../../queue/require-active-token';
import type { HttpRequest } from '../http-types';
import { ADMIN_GROUP, DEFAULT_MAX_BODY_BYTES, NOT_FOUND_HANDLER, routeKeyOf, routes, type RouteDefinition } from '../route-table';
import { identityFromClaims } from './identity';
import { parseJsonBody } from './json-body';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2;

export interface ApiContext extends Context {
  route: Pick<RouteDefinition, 'handler' | 'auth'> & Partial<RouteDefinition>;
  httpRequest: HttpRequest;
}

const routesByKey = new Map<string, RouteDefinition>(routes.map((route) => [routeKeyOf(route), route]));

const noActiveToken = (): Promise<ActiveQueueToken> => {
  throw new Error('activeToken() is only available on ACTIVE routes');
};
// Made once: a function made per request costs the local runtime a naming call each (tsx keeps names).
const notActive = async () => false;

/**
 * Finds the request's route in the route table and turns the API Gateway event into an
 * HttpRequest: the body checked and parsed, the caller identified, the admin group enforced.
 */
export function routeRequest(): middy.MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext> {
  return {
    before: async (request) => {
      const { event, context } = request;
      const route: ApiContext['route'] = routesByKey.get(event.routeKey) ?? { ...NOT_FOUND_HANDLER, auth: 'public' };
      context.route = route;
      const headers = event.headers ?? {};
      const body = parseJsonBody(event.body, event.isBase64Encoded, headers['content-type'], route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
      const identity =
        route.auth === 'public' ? { userId: '', groups: [] } : identityFromClaims(event.requestContext.authorizer?.jwt?.claims);
      if (route.auth === 'admin' && !identity.groups.includes(ADMIN_GROUP)) {
        throw new AppError('FORBIDDEN', 'this route is for admins only');
      }
      context.httpRequest = {
        requestId: event.requestContext.requestId,
        userId: identity.userId,
        groups: identity.groups,
        pathParameters: event.pathParameters ?? {},
        query: event.queryStringParameters ?? {},
        headers,
        body,
        activeToken: noActiveToken,
        seemsActive: notActive,
      };
    },
  };
}
