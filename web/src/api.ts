/**
 * The page's only way to the service: one typed call per route of the contract. A route is named
 * by its key in the route table (`GET /concerts/{concertId}/queue`), so a route that does not
 * exist fails the type check; every failure becomes an ApiFailure the page can put in words.
 */
import type {
  Balance,
  ConcertList,
  ErrorBody,
  ErrorCode,
  FieldProblem,
  JoinChallenge,
  LocalToken,
  Payment,
  Payments,
  QueueState,
  QueueStatus,
  Reservation,
  Reservations,
  RouteKey,
  ScheduleList,
  SeatMap,
} from './api-types';
import { failureSentence, type FailureContext, type FailureKind } from './messages';

const REQUEST_TIMEOUT_MS = 15_000;
/** Every code of the contract; the check below fails the build when the service gains one that is missing here. */
const KNOWN_CODE_LIST = [
  'VALIDATION_ERROR',
  'UNAUTHENTICATED',
  'QUEUE_TOKEN_REQUIRED',
  'QUEUE_TOKEN_INVALID',
  'QUEUE_TOKEN_NOT_ACTIVE',
  'FORBIDDEN',
  'CHALLENGE_REQUIRED',
  'CHALLENGE_FAILED',
  'NOT_FOUND',
  'PRECONDITION_FAILED',
  'QUEUE_CLOSED',
  'QUEUE_NOT_OPEN',
  'SEAT_UNAVAILABLE',
  'HOLD_LIMIT_REACHED',
  'RESERVATION_EXPIRED',
  'ALREADY_PAID',
  'INSUFFICIENT_BALANCE',
  'BALANCE_LIMIT_EXCEEDED',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_USE',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'TOO_MANY_REQUESTS',
  'INTERNAL',
  'UNAVAILABLE',
  'QUEUE_BANNED',
] as const satisfies readonly ErrorCode[];
const KNOWN_CODES = new Set<string>(KNOWN_CODE_LIST);
const everyCodeIsKnown: Record<Exclude<ErrorCode, (typeof KNOWN_CODE_LIST)[number]>, never> = {};
void everyCodeIsKnown;

/** A call that did not succeed: the contract's code, or NETWORK when no answer came. */
export class ApiFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly status: number,
    readonly retryAfterSeconds?: number,
    readonly details?: readonly FieldProblem[],
  ) {
    super(`${kind} (${status})`);
    this.name = 'ApiFailure';
  }

  /** The sentence to show a person. */
  sentence(context: FailureContext = {}): string {
    return failureSentence(this.kind, { retryAfterSeconds: this.retryAfterSeconds, ...context });
  }

  /** No answer, or one that says nothing was decided: the same request may be sent again. */
  get outcomeUnknown(): boolean {
    return this.kind === 'NETWORK' || this.status >= 500 || this.status === 429;
  }
}

export interface Answer<T> {
  readonly status: number;
  readonly body: T;
  /** The `Retry-After` header in seconds, when the answer has one. */
  readonly retryAfterSeconds?: number;
}

type ParamsOf<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamsOf<Rest> : never;
type PathOf<K extends string> = K extends `${string} ${infer Path}` ? Path : never;

/** The body of each route's success. Only keys of the route table can be called. */
export interface Responses {
  'GET /concerts': ConcertList;
  'POST /concerts/{concertId}/queue': QueueStatus;
  'GET /concerts/{concertId}/queue': QueueStatus;
  'DELETE /concerts/{concertId}/queue': QueueStatus;
  'GET /concerts/{concertId}/queue/challenge': JoinChallenge;
  'GET /concerts/{concertId}/queue/state': QueueState;
  'GET /concerts/{concertId}/schedules': ScheduleList;
  'GET /concerts/{concertId}/schedules/{scheduleId}/seats': SeatMap;
  'POST /reservations': Reservation;
  'GET /reservations': Reservations;
  'DELETE /reservations/{reservationId}': Reservation;
  'GET /balance': Balance;
  'POST /balance/charge': Balance;
  'POST /payments': Payment;
  'GET /payments': Payments;
}
type CalledRoute = keyof Responses & RouteKey;
/** Routes called without the sign-in: nothing of the user travels with them. */
const PUBLIC_ROUTES = new Set<string>(['GET /concerts', 'GET /concerts/{concertId}/queue/state']);
/** Every route the page calls, for the test that checks them against openapi.json. */
export const PAGE_ROUTES = [
  'GET /concerts',
  'POST /concerts/{concertId}/queue',
  'GET /concerts/{concertId}/queue',
  'DELETE /concerts/{concertId}/queue',
  'GET /concerts/{concertId}/queue/challenge',
  'GET /concerts/{concertId}/queue/state',
  'GET /concerts/{concertId}/schedules',
  'GET /concerts/{concertId}/schedules/{scheduleId}/seats',
  'POST /reservations',
  'GET /reservations',
  'DELETE /reservations/{reservationId}',
  'GET /balance',
  'POST /balance/charge',
  'POST /payments',
  'GET /payments',
] as const satisfies readonly CalledRoute[];
/** Fails the type check when a route of Responses is missing from PAGE_ROUTES. */
const everyRouteIsListed: Record<Exclude<keyof Responses, (typeof PAGE_ROUTES)[number]>, never> = {};
void everyRouteIsListed;
/** Fails the type check when a key above is not a route of the route table. */
const everyResponseIsARoute: Record<Exclude<keyof Responses, RouteKey>, never> = {};
void everyResponseIsARoute;

export interface RequestOptions {
  readonly body?: unknown;
  readonly queueToken?: string;
  readonly idempotencyKey?: string;
  /** `If-Match`: the change applies only to this revision (else 412). */
  readonly ifMatch?: string;
}

interface CallOptions<K extends string> extends RequestOptions {
  readonly params?: Record<ParamsOf<PathOf<K>>, string>;
}

export interface Credentials {
  /** The bearer token of the signed-in user, if any. */
  accessToken(): string | undefined;
}

export class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly credentials: Credentials,
  ) {}

  listConcerts = () => this.call('GET /concerts');
  /** `altcha`: the solved challenge of a concert that asks for proof of work. */
  joinQueue = (concertId: string, altcha?: string) =>
    this.call('POST /concerts/{concertId}/queue', { params: { concertId }, ...(altcha ? { body: { altcha } } : {}) });
  joinChallenge = (concertId: string) => this.call('GET /concerts/{concertId}/queue/challenge', { params: { concertId } });
  /** The line's public state: no sign-in, and the same answer for everyone (caches share it). */
  queueState = (concertId: string) => this.call('GET /concerts/{concertId}/queue/state', { params: { concertId } });
  pollQueue = (concertId: string, queueToken: string) =>
    this.call('GET /concerts/{concertId}/queue', { params: { concertId }, queueToken });
  listSchedules = (concertId: string, queueToken: string) =>
    this.call('GET /concerts/{concertId}/schedules', { params: { concertId }, queueToken });
  seatMap = (concertId: string, scheduleId: string, queueToken: string) =>
    this.call('GET /concerts/{concertId}/schedules/{scheduleId}/seats', { params: { concertId, scheduleId }, queueToken });
  holdSeat = (hold: { concertId: string; scheduleId: string; seatNumber: number }, queueToken: string) =>
    this.call('POST /reservations', { body: hold, queueToken });
  /** Gives the place back: a waiting user leaves the line, an ACTIVE user ends the turn. */
  leaveQueue = (concertId: string, queueToken: string) =>
    this.call('DELETE /concerts/{concertId}/queue', { params: { concertId }, queueToken });
  listReservations = () => this.call('GET /reservations');
  /** Gives a live hold back: the seat is on sale again at once. */
  releaseHold = (reservationId: string) => this.call('DELETE /reservations/{reservationId}', { params: { reservationId } });
  balance = () => this.call('GET /balance');
  charge = (amount: number, idempotencyKey: string) => this.call('POST /balance/charge', { body: { amount }, idempotencyKey });
  pay = (reservationIds: readonly string[], queueToken: string, idempotencyKey: string) =>
    this.call('POST /payments', { body: { reservationIds }, queueToken, idempotencyKey });
  listPayments = () => this.call('GET /payments');

  /** `npm start` only: a token from the local issuer for any user id, in `groups` if given (`["admin"]`: an operator's). */
  localToken = (userId: string, groups?: readonly string[]) =>
    this.send<LocalToken>('POST', '/local/token', { body: groups ? { userId, groups } : { userId } }, false);

  /**
   * A signed-in call to a route the table above does not list (the operator console types its own,
   * web/src/admin/console-api.ts): the same headers, timeout and failures.
   */
  request = <T>(method: string, path: string, options: RequestOptions = {}) => this.send<T>(method, path, options, true);

  private call<K extends CalledRoute>(route: K, options: CallOptions<K> = {}): Promise<Answer<Responses[K]>> {
    const [method, template] = route.split(' ') as [string, string];
    const params = (options.params ?? {}) as Record<string, string>;
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
    return this.send<Responses[K]>(method, path, options, !PUBLIC_ROUTES.has(route));
  }

  private async send<T>(method: string, path: string, options: RequestOptions, signedIn: boolean): Promise<Answer<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const accessToken = this.credentials.accessToken();
    if (signedIn) {
      if (!accessToken) throw new ApiFailure('UNAUTHENTICATED', 401);
      headers.authorization = `Bearer ${accessToken}`;
    }
    if (options.queueToken) headers['x-queue-token'] = options.queueToken;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    if (options.ifMatch) headers['if-match'] = options.ifMatch;
    if (options.body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch {
      throw new ApiFailure('NETWORK', 0);
    }
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
    const body = await response.json().catch(() => undefined);
    if (response.ok && body !== undefined) return { status: response.status, body: body as T, retryAfterSeconds };
    throw failureOf(response.status, body, retryAfterSeconds);
  }
}

function failureOf(status: number, body: unknown, retryAfterSeconds: number | undefined): ApiFailure {
  const error = (body as Partial<ErrorBody> | undefined)?.error;
  if (error && KNOWN_CODES.has(error.code)) return new ApiFailure(error.code, status, retryAfterSeconds, error.details);
  // Answers the service did not write itself, e.g. API Gateway's own 401, 429 or 503.
  const byStatus: Record<number, FailureKind> = {
    401: 'UNAUTHENTICATED',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    429: 'TOO_MANY_REQUESTS',
    503: 'UNAVAILABLE',
  };
  return new ApiFailure(byStatus[status] ?? (status >= 500 ? 'INTERNAL' : 'UNEXPECTED'), status, retryAfterSeconds);
}

/** `Retry-After` as seconds: a number of seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
