import type * as z from 'zod/mini';
import { AppError } from '../shared/errors';

/** Parses a part of the request with its schema; every bad field becomes one entry of `details`. */
export function parseInput<S extends z.ZodMiniType>(schema: S, value: unknown, part: 'body' | 'path' | 'query' | 'header'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.flatMap((issue) => {
    const at = (...more: PropertyKey[]) => [...issue.path, ...more].map(String).join('.') || part;
    // One entry per unknown field, named, rather than one entry for the object holding them.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: at(key), message: 'unknown field' }));
    return [{ path: at(), message: issue.message }];
  });
  throw new AppError('VALIDATION_ERROR', `the request ${part} is not valid`, details);
}
