import { AppError } from '../../shared/errors';

export interface Identity {
  readonly userId: string;
  readonly groups: readonly string[];
}

type Claims = Record<string, string | number | boolean | string[]> | undefined;

/**
 * Who is calling, from the claims API Gateway's JWT authorizer verified (the local server
 * verifies the same way and passes the same claims). API Gateway renders a list claim such as
 * `cognito:groups` as the string "[admin ops]", so both shapes are read: the string split on
 * whitespace only (Cognito group names have none), the array taken as it is. A comma is part of
 * a name, so a group called "ops,admin" is not the admin group.
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
  // Only the one pair of brackets API Gateway adds: "[admin]]" is the group "admin]".
  const listed = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  return listed.split(/\s+/).filter((group) => group.length > 0);
}
