import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { queueKeys } from '../../functions/queue/queue-keys';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { activeUser, type ActiveUser } from '../support/active-users';
import { startLocalApi, type LocalApi } from '../support/local-api';
import { chargeOverHttp, createSmallConcert, holdOverHttp } from '../support/wallet-fixture';

/**
 * Giving places back over HTTP: `DELETE /concerts/{concertId}/queue` and the admins'
 * `POST /admin/concerts/{concertId}/queue/revocations`, with real concurrent requests against the
 * local server on DynamoDB Local: answers, refusals, a leave racing a payment, bans.
 */
let api: LocalApi;
let admin: string;
let serial = 0;

beforeAll(async () => {
  api = await startLocalApi({ seed: false });
  admin = await api.tokenFor('ops', ['admin']);
});
afterAll(() => api.stop());

/** A concert of the test's own, so no test shares a line. */
async function concert(seats = 6): Promise<{ concertId: string; scheduleId: string }> {
  const concertId = `gba-${++serial}`;
  return { concertId, ...(await createSmallConcert(concertId, seats)) };
}

const join = (token: string, concertId: string) => api.request('POST', `/concerts/${concertId}/queue`, { token });
const poll = (token: string, queueToken: string, concertId: string) =>
  api.request('GET', `/concerts/${concertId}/queue`, { token, queueToken });
const leave = (token: string, queueToken: string | undefined, concertId: string, body?: unknown) =>
  api.request('DELETE', `/concerts/${concertId}/queue`, { token, queueToken, body });
const revoke = (concertId: string, body: unknown, token = admin) =>
  api.request('POST', `/admin/concerts/${concertId}/queue/revocations`, { token, body });
const admissionRecord = async (concertId: string) =>
  (await documentClient.send(new GetCommand({ TableName: tableName('queue'), Key: queueKeys.admission(concertId), ConsistentRead: true })))
    .Item ?? {};
const finishedOf = (record: Record<string, unknown>) =>
  Object.entries(record)
    .filter(([name]) => name.startsWith('b#'))
    .reduce((sum, [, batch]) => sum + (batch as { finished: number }).finished, 0);

describe('DELETE /concerts/{concertId}/queue', () => {
  test('a waiting user leaves: 200 queue status EXPIRED with Retry-After; polls read EXPIRED; joining again puts them at the back', async () => {
    const { concertId } = await concert();
    const [ann, ben, cat] = await Promise.all(['q-ann', 'q-ben', 'q-cat'].map((userId) => api.tokenFor(userId)));
    const tokens = new Map<string, string>();
    for (const [who, token] of [
      ['ann', ann],
      ['ben', ben],
      ['cat', cat],
    ]) {
      tokens.set(who, (await join(token, concertId)).body.token);
    }
    const left = await leave(ben, tokens.get('ben'), concertId);
    expect(left.status).toBe(200);
    expect(left.body).toEqual({ token: tokens.get('ben'), concertId, status: 'EXPIRED', position: 0, estimatedWaitSeconds: 0 });
    expect(left.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await poll(ben, tokens.get('ben')!, concertId)).body.status).toBe('EXPIRED');
    expect((await poll(cat, tokens.get('cat')!, concertId)).body).toMatchObject({ status: 'WAIT', position: 3 });
    // Leaving again: the same answer, nothing more changes.
    expect((await leave(ben, tokens.get('ben'), concertId)).body.status).toBe('EXPIRED');
    expect((await admissionRecord(concertId)).leftTotal).toBe(1);

    const rejoined = await join(ben, concertId);
    expect(rejoined.status).toBe(201);
    expect(rejoined.body).toMatchObject({ status: 'WAIT', position: 4 });
    const run = await api.request('POST', '/local/jobs/activate');
    expect(run.body.concerts).toEqual(expect.arrayContaining([expect.objectContaining({ concertId, admitted: 3 })]));
  });

  test('an ACTIVE user ends the turn: EXPIRED at once, every ACTIVE route refuses the token, its place is freed', async () => {
    const { concertId, scheduleId } = await concert();
    const user = await activeUser(api, concertId, 'q-dan');
    const left = await leave(user.token, user.queueToken, concertId);
    expect([left.status, left.body.status]).toEqual([200, 'EXPIRED']);
    const seats = await api.request('GET', `/concerts/${concertId}/schedules/${scheduleId}/seats`, {
      token: user.token,
      queueToken: user.queueToken,
    });
    expect([seats.status, seats.body.error.code]).toEqual([403, 'QUEUE_TOKEN_NOT_ACTIVE']);
    const record = await admissionRecord(concertId);
    expect([finishedOf(record), record.leftTotal]).toEqual([1, 1]);
  });

  test('refusals: no token 403 QUEUE_TOKEN_REQUIRED, a forged or foreign one 403 QUEUE_TOKEN_INVALID, a body 400, no JWT 401', async () => {
    const { concertId } = await concert();
    const eve = await api.tokenFor('q-eve');
    const queueToken = (await join(eve, concertId)).body.token;
    const missing = await leave(eve, undefined, concertId);
    expect([missing.status, missing.body.error.code]).toEqual([403, 'QUEUE_TOKEN_REQUIRED']);
    const forged = await leave(eve, `${queueToken.slice(0, -4)}AAAA`, concertId);
    expect([forged.status, forged.body.error.code]).toEqual([403, 'QUEUE_TOKEN_INVALID']);
    const { concertId: other } = await concert();
    const elsewhere = await leave(eve, queueToken, other);
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([403, 'QUEUE_TOKEN_INVALID']);
    const withBody = await leave(eve, queueToken, concertId, { now: true });
    expect(withBody.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: 'now', message: 'unknown field' }] });
    expect((await api.request('DELETE', `/concerts/${concertId}/queue`, { queueToken })).status).toBe(401);
    expect((await poll(eve, queueToken, concertId)).body.status).toBe('WAIT');
  });

  test('a leave racing a payment, 6 rounds: exactly one spends the token, and the place is freed once', async () => {
    const { concertId, scheduleId } = await concert(6);
    const outcomes: string[] = [];
    for (let round = 0; round < 6; round++) {
      const user = await activeUser(api, concertId, `q-race-${round}`);
      const held = await holdOverHttp(api, user, concertId, scheduleId, round + 1);
      await chargeOverHttp(api, user.token, held.price);
      const before = await admissionRecord(concertId);
      const [paid, left] = await Promise.all([
        api.request('POST', '/payments', {
          token: user.token,
          queueToken: user.queueToken,
          body: { reservationIds: [held.reservationId] },
        }),
        new Promise((resolve) => setTimeout(resolve, round * 5)).then(() => leave(user.token, user.queueToken, concertId)),
      ]);
      const after = await admissionRecord(concertId);
      expect([left.status, left.body.status]).toEqual([200, 'EXPIRED']);
      expect(finishedOf(after)).toBe(finishedOf(before) + 1);
      const leftCount = ((after.leftTotal as number | undefined) ?? 0) - ((before.leftTotal as number | undefined) ?? 0);
      if (paid.status === 201) {
        outcomes.push('paid');
        expect(leftCount).toBe(0);
      } else {
        outcomes.push('left');
        expect([paid.status, paid.body.error.code]).toEqual([403, 'QUEUE_TOKEN_NOT_ACTIVE']);
        expect(leftCount).toBe(1);
        expect((await api.request('GET', '/balance', { token: user.token })).body.balance).toBe(held.price);
      }
    }
    console.log(`leave racing payment: ${outcomes.join(', ')}`);
  });
});

describe('POST /admin/concerts/{concertId}/queue/revocations', () => {
  test('revokes an ACTIVE token at once: every ACTIVE route refuses it and polls read EXPIRED; a ban refuses joins with 403 QUEUE_BANNED', async () => {
    const { concertId, scheduleId } = await concert();
    const user: ActiveUser = await activeUser(api, concertId, 'q-fay');
    await chargeOverHttp(api, user.token, 100_000);
    const held = await holdOverHttp(api, user, concertId, scheduleId, 1);

    const revoked = await revoke(concertId, { userId: 'q-fay', ban: true });
    expect([revoked.status, revoked.body]).toEqual([200, { userId: 'q-fay', revoked: true, banned: true }]);
    const asUser = { token: user.token, queueToken: user.queueToken };
    for (const refused of [
      await api.request('GET', `/concerts/${concertId}/schedules`, asUser),
      await api.request('GET', `/concerts/${concertId}/schedules/${scheduleId}/seats`, asUser),
      await api.request('POST', '/reservations', { ...asUser, body: { concertId, scheduleId, seatNumber: 2 } }),
      await api.request('POST', '/payments', { ...asUser, body: { reservationIds: [held.reservationId] } }),
    ]) {
      expect([refused.status, refused.body.error.code]).toEqual([403, 'QUEUE_TOKEN_NOT_ACTIVE']);
    }
    expect((await poll(user.token, user.queueToken, concertId)).body.status).toBe('EXPIRED');
    const banned = await join(user.token, concertId);
    expect([banned.status, banned.body.error.code]).toEqual([403, 'QUEUE_BANNED']);
    // Again: nothing live to revoke, still banned.
    expect((await revoke(concertId, { userId: 'q-fay' })).body).toEqual({ userId: 'q-fay', revoked: false, banned: true });
    // The hold made before the revocation is the user's to release.
    expect((await api.request('DELETE', `/reservations/${held.reservationId}`, { token: user.token })).body.status).toBe('RELEASED');
  });

  test('a waiting token: revoked, polls read EXPIRED, and without a ban the user may join again', async () => {
    const { concertId } = await concert();
    const gil = await api.tokenFor('q-gil');
    const queueToken = (await join(gil, concertId)).body.token;
    expect((await revoke(concertId, { userId: 'q-gil', ban: false })).body).toEqual({ userId: 'q-gil', revoked: true, banned: false });
    expect((await poll(gil, queueToken, concertId)).body.status).toBe('EXPIRED');
    expect((await join(gil, concertId)).status).toBe(201);
    expect((await revoke(concertId, { userId: 'nobody-here' })).body).toEqual({ userId: 'nobody-here', revoked: false, banned: false });
    expect((await admissionRecord(concertId)).revokedTotal).toBe(1);
  });

  test('a banned user’s 25 joins at once: every one 403 QUEUE_BANNED, none 201; stats and the jobs run past the ban', async () => {
    const { concertId } = await concert();
    const [ivy, bot] = await Promise.all(['q-ivy', 'q-bot'].map((userId) => api.tokenFor(userId)));
    const waiting = (await join(ivy, concertId)).body.token;
    expect((await revoke(concertId, { userId: 'q-bot', ban: true })).body).toEqual({ userId: 'q-bot', revoked: false, banned: true });
    const joins = await Promise.all(Array.from({ length: 25 }, () => join(bot, concertId)));
    expect(joins.map((response) => `${response.status} ${response.body.error?.code}`)).toEqual(Array(25).fill('403 QUEUE_BANNED'));
    const item = await documentClient.send(
      new GetCommand({ TableName: tableName('queue'), Key: queueKeys.token(concertId, 'q-bot'), ConsistentRead: true }),
    );
    expect(item.Item).toEqual({ ...queueKeys.token(concertId, 'q-bot'), concertId, userId: 'q-bot', banned: expect.any(Number) });
    expect((await admissionRecord(concertId)).banned).toBeUndefined();

    const stats = await api.request('GET', `/admin/concerts/${concertId}/waiting-room/stats`, { token: admin });
    expect(stats.status).toBe(200);
    for (const job of ['activate', 'expire']) expect((await api.request('POST', `/local/jobs/${job}`)).status).toBe(200);
    expect((await poll(ivy, waiting, concertId)).body.status).toBe('ACTIVE');
  });

  test('only admins: 403 FORBIDDEN; an unknown concert 404; a bad body 400, and nothing revoked', async () => {
    const { concertId } = await concert();
    const hal = await api.tokenFor('q-hal');
    const queueToken = (await join(hal, concertId)).body.token;
    const forbidden = await revoke(concertId, { userId: 'q-hal' }, hal);
    expect([forbidden.status, forbidden.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const unknown = await revoke('no-such-concert', { userId: 'q-hal' });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
    for (const [body, path] of [
      [{}, 'userId'],
      [{ userId: '' }, 'userId'],
      [{ userId: 'has space' }, 'userId'],
      [{ userId: 'x'.repeat(129) }, 'userId'],
      [{ userId: 'q-hal', ban: 'yes' }, 'ban'],
      [{ userId: 'q-hal', until: 1 }, 'until'],
    ] as const) {
      const response = await revoke(concertId, body);
      expect([response.status, response.body.error.code, response.body.error.details?.[0]?.path]).toEqual([400, 'VALIDATION_ERROR', path]);
    }
    expect((await poll(hal, queueToken, concertId)).body.status).toBe('WAIT');
  });
});
