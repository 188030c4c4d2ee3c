import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

const nameOf = (error: unknown) => (error as { name?: string } | undefined)?.name;

export const isConditionFailure = (error: unknown): error is ConditionalCheckFailedException =>
  error instanceof ConditionalCheckFailedException || nameOf(error) === 'ConditionalCheckFailedException';

/** A single-item write refused because a transaction on the item was in flight: nothing was written. */
export const isTransactionConflict = (error: unknown) => nameOf(error) === 'TransactionConflictException';

const UNAVAILABLE_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'TransactionInProgressException',
]);
const UNAVAILABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

const NETWORK_FAILURE = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|socket hang up)\b/;

/** True when DynamoDB could not be reached or is shedding load: the client should retry later. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const name = nameOf(error);
  if (name && UNAVAILABLE_ERRORS.has(name)) return true;
  const code = (error as { code?: string } | undefined)?.code;
  if (code && UNAVAILABLE_NETWORK_CODES.has(code)) return true;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata;
  if (metadata?.httpStatusCode !== undefined) return metadata.httpStatusCode >= 500;
  // The SDK sent the call (it counted attempts) and never got an answer: the database is out of reach.
  // Its retry layer may wrap the socket's error in a plain Error that keeps only the message.
  if (metadata !== undefined) return true;
  return error instanceof Error && NETWORK_FAILURE.test(error.message);
}
