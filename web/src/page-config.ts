/**
 * What the page needs to know about where it runs, read from `/app/config.json` at start:
 * the stack writes it next to the deployed files, the local server answers it itself.
 */
export type SignInConfig =
  /** `npm start`: any user id, through `POST /local/token`. */
  | { readonly kind: 'local' }
  /** Deployed: the Cognito user pool's own sign-in API, with the app client the API accepts. */
  | { readonly kind: 'cognito'; readonly region: string; readonly userPoolId: string; readonly userPoolClientId: string };

export interface PageConfig {
  /** Base URL of the HTTP API without a trailing slash; empty for the page's own origin. */
  readonly apiUrl: string;
  readonly signIn: SignInConfig;
  /**
   * How operators sign in to the console at /app/admin: deployed, their own user pool (an
   * authenticator app required). Absent locally, where the local issuer serves both.
   */
  readonly adminSignIn?: SignInConfig;
}

/** Checks a config.json from the network: a broken one is a clear message, not a blank page. */
export function parsePageConfig(value: unknown): PageConfig {
  const config = value as Partial<PageConfig> | null;
  if (typeof config?.apiUrl !== 'string' || !config.signIn) throw new Error('config.json lacks apiUrl or signIn');
  const apiUrl = config.apiUrl.replace(/\/+$/, '');
  const signIn = parseSignIn(config.signIn);
  return config.adminSignIn === undefined ? { apiUrl, signIn } : { apiUrl, signIn, adminSignIn: parseSignIn(config.adminSignIn) };
}

function parseSignIn(value: unknown): SignInConfig {
  const signIn = value as { kind?: string; region?: string; userPoolId?: string; userPoolClientId?: string } | null;
  if (signIn?.kind === 'local') return { kind: 'local' };
  if (signIn?.kind === 'cognito' && [signIn.region, signIn.userPoolId, signIn.userPoolClientId].every((v) => typeof v === 'string' && v)) {
    return { kind: 'cognito', region: signIn.region!, userPoolId: signIn.userPoolId!, userPoolClientId: signIn.userPoolClientId! };
  }
  throw new Error('config.json has an unknown sign-in kind');
}
