import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export const LOCAL_ISSUER = 'https://local.concert-reservation.invalid';
export const LOCAL_AUDIENCE = 'concert-reservation-local';
const ALGORITHM = 'ES256';
/**
 * The one scope Cognito puts in the access tokens InitiateAuth issues (never in ID tokens): the
 * routes' ACCESS_TOKEN_SCOPE names the same. Cognito's own constant, kept here so start:synth
 * loads nothing of functions/ (test/unit/local-issuer.test.ts holds the two equal).
 */
const COGNITO_ACCESS_TOKEN_SCOPE = 'aws.cognito.signin.user.admin';
const TOKEN_LIFETIME_SECONDS = 3600;
const KEY_FILE = 'local-issuer-key.json';
/** Verified tokens remembered (their expiry still checked at every use); past this many, forgotten. */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * The local stand-in for the Cognito user pool: it mints JWTs for `POST /local/token` and
 * verifies bearer tokens the way API Gateway's JWT authorizer does (signature by a known key,
 * expiry, not-before, issuer, audience; only ES256, so `alg: none` never passes). Its tokens are
 * access tokens like Cognito's, with the scope the routes require; the server checks the scope.
 */
export interface LocalIssuer {
  mint(userId: string, groups?: readonly string[]): Promise<{ accessToken: string; expiresIn: number }>;
  /** The token's claims, or undefined when it must be refused. */
  verify(token: string): Promise<JWTPayload | undefined>;
}

/** Who the tokens are from and for: `npm start`'s own names, or those the synthesized JWT authorizer trusts. */
export interface IssuerIdentity {
  readonly issuer: string;
  /** Tokens are minted for the first; any of them passes. */
  readonly audience: readonly [string, ...string[]];
}

/** `POST /local/token` asked for a token no user pool stood in for could issue (a 400, with this message). */
export class TokenRequestRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenRequestRefused';
  }
}

const LOCAL_IDENTITY: IssuerIdentity = { issuer: LOCAL_ISSUER, audience: [LOCAL_AUDIENCE] };

/** With a data directory the key is kept there, so tokens survive a restart like the data does. */
export async function createLocalIssuer(dataDir?: string, identity: IssuerIdentity = LOCAL_IDENTITY): Promise<LocalIssuer> {
  const { privateKey, publicKey, kid } = await loadOrCreateKey(dataDir);
  // A signature checked once stays good for the same string, so only the clock is checked again:
  // API Gateway's authorizer does this work outside the function, and so should it cost little here.
  const verified = new Map<string, JWTPayload>();
  const stillValid = (payload: JWTPayload) => {
    const nowSeconds = Date.now() / 1000;
    return (payload.exp ?? 0) > nowSeconds && (payload.nbf ?? 0) <= nowSeconds;
  };
  const remember = (token: string, payload: JWTPayload) => {
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.clear();
    verified.set(token, payload);
  };
  return {
    async mint(userId, groups = []) {
      const accessToken = await new SignJWT({ 'cognito:groups': [...groups], token_use: 'access', scope: COGNITO_ACCESS_TOKEN_SCOPE })
        .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(identity.issuer)
        .setAudience(identity.audience[0])
        .setIssuedAt()
        .setNotBefore('0s')
        .setJti(randomUUID())
        .setExpirationTime(`${TOKEN_LIFETIME_SECONDS}s`)
        .sign(privateKey);
      // Minted here, so its signature is known good: the first request with it costs no ECDSA verification
      // (0.3-0.4 ms of the server's CPU per new user in a join burst, work API Gateway does outside the function).
      remember(accessToken, decodeJwt(accessToken));
      return { accessToken, expiresIn: TOKEN_LIFETIME_SECONDS };
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) return stillValid(known) ? known : undefined;
      try {
        const { payload, protectedHeader } = await jwtVerify(token, publicKey, {
          issuer: identity.issuer,
          audience: [...identity.audience],
          algorithms: [ALGORITHM],
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        if (protectedHeader.kid !== kid) return undefined;
        remember(token, payload);
        return payload;
      } catch {
        return undefined;
      }
    },
  };
}

async function loadOrCreateKey(dataDir?: string): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; kid: string }> {
  const file = dataDir ? join(dataDir, KEY_FILE) : undefined;
  if (file && existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { privateJwk: JWK; publicJwk: JWK; kid: string };
    return {
      privateKey: (await importJWK(saved.privateJwk, ALGORITHM)) as CryptoKey,
      publicKey: (await importJWK(saved.publicJwk, ALGORITHM)) as CryptoKey,
      kid: saved.kid,
    };
  }
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const kid = randomUUID();
  if (file) {
    const content = { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey), kid };
    writeFileSync(file, JSON.stringify(content), { mode: 0o600 });
  }
  return { privateKey, publicKey, kid };
}
