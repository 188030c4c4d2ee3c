/**
 * Proof of work at the door, over real HTTP against the local server (DynamoDB Local, real JWTs,
 * altcha-lib solving in Node as a client would): the challenge route, every refusal of a protected
 * concert's join, a live token given back without work, and one solution opening the door once
 * under 50 simultaneous joins.
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Challenge } from 'altcha-lib';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { countDynamoDbCalls, type CallCounter } from '../../bench/dynamodb-calls';
import { ClaimedChallenges } from '../../functions/queue/challenge-replay-guard';
import { queueDeps } from '../../functions/queue/default-queue-deps';
import { CHALLENGE_SECONDS } from '../../functions/queue/join-challenge';
import { joinChallenges } from '../../functions/queue/join-challenges';
import { joinQueue } from '../../functions/queue/join-queue';
import type { QueueDeps } from '../../functions/queue/queue-deps';
import { queueKeys } from '../../functions/queue/queue-keys';
import { queueTokenKeySource } from '../../functions/queue/queue-token-keys';
import { RecentTokens } from '../../functions/queue/recent-tokens';
import type { AppError } from '../../functions/shared/errors';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { altchaPayload, challengeFor, setChallengeWork, solved, solvedFor } from '../support/join-challenge';
import { startLocalApi, type LocalApi } from '../support/local-api';

const PROTECTED = 'midnight-orchestra';
const OPEN = 'aurora-live';
/** Little work, so that Node solves each challenge in a few milliseconds: the server's checks do not depend on it. */
const WORK = 30;

let api: LocalApi;
const tokens = new Map<string, string>();
const tokenOf = async (userId: string) => {
  if (!tokens.has(userId)) tokens.set(userId, await api.tokenFor(userId));
  return tokens.get(userId)!;
};

beforeAll(async () => {
  api = await startLocalApi();
  await setChallengeWork(api, PROTECTED, WORK);
}, 60_000);
afterAll(() => api.stop());

const join = async (userId: string, body?: unknown, concertId = PROTECTED) =>
  api.request('POST', `/concerts/${concertId}/queue`, { token: await tokenOf(userId), body });
const codeOf = (response: { status: number; body: any }) => (response.status >= 400 ? response.body.error.code : response.status);

/** What the line's counter says: refused joins must take no number. */
async function lastSeq(concertId: string): Promise<number> {
  const { Items } = await documentClient.send(new ScanCommand({ TableName: tableName('queue'), ConsistentRead: true }));
  return (Items ?? []).find((item) => item.pk === queueKeys.sequence(concertId).pk)?.lastSeq ?? 0;
}

/** The user's token item for the concert (the replay guard is its `challenge` key), if any. */
async function tokenItemOf(userId: string, concertId = PROTECTED): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName('queue'), Key: queueKeys.token(concertId, userId), ConsistentRead: true }),
  );
  return Item;
}

/** Token items that carry a replay key: the solutions used so far. */
async function usedSolutions(): Promise<number> {
  const { Items } = await documentClient.send(new ScanCommand({ TableName: tableName('queue'), ConsistentRead: true }));
  return (Items ?? []).filter((item) => typeof item.challenge === 'string').length;
}

describe('GET /concerts/{concertId}/queue/challenge', () => {
  test('a signed challenge of this user and concert, valid for 5 minutes, as hard as the concert asks', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await api.request('GET', `/concerts/${PROTECTED}/queue/challenge`, { token: await tokenOf('reader') });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const challenge = response.body as Challenge;
    expect(challenge.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(challenge.parameters).toMatchObject({
      algorithm: 'PBKDF2/SHA-256',
      data: { concertId: PROTECTED, userId: 'reader', work: WORK },
    });
    expect(challenge.parameters.expiresAt! - before).toBeGreaterThanOrEqual(CHALLENGE_SECONDS - 1);
    expect(challenge.parameters.expiresAt! - before).toBeLessThanOrEqual(CHALLENGE_SECONDS + 2);
  });

  test('a concert that asks no work still answers one; an unknown concert is 404, a bad id 400, no sign-in 401', async () => {
    const open = await api.request('GET', `/concerts/${OPEN}/queue/challenge`, { token: await tokenOf('reader') });
    expect(open.status).toBe(200);
    expect(open.body.parameters.data).toMatchObject({ concertId: OPEN, work: 0 });
    expect(codeOf(await api.request('GET', '/concerts/no-such-concert/queue/challenge', { token: await tokenOf('reader') }))).toBe(
      'NOT_FOUND',
    );
    expect(codeOf(await api.request('GET', '/concerts/bad%20id/queue/challenge', { token: await tokenOf('reader') }))).toBe(
      'VALIDATION_ERROR',
    );
    expect(codeOf(await api.request('GET', `/concerts/${PROTECTED}/queue/challenge`))).toBe('UNAUTHENTICATED');
  });
});

describe('the join of a protected concert', () => {
  test('without a solution: 403 CHALLENGE_REQUIRED, and no number is taken', async () => {
    const seqBefore = await lastSeq(PROTECTED);
    for (const body of [undefined, {}, { altcha: '' }]) {
      const response = await join('no-work', body);
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('CHALLENGE_REQUIRED');
    }
    expect(await lastSeq(PROTECTED)).toBe(seqBefore);
  });

  test('a body that is not the contract is 400 before anything else', async () => {
    for (const body of [{ altcha: 42 }, { altcha: null }, { altcha: 'x', extra: 1 }, { altcha: 'A'.repeat(5000) }, []]) {
      expect(codeOf(await join('bad-body', body))).toBe('VALIDATION_ERROR');
    }
  });

  test('a solved challenge of its own opens the door once: 201, then a live token is given back without work', async () => {
    const altcha = await solvedFor(api, await tokenOf('solver'), PROTECTED);
    const first = await join('solver', { altcha });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ concertId: PROTECTED, status: 'WAIT' });
    // Already in line: the same token, with no solution, with a used one, or with nonsense.
    for (const body of [undefined, { altcha }, { altcha: 'nonsense' }]) {
      const again = await join('solver', body);
      expect(again.status).toBe(200);
      expect(again.body.token).toBe(first.body.token);
    }
  });

  test('wrong, expired, reused, too easy, another user’s or another concert’s: 403 CHALLENGE_FAILED, and no number is taken', async () => {
    const token = await tokenOf('failer');
    const challenge = await challengeFor(api, token, PROTECTED);
    const solution = (await solveChallenge({ challenge, deriveKey }))!;
    const wrongKey = altchaPayload(challenge, { ...solution, derivedKey: `${solution.derivedKey.slice(0, -4)}0000` });

    // Minted with the server's own keys (the local runtime keeps them in this process's environment), 6 minutes ago.
    const server = joinChallenges(queueTokenKeySource());
    const expired = await solved(await server.issue({ userId: 'failer', concertId: PROTECTED, work: WORK, now: Date.now() - 360_000 }));
    const tooEasy = await solved(await server.issue({ userId: 'failer', concertId: PROTECTED, work: WORK - 1, now: Date.now() }));
    const othersChallenge = await solvedFor(api, await tokenOf('someone-else'), PROTECTED);
    const otherConcert = await solvedFor(api, token, 'neon-harbor');

    // Reused: a solution that already let this user in, who has since left the line (so holds no live token).
    const reused = await solvedFor(api, await tokenOf('reuser'), PROTECTED);
    const entered = await join('reuser', { altcha: reused });
    expect(entered.status).toBe(201);
    const left = await api.request('DELETE', `/concerts/${PROTECTED}/queue`, {
      token: await tokenOf('reuser'),
      queueToken: entered.body.token,
    });
    expect(left.body.status).toBe('EXPIRED');

    const seqBefore = await lastSeq(PROTECTED);
    const cases: Array<[string, string, string]> = [
      ['failer', wrongKey, 'a wrong derived key'],
      ['failer', 'bm90IGEgcGF5bG9hZA==', 'not a payload'],
      ['failer', expired, 'expired'],
      ['failer', tooEasy, 'issued for less work than asked'],
      ['failer', othersChallenge, "another user's"],
      ['failer', otherConcert, "another concert's"],
      ['reuser', reused, 'used before'],
    ];
    for (const [userId, altcha, what] of cases) {
      const response = await join(userId, { altcha });
      expect([what, response.status, response.body.error?.code]).toEqual([what, 403, 'CHALLENGE_FAILED']);
    }
    expect(await lastSeq(PROTECTED)).toBe(seqBefore);
    // Another user showing it did not use it up: its owner still gets in with it.
    expect((await join('failer', { altcha: altchaPayload(challenge, solution) })).status).toBe(201);
  });

  test('a challenge issued before the concert asked for work is not enough once it does', async () => {
    const concertId = 'neon-harbor';
    const early = await solvedFor(api, await tokenOf('early-bird'), concertId);
    await setChallengeWork(api, concertId, 1);
    try {
      expect(codeOf(await join('early-bird', { altcha: early }, concertId))).toBe('CHALLENGE_FAILED');
      expect((await join('early-bird', { altcha: await solvedFor(api, await tokenOf('early-bird'), concertId) }, concertId)).status).toBe(
        201,
      );
    } finally {
      await setChallengeWork(api, concertId, 0);
    }
  });
});

describe('one solution, many joins at once', () => {
  test('its owner sends it 50 times at once: one 201, the others the same token (200) or CHALLENGE_FAILED; one number taken', async () => {
    const altcha = await solvedFor(api, await tokenOf('hammer'), PROTECTED);
    const [seqBefore, usedBefore] = [await lastSeq(PROTECTED), await usedSolutions()];
    const responses = await Promise.all(Array.from({ length: 50 }, () => join('hammer', { altcha })));
    const created = responses.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    for (const response of responses.filter((r) => r.status !== 201)) {
      if (response.status === 200) expect(response.body.token).toBe(created[0].body.token);
      else expect(codeOf(response)).toBe('CHALLENGE_FAILED');
    }
    expect(await lastSeq(PROTECTED)).toBe(seqBefore + 1);
    expect(await usedSolutions()).toBe(usedBefore + 1);
    expect((await tokenItemOf('hammer'))?.challenge).toEqual(expect.stringMatching(/^\d{10}:[\w-]{43}$/));
  });

  test("50 other users show one user's solution at once: all CHALLENGE_FAILED, nothing written, and its owner still gets in", async () => {
    const altcha = await solvedFor(api, await tokenOf('owner'), PROTECTED);
    const thieves = Array.from({ length: 50 }, (_, i) => `thief-${i}`);
    await Promise.all(thieves.map(tokenOf));
    const [seqBefore, usedBefore] = [await lastSeq(PROTECTED), await usedSolutions()];
    const responses = await Promise.all(thieves.map((thief) => join(thief, { altcha })));
    expect(responses.map(codeOf)).toEqual(thieves.map(() => 'CHALLENGE_FAILED'));
    expect([await lastSeq(PROTECTED), await usedSolutions()]).toEqual([seqBefore, usedBefore]);
    expect((await join('owner', { altcha })).status).toBe(201);
  });
});

/**
 * Deployed, each Lambda instance keeps its own memory of the solutions it used; another instance has
 * not seen them, and there the token item's replay guard alone decides. An instance of its own here:
 * the same tables and keys, a fresh memory.
 */
describe('the replay guard on the token item, as an instance that has not seen the solution meets it', () => {
  const freshInstance = () => ({ ...queueDeps(), recentTokens: new RecentTokens(), claimedChallenges: new ClaimedChallenges() });
  const joinAt = (deps: QueueDeps, userId: string, altcha?: string, concertId = PROTECTED) =>
    joinQueue(deps, { userId, concertId, altcha }).then(
      (result) => (result.created ? 201 : 200),
      (error: AppError) => error.code,
    );
  const leave = async (userId: string, concertId = PROTECTED) => {
    const token = (await tokenItemOf(userId, concertId))?.token as string;
    const left = await api.request('DELETE', `/concerts/${concertId}/queue`, { token: await tokenOf(userId), queueToken: token });
    expect(left.body.status).toBe('EXPIRED');
  };

  test('a used solution, after its user left: CHALLENGE_FAILED there (for the number it took), and none taken again', async () => {
    const altcha = await solvedFor(api, await tokenOf('returner'), PROTECTED);
    expect((await join('returner', { altcha })).status).toBe(201);
    await leave('returner');
    const other = freshInstance();
    const seqBefore = await lastSeq(PROTECTED);
    expect(await joinAt(other, 'returner', altcha)).toBe('CHALLENGE_FAILED');
    expect(await joinAt(other, 'returner', altcha)).toBe('CHALLENGE_FAILED');
    expect(await lastSeq(PROTECTED)).toBe(seqBefore + 1);
    // A new solution still opens the door (fetched a second later: keys of one second sort by digest).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await joinAt(other, 'returner', await solvedFor(api, await tokenOf('returner'), PROTECTED))).toBe(201);
  });

  test('one solution at 20 instances at once: one 201, the others the same token (200) or CHALLENGE_FAILED', async () => {
    const altcha = await solvedFor(api, await tokenOf('spreader'), PROTECTED);
    const answers = await Promise.all(Array.from({ length: 20 }, () => joinAt(freshInstance(), 'spreader', altcha)));
    expect(answers.filter((answer) => answer === 201)).toHaveLength(1);
    expect(answers.every((answer) => [201, 200, 'CHALLENGE_FAILED'].includes(answer))).toBe(true);
    await leave('spreader');
    expect(await joinAt(freshInstance(), 'spreader', altcha)).toBe('CHALLENGE_FAILED');
  });

  test('a challenge fetched before the one last used is refused too; one fetched after it is not', async () => {
    const token = await tokenOf('two-tabs');
    const older = await challengeFor(api, token, PROTECTED);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a later second: a later end
    const newer = await challengeFor(api, token, PROTECTED);
    expect(await joinAt(freshInstance(), 'two-tabs', await solved(newer))).toBe(201);
    await leave('two-tabs');
    expect(await joinAt(freshInstance(), 'two-tabs', await solved(older))).toBe('CHALLENGE_FAILED');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await joinAt(freshInstance(), 'two-tabs', await solvedFor(api, token, PROTECTED))).toBe(201);
  });

  test('work turned off and on again: a join without work keeps the key, and the used solution stays used', async () => {
    const concertId = 'neon-harbor';
    await setChallengeWork(api, concertId, WORK);
    try {
      const altcha = await solvedFor(api, await tokenOf('toggler'), concertId);
      expect(await joinAt(freshInstance(), 'toggler', altcha, concertId)).toBe(201);
      const key = (await tokenItemOf('toggler', concertId))?.challenge;
      await leave('toggler', concertId);
      await setChallengeWork(api, concertId, 0);
      expect(await joinAt(freshInstance(), 'toggler', undefined, concertId)).toBe(201);
      expect((await tokenItemOf('toggler', concertId))?.challenge).toBe(key);
      await leave('toggler', concertId);
      await setChallengeWork(api, concertId, WORK);
      expect(await joinAt(freshInstance(), 'toggler', altcha, concertId)).toBe('CHALLENGE_FAILED');
    } finally {
      await setChallengeWork(api, concertId, 0);
    }
  });
});

/**
 * The calls a join made, less a refresh of the admission record: its 1 s cache may lapse between
 * two joins on a busy machine, and that read is not what these tests count.
 */
const joinCalls = (counter: CallCounter) =>
  counter.records
    .filter((call) => !(call.command === 'GetItemCommand' && JSON.stringify(call.input?.Key ?? {}).includes('ADMISSION#')))
    .map((call) => call.command);

test('a concert that asks no work ignores a solution and costs nothing more than a plain join', async () => {
  await join('warm-up', undefined, OPEN); // this instance has read the concert's record: the next joins are steady state
  const counter = countDynamoDbCalls(documentClient, { inputs: true });
  try {
    counter.reset();
    expect((await join('plain', undefined, OPEN)).status).toBe(201);
    const plain = joinCalls(counter).sort();
    counter.reset();
    expect((await join('with-nonsense', { altcha: 'bm9uc2Vuc2U=' }, OPEN)).status).toBe(201);
    expect(joinCalls(counter).sort()).toEqual(plain);
  } finally {
    counter.detach();
  }
});

test('a protected join makes the calls of a plain one (its replay guard is in the token write); a refused one reads only the token item', async () => {
  const altcha = await solvedFor(api, await tokenOf('counted'), PROTECTED);
  await join('warm-up-2'); // reads the record; refused
  const counter = countDynamoDbCalls(documentClient, { inputs: true });
  try {
    counter.reset();
    expect((await join('counted', { altcha })).status).toBe(201);
    // The number (UpdateItem), the token with the solution's replay key (PutItem).
    expect(joinCalls(counter).sort()).toEqual(['PutItemCommand', 'UpdateItemCommand']);
    counter.reset();
    expect(codeOf(await join('refused'))).toBe('CHALLENGE_REQUIRED');
    expect(joinCalls(counter)).toEqual(['GetItemCommand']);
  } finally {
    counter.detach();
  }
});
