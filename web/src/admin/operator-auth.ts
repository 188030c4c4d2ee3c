/**
 * Operators sign in to the console. Locally the local issuer mints a token with the groups asked
 * for (`["admin"]`: an operator's). Deployed, the operators' own user pool, where an authenticator
 * app is required: after the password Cognito asks for the app's code (SOFTWARE_TOKEN_MFA), or on a
 * first sign-in for a new password and then to pair an app (MFA_SETUP). The console checks the
 * token's groups only to say early who it is for; the API refuses non-operators either way.
 */
import type { Api } from '../api';
import {
  callCognito,
  claimsOf,
  refreshSignIn,
  signedInOf,
  signInLocally,
  SignInProblem,
  type CognitoAnswer,
  type CognitoConfig,
} from '../auth';
import type { SignInConfig } from '../page-config';
import { signInStore, type SignedIn } from '../session';
import { OPERATOR_GROUP } from './console-limits';

/** The console's sign-in, kept apart from the page's: a buyer's sign-in in the same tab is not an operator's. */
export const operatorSession = signInStore('admin-auth');

/** `username` is the one Cognito names in its challenges; `name` is what the operator typed, shown once signed in. */
interface Challenged {
  readonly session: string;
  readonly username: string;
  readonly name: string;
}
export type OperatorStep =
  | { readonly kind: 'signedIn'; readonly auth: SignedIn }
  | ({ readonly kind: 'newPassword' } & Challenged)
  | ({ readonly kind: 'code' } & Challenged)
  | ({ readonly kind: 'pairApp'; readonly secret: string } & Challenged);

type Challenge = CognitoAnswer & { ChallengeParameters?: Record<string, string> };

/** Locally: a token for any id, an operator's unless `operator` is false (to see what others see). */
export async function signInOperatorLocally(api: Api, userId: string, operator: boolean): Promise<SignedIn> {
  if (!operator) return signInLocally(api, userId);
  const { body } = await api.localToken(userId, [OPERATOR_GROUP]);
  return { userId, name: userId, accessToken: body.accessToken, expiresAt: Date.now() + body.expiresIn * 1000 };
}

export async function signInOperator(config: CognitoConfig, username: string, password: string): Promise<OperatorStep> {
  const answer = await callCognito<Challenge>(config, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: config.userPoolClientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  return next(config, answer, { username, name: username });
}

export async function answerNewPassword(
  config: CognitoConfig,
  step: Extract<OperatorStep, { kind: 'newPassword' }>,
  password: string,
): Promise<OperatorStep> {
  return next(config, await respond(config, step.session, step.username, 'NEW_PASSWORD_REQUIRED', { NEW_PASSWORD: password }), step);
}

/** The authenticator app's six digits, at every sign-in. */
export async function answerCode(
  config: CognitoConfig,
  step: Extract<OperatorStep, { kind: 'code' }>,
  code: string,
): Promise<OperatorStep> {
  const answer = await withCodeProblem(
    respond(config, step.session, step.username, 'SOFTWARE_TOKEN_MFA', { SOFTWARE_TOKEN_MFA_CODE: code }),
  );
  return next(config, answer, step);
}

/** The first code of a newly paired app proves the pairing; then the sign-in completes. */
export async function confirmPairing(
  config: CognitoConfig,
  step: Extract<OperatorStep, { kind: 'pairApp' }>,
  code: string,
): Promise<OperatorStep> {
  const verified = await withCodeProblem(
    callCognito<{ Status?: string; Session?: string }>(config, 'VerifySoftwareToken', {
      Session: step.session,
      UserCode: code,
      FriendlyDeviceName: 'Operator console',
    }),
  );
  if (verified.Status !== 'SUCCESS' || !verified.Session)
    throw new SignInProblem('That code is not right. Enter the newest code of the app.');
  return next(config, await respond(config, verified.Session, step.username, 'MFA_SETUP'), step);
}

/** Answers Cognito's challenge `name` in `session`, as `username` (the one the challenge named). */
const respond = (
  config: CognitoConfig,
  session: string,
  username: string,
  name: 'NEW_PASSWORD_REQUIRED' | 'SOFTWARE_TOKEN_MFA' | 'MFA_SETUP',
  responses: Record<string, string> = {},
) =>
  callCognito<Challenge>(config, 'RespondToAuthChallenge', {
    ChallengeName: name,
    ClientId: config.userPoolClientId,
    Session: session,
    ChallengeResponses: { USERNAME: username, ...responses },
  });

/** A wrong code is Cognito's CodeMismatchException, which the page's own sign-in reads as an expired step. */
const withCodeProblem = <T>(call: Promise<T>) =>
  call.catch((error: unknown) => {
    if (error instanceof SignInProblem && error.cognitoType === 'CodeMismatchException')
      throw new SignInProblem('That code is not right. Enter the newest code of the app.', error.cognitoType);
    throw error;
  });

async function next(config: CognitoConfig, answer: Challenge, before: Pick<Challenged, 'username' | 'name'>): Promise<OperatorStep> {
  const { name } = before;
  const auth = signedInOf(answer, name);
  if (auth) return { kind: 'signedIn', auth };
  // With an email alias Cognito names the user by its own id in the challenge; answers must use that.
  const username = answer.ChallengeParameters?.USER_ID_FOR_SRP ?? before.username;
  const session = answer.Session;
  if (session && answer.ChallengeName === 'NEW_PASSWORD_REQUIRED') return { kind: 'newPassword', session, username, name };
  if (session && answer.ChallengeName === 'SOFTWARE_TOKEN_MFA') return { kind: 'code', session, username, name };
  if (session && answer.ChallengeName === 'MFA_SETUP') {
    const paired = await callCognito<{ SecretCode?: string; Session?: string }>(config, 'AssociateSoftwareToken', { Session: session });
    if (paired.SecretCode && paired.Session) return { kind: 'pairApp', session: paired.Session, username, name, secret: paired.SecretCode };
  }
  throw new SignInProblem('This account needs a sign-in step the console does not support. Please ask another operator.');
}

/** A new token before this one expires: locally with the same groups, deployed with the refresh token. */
export async function renewOperator(api: Api, config: SignInConfig, auth: SignedIn): Promise<SignedIn | undefined> {
  if (config.kind === 'cognito') return refreshSignIn(api, config, auth);
  try {
    return { ...(await signInOperatorLocally(api, auth.userId, isOperator(auth.accessToken))), name: auth.name };
  } catch {
    return undefined;
  }
}

/** Whether the token says its holder is in the operators' group (read, not verified: the API verifies). */
export function isOperator(jwt: string): boolean {
  const groups = claimsOf(jwt)['cognito:groups'];
  return Array.isArray(groups) && groups.includes(OPERATOR_GROUP);
}

/** The authenticator app's pairing link (otpauth://), for apps that take one; the secret can also be typed in. */
export const pairingLink = (secret: string, account: string) =>
  `otpauth://totp/${encodeURIComponent(`Concert console:${account}`)}?secret=${encodeURIComponent(secret)}&issuer=${encodeURIComponent('Concert console')}`;
