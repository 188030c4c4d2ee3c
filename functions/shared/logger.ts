import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { stackMapper } from './source-mapped-stack';

/**
 * The service's one logger: Powertools Logger, one JSON object per line with level, time, service
 * and message. `POWERTOOLS_LOG_LEVEL` sets the level (INFO by default).
 *
 * Every line written while a request (or a job run) is handled carries that request's id: the
 * handlers run inside `withLogContext`, an AsyncLocalStorage scope, so concurrent requests in one
 * process (the local server) never swap ids, and code far from the handler (a repository) needs
 * no id passed down.
 *
 * Secrets never reach a line: values under a secret-sounding key are replaced, and anything in any
 * string that looks like a JWT or a queue token is masked, error messages and stacks included.
 * Deployed, a logged stack names the source files and lines (source-mapped-stack.ts).
 */
export interface LogContext {
  readonly requestId: string;
  readonly [key: string]: string | undefined;
}

const REDACTED = '[redacted]';
/** Header and field names whose values are credentials (compared lower-case, without '-' and '_'). */
const SECRET_KEYS = new Set([
  'authorization',
  'xqueuetoken',
  'idempotencykey',
  'token',
  'accesstoken',
  'queuetoken',
  'cookie',
  'password',
  'secret',
]);
/** A JWT (three base64url parts, the first two starting like JSON objects) and a queue token (`qt2.<key id>.<payload>.<mac>`, or the earlier `qt.<concert>.<secret>`). */
const SECRET_PATTERNS = [/eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*/g, /\bqt2\.[\w-]+\.[\w-]+\.[\w-]{16,}/g, /\bqt\.[\w-]+\.[\w-]{16,}/g];

/** `__filename` is the bundle itself when bundled: its map lies beside it. */
const sourceMapped = stackMapper(__filename);

export function redact(key: string, value: unknown): unknown {
  if (key && SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, '')) && value !== undefined && value !== null) return REDACTED;
  if (typeof value !== 'string') return value;
  const text = key === 'stack' ? sourceMapped(value) : value;
  return SECRET_PATTERNS.reduce((masked, pattern) => masked.replace(pattern, REDACTED), text);
}

export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'concert-reservation',
  jsonReplacerFn: redact,
});

const scope = new AsyncLocalStorage<LogContext>();

/** Runs `work` with `context` (the request id, the route) on every line it logs. */
export function withLogContext<T>(context: LogContext, work: () => T): T {
  return scope.run(context, work);
}

type Extra = Record<string, unknown>;
const withContext = (extra: Extra = {}): Extra => ({ ...scope.getStore(), ...extra });

/** Powertools' threshold of DEBUG: below the logger's level, a debug line is not even assembled. */
const DEBUG_THRESHOLD = 8;

/** Log through these, never through `console`: they add the request id of the scope. */
export const log = {
  // Every request logs one debug line: at the usual INFO, skipped before its context is copied.
  debug: (message: string, extra?: Extra) => {
    if (logger.level <= DEBUG_THRESHOLD) logger.debug(message, withContext(extra));
  },
  info: (message: string, extra?: Extra) => logger.info(message, withContext(extra)),
  warn: (message: string, extra?: Extra) => logger.warn(message, withContext(extra)),
  error: (message: string, extra?: Extra) => logger.error(message, withContext(extra)),
};
