import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { admitWaitingTokens } from '../../functions/queue/admit-waiting-tokens';
import { queueRepository } from '../../functions/queue/default-queue-deps';
import { joinQueue } from '../../functions/queue/join-queue';
import { pollQueue } from '../../functions/queue/poll-queue';
import type { QueueDeps } from '../../functions/queue/queue-deps';
import { queueKeys } from '../../functions/queue/queue-keys';
import { unverifiedQueueTokenClaims } from '../../functions/queue/queue-token';
import { cachedKeySource } from '../../functions/queue/queue-token-keys';
import { queueTokens } from '../../functions/queue/queue-tokens';
import { RecentTokens } from '../../functions/queue/recent-tokens';
import { requireActiveToken } from '../../functions/queue/require-active-token';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { codeOf } from '../support/error-code';
import { countDynamoDbCalls, criticalPathRoundTrips } from '../../bench/dynamodb-calls';
import { changeWaitingRoomSettings } from '../../functions/queue/change-waiting-room-settings';
import type { WaitingRoomSettingsPatch } from '../../functions/queue/waiting-room-settings';
import { onlyConcert, TestClock, testQueueTokens, testSettings, waitingRoomDepsForTest } from '../support/queue-fixture';
import { concertIds, useFreshTablesBeforeAll } from '../support/tables';

const newConcert = concertIds('hot');

useFreshTablesBeforeAll();

/**
 * The deps of one function instance. Its admission cache window is long here, so that "within the
 * window" does not depend on how fast this machine is (deployed it is at most 1 s).
 */
const WINDOW_MS = 60_000;
function instanceDeps(clock: TestClock, overrides: Partial<QueueDeps> = {}, shards = 1): QueueDeps {
  return {
    queue: queueRepository({ shards, admissionCacheMs: WINDOW_MS }),
    tokens: testQueueTokens(),
    concertExists: async () => true,
    settings: { ...testSettings, queueShards: shards, pollAdmissionCacheMs: 1000 },
    now: clock.now,
    ...overrides,
  };
}

describe('a join is at most two sequential round trips', () => {
  test.each([1, 8])('with %i counter(s): first join, a second user, a duplicate, a rejoin after expiry', async (shards) => {
    const clock = new TestClock();
    const deps = instanceDeps(clock, {}, shards);
    const concertId = newConcert();
    const counter = countDynamoDbCalls(documentClient);
    const measure = async (userId: string, on = deps) => {
      counter.reset();
      const joined = await joinQueue(on, { userId, concertId });
      return {
        created: joined.created,
        status: joined.status,
        roundTrips: criticalPathRoundTrips(counter.records),
        calls: [...counter.calls].sort(),
      };
    };
    try {
      // An instance's first join of a concert reads the admission record (and the settings on it) before it takes a number.
      const first = await measure('ada');
      expect(first).toMatchObject({ created: true, roundTrips: 3 });
      expect(first.calls).toEqual(['GetItemCommand', 'PutItemCommand', 'UpdateItemCommand']);
      // Its read aged out, an instance that saw the room open reads the record alongside the number.
      const aging = instanceDeps(clock, { queue: queueRepository({ shards, admissionCacheMs: 1 }) }, shards);
      await joinQueue(aging, { userId: 'al', concertId });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const cold = await measure('an', aging);
      expect(cold).toMatchObject({ created: true, roundTrips: 2 });
      expect(cold.calls).toEqual(['GetItemCommand', 'PutItemCommand', 'UpdateItemCommand']);
      // Steady state: the number, then the token.
      const second = await measure('bo');
      expect(second).toMatchObject({ created: true, roundTrips: 2, calls: ['PutItemCommand', 'UpdateItemCommand'] });
      // A duplicate: its write's failed condition hands back the token that stands.
      const again = await measure('ada');
      expect(again).toMatchObject({ created: false, roundTrips: 2, calls: ['PutItemCommand', 'UpdateItemCommand'] });
      expect(again.status.token).toBe(first.status.token);

      // Admitted, then expired: a rejoin writes over the dead token in the same two trips. (The runs
      // are this instance's, so it reads the record afresh after them, as after its window.)
      const admit = () => admitWaitingTokens(onlyConcert(deps, concertId));
      await admit();
      await admit(); // a sharded line admits the epoch the first run closed
      await expect(requireActiveToken(deps, { userId: 'ada', token: first.status.token, concertId })).resolves.toMatchObject({
        userId: 'ada',
      });
      clock.advance(testSettings.activeSeconds);
      const rejoined = await measure('ada');
      expect(rejoined).toMatchObject({ created: true, roundTrips: 2 });
      expect(rejoined.status.token).not.toBe(first.status.token);
      const duplicate = await measure('ada');
      expect(duplicate).toMatchObject({ created: false, roundTrips: 2, calls: ['PutItemCommand', 'UpdateItemCommand'] });
      expect(duplicate.status.token).toBe(rejoined.status.token);
    } finally {
      counter.detach();
    }
  });

  test('a rejoin while the token is ACTIVE hands back the same token; a spent one is replaced', async () => {
    const clock = new TestClock();
    const deps = instanceDeps(clock, { queue: queueRepository({ admissionCacheMs: 0 }) });
    const concertId = newConcert();
    const first = await joinQueue(deps, { userId: 'cy', concertId });
    await admitWaitingTokens(onlyConcert(deps, concertId));
    expect(await joinQueue(deps, { userId: 'cy', concertId })).toMatchObject({
      created: false,
      status: { token: first.status.token, status: 'ACTIVE' },
    });
    // Paid: the token item is marked spent (as the payment transaction does).
    await documentClient.send(
      new PutCommand({ TableName: tableName('queue'), Item: { ...(await rawToken(concertId, 'cy')), finishedAt: clock.time } }),
    );
    const rejoined = await joinQueue(deps, { userId: 'cy', concertId });
    expect(rejoined.created).toBe(true);
    expect(rejoined.status.status).toBe('WAIT');
    expect(await codeOf(pollQueue(deps, { userId: 'cy', concertId, token: first.status.token }))).toBe('QUEUE_TOKEN_INVALID');
  });
});

test('a user who joins again and again on one instance burns no numbers while waiting, and makes no call', async () => {
  const clock = new TestClock();
  const deps = instanceDeps(clock, { recentTokens: new RecentTokens() });
  const concertId = newConcert();
  const first = await joinQueue(deps, { userId: 'fay', concertId });
  const counter = countDynamoDbCalls(documentClient);
  try {
    for (let i = 0; i < 20; i++)
      expect(await joinQueue(deps, { userId: 'fay', concertId })).toMatchObject({
        created: false,
        status: { token: first.status.token, position: 1 },
      });
    expect(counter.calls).toEqual([]);
  } finally {
    counter.detach();
  }
  expect((await deps.queue.snapshot(concertId)).lastSeq).toBe(1);
  expect((await joinQueue(deps, { userId: 'gus', concertId })).status.position).toBe(2);
  // Once admitted the memory is not trusted (a payment may have spent the token): the table decides.
  await admitWaitingTokens(onlyConcert(deps, concertId));
  expect(await joinQueue(deps, { userId: 'fay', concertId })).toMatchObject({
    created: false,
    status: { token: first.status.token, status: 'ACTIVE' },
  });
});

describe('a waiting poll', () => {
  test('makes no DynamoDB call within the cache window, for 200 users of one instance', async () => {
    const deps = instanceDeps(new TestClock());
    const concertId = newConcert();
    const joined = await Promise.all(Array.from({ length: 200 }, (_, i) => joinQueue(deps, { userId: `p${i}`, concertId })));
    const counter = countDynamoDbCalls(documentClient);
    try {
      const polled = await Promise.all(joined.map((j, i) => pollQueue(deps, { userId: `p${i}`, concertId, token: j.status.token })));
      expect(polled.every((status) => status.status === 'WAIT')).toBe(true);
      expect(polled.map((status) => status.position).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(counter.calls).toEqual([]);
    } finally {
      counter.detach();
    }
  });
});

describe("the concert's settings ride on the admission record: no round trip of their own", () => {
  const configure = (clock: TestClock, concertId: string, patch: WaitingRoomSettingsPatch) =>
    changeWaitingRoomSettings(waitingRoomDepsForTest(clock), { concertId, by: 'ada', patch });

  test('configured and paused: joins are the same two round trips, waiting polls make no call, and both say paused', async () => {
    const clock = new TestClock();
    const concertId = newConcert();
    await configure(clock, concertId, { admission: 'PAUSED', admitPerMinute: 30, maxActive: 10 });
    const deps = instanceDeps(clock);
    const counter = countDynamoDbCalls(documentClient);
    try {
      const first = await joinQueue(deps, { userId: 'ann', concertId });
      expect(first.status).toMatchObject({ status: 'WAIT', position: 1, paused: true });
      expect(criticalPathRoundTrips(counter.records)).toBe(3); // the instance's first join of the concert
      expect([...counter.calls].sort()).toEqual(['GetItemCommand', 'PutItemCommand', 'UpdateItemCommand']);
      counter.reset();
      const joined = await Promise.all(Array.from({ length: 50 }, (_, i) => joinQueue(deps, { userId: `u${i}`, concertId })));
      expect(counter.calls.filter((call) => call === 'GetItemCommand')).toEqual([]);
      // A token each, and the numbers: joins past the few counter calls in flight share the next one (dynamo-sequence-counter.ts).
      expect(counter.calls.filter((call) => call === 'PutItemCommand')).toHaveLength(50);
      expect(counter.calls.filter((call) => call === 'UpdateItemCommand').length).toBeLessThanOrEqual(50);
      expect(counter.calls).toHaveLength(50 + counter.calls.filter((call) => call === 'UpdateItemCommand').length);
      counter.reset();
      const polled = await Promise.all(joined.map((j, i) => pollQueue(deps, { userId: `u${i}`, concertId, token: j.status.token })));
      expect(polled.every((status) => status.status === 'WAIT' && status.paused === true)).toBe(true);
      expect(counter.calls).toEqual([]);
    } finally {
      counter.detach();
    }
  });

  test('closed: a refused join takes no number, a live token still comes back', async () => {
    const clock = new TestClock();
    const concertId = newConcert();
    const lastSeq = async () => (await queueRepository().snapshot(concertId)).lastSeq;
    // An instance that reads the record for every join (no cache), so it sees the change at once.
    const seenOpen = instanceDeps(clock, { queue: queueRepository({ admissionCacheMs: 0 }) });
    const before = await joinQueue(seenOpen, { userId: 'ann', concertId });
    await configure(clock, concertId, { joining: 'CLOSED' });

    const counter = countDynamoDbCalls(documentClient);
    try {
      // A new instance reads the record before it takes a number: refused, it read only whether the user holds a token.
      const fresh = instanceDeps(clock);
      expect(await codeOf(joinQueue(fresh, { userId: 'bo', concertId }))).toBe('QUEUE_CLOSED');
      expect(counter.calls).toEqual(['GetItemCommand', 'GetItemCommand']);
      counter.reset();
      const refused = await Promise.all(['cy', 'di', 'bo'].map((userId) => codeOf(joinQueue(fresh, { userId, concertId }))));
      expect(refused).toEqual(['QUEUE_CLOSED', 'QUEUE_CLOSED', 'QUEUE_CLOSED']);
      expect(counter.calls).toEqual(['GetItemCommand', 'GetItemCommand', 'GetItemCommand']);
      counter.reset();
      const again = await joinQueue(fresh, { userId: 'ann', concertId });
      expect(again).toMatchObject({ created: false, status: { token: before.status.token, status: 'WAIT', position: 1 } });
      expect(counter.calls).toEqual(['GetItemCommand']);
      expect(await lastSeq()).toBe(1);

      // An instance that saw the room open took a number alongside the read that found it closed: once.
      counter.reset();
      expect(await codeOf(joinQueue(seenOpen, { userId: 'eve', concertId }))).toBe('QUEUE_CLOSED');
      expect([...counter.calls].sort()).toEqual(['GetItemCommand', 'GetItemCommand', 'UpdateItemCommand']);
      expect(await codeOf(joinQueue(seenOpen, { userId: 'eve', concertId }))).toBe('QUEUE_CLOSED');
      expect(await lastSeq()).toBe(2);
    } finally {
      counter.detach();
    }
  });
});

describe('key rotation', () => {
  const KEY_A = 'rotation-test-key-A-0123456789abcdefghijklmnopq';
  const KEY_B = 'rotation-test-key-B-0123456789abcdefghijklmnopq';
  const KEY_C = 'rotation-test-key-C-0123456789abcdefghijklmnopq';

  test('tokens of the previous key still verify; an instance that has not seen the new key looks again; two rotations retire a key', async () => {
    const clock = new TestClock();
    const concertId = newConcert();
    // What the key store says now (Secrets Manager's AWSCURRENT and AWSPREVIOUS, or the local key file).
    let stored = [KEY_A];
    const instance = () => instanceDeps(clock, { tokens: queueTokens(cachedKeySource(async () => [...stored])) });
    const early = instance();
    const before = await joinQueue(early, { userId: 'dee', concertId });

    stored = [KEY_B, KEY_A];
    const late = instance(); // started after the rotation
    const after = await joinQueue(late, { userId: 'eli', concertId });
    expect(after.status.token.split('.')[1]).not.toBe(before.status.token.split('.')[1]);
    // The new instance accepts tokens of the previous key…
    expect(await pollQueue(late, { userId: 'dee', concertId, token: before.status.token })).toMatchObject({ status: 'WAIT', position: 1 });
    // …and the early one, whose keys are cached, looks again when a token names a key it does not know.
    expect(await pollQueue(early, { userId: 'eli', concertId, token: after.status.token })).toMatchObject({ status: 'WAIT', position: 2 });

    stored = [KEY_C, KEY_B];
    const retired = instance();
    expect(await codeOf(pollQueue(retired, { userId: 'dee', concertId, token: before.status.token }))).toBe('QUEUE_TOKEN_INVALID');
    // Dee keeps her place: joining again signs that same place with the current key.
    const resigned = await joinQueue(retired, { userId: 'dee', concertId });
    expect(resigned.created).toBe(false);
    expect(resigned.status).toMatchObject({ status: 'WAIT', position: 1 });
    expect(unverifiedQueueTokenClaims(resigned.status.token)).toEqual(unverifiedQueueTokenClaims(before.status.token));
    expect(await pollQueue(retired, { userId: 'dee', concertId, token: resigned.status.token })).toMatchObject({
      status: 'WAIT',
      position: 1,
    });
  });

  test('a token of the earlier `qt.` form is refused; its holder joining again keeps the place with a signed token', async () => {
    const deps = instanceDeps(new TestClock(), { queue: queueRepository({ admissionCacheMs: 0 }) });
    const concertId = newConcert();
    await joinQueue(deps, { userId: 'first', concertId });
    const legacy = `qt.${Buffer.from(concertId).toString('base64url')}.ANsf3AYjWH98SthtVoQrBZiT`;
    await documentClient.send(
      new PutCommand({
        TableName: tableName('queue'),
        Item: { ...(await rawToken(concertId, 'first')), ...queueKeys.token(concertId, 'old'), userId: 'old', token: legacy, seq: 1 },
      }),
    );
    expect(await codeOf(pollQueue(deps, { userId: 'old', concertId, token: legacy }))).toBe('QUEUE_TOKEN_INVALID');
    const upgraded = await joinQueue(deps, { userId: 'old', concertId });
    expect(upgraded).toMatchObject({ created: false, status: { status: 'WAIT', position: 1 } });
    expect(unverifiedQueueTokenClaims(upgraded.status.token)).toEqual({ concertId, userId: 'old', seq: 1 });
    expect(await pollQueue(deps, { userId: 'old', concertId, token: upgraded.status.token })).toMatchObject({ status: 'WAIT' });
  });
});

async function rawToken(concertId: string, userId: string): Promise<Record<string, unknown>> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName('queue'), Key: queueKeys.token(concertId, userId), ConsistentRead: true }),
  );
  return result.Item!;
}
