import * as z from 'zod/mini';
import '../shared/zod-messages';

/*
 * Request schemas: each route parses its path, query and body with these (zod/mini, small and
 * quick to load in a cold function). Response bodies are described in response-schemas.ts, which
 * no handler loads.
 */

/** Ids are opaque, but none of ours is longer than 64 characters or has characters outside these. */
export const ID_PATTERN = /^[A-Za-z0-9_-]+$/;
export const ID_MAX_LENGTH = 64;
export const ID_MESSAGE = 'must be 1-64 letters, digits, "-" or "_"';

export const idSchema = z.string().check(z.minLength(1), z.maxLength(ID_MAX_LENGTH), z.regex(ID_PATTERN, ID_MESSAGE));

export const concertPathSchema = z.object({ concertId: idSchema });

/** Routes that take no body accept none or an empty object, and refuse anything else. */
export const emptyBodySchema = z.optional(z.strictObject({}));

/** A whole number at least `min` (at most `max`), from a query string's text. */
export const queryInteger = (min: number, max: number) => z.pipe(z.coerce.number(), z.int().check(z.minimum(min), z.maximum(max)));
