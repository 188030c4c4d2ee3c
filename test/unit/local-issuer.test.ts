import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { ACCESS_TOKEN_SCOPE } from '../../functions/http/route-table';
import { createLocalIssuer, LOCAL_AUDIENCE, LOCAL_ISSUER, type LocalIssuer } from '../../local/local-issuer';

const KID = 'test-key';
let issuer: LocalIssuer;
let key: CryptoKey;
let dataDir: string;

beforeAll(async () => {
  // The issuer keeps its key in DATA_DIR; giving it ours lets the test sign every kind of bad token.
  const pair = await generateKeyPair('ES256', { extractable: true });
  key = pair.privateKey;
  dataDir = mkdtempSync(join(tmpdir(), 'issuer-'));
  writeFileSync(
    join(dataDir, 'local-issuer-key.json'),
    JSON.stringify({ privateJwk: await exportJWK(pair.privateKey), publicJwk: await exportJWK(pair.publicKey), kid: KID }),
  );
  issuer = await createLocalIssuer(dataDir);
});

const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: Record<string, unknown>, options: { key?: CryptoKey; kid?: string; alg?: string } = {}) =>
  new SignJWT({ iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, sub: 'alice', iat: now(), exp: now() + 600, ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: options.kid ?? KID })
    .sign(options.key ?? key);

test('mints tokens it accepts, with sub and groups', async () => {
  const { accessToken, expiresIn } = await issuer.mint('alice', ['admin']);
  expect(expiresIn).toBe(3600);
  expect(await issuer.verify(accessToken)).toMatchObject({ sub: 'alice', 'cognito:groups': ['admin'], iss: LOCAL_ISSUER });
});

test("its tokens are access tokens with the scope the routes require, like Cognito's", async () => {
  const { accessToken } = await issuer.mint('alice');
  expect(await issuer.verify(accessToken)).toMatchObject({ token_use: 'access', scope: ACCESS_TOKEN_SCOPE });
});

test('a token it minted is accepted without a signature check, with the claims a check would give; altered, it is refused', async () => {
  const { accessToken } = await issuer.mint('carol', ['ops']);
  const minted = await issuer.verify(accessToken);
  // A fresh issuer on the same key has to check the signature: the claims are the same.
  expect(await (await createLocalIssuer(dataDir)).verify(accessToken)).toEqual(minted);
  const [h, p, s] = accessToken.split('.');
  const forged = Buffer.from(JSON.stringify({ ...minted, sub: 'mallory' })).toString('base64url');
  expect(await issuer.verify(`${h}.${forged}.${s}`)).toBeUndefined();
  expect(await issuer.verify(`${h}.${p}.${s.slice(0, -4)}AAAA`)).toBeUndefined();
});

test('a token signed with our key and right claims passes', async () => {
  expect(await issuer.verify(await sign({}))).toMatchObject({ sub: 'alice' });
});

test('keeps its key in DATA_DIR, so tokens survive a restart', async () => {
  const { accessToken } = await issuer.mint('bob');
  const restarted = await createLocalIssuer(dataDir);
  expect(await restarted.verify(accessToken)).toMatchObject({ sub: 'bob' });
});

test('with the identity a JWT authorizer trusts, it mints and accepts that issuer and audience only', async () => {
  const cognitoLike = { issuer: 'https://cognito-idp.local.amazonaws.com/local_pool', audience: ['client-a', 'client-b'] } as const;
  const synthIssuer = await createLocalIssuer(dataDir, cognitoLike);
  const { accessToken } = await synthIssuer.mint('carol');
  expect(await synthIssuer.verify(accessToken)).toMatchObject({ sub: 'carol', iss: cognitoLike.issuer, aud: 'client-a' });
  expect(await synthIssuer.verify(await sign({ iss: cognitoLike.issuer, aud: 'client-b' }))).toMatchObject({ sub: 'alice' });
  // Same key, other names: neither accepts the other's tokens.
  expect(await issuer.verify(accessToken)).toBeUndefined();
  expect(await synthIssuer.verify(await sign({}))).toBeUndefined();
});

describe('refuses', () => {
  test('malformed tokens', async () => {
    for (const token of ['', 'abc', 'a.b.c', 'e30.e30.']) expect(await issuer.verify(token)).toBeUndefined();
  });

  test('alg none', async () => {
    const body = Buffer.from(
      JSON.stringify({ iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, sub: 'alice', iat: now(), exp: now() + 600 }),
    ).toString('base64url');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(await issuer.verify(`${header}.${body}.`)).toBeUndefined();
  });

  test('a bad signature, or a key it does not know', async () => {
    const other = await generateKeyPair('ES256');
    expect(await issuer.verify(await sign({}, { key: other.privateKey }))).toBeUndefined();
    const good = await sign({});
    const [h, p, s] = good.split('.');
    const flipped = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    expect(await issuer.verify(`${h}.${p}.${flipped}`)).toBeUndefined();
    expect(await issuer.verify(await sign({}, { kid: 'deleted-key' }))).toBeUndefined();
  });

  test('expired, not yet valid, wrong issuer, wrong audience, no sub', async () => {
    expect(await issuer.verify(await sign({ exp: now() - 120, iat: now() - 720 }))).toBeUndefined();
    expect(await issuer.verify(await sign({ nbf: now() + 600 }))).toBeUndefined();
    expect(await issuer.verify(await sign({ iss: 'https://evil.example' }))).toBeUndefined();
    expect(await issuer.verify(await sign({ aud: 'someone-else' }))).toBeUndefined();
    expect(await issuer.verify(await sign({ sub: undefined }))).toBeUndefined();
  });
});
