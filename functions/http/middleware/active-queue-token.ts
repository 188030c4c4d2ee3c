import type middy from '@middy/core';
import { queueDeps } from '../../queue/default-queue-deps';
import { requireActiveToken, seemsActive, type ActiveQueueToken } from '../../queue/require-active-token';
import { AppError } from '../../shared/errors';
import type { ApiContext, ApiEvent, ApiResult } from './route-request';

/**
 * The ACTIVE guard of every ACTIVE route. It starts the token check before the handler runs
 * (so a read can overlap it) and, after the handler, makes sure the check passed before any
 * response leaves: a handler that forgot to await it still cannot leak data.
 */
export function activeQueueToken(): middy.MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext> {
  return {
    before: async ({ context }) => {
      if (context.route.auth !== 'active') return;
      const { headers, userId, pathParameters, body } = context.httpRequest;
      const token = headers['x-queue-token'];
      if (!token) throw new AppError('QUEUE_TOKEN_REQUIRED', 'this route needs your ACTIVE queue token in X-Queue-Token');
      const bodyConcert = (body as { concertId?: unknown } | undefined)?.concertId;
      const concertId = pathParameters.concertId ?? (typeof bodyConcert === 'string' ? bodyConcert : undefined);
      const check: Promise<ActiveQueueToken> = requireActiveToken(queueDeps(), { userId, token, concertId });
      check.catch(() => undefined); // observed by the handler or by `after`; never an unhandled rejection
      let seen: Promise<boolean> | undefined;
      const seemsActiveNow = () => (seen ??= seemsActive(queueDeps(), { userId, token, concertId }));
      context.httpRequest = { ...context.httpRequest, activeToken: () => check, seemsActive: seemsActiveNow };
    },
    after: async ({ context }) => {
      if (context.route.auth === 'active') await context.httpRequest.activeToken();
    },
  };
}
