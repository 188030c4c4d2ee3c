import type { z } from 'zod';
import { AppError } from '../shared/errors';

/** Parses a part of the request with its schema; every bad field becomes one entry of `details`. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: 'body' | 'path' | 'query' | 'header'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.join('.') : part,
    message: issue.message,
  }));
  throw new AppError('VALIDATION_ERROR', `the request ${part} is not valid`, details);
}
