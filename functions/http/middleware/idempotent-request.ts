import type middy from '@middy/core';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { MiddlewareLikeObj, MiddyLikeRequest } from '@aws-lambda-powertools/commons/types';
import { idempotencyStore } from '../../idempotency/dynamo-idempotency-store';
import {
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_RECORD_SECONDS,
  IN_FLIGHT_WAITS_MS,
  isReplayableStatus,
  isValidIdempotencyKey,
} from '../../idempotency/idempotency-key';
import { isDatabaseUnavailable } from '../../shared/dynamodb-errors';
import { AppError } from '../../shared/errors';
import { log } from '../../shared/logger';
import type { ApiContext, ApiEvent, ApiResult } from './route-request';
import { pause } from '../../shared/pause';

/** Records of every route live under this prefix (not the function's name, which a redeploy may change). */
const KEY_PREFIX = 'concert-api';

/** What one request claimed: Powertools' middleware, run against the request as the key sees it. */
interface Claim {
  readonly middleware: MiddlewareLikeObj;
  readonly request: MiddyLikeRequest;
}


const replayed = (response: unknown) => {
  const result = response as ApiResult;
  return { ...result, headers: { ...result.headers, 'idempotent-replayed': 'true' } };
};

/**
 * `Idempotency-Key` on the routes the route table marks `idempotent`, with Powertools'
 * idempotency middleware and its DynamoDB persistence layer. It runs after the route is found
 * and the caller identified, and before anything else (the ACTIVE guard included), so a replayed
 * payment answers its 201 although that payment spent the queue token.
 *
 * - The record's key is (route, JWT sub, key): keys belong to their user and to their route.
 * - The parsed body is the payload: the same key with another body is 409 IDEMPOTENCY_KEY_REUSED.
 * - A second request while the first is in flight waits for it and replays its answer; if it is
 *   still running after about 4 s, 409 IDEMPOTENCY_KEY_REUSED saying so (retry later to get the answer).
 * - Only 2xx answers are kept (24 h); a refusal or failure releases the key.
 */
export function idempotentRequest(
  store: () => BasePersistenceLayer = idempotencyStore,
): middy.MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext> {
  const claims = new WeakMap<object, Claim>();
  return {
    before: async (request) => {
      const { route, httpRequest } = request.context;
      if (!route.idempotent) return;
      const key = httpRequest.headers[IDEMPOTENCY_HEADER];
      if (key === undefined) return;
      if (!isValidIdempotencyKey(key)) {
        throw new AppError('VALIDATION_ERROR', 'the Idempotency-Key header is not valid', [
          { path: 'Idempotency-Key', message: 'must be 1-128 printable ASCII characters' },
        ]);
      }
      const claim: Claim = {
        middleware: makeHandlerIdempotent({
          persistenceStore: store(),
          keyPrefix: KEY_PREFIX,
          config: new IdempotencyConfig({
            eventKeyJmesPath: '[route, userId, key]',
            payloadValidationJmesPath: 'body',
            throwOnNoIdempotencyKey: true,
            expiresAfterSeconds: IDEMPOTENCY_RECORD_SECONDS,
            hashFunction: 'sha256',
            responseHook: replayed,
          }),
        }),
        request: {
          event: { route: request.event.routeKey, userId: httpRequest.userId, key, body: httpRequest.body ?? null },
          context: request.context,
          response: undefined,
          error: undefined,
          internal: {},
        },
      };
      for (let attempt = 0; ; attempt++) {
        try {
          const replay = (await claim.middleware.before?.(claim.request)) as ApiResult | undefined;
          if (replay !== undefined) return replay;
          claims.set(request, claim);
          return;
        } catch (error) {
          if (error instanceof IdempotencyValidationError) {
            throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different body');
          }
          if (error instanceof IdempotencyAlreadyInProgressError) {
            if (attempt < IN_FLIGHT_WAITS_MS.length) {
              await pause(IN_FLIGHT_WAITS_MS[attempt]);
              continue;
            }
            throw new AppError('IDEMPOTENCY_KEY_REUSED', 'a request with this Idempotency-Key is still in progress; send it again shortly for its answer');
          }
          throw databaseCause(error);
        }
      }
    },

    after: async (request) => {
      const claim = claims.get(request);
      if (!claim) return;
      const response = request.response;
      if (!response || !isReplayableStatus(response.statusCode ?? 0)) {
        await release(claim);
        return;
      }
      claim.request.response = response;
      try {
        await claim.middleware.after?.(claim.request);
      } catch (error) {
        // The work is done and its answer goes out; the key stays "in progress" until the
        // record's in-flight time runs out, so a retry meanwhile is a 409, never a second run.
        const cause = databaseCause(error) as Error | undefined;
        log.warn('could not store the answer of an idempotent request', { cause: cause?.name, causeMessage: cause?.message });
      }
    },

    onError: async (request) => {
      const claim = claims.get(request);
      if (claim) await release(claim);
    },
  };
}

/** Lets the key be used again: the request changed nothing. */
async function release(claim: Claim): Promise<void> {
  try {
    await claim.middleware.onError?.(claim.request);
  } catch (error) {
    const cause = databaseCause(error) as Error | undefined;
    // During an outage the request's 503 is already logged once; a key left in progress is its consequence.
    const write = isDatabaseUnavailable(cause) ? log.debug : log.warn;
    write('could not release an Idempotency-Key', { cause: cause?.name, causeMessage: cause?.message });
  }
}

/** Powertools wraps the database's errors; the error middleware needs the original to answer 503. */
function databaseCause(error: unknown): unknown {
  return error instanceof IdempotencyPersistenceLayerError && error.cause !== undefined ? error.cause : error;
}
