import { AppError } from '../../shared/errors';

export interface Identity {
  readonly userId: string;
  readonly groups: readonly string[];
}

type Claims = Record<string, string | number | boolean | string[]> | undefined;

/**
 * Who is calling, from the claims API Gateway's JWT authorizer verified (the local server
 * verifies the same way and passes the same claims). API Gateway renders a list claim such as
 * `cognito:groups` as the string "[admin ops]", so both shapes are read.
 */
export function identityFromClaims(claims: Claims): Identity {
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub.length === 0) {
    throw new AppError('UNAUTHENTICATED', 'sign in: this route needs a valid bearer token');
  }
  return { userId: sub, groups: groupsOf(claims?.['cognito:groups']) };
}

function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter((group) => group.length > 0);
}
