import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { readAnswer } from '../../bench/http-client';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../local/local-issuer';
import { ACCESS_TOKEN_SCOPE } from '../../functions/http/route-table';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { tableDefinitions } from '../../functions/shared/tables';
import { startLocalApi, type LocalApi } from '../support/local-api';

export const ISSUER_KID = 'security-test-key';

export interface SecureApi extends LocalApi {
  /** The local issuer's own signing key: lets a test sign tokens that are wrong in exactly one way. */
  readonly issuerKey: CryptoKey;
}

/** The local API whose issuer signs with a key the test knows. */
export async function startSecureApi(): Promise<SecureApi> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'security-issuer-'));
  writeFileSync(
    join(dataDir, 'local-issuer-key.json'),
    JSON.stringify({ privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey), kid: ISSUER_KID }),
  );
  const api = await startLocalApi({ dataDir });
  return { ...api, issuerKey: privateKey };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A JWT with the issuer's right claims unless `claims` or `options` say otherwise. */
export function signToken(
  key: CryptoKey,
  claims: Record<string, unknown> = {},
  options: { kid?: string; alg?: string } = {},
): Promise<string> {
  return new SignJWT({
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    sub: 'mallory',
    iat: nowSeconds(),
    exp: nowSeconds() + 600,
    token_use: 'access',
    scope: ACCESS_TOKEN_SCOPE,
    ...claims,
  })
    .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: options.kid ?? ISSUER_KID, typ: 'JWT' })
    .sign(key);
}

/** Every way a bearer token can be wrong, each of which must be a 401. */
export async function badBearerHeaders(key: CryptoKey, user = 'mallory'): Promise<Array<[string, string | undefined]>> {
  const otherKey = (await generateKeyPair('ES256')).privateKey;
  const good = await signToken(key, { sub: user });
  const [header, payload, signature] = good.split('.');
  const flipped = `${signature.slice(0, 5)}${signature[5] === 'A' ? 'B' : 'A'}${signature.slice(6)}`;
  const base64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = { iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, sub: user, iat: nowSeconds(), exp: nowSeconds() + 600 };
  return [
    ['missing', undefined],
    ['empty bearer', 'Bearer '],
    ['not a JWT', 'Bearer not-a-jwt'],
    ['malformed JWT', 'Bearer a.b.c'],
    ['another scheme', `Basic ${good}`],
    ['bad signature', `Bearer ${header}.${payload}.${flipped}`],
    ['signed by an unknown key', `Bearer ${await signToken(otherKey, { sub: user })}`],
    ['alg none', `Bearer ${base64({ alg: 'none', typ: 'JWT' })}.${base64(claims)}.`],
    ['HS256 signed with the public key id', `Bearer ${base64({ alg: 'HS256', kid: ISSUER_KID })}.${base64(claims)}.${signature}`],
    ['expired', `Bearer ${await signToken(key, { sub: user, iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 })}`],
    ['not yet valid', `Bearer ${await signToken(key, { sub: user, nbf: nowSeconds() + 3600 })}`],
    ['wrong issuer', `Bearer ${await signToken(key, { sub: user, iss: 'https://evil.example' })}`],
    ['wrong audience', `Bearer ${await signToken(key, { sub: user, aud: 'another-app' })}`],
    ['no subject', `Bearer ${await signToken(key, { sub: undefined })}`],
    ['an ID token (no scope)', `Bearer ${await signToken(key, { sub: user, token_use: 'id', scope: undefined })}`],
    ['an access token without the scope', `Bearer ${await signToken(key, { sub: user, scope: 'openid profile' })}`],
    ['the scope on a token that is not an access token', `Bearer ${await signToken(key, { sub: user, token_use: 'id' })}`],
    ['a deleted key (unknown kid)', `Bearer ${await signToken(key, { sub: user }, { kid: 'deleted-key' })}`],
  ];
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly body: any;
}

/**
 * A request exactly as given: raw header lines (so a header may appear twice), any body bytes,
 * any path. `fetch` would merge or refuse some of these.
 */
export function rawRequest(
  baseUrl: string,
  options: { method: string; path: string; headers?: ReadonlyArray<readonly [string, string]>; body?: string | Buffer },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const headers = ['host', url.host, ...(options.headers ?? []).flatMap(([name, value]) => [name, value])];
  if (options.body !== undefined) headers.push('content-length', String(Buffer.byteLength(options.body)));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: options.method, path: options.path, headers, agent: false },
      (res) => readAnswer(res).then(({ status, headers, text, json }) => resolve({ status, headers, text, body: json }), reject),
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** The contract's error shape, and nothing that names our insides. */
export function expectContractError(response: { status: number; text: string; body: any }, status?: number): void {
  if (status !== undefined) expect(response.status).toBe(status);
  expect(response.body).toEqual({
    error: expect.objectContaining({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) }),
  });
  expect(Object.keys(response.body.error).every((key) => ['code', 'message', 'details'].includes(key))).toBe(true);
  // Field paths echo the client's own field names; everything else is ours and must name nothing inside.
  const { details, ...rest } = response.body.error as { details?: { path: string; message: string }[] };
  const ours = JSON.stringify({ ...rest, details: details?.map((detail) => detail.message) });
  expect(ours).not.toMatch(/Exception|DynamoDB|at .+\.(ts|js):\d+|node_modules|TOKEN#|USER#|SEQ#|ADMISSION#|\bpk\b|\bstack\b/);
}

/** Every item of every table of this test's prefix, sorted: equal snapshots mean nothing changed. */
export async function snapshotTables(): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const table of tableDefinitions) {
    const items: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documentClient.send(
        new ScanCommand({ TableName: tableName(table.id), ExclusiveStartKey: startKey, ConsistentRead: true }),
      );
      for (const item of page.Items ?? []) items.push(stableJson(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    snapshot[table.id] = items.sort();
  }
  return snapshot;
}

/** JSON with object keys sorted at every level. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value instanceof Set) return stableJson([...value].sort());
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${stableJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
