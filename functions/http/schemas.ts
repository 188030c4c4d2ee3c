import { z } from 'zod';

/** Ids are opaque, but none of ours is longer than 64 characters or has characters outside these. */
export const idSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be 1-64 letters, digits, "-" or "_"');

export const concertPathSchema = z.object({ concertId: idSchema });

/** Routes that take no body accept none or an empty object, and refuse anything else. */
export const emptyBodySchema = z.strictObject({}).optional();
