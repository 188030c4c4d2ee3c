import type middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { isDatabaseUnavailable } from '../../shared/dynamodb-errors';
import { AppError, UnavailableError } from '../../shared/errors';
import { log } from '../../shared/logger';
import { recordMetric } from '../../shared/metrics';
import { errorResponse } from '../responses';
import type { ApiContext } from './route-request';

const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * Turns every thrown error into the contract's error body. Client mistakes and refused states
 * are AppErrors; a sick database is a 503 with Retry-After (a warning in the log); anything else
 * is a bug: a 500 whose body says nothing of the cause, logged once, as an error, with the
 * request id. Each answer also counts as a refusal under its code (shared/metrics.ts).
 */
export function errorResponses(): middy.MiddlewareObj<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2> {
  return {
    onError: async (request) => {
      const error = request.error;
      if (error instanceof AppError) {
        const headers = error.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(error.retryAfterSeconds) };
        request.response = errorResponse(error.code, error.message, { details: error.details, headers });
        recordMetric.refusal(error.code, (request.context as Partial<ApiContext>).route?.handler);
      } else if (error instanceof UnavailableError || isDatabaseUnavailable(error)) {
        const retryAfter = error instanceof UnavailableError ? error.retryAfterSeconds : DATABASE_RETRY_AFTER_SECONDS;
        const cause = error instanceof UnavailableError && error.cause instanceof Error ? error.cause : error;
        log.warn('database unavailable: answered 503', { cause: cause?.name, causeMessage: cause?.message });
        request.response = errorResponse('UNAVAILABLE', 'the service is busy; try again shortly', {
          headers: { 'retry-after': String(retryAfter) },
        });
        recordMetric.refusal('UNAVAILABLE');
      } else {
        log.error('unhandled error: answered 500', { error });
        const requestId = request.event.requestContext?.requestId;
        request.response = errorResponse('INTERNAL', `something went wrong on our side (request ${requestId ?? 'unknown'})`);
        recordMetric.refusal('INTERNAL');
      }
    },
  };
}
