import { admitWaitingTokens } from '../../functions/queue/admit-waiting-tokens';
import { queueRepository } from '../../functions/queue/default-queue-deps';
import { expireActiveTokens } from '../../functions/queue/expire-active-tokens';
import { joinQueue } from '../../functions/queue/join-queue';
import { pollQueue } from '../../functions/queue/poll-queue';
import type { QueueDeps } from '../../functions/queue/queue-deps';
import { activeCount, type AdmissionBatch } from '../../functions/queue/queue-rules';
import { requireActiveToken } from '../../functions/queue/require-active-token';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queueKeys } from '../../functions/queue/queue-keys';
import { MAX_CLOSED_EPOCHS } from '../../functions/queue/sharded-line';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { countDynamoDbCalls } from '../../bench/dynamodb-calls';
import { onlyConcert, TestClock, testQueueTokens, testSettings } from '../support/queue-fixture';
import { concertIds, useFreshTablesBeforeAll } from '../support/tables';

const SHARDS = 16;
const CAP = 40;
const PER_RUN = 15;
const WAVE = 60;

const newConcert = concertIds('sharded');

useFreshTablesBeforeAll();

function shardedDeps(clock: TestClock): QueueDeps {
  return {
    queue: queueRepository({ shards: SHARDS }),
    tokens: testQueueTokens(),
    concertExists: async () => true,
    settings: { ...testSettings, admitPerTick: PER_RUN, maxActivePerConcert: CAP, queueShards: SHARDS },
    now: clock.now,
  };
}

interface Joined {
  readonly userId: string;
  readonly token: string;
  readonly wave: number;
  shard: number;
  seq: number;
}

/** Overlapping admission runs, as two schedules firing together would start them. */
async function overlappingRuns(deps: QueueDeps, concertId: string, runs = 3): Promise<number> {
  const results = await Promise.all(Array.from({ length: runs }, () => admitWaitingTokens(onlyConcert(deps, concertId))));
  return results.reduce((sum, run) => sum + run.concerts[0].admitted, 0);
}

test('16 shards under concurrent joins: nobody admitted twice, the cap never exceeded, FIFO across admission runs, exact positions', async () => {
  const clock = new TestClock();
  const deps = shardedDeps(clock);
  const concertId = newConcert();
  const joined: Joined[] = [];
  const batches = new Map<number, AdmissionBatch>(); // every batch ever recorded, by firstSeq

  const joinWave = async (wave: number, count: number) => {
    const results = await Promise.all(Array.from({ length: count }, (_, i) => joinQueue(deps, { userId: `w${wave}-${i}`, concertId })));
    for (const [i, result] of results.entries()) {
      expect(result.created).toBe(true);
      joined.push({ userId: `w${wave}-${i}`, token: result.status.token, wave, shard: -1, seq: -1 });
    }
  };
  const statuses = () => Promise.all(joined.map((j) => pollQueue(deps, { userId: j.userId, concertId, token: j.token })));
  const check = async () => {
    const admission = await deps.queue.findAdmission(concertId);
    for (const batch of admission.batches) batches.set(batch.firstSeq, batch);
    const polled = await statuses();
    // The cap holds at every moment, by the record and by what the tokens say.
    expect(activeCount(admission, clock.time, testSettings.activeSeconds)).toBeLessThanOrEqual(CAP);
    expect(polled.filter((s) => s.status === 'ACTIVE').length).toBeLessThanOrEqual(CAP);
    // Everyone waiting and in a closed epoch has an exact, distinct place: 1..W.
    const positions = polled
      .filter((s) => s.status === 'WAIT')
      .map((s) => s.position)
      .sort((a, b) => a! - b!);
    expect(positions).toEqual(positions.map((_, i) => i + 1));
    return polled;
  };

  // Runs until one admits nobody: the room is full or nobody waits. Overlapping runs never admit
  // more than one run's worth each round.
  const admitUntilStill = async () => {
    for (let round = 0; round < 20; round++) {
      const admitted = await overlappingRuns(deps, concertId);
      expect(admitted).toBeLessThanOrEqual(2 * PER_RUN);
      if (admitted === 0) return;
      await check();
    }
  };

  // Wave 1 joins all at once, then overlapping runs admit; wave 2 joins while runs go on.
  await joinWave(1, WAVE);
  expect(await overlappingRuns(deps, concertId)).toBeGreaterThan(0);
  await check();
  await Promise.all([overlappingRuns(deps, concertId), joinWave(2, WAVE)]);
  // The room fills to the cap and stays there until time frees places.
  await admitUntilStill();
  const full = await check();
  expect(full.filter((s) => s.status === 'ACTIVE')).toHaveLength(CAP);
  for (let round = 0; round < 4; round++) {
    clock.advance(testSettings.activeSeconds);
    await expireActiveTokens(onlyConcert(deps, concertId));
    await admitUntilStill();
    await check();
  }

  // Everyone was admitted exactly once: each token falls in exactly one batch's ranges.
  const tokenItems = await Promise.all(joined.map((j) => deps.queue.findToken(concertId, j.userId)));
  tokenItems.forEach((item, i) => {
    joined[i].shard = item!.shard!;
    joined[i].seq = item!.seq!;
  });
  const all = [...batches.values()].sort((a, b) => a.firstSeq - b.firstSeq);
  const batchOf = (j: Joined) => {
    const containing = all.filter((b) => {
      const [first, last] = b.shardRanges![j.shard];
      return first <= j.seq && j.seq <= last;
    });
    expect(containing).toHaveLength(1);
    return all.indexOf(containing[0]);
  };
  const order = joined.map(batchOf);
  expect(all.reduce((sum, b) => sum + (b.lastSeq - b.firstSeq + 1), 0)).toBe(joined.length);
  expect(new Set(joined.map((j) => `${j.shard}:${j.seq}`)).size).toBe(joined.length);
  expect(new Set(joined.map((j) => j.shard)).size).toBeGreaterThan(8); // the joins were spread over the counters

  // FIFO within the bound: everyone of wave 1 (numbered before a run read the counters) is
  // admitted in a batch no later than anyone of wave 2.
  const lastOfWave1 = Math.max(...order.filter((_, i) => joined[i].wave === 1));
  const firstOfWave2 = Math.min(...order.filter((_, i) => joined[i].wave === 2));
  expect(lastOfWave1).toBeLessThanOrEqual(firstOfWave2);
  // And whoever is ACTIVE now passes the route check; a spent batch is EXPIRED.
  const now = await statuses();
  const activeOne = joined.find((_, i) => now[i].status === 'ACTIVE');
  if (activeOne)
    await expect(requireActiveToken(deps, { userId: activeOne.userId, token: activeOne.token, concertId })).resolves.toMatchObject({
      concertId,
    });
}, 120_000);

test('a sharded WAIT poll reads only the admission record (nothing within the cache window), and a sharded admission run is two calls, however long the line', async () => {
  const uncached = shardedDeps(new TestClock());
  const deps = { ...uncached, queue: queueRepository({ shards: SHARDS, admissionCacheMs: 1000 }) };
  const concertId = newConcert();
  const users = await Promise.all(Array.from({ length: 40 }, (_, i) => joinQueue(deps, { userId: `p-${i}`, concertId })));
  const counter = countDynamoDbCalls(documentClient);
  try {
    await pollQueue(uncached, { userId: 'p-0', concertId, token: users[0].status.token });
    expect(counter.calls).toEqual(['GetItemCommand']);
    counter.reset();
    const polled = await Promise.all(users.map((user, i) => pollQueue(deps, { userId: `p-${i}`, concertId, token: user.status.token })));
    expect(polled.every((status) => status.status === 'WAIT')).toBe(true);
    expect(counter.calls.length).toBeLessThanOrEqual(1); // at most one admission read, shared by all 40
    counter.reset();
    await admitWaitingTokens(onlyConcert(deps, concertId));
    expect(counter.calls).toEqual(['BatchGetItemCommand', 'UpdateItemCommand']);
  } finally {
    counter.detach();
  }
});

test('at the most shards (64), an admission run reads the 130 counters and records in two BatchGetItems, and admits the line', async () => {
  const deps = { ...shardedDeps(new TestClock()), queue: queueRepository({ shards: 64 }) };
  const concertId = newConcert();
  const users = await Promise.all(Array.from({ length: 5 }, (_, i) => joinQueue(deps, { userId: `s64-${i}`, concertId })));
  const counter = countDynamoDbCalls(documentClient);
  try {
    const run = await admitWaitingTokens(onlyConcert(deps, concertId));
    expect(run.concerts[0].admitted).toBe(5);
    expect(counter.calls.filter((call) => call === 'BatchGetItemCommand')).toHaveLength(2);
  } finally {
    counter.detach();
  }
  const polled = await Promise.all(users.map((user, i) => pollQueue(deps, { userId: `s64-${i}`, concertId, token: user.status.token })));
  expect(polled.map((status) => status.status)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE']);
});

test('a line at 64 shards that admits nobody for hours while people keep joining stops adding epochs to its admission record, and admits them all once it resumes', async () => {
  const clock = new TestClock();
  const full = { ...shardedDeps(clock), queue: queueRepository({ shards: 64 }) };
  const deps = { ...full, settings: { ...full.settings, queueShards: 64, maxActivePerConcert: 1 } };
  const concertId = newConcert();
  const run = (d: QueueDeps = deps) => admitWaitingTokens(onlyConcert(d, concertId));
  // A rush of 1,000,000 (as the counters say), one of them admitted: the room is full while the clock stands still.
  await Promise.all(Array.from({ length: 64 }, (_, k) => bump(concertId, k, 15_625)));
  expect((await run()).concerts[0].admitted).toBe(1);
  // Then a join between two runs, 1,250 times (about 21 hours at the deployed rate): each run closed an epoch of 64
  // counters, as an admission record written before epochs were bounded holds them (about 405 KB), ...
  const line = (await deps.queue.findAdmission(concertId)).line!;
  const counters = [...line.epochs[line.epochs.length - 1]];
  const epochs = [...line.epochs];
  for (let i = 0; i < 1_250; i++) {
    counters[i % 64]++;
    epochs.push([...counters]);
  }
  await Promise.all(Array.from({ length: 64 }, (_, k) => bump(concertId, k, counters[k] - 15_625)));
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName('queue'),
      Key: queueKeys.admission(concertId),
      UpdateExpression: 'SET shardEpochs = :epochs',
      ExpressionAttributeValues: { ':epochs': epochs },
    }),
  );
  // ... and 20 more: each closed one more, past DynamoDB's 400 KB an item (then every run failed). They close none now.
  for (let i = 0; i < 20; i++) {
    await bump(concertId, i % 64, 1);
    await run();
  }
  expect((await deps.queue.findAdmission(concertId)).line!.epochs).toHaveLength(epochs.length);
  // Admission resumes: everyone numbered is admitted, each once.
  const resumed = { ...deps, settings: { ...deps.settings, maxActivePerConcert: 10_000_000, admitPerTick: 300_000 } };
  let admitted = 0;
  for (let i = 0; i < 10 && admitted < 1_001_269; i++) admitted += (await run(resumed)).concerts[0].admitted;
  expect(admitted).toBe(1_001_269);
  const after = (await deps.queue.findAdmission(concertId)).line!;
  expect(after.admitted.reduce((sum, value) => sum + value, 0)).toBe(1_001_270);
  expect(after.epochs.length).toBeLessThanOrEqual(MAX_CLOSED_EPOCHS + 1);
}, 120_000);

/** `count` joins on counter `shard`, as their counter records them (the tokens play no part here). */
async function bump(concertId: string, shard: number, count: number): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName('queue'),
      Key: queueKeys.sequence(concertId, shard),
      UpdateExpression: 'ADD lastSeq :count SET queueList = :list, concertId = :concertId',
      ExpressionAttributeValues: { ':count': count, ':list': 'QUEUE', ':concertId': concertId },
    }),
  );
}

test('at the most shards (64), joins go on once admission has reached every shard, and a token whose turn ended is replaced by a new join', async () => {
  const clock = new TestClock();
  const full = { ...shardedDeps(clock), queue: queueRepository({ shards: 64 }) };
  const deps = { ...full, settings: { ...full.settings, queueShards: 64, admitPerTick: 1_000, maxActivePerConcert: 1_000 } };
  const concertId = newConcert();
  const run = () => admitWaitingTokens(onlyConcert(deps, concertId));
  // Enough joins for every counter to number someone, all admitted: each counter's bound of expired places is above 0.
  await Promise.all(Array.from({ length: 64 }, (_, k) => bump(concertId, k, 3)));
  await joinQueue(deps, { userId: 'early', concertId });
  expect((await run()).concerts[0].admitted).toBe(193);
  clock.advance(deps.settings.activeSeconds);
  // A join's write names each counter's bound, to replace a token whose place ran out on its counter.
  const late = await joinQueue(deps, { userId: 'late', concertId });
  expect(late.created).toBe(true);
  const calls = countDynamoDbCalls(documentClient);
  const again = await joinQueue(deps, { userId: 'early', concertId });
  calls.detach();
  expect(again.created).toBe(true);
  expect(calls.calls.filter((call) => call === 'PutItemCommand')).toHaveLength(1); // its counter's bound let the first write through
  expect((await pollQueue(deps, { userId: 'early', concertId, token: again.status.token })).status).toBe('WAIT');
});

test('at 64 shards, runs a few seconds apart with hour-long turns stop admitting while the admission record holds its most live batches, and go on as they run out', async () => {
  const clock = new TestClock();
  const full = { ...shardedDeps(clock), queue: queueRepository({ shards: 64 }) };
  const deps = {
    ...full,
    settings: { ...full.settings, queueShards: 64, activeSeconds: 3_600, admitPerTick: 64, maxActivePerConcert: 1_000_000 },
  };
  const concertId = newConcert();
  const run = () => admitWaitingTokens(onlyConcert(deps, concertId));
  // What 395 runs 9 s apart left, each admitting one of every counter: 395 live batches of 64 ranges (about 390 KB),
  // and 100 a counter still waiting.
  const base = 15_000;
  const runs = 395;
  await Promise.all(Array.from({ length: 64 }, (_, k) => bump(concertId, k, base + runs + 100)));
  const batches = Object.fromEntries(
    Array.from({ length: runs }, (_, i) => [
      `b#${64 * i + 1}`,
      {
        firstSeq: 64 * i + 1,
        lastSeq: 64 * (i + 1),
        admittedAt: clock.time - (runs - 1 - i) * 9_000,
        activeSeconds: 3_600,
        finished: 0,
        shardRanges: Array.from({ length: 64 }, () => [base + i + 1, base + i + 1]),
      },
    ]),
  );
  const admittedLine = Array.from({ length: 64 }, () => base + runs);
  await documentClient.send(
    new PutCommand({
      TableName: tableName('queue'),
      Item: {
        ...queueKeys.admission(concertId),
        admittedSeq: 64 * (base + runs),
        shardAdmitted: admittedLine,
        shardEpochs: [admittedLine, admittedLine.map((value) => value + 100)],
        lineRevision: runs,
        ...batches,
      },
    }),
  );
  // Each more batch was another 1 KB, past DynamoDB's 400 KB an item within a few runs (and every run after failed).
  let admitted = 0;
  for (let i = 0; i < 25; i++) admitted += (await run()).concerts[0].admitted;
  expect(admitted).toBe(0);
  // Once the oldest turns are over, runs admit again.
  clock.advance(3_600);
  expect((await run()).concerts[0].admitted).toBe(64);
}, 120_000);
