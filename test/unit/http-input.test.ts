import { identityFromClaims } from '../../functions/http/middleware/identity';
import { parseJsonBody } from '../../functions/http/middleware/json-body';
import { AppError } from '../../functions/shared/errors';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
  }
  return 'no error';
};

describe('identityFromClaims', () => {
  test('reads sub and groups in both shapes API Gateway may pass', () => {
    expect(identityFromClaims({ sub: 'u1', 'cognito:groups': '[admin ops]' })).toEqual({ userId: 'u1', groups: ['admin', 'ops'] });
    expect(identityFromClaims({ sub: 'u1', 'cognito:groups': ['admin'] })).toEqual({ userId: 'u1', groups: ['admin'] });
    expect(identityFromClaims({ sub: 'u1' })).toEqual({ userId: 'u1', groups: [] });
  });

  test.each([
    ['a comma inside one name', ['ops,admin'], ['ops,admin']],
    ['a longer name', ['xadmin'], ['xadmin']],
    ['a bracket inside the name', ['admin]'], ['admin]']],
    ['another case', ['Admin'], ['Admin']],
  ])('%s is not the admin group, as an array or as API Gateway renders it', (_, groups, expected) => {
    expect(identityFromClaims({ sub: 'u1', 'cognito:groups': groups }).groups).toEqual(expected);
    expect(identityFromClaims({ sub: 'u1', 'cognito:groups': `[${groups.join(' ')}]` }).groups).toEqual(expected);
    expect(identityFromClaims({ sub: 'u1', 'cognito:groups': `[${groups.join(' ')}]` }).groups).not.toContain('admin');
  });

  test('the string form is split on whitespace only', () => {
    expect(identityFromClaims({ sub: 'u1', 'cognito:groups': '[ops admin]' }).groups).toEqual(['ops', 'admin']);
    expect(identityFromClaims({ sub: 'u1', 'cognito:groups': '[ops,admin]' }).groups).toEqual(['ops,admin']);
    expect(identityFromClaims({ sub: 'u1', 'cognito:groups': 'admin' }).groups).toEqual(['admin']);
  });

  test('no sub is 401', () => {
    expect(codeOf(() => identityFromClaims(undefined))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => identityFromClaims({ sub: '' }))).toBe('UNAUTHENTICATED');
  });
});

describe('parseJsonBody', () => {
  const json = 'application/json';
  test('parses JSON, with or without charset, and treats no body as undefined', () => {
    expect(parseJsonBody('{"a":1}', false, json, 100)).toEqual({ a: 1 });
    expect(parseJsonBody('{"a":1}', false, 'application/json; charset=utf-8', 100)).toEqual({ a: 1 });
    expect(parseJsonBody(Buffer.from('[1]').toString('base64'), true, json, 100)).toEqual([1]);
    expect(parseJsonBody(undefined, false, undefined, 100)).toBeUndefined();
    expect(parseJsonBody('', false, 'text/plain', 100)).toBeUndefined();
  });

  test('size first, then content type, then syntax', () => {
    expect(codeOf(() => parseJsonBody('x'.repeat(101), false, 'text/plain', 100))).toBe('PAYLOAD_TOO_LARGE');
    expect(codeOf(() => parseJsonBody('{"a":1}', false, 'text/plain', 100))).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(codeOf(() => parseJsonBody('{"a":1}', false, undefined, 100))).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(codeOf(() => parseJsonBody('{"a":', false, json, 100))).toBe('VALIDATION_ERROR');
  });

  test('the limit counts bytes, not characters', () => {
    expect(codeOf(() => parseJsonBody(`"${'é'.repeat(60)}"`, false, json, 100))).toBe('PAYLOAD_TOO_LARGE');
  });
});
