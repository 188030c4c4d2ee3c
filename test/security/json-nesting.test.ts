import { MAX_NESTING_DEPTH, parseJsonBody } from '../../functions/http/middleware/json-body';
import { AppError } from '../../functions/shared/errors';

const json = 'application/json';
const arrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

test(`bodies nested up to ${MAX_NESTING_DEPTH} levels parse; deeper ones are a 400 before anything walks them`, () => {
  expect(parseJsonBody(arrays(MAX_NESTING_DEPTH), false, json, 16 * 1024)).toBeDefined();
  expect(parseJsonBody(objects(MAX_NESTING_DEPTH), false, json, 16 * 1024)).toBeDefined();
  // 8,000 levels fit in 16 KiB: found by the fuzz test as a 500 (stack overflow while hashing an Idempotency-Key's payload).
  for (const body of [arrays(MAX_NESTING_DEPTH + 1), objects(MAX_NESTING_DEPTH + 1), arrays(8_000), objects(2_500)]) {
    let refusal: unknown;
    try {
      parseJsonBody(body, false, json, 16 * 1024);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('nested') });
  }
});
