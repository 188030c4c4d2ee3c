import { AppError } from '../../shared/errors';

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

/**
 * The contract's body rules, checked before anything else reads the body: over the route's
 * limit is 413, a body with another content type is 415, JSON that does not parse is 400.
 * No body (or an empty one) is `undefined`, and the route's schema decides if that is fine.
 */
export function parseJsonBody(
  rawBody: string | undefined,
  isBase64Encoded: boolean,
  contentType: string | undefined,
  maxBytes: number,
): unknown {
  if (rawBody === undefined || rawBody === '') return undefined;
  const bytes = isBase64Encoded ? Buffer.from(rawBody, 'base64') : Buffer.from(rawBody, 'utf8');
  if (bytes.length > maxBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `the body is over the ${maxBytes / 1024} KiB this route accepts`);
  }
  if (!contentType || !JSON_CONTENT_TYPE.test(contentType)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the body as JSON with content-type: application/json');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new AppError('VALIDATION_ERROR', 'the body is not valid JSON');
  }
  if (nestingDepth(parsed) > MAX_NESTING_DEPTH) {
    throw new AppError('VALIDATION_ERROR', `the body is nested more than ${MAX_NESTING_DEPTH} levels deep`);
  }
  return parsed;
}

/**
 * No body of the contract is nested more than a few levels; thousands of levels fit in 16 KiB and
 * would overflow the stack of anything that walks the body recursively (hashing an Idempotency-Key's
 * payload, validation), so they are refused as soon as they are parsed.
 */
export const MAX_NESTING_DEPTH = 32;

/** How deep arrays and objects nest in a parsed JSON value, counted without recursion. */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_NESTING_DEPTH) return deepest;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}
