/**
 * Lambda's event filtering (an event source mapping's FilterCriteria), for the patterns a template
 * may give locally: nested fields, and at each leaf a list of exact values or `{ "prefix": … }`, any
 * of which matches. Other operators are named by `unsupportedIn` when the assembly is read, so a
 * pattern is never silently read as something else.
 */

export type EventPattern = { readonly [field: string]: EventPattern | readonly PatternValue[] };
type PatternValue = string | number | boolean | null | { readonly prefix: string };

/** What a pattern uses that is not matched locally, or undefined when all of it is. */
export function unsupportedIn(pattern: unknown, path = ''): string | undefined {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern))
    return `${path || 'the pattern'} is not an object of fields`;
  for (const [field, value] of Object.entries(pattern)) {
    const where = path ? `${path}.${field}` : field;
    if (field.startsWith('$')) return `${where}: ${field} is not matched locally`;
    if (!Array.isArray(value)) {
      const inner = unsupportedIn(value, where);
      if (inner) return inner;
      continue;
    }
    for (const entry of value as unknown[]) {
      if (entry === null || ['string', 'number', 'boolean'].includes(typeof entry)) continue;
      const keys = typeof entry === 'object' ? Object.keys(entry as object) : [];
      if (keys.length === 1 && keys[0] === 'prefix' && typeof (entry as { prefix: unknown }).prefix === 'string') continue;
      return `${where}: ${JSON.stringify(entry)} is not matched locally (only exact values and {"prefix": …} are)`;
    }
  }
  return undefined;
}

/** Whether an event (a stream record, as the function receives it) matches the pattern. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = (event as Record<string, unknown>)[field];
    if (!Array.isArray(expected)) return matchesPattern(expected as EventPattern, actual);
    // A leaf holding a list matches when any of its values does.
    const values = Array.isArray(actual) ? actual : [actual];
    return values.some((value) => value !== undefined && (expected as readonly PatternValue[]).some((entry) => matchesValue(entry, value)));
  });
}

function matchesValue(entry: PatternValue, value: unknown): boolean {
  if (entry !== null && typeof entry === 'object') return typeof value === 'string' && value.startsWith(entry.prefix);
  return entry === value;
}
