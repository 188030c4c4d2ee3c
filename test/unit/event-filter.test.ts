import { matchesPattern, unsupportedIn, type EventPattern } from '../../local/synth/event-filter';

/** A stream record's keys as Lambda filters them: attribute values in their typed form. */
const record = (sk: string, eventName = 'MODIFY') => ({ eventName, dynamodb: { Keys: { pk: { S: 'USER#ann' }, sk: { S: sk } } } });

test('exact values and prefixes, at any depth: any value of a leaf matches, every field must', () => {
  const balance: EventPattern = { dynamodb: { Keys: { sk: { S: ['BALANCE'] } } } };
  const reservations: EventPattern = { dynamodb: { Keys: { sk: { S: [{ prefix: 'RESERVATION#' }] } } } };
  expect(matchesPattern(balance, record('BALANCE'))).toBe(true);
  expect(matchesPattern(balance, record('LEDGER#1'))).toBe(false);
  expect(matchesPattern(reservations, record('RESERVATION#01J'))).toBe(true);
  expect(matchesPattern(reservations, record('SLOT#1'))).toBe(false);
  const insertsOfEither: EventPattern = { eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: ['BALANCE', { prefix: 'LEDGER#' }] } } } };
  expect(matchesPattern(insertsOfEither, record('LEDGER#2', 'INSERT'))).toBe(true);
  expect(matchesPattern(insertsOfEither, record('LEDGER#2', 'MODIFY'))).toBe(false);
  // A field the record lacks matches nothing; a number is not its string.
  expect(matchesPattern({ dynamodb: { NewImage: { sk: { S: ['BALANCE'] } } } }, record('BALANCE'))).toBe(false);
  expect(matchesPattern({ size: [1] }, { size: '1' })).toBe(false);
});

test('operators other than exact values and prefixes are named, never read as something else', () => {
  expect(unsupportedIn({ dynamodb: { Keys: { sk: { S: ['BALANCE', { prefix: 'R#' }] } } } })).toBeUndefined();
  expect(unsupportedIn({ a: { b: [{ 'anything-but': 'x' }] } })).toBe(
    'a.b: {"anything-but":"x"} is not matched locally (only exact values and {"prefix": …} are)',
  );
  expect(unsupportedIn({ a: [{ numeric: ['>', 1] }] })).toMatch(/^a: .*numeric/);
  expect(unsupportedIn({ $or: [{ a: ['x'] }] })).toBe('$or: $or is not matched locally');
  expect(unsupportedIn(['x'])).toBe('the pattern is not an object of fields');
});
