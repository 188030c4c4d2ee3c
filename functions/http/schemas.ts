import { z } from 'zod';
import type { ErrorCode } from '../shared/errors';
import { STATUS_OF } from './responses';

/** Ids are opaque, but none of ours is longer than 64 characters or has characters outside these. */
export const idSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be 1-64 letters, digits, "-" or "_"');

export const concertPathSchema = z.object({ concertId: idSchema });

/** Routes that take no body accept none or an empty object, and refuse anything else. */
export const emptyBodySchema = z.strictObject({}).optional();

/*
 * Response bodies, as the contract describes them. Handlers do not parse their own answers; these
 * document them (the OpenAPI document is generated from them) and let clients and tests check them.
 */

/** A UTC instant, as every time in a response is written. */
export const instantSchema = z.iso.datetime().meta({ example: '2026-12-24T19:00:00.000Z' });
/** A concert date. */
export const calendarDateSchema = z.iso.date().meta({ example: '2026-12-24' });
/** Money: whole KRW. */
export const krwSchema = z.number().int().min(0).meta({ description: 'whole KRW' });

const errorCodes = Object.keys(STATUS_OF) as [ErrorCode, ...ErrorCode[]];

/** Every error, whatever its status: `details` only for validation errors, one entry per bad field. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string().meta({ description: 'for people; never a stack trace or an AWS error name' }),
      details: z
        .array(z.object({ path: z.string().meta({ example: 'amount' }), message: z.string() }))
        .optional()
        .meta({ description: 'VALIDATION_ERROR only: one entry per bad field (none for a body that is not JSON)' }),
    }),
  })
  .meta({ id: 'Error' });

/** `GET /health`. */
export const healthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
