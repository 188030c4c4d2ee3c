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
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new AppError('VALIDATION_ERROR', 'the body is not valid JSON');
  }
}
