import { stackMapper } from '../../functions/shared/source-mapped-stack';

/** Bundled by test/unit/source-mapped-stack.test.ts as the stack bundles a function. */
export const mapStack = stackMapper(__filename);

export function failDeepInside(): never {
  throw new Error('failed where the source says');
}
