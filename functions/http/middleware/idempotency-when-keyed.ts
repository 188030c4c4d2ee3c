import type middy from '@middy/core';
import { IDEMPOTENCY_HEADER } from '../../idempotency/idempotency-key';
import type { ApiContext, ApiEvent, ApiResult } from './route-request';

type ApiMiddleware = middy.MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext>;

/**
 * The Idempotency-Key middleware, made by `make` at the first request that carries a key on an
 * idempotent route. Most requests carry none, and Powertools idempotency with its JMESPath engine
 * was a good part of the wallet function's cold start (BENCHMARKS.md, figure 6).
 */
export function idempotencyWhenKeyed(make: () => ApiMiddleware): ApiMiddleware {
  let made: ApiMiddleware | undefined;
  return {
    before: async (request) => {
      const { route, httpRequest } = request.context;
      if (!route.idempotent || httpRequest.headers[IDEMPOTENCY_HEADER] === undefined) return;
      made ??= make();
      return made.before?.(request);
    },
    // Only a request it claimed has anything to record or release.
    after: async (request) => made?.after?.(request),
    onError: async (request) => made?.onError?.(request),
  };
}
