/**
 * Signing in. Locally any user id gets a token from `POST /local/token`. Deployed, the page
 * talks to the Cognito user pool's own API (USER_PASSWORD_AUTH, which the app client allows),
 * including the first-sign-in "choose a new password" step for users an admin created.
 * Access tokens live 15 minutes: the page gets new ones before they expire (REFRESH_TOKEN_AUTH),
 * and signing out revokes the session at Cognito (GlobalSignOut), not only in this tab.
 */
import { ApiFailure, type Api } from './api';
import type { SignInConfig } from './page-config';
import type { SignedIn } from './session';

export type CognitoConfig = Extract<SignInConfig, { kind: 'cognito' }>;

/** A sign-in that could not finish, in words for the form; `cognitoType` is Cognito's error name, when it gave one. */
export class SignInProblem extends Error {
  constructor(
    message: string,
    readonly cognitoType?: string,
  ) {
    super(message);
  }
}

export type CognitoStep =
  | { readonly kind: 'signedIn'; readonly auth: SignedIn }
  | { readonly kind: 'newPasswordRequired'; readonly session: string; readonly username: string };

export async function signInLocally(api: Api, userId: string): Promise<SignedIn> {
  try {
    const { body } = await api.localToken(userId);
    return { userId, name: userId, accessToken: body.accessToken, expiresAt: Date.now() + body.expiresIn * 1000 };
  } catch (error) {
    if (error instanceof ApiFailure && error.kind === 'VALIDATION_ERROR') {
      throw new SignInProblem('A user id is 1 to 128 letters, digits or the signs . @ + - _ (no spaces).');
    }
    throw error;
  }
}

export async function signInWithCognito(config: CognitoConfig, username: string, password: string): Promise<CognitoStep> {
  const answer = await callCognito(config, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: config.userPoolClientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  return stepOf(answer, username);
}

export async function chooseNewPassword(
  config: CognitoConfig,
  step: Extract<CognitoStep, { kind: 'newPasswordRequired' }>,
  password: string,
): Promise<CognitoStep> {
  const answer = await callCognito(config, 'RespondToAuthChallenge', {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    ClientId: config.userPoolClientId,
    Session: step.session,
    ChallengeResponses: { USERNAME: step.username, NEW_PASSWORD: password },
  });
  return stepOf(answer, step.username);
}

/** Refresh when a token has less than this left: a request sent just before expiry still arrives in time. */
export const REFRESH_MARGIN_MS = 3 * 60_000;

export const needsRefresh = (auth: SignedIn, now: number) => auth.expiresAt - now < REFRESH_MARGIN_MS;

/**
 * A new access token for the same person before the current one expires: locally another token from
 * the local issuer, deployed Cognito's REFRESH_TOKEN_AUTH. Undefined when the session cannot be renewed
 * (signed out elsewhere, refresh token expired): the page then asks to sign in when the token runs out.
 */
export async function refreshSignIn(api: Api, config: SignInConfig, auth: SignedIn): Promise<SignedIn | undefined> {
  try {
    if (config.kind === 'local') return { ...(await signInLocally(api, auth.userId)), name: auth.name };
    if (!auth.refreshToken) return undefined;
    const answer = await callCognito(config, 'InitiateAuth', {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: config.userPoolClientId,
      AuthParameters: { REFRESH_TOKEN: auth.refreshToken },
    });
    const step = stepOf(answer, auth.name);
    // Cognito sends a new refresh token only when rotation is on; otherwise the old one stays good.
    return step.kind === 'signedIn' ? { ...step.auth, refreshToken: step.auth.refreshToken ?? auth.refreshToken } : undefined;
  } catch {
    return undefined;
  }
}

/** Deployed: ends every session of the user at Cognito (refresh tokens revoked). Best effort: the tab forgets the sign-in either way. */
export async function signOutEverywhere(config: SignInConfig, auth: SignedIn | undefined): Promise<void> {
  if (config.kind !== 'cognito' || !auth) return;
  await callCognito(config, 'GlobalSignOut', { AccessToken: auth.accessToken }).catch(() => undefined);
}

export interface CognitoAnswer {
  AuthenticationResult?: { AccessToken?: string; ExpiresIn?: number; RefreshToken?: string };
  ChallengeName?: string;
  Session?: string;
}

/** The sign-in an answer with tokens gives; undefined when Cognito asks for another step instead. */
export function signedInOf(answer: CognitoAnswer, username: string): SignedIn | undefined {
  const token = answer.AuthenticationResult?.AccessToken;
  if (!token) return undefined;
  const expiresIn = answer.AuthenticationResult?.ExpiresIn ?? 900;
  const refreshToken = answer.AuthenticationResult?.RefreshToken;
  return {
    userId: subjectOf(token) ?? username,
    name: username,
    accessToken: token,
    expiresAt: Date.now() + expiresIn * 1000,
    ...(refreshToken ? { refreshToken } : {}),
  };
}

function stepOf(answer: CognitoAnswer, username: string): CognitoStep {
  const auth = signedInOf(answer, username);
  if (auth) return { kind: 'signedIn', auth };
  if (answer.ChallengeName === 'NEW_PASSWORD_REQUIRED' && answer.Session) {
    return { kind: 'newPasswordRequired', session: answer.Session, username };
  }
  throw new SignInProblem('This account needs a sign-in step the page does not support. Please ask an administrator.');
}

const COGNITO_PROBLEMS: Record<string, string> = {
  NotAuthorizedException: 'The email or password is not right.',
  UserNotFoundException: 'The email or password is not right.',
  PasswordResetRequiredException: 'Your password has to be reset first. Please ask an administrator.',
  UserNotConfirmedException: 'This account is not confirmed yet. Please ask an administrator.',
  InvalidPasswordException: 'Choose a password of at least 12 characters with upper- and lower-case letters, a digit and a symbol.',
  TooManyRequestsException: 'Too many sign-in attempts. Please wait a minute and try again.',
  LimitExceededException: 'Too many sign-in attempts. Please wait a minute and try again.',
  CodeMismatchException: 'That sign-in step has expired. Please start again.',
  ExpiredCodeException: 'That sign-in step has expired. Please start again.',
};

/** One call of Cognito's user pool API (InitiateAuth, RespondToAuthChallenge, …); a refusal becomes a SignInProblem in words. */
export async function callCognito<T = CognitoAnswer>(config: CognitoConfig, action: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`https://cognito-idp.${config.region}.amazonaws.com/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${action}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new ApiFailure('NETWORK', 0);
  }
  const answer = (await response.json().catch(() => ({}))) as { __type?: string };
  if (response.ok) return answer as T;
  const type = (answer.__type ?? '').split('#').pop() ?? '';
  throw new SignInProblem(COGNITO_PROBLEMS[type] ?? 'Signing in did not work. Please try again.', type || undefined);
}

/** The `sub` of a JWT, read without checking it: the API checks every token; the page only keys its storage by it. */
export function subjectOf(jwt: string): string | undefined {
  const sub = claimsOf(jwt).sub;
  return typeof sub === 'string' ? sub : undefined;
}

/** A JWT's claims, read without checking them (empty when unreadable): only the API's verdict counts. */
export function claimsOf(jwt: string): Record<string, unknown> {
  try {
    const payload = jwt.split('.')[1] ?? '';
    const json = atob(
      payload
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(payload.length / 4) * 4, '='),
    );
    const claims = JSON.parse(json) as unknown;
    return claims !== null && typeof claims === 'object' ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
