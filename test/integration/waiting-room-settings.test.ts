import { admitWaitingTokens } from '../../functions/queue/admit-waiting-tokens';
import { changeWaitingRoomSettings } from '../../functions/queue/change-waiting-room-settings';
import { queueRepository } from '../../functions/queue/default-queue-deps';
import { joinQueue } from '../../functions/queue/join-queue';
import { leaveQueue } from '../../functions/queue/leave-queue';
import { listWaitingRoomChanges } from '../../functions/queue/list-waiting-room-changes';
import { pollQueue } from '../../functions/queue/poll-queue';
import { activeCount } from '../../functions/queue/queue-rules';
import { requireActiveToken } from '../../functions/queue/require-active-token';
import { getWaitingRoomSettings, type WaitingRoomSettingsPatch } from '../../functions/queue/waiting-room-settings';
import { listReservations } from '../../functions/reservations/list-reservations';
import { codeOf } from '../support/error-code';
import { lengthenLine, onlyConcert, queueDepsForTest, TestClock, testSettings, waitingRoomDepsForTest } from '../support/queue-fixture';
import { concertIds, useFreshTablesBeforeAll } from '../support/tables';
import { createSmallConcert } from '../support/wallet-fixture';
import { WalletWorld } from '../support/wallet-world';

/**
 * Per-concert waiting-room settings against DynamoDB Local, through the use cases with a clock the
 * test moves: the admission job follows them from its one read, changes racing each other and the
 * job lose nothing, and batches and holds keep the lengths they were given.
 */
const newConcert = concertIds('wr');

useFreshTablesBeforeAll();

/** The jobs of one concert only, however many other tests left in the table. */
const admittedBy = (run: Awaited<ReturnType<typeof admitWaitingTokens>>) =>
  run.concerts.reduce((sum, concert) => sum + concert.admitted, 0);
const change = (clock: TestClock, concertId: string, patch: WaitingRoomSettingsPatch, options: { by?: string; ifMatch?: number } = {}) =>
  changeWaitingRoomSettings(waitingRoomDepsForTest(clock), { concertId, by: options.by ?? 'ada', patch, ifMatch: options.ifMatch });

describe('the admission rate', () => {
  test('each clock minute admits exactly admitPerMinute, shared over its runs; runs overlapping in one interval add nothing', async () => {
    const clock = new TestClock(); // on a minute's start; runs every 10 s (testSettings)
    const concertId = newConcert();
    const deps = onlyConcert(queueDepsForTest(clock), concertId);
    await lengthenLine(concertId, 10_000);
    await change(clock, concertId, { admitPerMinute: 65, maxActive: 100_000 });

    const minutes: number[][] = [];
    for (let minute = 0; minute < 3; minute++) {
      const runs: number[] = [];
      for (let interval = 0; interval < 6; interval++) {
        clock.time = Date.parse('2026-12-01T10:00:03.000Z') + minute * 60_000 + interval * 10_000;
        // Three runs at once (a slow run overlapped by the next, a retried event): together they admit one share.
        const overlapping = await Promise.all([admitWaitingTokens(deps), admitWaitingTokens(deps), admitWaitingTokens(deps)]);
        runs.push(overlapping.map(admittedBy).reduce((a, b) => a + b, 0));
      }
      minutes.push(runs);
    }
    expect(minutes).toEqual([
      [10, 11, 11, 11, 11, 11],
      [10, 11, 11, 11, 11, 11],
      [10, 11, 11, 11, 11, 11],
    ]);
    expect((await deps.queue.findAdmission(concertId)).admittedSeq).toBe(3 * 65);
  });

  test('revision 0 admits ADMIT_PER_TICK every run, as before; maxActive and a pause hold it back', async () => {
    const clock = new TestClock(Date.parse('2026-12-01T10:00:01.000Z'));
    const concertId = newConcert();
    const deps = onlyConcert(queueDepsForTest(clock, { admitPerTick: 7 }), concertId);
    await lengthenLine(concertId, 1000);
    expect(admittedBy(await admitWaitingTokens(deps))).toBe(7);
    expect(admittedBy(await admitWaitingTokens(deps))).toBe(7);

    await change(clock, concertId, { maxActive: 20, admitPerMinute: 1000 });
    clock.advance(10);
    expect(admittedBy(await admitWaitingTokens(deps))).toBe(6); // 20 ACTIVE at most
    expect(activeCount(await deps.queue.findAdmission(concertId), clock.time, testSettings.activeSeconds)).toBe(20);

    await change(clock, concertId, { maxActive: 50, admission: 'PAUSED' });
    clock.advance(10);
    expect(admittedBy(await admitWaitingTokens(deps))).toBe(0);
    await change(clock, concertId, { admission: 'RUNNING' });
    expect(admittedBy(await admitWaitingTokens(deps))).toBe(30);
  });
});

describe('changes racing each other and the admission job', () => {
  test('ten changes without If-Match during overlapping admission runs: every change lands and is audited, and the admissions add up', async () => {
    const clock = new TestClock(Date.parse('2026-12-01T10:00:03.000Z'));
    const concertId = newConcert();
    const deps = onlyConcert(queueDepsForTest(clock), concertId);
    await lengthenLine(concertId, 20_000);
    const patches: WaitingRoomSettingsPatch[] = Array.from({ length: 10 }, (_, i) =>
      // Every value differs from the defaults and from every other, so each patch is a change whatever lands first.
      i % 2 === 0 ? { admitPerMinute: 700 + i * 60, holdSeconds: 60 + i } : { maxActive: 5000 + i, activeSeconds: 600 + i },
    );
    const runs: Promise<number>[] = [];
    const changes = patches.map((patch, i) => change(clock, concertId, patch, { by: `admin-${i % 3}` }));
    for (let i = 0; i < 10; i++) runs.push(admitWaitingTokens(deps).then(admittedBy));
    const [views, admitted] = await Promise.all([Promise.all(changes), Promise.all(runs)]);

    // Nothing lost: ten revisions, each change recorded once, each one's `from` the `to` of the change before it.
    expect(views.map((view) => view.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const { changes: audit } = await listWaitingRoomChanges(waitingRoomDepsForTest(clock), { concertId });
    expect(audit.map((entry) => entry.revision)).toEqual(Array.from({ length: 10 }, (_, i) => 10 - i));
    const chronological = [...audit].reverse();
    const last: Record<string, unknown> = {};
    for (const entry of chronological) {
      for (const [field, { from, to }] of Object.entries(entry.changed)) {
        if (field in last) expect(from).toBe(last[field]);
        last[field] = to;
      }
    }
    const settings = await getWaitingRoomSettings(waitingRoomDepsForTest(clock), { concertId });
    expect(settings).toMatchObject({ revision: 10, ...last });
    expect(new Set(chronological.map((entry) => JSON.stringify(Object.keys(entry.changed).sort())))).toEqual(
      new Set([JSON.stringify(['admitPerMinute', 'holdSeconds']), JSON.stringify(['activeSeconds', 'maxActive'])]),
    );

    // The job's writes never failed for the settings' sake, nor the settings for the job's: the
    // watermark is exactly what the runs say they admitted, in contiguous batches.
    const admission = await deps.queue.findAdmission(concertId);
    expect(admission.admittedSeq).toBe(admitted.reduce((a, b) => a + b, 0));
    admission.batches.forEach((batch, i) => expect(batch.firstSeq).toBe(i === 0 ? 1 : admission.batches[i - 1].lastSeq + 1));

    // Once settled, the next minute admits exactly the rate the settings ended at.
    let nextMinute = 0;
    for (let interval = 0; interval < 6; interval++) {
      clock.time = Date.parse('2026-12-01T10:01:03.000Z') + interval * 10_000;
      nextMinute += admittedBy(await admitWaitingTokens(deps));
    }
    expect(nextMinute).toBe(settings.admitPerMinute);
  });

  test('with If-Match, of changes made against one revision exactly one lands; the others are 412 and change nothing', async () => {
    const clock = new TestClock();
    const concertId = newConcert();
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => codeOf(change(clock, concertId, { admitPerMinute: 100 + i }, { by: `admin-${i}`, ifMatch: 0 }))),
    );
    expect(outcomes.filter((code) => code === 'no error')).toHaveLength(1);
    expect(outcomes.filter((code) => code === 'PRECONDITION_FAILED')).toHaveLength(5);
    const { changes } = await listWaitingRoomChanges(waitingRoomDepsForTest(clock), { concertId });
    expect(changes).toHaveLength(1);
    expect(await codeOf(change(clock, concertId, { joining: 'CLOSED' }, { ifMatch: 0 }))).toBe('PRECONDITION_FAILED');
    expect(await change(clock, concertId, { joining: 'CLOSED' }, { ifMatch: 1 })).toMatchObject({ revision: 2, joining: 'CLOSED' });
  });
});

describe('lengths given stay given', () => {
  test('a changed activeSeconds applies to batches admitted from then on; a turn, and its payment, follow its own batch', async () => {
    const concertId = newConcert();
    const { scheduleId } = await createSmallConcert(concertId, 6);
    const world = new WalletWorld(concertId, scheduleId, { activeSeconds: 600, holdSeconds: 300 }, Date.parse('2026-12-01T10:00:01.000Z'));
    const { clock } = world;
    const activeUntil = async (userId: string) =>
      (await pollQueue(world.queueDeps, { userId, concertId, token: world.tokens.get(userId)! })).activeUntil;

    await world.enter('ann'); // revision 0: the deployment's 600 s
    const annUntil = new Date(clock.time + 600_000).toISOString();
    expect(await activeUntil('ann')).toBe(annUntil);

    await change(clock, concertId, { activeSeconds: 3600 });
    expect(await activeUntil('ann')).toBe(annUntil);
    clock.advance(10);
    await world.enter('ben');
    const benUntil = new Date(clock.time + 3_600_000).toISOString();
    expect(await activeUntil('ben')).toBe(benUntil);

    await change(clock, concertId, { activeSeconds: 60 });
    clock.advance(1000);
    expect((await pollQueue(world.queueDeps, { userId: 'ann', concertId, token: world.tokens.get('ann')! })).status).toBe('EXPIRED');
    expect(await activeUntil('ben')).toBe(benUntil);
    // Ben's turn is his batch's 3600 s, past the deployment's 600 s and the setting's 60 s: he can hold and pay.
    const held = await world.hold('ben', 1);
    await world.charge('ben', held.price);
    await expect(world.pay('ben', [held.reservationId])).resolves.toMatchObject({ amount: held.price });
  });

  test("a turn given back follows its batch's own length too", async () => {
    const clock = new TestClock(Date.parse('2026-12-01T10:00:01.000Z'));
    const concertId = newConcert();
    const deps = onlyConcert(queueDepsForTest(clock, { activeSeconds: 600 }), concertId);
    await change(clock, concertId, { activeSeconds: 3600 });
    const joined = await joinQueue(deps, { userId: 'dan', concertId });
    expect(admittedBy(await admitWaitingTokens(deps))).toBe(1);
    clock.advance(1000); // past the deployment's 600 s, within the batch's 3600 s
    const left = await leaveQueue(deps, { userId: 'dan', concertId, token: joined.status.token });
    expect(left.status).toBe('EXPIRED');
    const [batch] = (await deps.queue.findAdmission(concertId)).batches;
    expect(batch).toMatchObject({ activeSeconds: 3600, finished: 1 });
  });

  test('a changed holdSeconds applies to holds made from then on; a hold keeps its expiresAt', async () => {
    const concertId = newConcert();
    const { scheduleId } = await createSmallConcert(concertId, 6);
    const world = new WalletWorld(concertId, scheduleId, { holdSeconds: 300 }, Date.parse('2026-12-01T10:00:01.000Z'));
    const { clock } = world;
    await world.enter('cat');
    const before = await world.hold('cat', 1);
    expect(before.expiresAt).toBe(new Date(clock.time + 300_000).toISOString());

    await change(clock, concertId, { holdSeconds: 45 });
    // The ACTIVE check reads the admission record fresh, so the next hold already takes the new length.
    await expect(requireActiveToken(world.queueDeps, { userId: 'cat', token: world.tokens.get('cat')!, concertId })).resolves.toMatchObject(
      {
        holdSeconds: 45,
      },
    );
    const after = await world.hold('cat', 2);
    expect(after.expiresAt).toBe(new Date(clock.time + 45_000).toISOString());

    clock.advance(60);
    const listed = await listReservations(world.reservationDeps, { userId: 'cat' });
    const statuses = Object.fromEntries(listed.reservations.map((r) => [r.seatNumber, r.status]));
    expect(statuses).toEqual({ 1: 'HELD', 2: 'EXPIRED' });
  });
});

test('a sharded line follows the settings too: paused admits nobody, then each run its share, batches with their turn length', async () => {
  const clock = new TestClock(Date.parse('2026-12-01T10:00:01.000Z'));
  const concertId = newConcert();
  const shards = 4;
  const deps = onlyConcert({ ...queueDepsForTest(clock, { queueShards: shards }), queue: queueRepository({ shards }) }, concertId);
  const joined = await Promise.all(Array.from({ length: 40 }, (_, i) => joinQueue(deps, { userId: `s${i}`, concertId })));
  await change(clock, concertId, { admission: 'PAUSED', admitPerMinute: 60, activeSeconds: 120 });

  expect(admittedBy(await admitWaitingTokens(deps))).toBe(0);
  const polled = await Promise.all(joined.map((j, i) => pollQueue(deps, { userId: `s${i}`, concertId, token: j.status.token })));
  expect(polled.every((status) => status.status === 'WAIT' && status.paused === true)).toBe(true);
  // The run closed the epoch: positions are exact, 1..40.
  expect(polled.map((status) => status.position).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));

  await change(clock, concertId, { admission: 'RUNNING' });
  expect(admittedBy(await admitWaitingTokens(deps))).toBe(10);
  expect(admittedBy(await admitWaitingTokens(deps))).toBe(0); // the same 10 s
  clock.advance(10);
  expect(admittedBy(await admitWaitingTokens(deps))).toBe(10);
  const admission = await deps.queue.findAdmission(concertId);
  expect(admission.batches.map((batch) => batch.activeSeconds)).toEqual([120, 120]);
  const after = await Promise.all(joined.map((j, i) => pollQueue(deps, { userId: `s${i}`, concertId, token: j.status.token })));
  expect(after.filter((status) => status.status === 'ACTIVE')).toHaveLength(20);
  expect(after.some((status) => 'paused' in status)).toBe(false);
  const waiting = after.filter((status) => status.status === 'WAIT').map((status) => status.position);
  expect(waiting.sort((a, b) => a! - b!)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
});
