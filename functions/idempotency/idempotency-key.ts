/**
 * The Idempotency-Key rules of the contract, as plain data and functions.
 */

/** The request header, lower-case as the handlers see headers. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** 1–128 printable ASCII characters (space to tilde). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7e]{1,128}$/;

export const isValidIdempotencyKey = (key: string) => IDEMPOTENCY_KEY_PATTERN.test(key);

/** How long a key is remembered: the contract promises at least 24 hours. */
export const IDEMPOTENCY_RECORD_SECONDS = 24 * 3600;

/**
 * Only answers that would be the same if the request ran again are kept for replay: successes.
 * Refusals (4xx) are not kept, so a payment refused for want of money can be sent again with the
 * same key once the balance is charged; a 5xx never is, since nothing happened.
 */
export const isReplayableStatus = (statusCode: number) => statusCode >= 200 && statusCode < 300;

/**
 * How long a request waits, in steps, for another request with the same key that is still in
 * flight, before it answers 409 IDEMPOTENCY_KEY_IN_USE: about 1.5 seconds, past a payment's usual
 * duration, and short enough that a client's retry, not a held connection, does the waiting.
 */
export const IN_FLIGHT_WAITS_MS: readonly number[] = [20, 40, 80, 160, 300, 400, 500];

/** Retry-After of a 409 IDEMPOTENCY_KEY_IN_USE. */
export const IN_USE_RETRY_AFTER_SECONDS = 1;
