import { createDynamoWalletRepository } from '../../functions/wallet/dynamo-wallet-repository';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { replayLedger } from '../../functions/wallet/wallet-rules';
import { activeUser } from '../support/active-users';
import { startLocalApi, type LocalApi } from '../support/local-api';
import { chargeOverHttp } from '../support/wallet-fixture';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(() => api.stop());

const wallets = () => createDynamoWalletRepository(documentClient, tableName('wallet'));
const balanceOf = async (token: string) => (await api.request('GET', '/balance', { token })).body.balance as number;
const charge = (token: string, body: unknown, headers: Record<string, string> = {}) =>
  api.request('POST', '/balance/charge', { token, body, headers });

describe('GET /balance and POST /balance/charge', () => {
  test('a new user has 0; a charge adds to it and answers the new balance', async () => {
    const token = await api.tokenFor('wallet-new');
    const fresh = await api.request('GET', '/balance', { token });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toEqual({ balance: 0 });

    const charged = await charge(token, { amount: 25_000 });
    expect(charged.status).toBe(200);
    expect(charged.body).toEqual({ balance: 25_000 });
    expect((await charge(token, { amount: 1 })).body).toEqual({ balance: 25_001 });
    expect(await balanceOf(token)).toBe(25_001);

    const ledger = await wallets().listLedger('wallet-new');
    expect(ledger.map(({ version, kind, amount, balanceAfter }) => ({ version, kind, amount, balanceAfter }))).toEqual([
      { version: 1, kind: 'CHARGE', amount: 25_000, balanceAfter: 25_000 },
      { version: 2, kind: 'CHARGE', amount: 1, balanceAfter: 25_001 },
    ]);
  });

  test('401 without a JWT', async () => {
    expect((await api.request('GET', '/balance')).status).toBe(401);
    expect((await api.request('POST', '/balance/charge', { body: { amount: 1 } })).body.error.code).toBe('UNAUTHENTICATED');
  });

  test('every bad amount is a 400 naming the field, and changes nothing', async () => {
    const token = await api.tokenFor('wallet-bad-input');
    await chargeOverHttp(api, token, 500);
    for (const amount of [0, -1, 1.5, 10_000_001, '1000', null, 1e21]) {
      const response = await charge(token, { amount });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
      expect(response.body.error.details.length).toBeGreaterThan(0);
      expect(response.body.error.details.every((d: { path: string }) => d.path === 'amount')).toBe(true);
    }
    const missing = await charge(token, {});
    expect(missing.body.error.details).toEqual([expect.objectContaining({ path: 'amount' })]);
    const extra = await charge(token, { amount: 1, currency: 'KRW' });
    expect(extra.body.error.details).toEqual([{ path: 'currency', message: 'unknown field' }]);
    expect((await charge(token, '{"amount": 1')).body.error.code).toBe('VALIDATION_ERROR');
    expect((await api.request('POST', '/balance/charge', { token })).status).toBe(400);
    const wrongType = await api.request('POST', '/balance/charge', { token, body: 'amount=1', headers: { 'content-type': 'text/plain' } });
    expect(wrongType.status).toBe(415);
    expect(await balanceOf(token)).toBe(500);
    expect(await wallets().listLedger('wallet-bad-input')).toHaveLength(1);
  });

  test('the balance may reach 100,000,000 and not pass it: 409 BALANCE_LIMIT_EXCEEDED, nothing changed', async () => {
    const token = await api.tokenFor('wallet-rich');
    for (let i = 0; i < 9; i++) await chargeOverHttp(api, token, 10_000_000);
    expect((await charge(token, { amount: 10_000_000 })).body).toEqual({ balance: 100_000_000 });
    const over = await charge(token, { amount: 1 });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('BALANCE_LIMIT_EXCEEDED');
    expect(await balanceOf(token)).toBe(100_000_000);
    expect(await wallets().listLedger('wallet-rich')).toHaveLength(10);
  });

  test('50 simultaneous charges of 1,000 to one user add exactly 50,000, one ledger entry each', async () => {
    const token = await api.tokenFor('wallet-rush');
    const started = performance.now();
    const responses = await Promise.all(Array.from({ length: 50 }, () => charge(token, { amount: 1_000 })));
    const elapsedMs = performance.now() - started;
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(await balanceOf(token)).toBe(50_000);
    // Every answer is a balance that existed: 1,000 … 50,000, each once.
    expect(responses.map((r) => r.body.balance).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => (i + 1) * 1_000));
    const ledger = await wallets().listLedger('wallet-rush');
    expect(ledger.map((e) => e.version)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(ledger.map((e) => e.balanceAfter)).toEqual(Array.from({ length: 50 }, (_, i) => (i + 1) * 1_000));
    expect(replayLedger(ledger)).toBe(50_000);
    console.log(`50 concurrent charges of one wallet over HTTP: ${elapsedMs.toFixed(0)} ms`);
  });
});

describe('Idempotency-Key on POST /balance/charge', () => {
  test('the same key and body replays the first answer and charges once', async () => {
    const token = await api.tokenFor('idem-replay');
    const first = await charge(token, { amount: 7_000 }, { 'idempotency-key': 'charge-1' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ balance: 7_000 });
    await chargeOverHttp(api, token, 1_000);

    const again = await charge(token, { amount: 7_000 }, { 'idempotency-key': 'charge-1' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ balance: 7_000 });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await balanceOf(token)).toBe(8_000);
  });

  test('the same key with another body is 409 IDEMPOTENCY_KEY_REUSED and changes nothing', async () => {
    const token = await api.tokenFor('idem-reuse');
    await charge(token, { amount: 3_000 }, { 'idempotency-key': 'k' });
    const reused = await charge(token, { amount: 4_000 }, { 'idempotency-key': 'k' });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await balanceOf(token)).toBe(3_000);
  });

  test('the body is compared as JSON: spacing and field order do not make it another body', async () => {
    const token = await api.tokenFor('idem-json');
    await charge(token, '{"amount":2000}', { 'idempotency-key': 'json' });
    const spaced = await charge(token, '{ "amount" : 2000 }', { 'idempotency-key': 'json' });
    expect(spaced.status).toBe(200);
    expect(spaced.headers.get('idempotent-replayed')).toBe('true');
    expect(await balanceOf(token)).toBe(2_000);
  });

  test('keys belong to their user: the same key from two users charges both', async () => {
    const [ann, ben] = await Promise.all([api.tokenFor('idem-ann'), api.tokenFor('idem-ben')]);
    await charge(ann, { amount: 1_000 }, { 'idempotency-key': 'shared-key' });
    const other = await charge(ben, { amount: 1_000 }, { 'idempotency-key': 'shared-key' });
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect([await balanceOf(ann), await balanceOf(ben)]).toEqual([1_000, 1_000]);
  });

  test('a bad key is 400 before anything happens', async () => {
    const token = await api.tokenFor('idem-bad-key');
    for (const key of ['', 'x'.repeat(129), 'caf\u00e9']) {
      const response = await charge(token, { amount: 1_000 }, { 'idempotency-key': key });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({
        code: 'VALIDATION_ERROR',
        details: [{ path: 'Idempotency-Key', message: expect.any(String) }],
      });
    }
    expect((await charge(token, { amount: 1_000 }, { 'idempotency-key': 'x'.repeat(128) })).status).toBe(200);
    expect((await charge(token, { amount: 1_000 }, { 'idempotency-key': ' ~!"#$%&()*+,-./:;<=>?@[]^_`{|}' })).status).toBe(200);
    expect(await balanceOf(token)).toBe(2_000);
  });

  test('a refused charge keeps no answer: the key can be used again once the request can succeed', async () => {
    const token = await api.tokenFor('idem-refused');
    const bad = await charge(token, { amount: 0 }, { 'idempotency-key': 'retry-me' });
    expect(bad.status).toBe(400);
    const good = await charge(token, { amount: 0 }, { 'idempotency-key': 'retry-me' });
    expect(good.status).toBe(400);
    expect(good.headers.get('idempotent-replayed')).toBeNull();
  });

  test('two identical requests with one key racing: one charge, both answer 200 with the same body', async () => {
    const token = await api.tokenFor('idem-race');
    const responses = await Promise.all(Array.from({ length: 5 }, () => charge(token, { amount: 5_000 }, { 'idempotency-key': 'race' })));
    expect(responses.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(responses.map((r) => r.body)).toEqual(Array(5).fill({ balance: 5_000 }));
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    expect(await balanceOf(token)).toBe(5_000);
    expect(await wallets().listLedger('idem-race')).toHaveLength(1);
  });
});

describe('GET /payments', () => {
  test('a user who never paid has an empty history', async () => {
    const token = await api.tokenFor('history-empty');
    const response = await api.request('GET', '/payments', { token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ payments: [] });
  });

  test('bad paging input is a 400', async () => {
    const token = await api.tokenFor('history-bad');
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'cursor=nope', 'cursor=cDpub3Q', 'page=2']) {
      const response = await api.request('GET', `/payments?${query}`, { token });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
    }
  });

  test('the idempotency of a route does not reach another: an ACTIVE user still gets 201 on POST /payments with a key used for a charge', async () => {
    const user = await activeUser(api, 'neon-harbor', 'idem-routes');
    await charge(user.token, { amount: 500_000 }, { 'idempotency-key': 'same' });
    const hold = await api.request('POST', '/reservations', {
      token: user.token,
      queueToken: user.queueToken,
      body: { concertId: 'neon-harbor', scheduleId: 'neon-harbor-1', seatNumber: 50 },
    });
    const paid = await api.request('POST', '/payments', {
      token: user.token,
      queueToken: user.queueToken,
      body: { reservationIds: [hold.body.reservationId] },
      headers: { 'idempotency-key': 'same' },
    });
    expect(paid.status).toBe(201);
  });
});
