/** The contract's error codes. Use cases throw them; the HTTP layer maps each to its status. */
export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'UNAUTHENTICATED'
  | 'QUEUE_TOKEN_REQUIRED'
  | 'QUEUE_TOKEN_INVALID'
  | 'QUEUE_TOKEN_NOT_ACTIVE'
  | 'FORBIDDEN'
  | 'QUEUE_BANNED'
  | 'CHALLENGE_REQUIRED'
  | 'CHALLENGE_FAILED'
  | 'NOT_FOUND'
  | 'PRECONDITION_FAILED'
  | 'QUEUE_CLOSED'
  | 'QUEUE_NOT_OPEN'
  | 'SEAT_UNAVAILABLE'
  | 'HOLD_LIMIT_REACHED'
  | 'RESERVATION_EXPIRED'
  | 'ALREADY_PAID'
  | 'INSUFFICIENT_BALANCE'
  | 'BALANCE_LIMIT_EXCEEDED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_USE'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL'
  | 'UNAVAILABLE';

export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/** A failure the client can act on: it becomes the contract's error body, never a 500. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: readonly FieldProblem[],
    /** Sent as Retry-After: when trying again may get another answer. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} was not found`);

/** The database is down or throttling: the client should retry after a while; nothing was half-done. */
export class UnavailableError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super('the service is busy, try again shortly', options);
    this.name = 'UnavailableError';
  }
}
