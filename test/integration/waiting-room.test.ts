import { admitWaitingTokens } from '../../functions/queue/admit-waiting-tokens';
import { expireActiveTokens } from '../../functions/queue/expire-active-tokens';
import { joinQueue } from '../../functions/queue/join-queue';
import { pollQueue } from '../../functions/queue/poll-queue';
import { requireActiveToken } from '../../functions/queue/require-active-token';
import { revokeQueueToken } from '../../functions/queue/revoke-queue-token';
import { activeCount } from '../../functions/queue/queue-rules';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { queueKeys } from '../../functions/queue/queue-keys';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { codeOf } from '../support/error-code';
import { countDynamoDbCalls } from '../../bench/dynamodb-calls';
import { lengthenLine, onlyConcert, queueDepsForTest, TestClock } from '../support/queue-fixture';
import { concertIds, useFreshTablesBeforeAll } from '../support/tables';

const newConcert = concertIds('concert');

useFreshTablesBeforeAll();

describe('join and poll', () => {
  test('joining puts users in line in order; joining again returns the same token', async () => {
    const deps = queueDepsForTest(new TestClock());
    const concertId = newConcert();
    const alice = await joinQueue(deps, { userId: 'alice', concertId });
    const bob = await joinQueue(deps, { userId: 'bob', concertId });
    expect(alice).toMatchObject({ created: true, status: { status: 'WAIT', position: 1, concertId } });
    expect(bob.status.position).toBe(2);
    expect(alice.status.activeUntil).toBeUndefined();

    const again = await joinQueue(deps, { userId: 'alice', concertId });
    expect(again.created).toBe(false);
    expect(again.status.token).toBe(alice.status.token);

    const polled = await pollQueue(deps, { userId: 'bob', concertId, token: bob.status.token });
    expect(polled).toMatchObject({ status: 'WAIT', position: 2, estimatedWaitSeconds: expect.any(Number) });
  });

  test('a token is refused to another user, for another concert, or when guessed', async () => {
    const deps = queueDepsForTest(new TestClock());
    const concertId = newConcert();
    const { status } = await joinQueue(deps, { userId: 'carol', concertId });
    expect(await codeOf(pollQueue(deps, { userId: 'mallory', concertId, token: status.token }))).toBe('QUEUE_TOKEN_INVALID');
    expect(await codeOf(pollQueue(deps, { userId: 'carol', concertId: newConcert(), token: status.token }))).toBe('QUEUE_TOKEN_INVALID');
    const guessed = `${status.token.slice(0, -4)}AAAA`;
    expect(await codeOf(pollQueue(deps, { userId: 'carol', concertId, token: guessed }))).toBe('QUEUE_TOKEN_INVALID');
    expect(await codeOf(pollQueue(deps, { userId: 'carol', concertId, token: 'garbage' }))).toBe('QUEUE_TOKEN_INVALID');
  });
});

describe('admission and expiry', () => {
  test('admits first in first out; ACTIVE until activeUntil, then EXPIRED with no job run; then a new token', async () => {
    const clock = new TestClock();
    const deps = queueDepsForTest(clock, { admitPerTick: 2 });
    const concertId = newConcert();
    const users = ['u1', 'u2', 'u3'];
    const tokens: string[] = [];
    for (const userId of users) tokens.push((await joinQueue(deps, { userId, concertId })).status.token);

    const run = await admitWaitingTokens(deps);
    expect(run.concerts.find((c) => c.concertId === concertId)).toMatchObject({ admitted: 2, waiting: 3 });

    const first = await pollQueue(deps, { userId: 'u1', concertId, token: tokens[0] });
    expect(first).toMatchObject({ status: 'ACTIVE', position: 0, estimatedWaitSeconds: 0 });
    expect(first.activeUntil).toBe(new Date(clock.time + 600_000).toISOString());
    expect((await pollQueue(deps, { userId: 'u3', concertId, token: tokens[2] })).position).toBe(1);
    await expect(requireActiveToken(deps, { userId: 'u2', token: tokens[1], concertId })).resolves.toMatchObject({
      userId: 'u2',
      concertId,
    });
    expect(await codeOf(requireActiveToken(deps, { userId: 'u3', token: tokens[2], concertId }))).toBe('QUEUE_TOKEN_NOT_ACTIVE');

    clock.advance(600);
    expect((await pollQueue(deps, { userId: 'u1', concertId, token: tokens[0] })).status).toBe('EXPIRED');
    expect(await codeOf(requireActiveToken(deps, { userId: 'u1', token: tokens[0], concertId }))).toBe('QUEUE_TOKEN_NOT_ACTIVE');

    const expiry = await expireActiveTokens(deps);
    expect(expiry.concerts.find((c) => c.concertId === concertId)).toEqual({ concertId, expired: 2 });
    expect((await expireActiveTokens(deps)).concerts.find((c) => c.concertId === concertId)).toEqual({ concertId, expired: 0 });
    expect((await pollQueue(deps, { userId: 'u1', concertId, token: tokens[0] })).status).toBe('EXPIRED');

    const rejoined = await joinQueue(deps, { userId: 'u1', concertId });
    expect(rejoined.created).toBe(true);
    expect(rejoined.status.token).not.toBe(tokens[0]);
    expect(rejoined.status).toMatchObject({ status: 'WAIT', position: 2 }); // behind u3
  });

  test('two overlapping admission runs never admit twice nor past MAX_ACTIVE_PER_CONCERT', async () => {
    const clock = new TestClock();
    const deps = queueDepsForTest(clock, { admitPerTick: 30, maxActivePerConcert: 70 });
    const concertId = newConcert();
    const joined = await Promise.all(Array.from({ length: 100 }, (_, i) => joinQueue(deps, { userId: `rush-${i}`, concertId })));
    const admitted = async () => {
      const runs = await Promise.all(Array.from({ length: 6 }, () => admitWaitingTokens(deps)));
      return runs.map((run) => run.concerts.find((c) => c.concertId === concertId)?.admitted ?? 0).reduce((a, b) => a + b, 0);
    };
    // Runs of one round may or may not overlap (that is up to the machine); either way the total is exact.
    const rounds: number[] = [];
    for (let round = 0; round < 10 && rounds.at(-1) !== 0; round++) rounds.push(await admitted());
    expect(rounds.reduce((a, b) => a + b, 0)).toBe(70);
    expect(rounds.at(-1)).toBe(0);

    const admission = await deps.queue.findAdmission(concertId);
    expect(admission.admittedSeq).toBe(70);
    expect(activeCount(admission, clock.time, 600)).toBe(70);
    // Batches are contiguous, never overlap, and none is larger than ADMIT_PER_TICK.
    expect(admission.batches[0].firstSeq).toBe(1);
    admission.batches.forEach((b, i) => {
      expect(b.lastSeq - b.firstSeq + 1).toBeLessThanOrEqual(30);
      if (i > 0) expect(b.firstSeq).toBe(admission.batches[i - 1].lastSeq + 1);
    });
    expect(admission.batches.at(-1)?.lastSeq).toBe(70);

    const statuses = await Promise.all(joined.map((j, i) => pollQueue(deps, { userId: `rush-${i}`, concertId, token: j.status.token })));
    expect(statuses.filter((s) => s.status === 'ACTIVE')).toHaveLength(70);
    const positions = statuses
      .filter((s) => s.status === 'WAIT')
      .map((s) => s.position)
      .sort((a, b) => a! - b!);
    expect(positions).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });
});

describe('under concurrency', () => {
  test('50 simultaneous joins by one user leave exactly one live token; the numbers the others took are passed by admission', async () => {
    const deps = queueDepsForTest(new TestClock(), { admitPerTick: 50 });
    const concertId = newConcert();
    const results = await Promise.all(Array.from({ length: 50 }, () => joinQueue(deps, { userId: 'eager', concertId })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.status.token)).size).toBe(1);
    // Every answer shows the one token's place; each join took a number, and 49 of them are kept by nobody.
    expect(new Set(results.map((r) => `${r.status.status}:${r.status.position}`)).size).toBe(1);
    expect(results[0].status.status).toBe('WAIT');
    expect(results[0].status.position).toBeGreaterThanOrEqual(1);
    expect(results[0].status.position).toBeLessThanOrEqual(50);
    expect((await deps.queue.snapshot(concertId)).lastSeq).toBe(50);

    // The widened rule (API.md, "Sale-day operations"): a number a join took but did not keep may be
    // counted until admission passes it, and a position never grows while its holder waits.
    const next = await joinQueue(deps, { userId: 'patient', concertId });
    expect(next.status.position).toBe(51);
    expect((await admitWaitingTokens(deps)).concerts.find((c) => c.concertId === concertId)?.admitted).toBe(50);
    expect(await pollQueue(deps, { userId: 'eager', concertId, token: results[0].status.token })).toMatchObject({ status: 'ACTIVE' });
    expect(await pollQueue(deps, { userId: 'patient', concertId, token: next.status.token })).toMatchObject({
      status: 'WAIT',
      position: 1,
    });
  });

  test('simultaneous joins of many users get distinct places with no gaps, from fewer counter calls than joins', async () => {
    const deps = queueDepsForTest(new TestClock());
    const concertId = newConcert();
    const counter = countDynamoDbCalls(documentClient);
    try {
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => joinQueue(deps, { userId: `fan-${i}`, concertId })));
      expect(results.map((r) => r.status.position).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      // Joins past the few calls in flight share the next one (dynamo-sequence-counter.ts); each still writes its own token.
      expect(counter.calls.filter((call) => call === 'UpdateItemCommand').length).toBeLessThan(40);
      expect(counter.calls.filter((call) => call === 'PutItemCommand')).toHaveLength(40);
    } finally {
      counter.detach();
    }
  });

  test('simultaneous ACTIVE checks of two concerts share reads and each gets its own answer; a revocation before a check is seen by it', async () => {
    const deps = queueDepsForTest(new TestClock(), { admitPerTick: 20 });
    const [first, second] = [newConcert(), newConcert()];
    const join = (concertId: string, userId: string) =>
      joinQueue(deps, { userId, concertId }).then((j) => ({ concertId, userId, token: j.status.token, position: j.status.position! }));
    const users = [
      ...(await Promise.all(Array.from({ length: 30 }, (_, i) => join(first, `a-${i}`)))),
      ...(await Promise.all(Array.from({ length: 10 }, (_, i) => join(second, `b-${i}`)))),
    ];
    await admitWaitingTokens(deps);
    const counter = countDynamoDbCalls(documentClient);
    try {
      const answers = await Promise.all(users.map((user) => codeOf(requireActiveToken(deps, user))));
      // Each concert's first 20 in line were admitted: every check read its own token against its own concert's record.
      expect(answers).toEqual(users.map((user) => (user.position <= 20 ? 'no error' : 'QUEUE_TOKEN_NOT_ACTIVE')));
      expect(counter.calls.every((call) => call === 'BatchGetItemCommand')).toBe(true);
      expect(counter.calls.length).toBeLessThan(users.length / 4);
    } finally {
      counter.detach();
    }
    // Checks share only reads sent after they asked, so one after a revocation sees it.
    const active = users.filter((user) => user.concertId === first && user.position <= 20).slice(0, 5);
    await revokeQueueToken(deps, { concertId: first, userId: active[0].userId, ban: false });
    const [revoked, ...others] = await Promise.all(active.map((user) => codeOf(requireActiveToken(deps, user))));
    expect(revoked).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    expect(others).toEqual(['no error', 'no error', 'no error', 'no error']);
  });
});

describe('cost in DynamoDB calls', () => {
  test('a waiting poll reads only the admission record, whatever the length of the line', async () => {
    const deps = queueDepsForTest(new TestClock());
    const counter = countDynamoDbCalls(documentClient);
    try {
      const measure = async (ahead: number) => {
        const concertId = newConcert();
        await lengthenLine(concertId, ahead);
        const { status } = await joinQueue(deps, { userId: 'poller', concertId });
        counter.reset();
        const polled = await pollQueue(deps, { userId: 'poller', concertId, token: status.token });
        return { position: polled.position, calls: [...counter.calls] };
      };
      const short = await measure(10);
      const long = await measure(100_000);
      expect(short.position).toBe(11);
      expect(long.position).toBe(100_001);
      expect(short.calls).toEqual(['GetItemCommand']);
      expect(long.calls).toEqual(short.calls);
    } finally {
      counter.detach();
    }
  });

  test('an admission run costs the same for a line of 10 as for a line of 100,000', async () => {
    const deps = queueDepsForTest(new TestClock());
    const counter = countDynamoDbCalls(documentClient);
    const concertId = newConcert();
    const measure = async (waiting: number) => {
      await lengthenLine(concertId, waiting);
      counter.reset();
      const run = await admitWaitingTokens(onlyConcert(deps, concertId));
      return { admitted: run.concerts[0].admitted, calls: [...counter.calls] };
    };
    try {
      const small = await measure(10);
      const large = await measure(100_000);
      expect(small.admitted).toBe(10);
      expect(large.admitted).toBe(100);
      expect(small.calls).toEqual(['BatchGetItemCommand', 'UpdateItemCommand']);
      expect(large.calls).toEqual(small.calls);
    } finally {
      counter.detach();
    }
  });
});

describe('batches expiring together, many at once', () => {
  /** A record that runs admitting one person a second for 20-minute turns left (jobs run by hand, the expiry job not since). */
  async function manyBatches(concertId: string, clock: TestClock, count = 1_000) {
    await lengthenLine(concertId, count + 1);
    const batches = Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        `b#${i + 1}`,
        { firstSeq: i + 1, lastSeq: i + 1, admittedAt: clock.time + i * 1000, finished: 0, activeSeconds: 1_200 },
      ]),
    );
    await documentClient.send(
      new PutCommand({ TableName: tableName('queue'), Item: { ...queueKeys.admission(concertId), admittedSeq: count, ...batches } }),
    );
    clock.advance(1_200 + count); // every batch's turn is over
  }

  /** A new concert with those batches, and the jobs' deps that list only it. */
  async function concertWithManyBatches() {
    const clock = new TestClock();
    const deps = queueDepsForTest(clock);
    const concertId = newConcert();
    await manyBatches(concertId, clock);
    return { concertId, deps: onlyConcert(deps, concertId) };
  }

  test('the expiry job tidies them all away, however many expired since it last ran', async () => {
    const { concertId, deps } = await concertWithManyBatches();
    const expiry = await expireActiveTokens(deps);
    expect(expiry.concerts).toEqual([{ concertId, expired: 1_000 }]);
    expect((await deps.queue.findAdmission(concertId)).batches).toEqual([]);
  });

  test('an admission run admits beside them, tidying them in its write as far as the write allows', async () => {
    const { concertId, deps } = await concertWithManyBatches();
    const run = await admitWaitingTokens(deps);
    expect(run.concerts[0].admitted).toBe(1);
    const left = (await deps.queue.findAdmission(concertId)).batches;
    expect(left.length).toBeLessThan(1_000);
    expect(left.filter((batch) => batch.firstSeq <= 1_000)).toHaveLength(left.length - 1);
  });
});
