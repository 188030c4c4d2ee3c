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
  IN_USE_RETRY_AFTER_SECONDS,
  isReplayableStatus,
  isValidIdempotencyKey,
} from '../../idempotency/idempotency-key';
import { isDatabaseUnavailable } from '../../shared/dynamodb-errors';
import { AppError } from '../../shared/errors';
import { log } from '../../shared/logger';
import type { HttpRequest, HttpResult } from '../http-types';
import { jsonResponse } from '../responses';
import type { ApiContext, ApiEvent, ApiResult } from './route-request';
import { pause } from '../../shared/pause';

/** Records of every route live under this prefix (not the function's name, which a redeploy may change). */
const KEY_PREFIX = 'concert-api';

/** What one request claimed: Powertools' middleware, run against the request as the key sees it. */
interface Claim {
  readonly middleware: MiddlewareLikeObj;
  readonly request: MiddyLikeRequest;
}

/**
 * How a route finds, in its own business data, the answer of a request with this key whose
 * effect landed (undefined: nothing landed). It throws IDEMPOTENCY_KEY_REUSED when what landed
 * was asked for with another body.
 */
export interface LandedAnswer {
  readonly find: (request: HttpRequest, key: string) => Promise<HttpResult | undefined>;
  /**
   * Look before running the route, alongside the claim (a payment: the route itself would be
   * refused, since the payment spent the queue token). Otherwise only when the key is in progress:
   * the route finds what landed itself (a charge's increment is keyed).
   */
  readonly beforeRunning: boolean;
}

const replayed = (response: unknown) => {
  const result = response as ApiResult;
  return { ...result, headers: { ...result.headers, 'idempotent-replayed': 'true' } };
};

const reused = () => new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different body');

/**
 * `Idempotency-Key` on the routes the route table marks `idempotent`, with Powertools'
 * idempotency middleware and its DynamoDB persistence layer. It runs after the route is found
 * and the caller identified, and before anything else (the ACTIVE guard included), so a replayed
 * payment answers its 201 although that payment spent the queue token.
 *
 * - The record's key is (route, JWT sub, key): keys belong to their user and to their route.
 * - The parsed body is the payload: the same key with another body is 409 IDEMPOTENCY_KEY_REUSED.
 * - A request whose effect landed is answered as a success, from the business write itself
 *   (`landed`), whatever the idempotency store holds: the store is only a cache of answers.
 * - A second request while the first is in flight (or left in flight by a request whose outcome
 *   could not be recorded) waits for it and replays its answer; if it has not ended after about
 *   1.5 s and nothing landed, 409 IDEMPOTENCY_KEY_IN_USE with Retry-After. A record left in
 *   flight runs out after the function's remaining time, the timeout at most.
 * - Only 2xx answers are kept (24 h); a refusal or failure releases the key.
 */
export function idempotentRequest(
  landed: Readonly<Record<string, LandedAnswer>> = {},
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
      const lookup = route.handler === undefined ? undefined : landed[route.handler];
      const findLanded = async (): Promise<ApiResult | undefined> => {
        const found = await lookup?.find(httpRequest, key);
        return found && jsonResponse(found.statusCode, found.body, found.headers);
      };

      for (let attempt = 0; ; attempt++) {
        const [claimed, found] = await Promise.allSettled([
          claim.middleware.before?.(claim.request) as Promise<ApiResult | undefined>,
          lookup?.beforeRunning ? findLanded() : Promise.resolve(undefined),
        ]);
        const ownClaim = claimed.status === 'fulfilled' && claimed.value === undefined;
        if (found.status === 'rejected') {
          if (ownClaim) await release(claim);
          throw databaseCause(found.reason);
        }
        if (found.value !== undefined) {
          // It landed: that is the answer. A fresh claim records it, so the next retry is a plain replay.
          if (ownClaim) await record(claim, found.value);
          return replayed(found.value);
        }
        if (claimed.status === 'fulfilled') {
          if (claimed.value !== undefined) return claimed.value;
          claims.set(request, claim);
          return;
        }
        const error = claimed.reason;
        if (error instanceof IdempotencyValidationError) throw reused();
        if (!(error instanceof IdempotencyAlreadyInProgressError)) throw databaseCause(error);
        // In flight, or left in flight by a request whose outcome could not be recorded.
        if (lookup && !lookup.beforeRunning) {
          const landedMeanwhile = await findLanded().catch((cause: unknown) => Promise.reject(databaseCause(cause)));
          if (landedMeanwhile !== undefined) return replayed(landedMeanwhile);
        }
        if (attempt < IN_FLIGHT_WAITS_MS.length) {
          await pause(IN_FLIGHT_WAITS_MS[attempt]);
          continue;
        }
        throw new AppError(
          'IDEMPOTENCY_KEY_IN_USE',
          'a request with this Idempotency-Key is still in progress; send it again after Retry-After seconds for its answer',
          undefined,
          IN_USE_RETRY_AFTER_SECONDS,
        );
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
      await record(claim, response);
    },

    onError: async (request) => {
      const claim = claims.get(request);
      if (claim) await release(claim);
    },
  };
}

/**
 * Stores the answer for replay. If that fails the answer still goes out; the key stays "in
 * progress" until the record's in-flight time runs out, and a retry meanwhile finds what landed
 * (or is told 409 IDEMPOTENCY_KEY_IN_USE), never a second run.
 */
async function record(claim: Claim, response: ApiResult): Promise<void> {
  claim.request.response = response;
  try {
    await claim.middleware.after?.(claim.request);
  } catch (error) {
    const cause = databaseCause(error) as Error | undefined;
    log.warn('could not store the answer of an idempotent request', { cause: cause?.name, causeMessage: cause?.message });
  }
}

/** Lets the key be used again: the request changed nothing, or what it changed is found by `landed`. */
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
