import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ErrorCode, FieldProblem } from '../shared/errors';

export const STATUS_OF: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHENTICATED: 401,
  QUEUE_TOKEN_REQUIRED: 403,
  QUEUE_TOKEN_INVALID: 403,
  QUEUE_TOKEN_NOT_ACTIVE: 403,
  FORBIDDEN: 403,
  QUEUE_BANNED: 403,
  CHALLENGE_REQUIRED: 403,
  CHALLENGE_FAILED: 403,
  NOT_FOUND: 404,
  PRECONDITION_FAILED: 412,
  QUEUE_CLOSED: 409,
  QUEUE_NOT_OPEN: 409,
  SEAT_UNAVAILABLE: 409,
  HOLD_LIMIT_REACHED: 409,
  RESERVATION_EXPIRED: 409,
  ALREADY_PAID: 409,
  INSUFFICIENT_BALANCE: 409,
  BALANCE_LIMIT_EXCEEDED: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(
  code: ErrorCode,
  message: string,
  options: { details?: readonly FieldProblem[]; headers?: Record<string, string> } = {},
): APIGatewayProxyStructuredResultV2 {
  const error = { code, message, ...(options.details ? { details: options.details } : {}) };
  return jsonResponse(STATUS_OF[code], { error }, options.headers);
}
