import fc from 'fast-check';
import { openPreQueue, shuffledPlace, type PreQueue } from '../../functions/queue/pre-queue';
import { planAdmission, planShardedAdmission, tokenState, type AdmissionState } from '../../functions/queue/queue-rules';
import { queueStateBody } from '../../functions/queue/queue-state';
import { describeToken } from '../../functions/queue/queue-status';
import { emptyLine } from '../../functions/queue/sharded-line';
import { fromStateBody, standingOf, waitingAnswer, type ClaimedPlace, type QueueStateBody } from '../../functions/queue/waiting-place';
import { defaultWaitingRoomSettings } from '../../functions/queue/waiting-room-rules';
import { claimsOf } from '../../web/src/queue-place';
import { signQueueToken, queueTokenKey, unverifiedQueueTokenClaims } from '../../functions/queue/queue-token';
import { testSettings } from '../support/queue-fixture';

const T0 = Date.UTC(2030, 4, 1, 10, 0);
const SEED = 'ab'.repeat(16);

/** A line as the jobs leave it: pre-queue arrivals, an opening (or not yet), then rounds of joins and admission runs. */
const scenario = fc.record({
  shards: fc.integer({ min: 1, max: 4 }),
  preQueue: fc.option(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 4, maxLength: 4 }), { nil: undefined }),
  opened: fc.boolean(),
  rounds: fc.array(
    fc.record({ joins: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 4, maxLength: 4 }), admit: fc.integer({ min: 0, max: 9 }) }),
    { maxLength: 6 },
  ),
  paused: fc.boolean(),
  admitPerMinute: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
  later: fc.integer({ min: 0, max: 300_000 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** The admission record after the scenario, and every token the joins handed out. */
function play(s: Scenario): { admission: AdmissionState; tokens: ClaimedPlace[]; now: number } {
  const shards = s.shards;
  const sharded = shards > 1;
  const configured = s.paused || s.admitPerMinute !== undefined || s.preQueue !== undefined;
  const saleOpensAt = s.preQueue ? T0 + (s.opened ? 0 : 120_000) : null;
  const settings = configured
    ? {
        revision: 1,
        settings: {
          ...defaultWaitingRoomSettings(testSettings),
          ...(s.admitPerMinute !== undefined ? { admitPerMinute: s.admitPerMinute } : {}),
          admission: s.paused ? ('PAUSED' as const) : ('RUNNING' as const),
          saleOpensAt,
        },
      }
    : undefined;
  let admission: AdmissionState = {
    admittedSeq: 0,
    batches: [],
    ...(sharded ? { line: emptyLine(shards) } : {}),
    ...(settings ? { settings } : {}),
    ...(s.preQueue ? { saleScheduled: true } : {}),
  };
  const tokens: ClaimedPlace[] = [];
  const preSizes = (s.preQueue ?? []).slice(0, shards);
  preSizes.forEach((size, shard) => {
    for (let seq = 1; seq <= size; seq++) tokens.push({ seq, preQueue: true, ...(sharded ? { shard } : {}) });
  });
  if (s.preQueue && !s.opened) return { admission, tokens, now: T0 + (s.later % 100_000) };
  let preQueue: PreQueue | undefined = s.preQueue ? openPreQueue(preSizes, SEED, T0) : undefined;
  if (preQueue) admission = { ...admission, preQueue };
  const counters = Array.from({ length: shards }, () => 0);
  let now = T0;
  for (const round of s.rounds) {
    round.joins.slice(0, shards).forEach((count, shard) => {
      for (let i = 0; i < count; i++) tokens.push({ seq: ++counters[shard], ...(sharded ? { shard } : {}) });
    });
    now += 10_000;
    const limits = { admit: round.admit, maxActive: 1_000, activeSeconds: testSettings.activeSeconds };
    if (sharded) {
      const plan = planShardedAdmission(counters, admission, now, testSettings, limits);
      admission = {
        ...admission,
        line: plan.line,
        ...(plan.batch ? { admittedSeq: plan.batch.lastSeq, batches: [...admission.batches, plan.batch] } : {}),
        ...(plan.preQueue ? { preQueue: plan.preQueue } : {}),
      };
    } else {
      const plan = planAdmission(counters[0], admission, now, testSettings, limits);
      admission = {
        ...admission,
        ...(plan.batch ? { admittedSeq: plan.batch.lastSeq, batches: [...admission.batches, plan.batch] } : {}),
        ...(plan.preQueue ? { preQueue: plan.preQueue } : {}),
      };
    }
    preQueue = admission.preQueue;
  }
  return { admission, tokens, now: now + s.later };
}

describe('the place a page works out from its claims and the public state', () => {
  test('equals what the authenticated poll says, for every token of random lines, admissions, shards and openings', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { admission, tokens, now } = play(s);
        // The page sees the state as JSON, as the route answers it.
        const body = JSON.parse(JSON.stringify(queueStateBody('c1', admission, testSettings, now))) as QueueStateBody;
        const { line, terms } = fromStateBody(body);
        for (const claims of tokens) {
          const state = tokenState(claims.seq, false, admission, now, testSettings.activeSeconds, claims.shard, claims.preQueue === true);
          const {
            token: _t,
            concertId: _c,
            ...polled
          } = describeToken({ token: 't', concertId: 'c1' }, state, now, testSettings, admission);
          let standing = standingOf(claims, line);
          if (standing.stage === 'UNPLACED') {
            // After a shuffled opening the page asks the poll once: its place is that position plus the admitted places.
            expect(claims.preQueue).toBe(true);
            const place =
              polled.status === 'WAIT' ? polled.position! + body.preQueue!.admitted : shuffledPlace(admission.preQueue!, claims);
            standing = standingOf(claims, line, place);
          }
          if (standing.stage === 'ADMITTED') {
            expect(['ACTIVE', 'EXPIRED']).toContain(polled.status);
            continue;
          }
          expect(standing.stage).toBe('WAITING');
          if (standing.stage !== 'WAITING') continue;
          const answer = waitingAnswer(standing.position, terms, now);
          expect({
            status: 'WAIT',
            position: answer.position,
            estimatedWaitSeconds: answer.estimatedWaitSeconds,
            ...(answer.opensAt !== undefined ? { opensAt: new Date(answer.opensAt).toISOString() } : {}),
            ...(answer.paused ? { paused: true } : {}),
            retryAfterSeconds: answer.retryAfterSeconds,
          }).toEqual(polled);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('the state shows nothing secret: no seed, no places given back, no banned users', () => {
    const preQueue = openPreQueue([3, 2], SEED, T0);
    const admission: AdmissionState = {
      admittedSeq: 4,
      batches: [],
      line: emptyLine(2),
      preQueue,
      givenBack: new Set(['7', 'p1.2']),
      banned: new Set(['mallory']),
    };
    const text = JSON.stringify(queueStateBody('c1', admission, testSettings, T0));
    expect(text).not.toContain(SEED);
    expect(text).not.toContain('mallory');
    expect(text).not.toContain('p1.2');
    expect(JSON.parse(text)).toMatchObject({ admittedSeq: 4, preQueue: { opened: true, size: 5, admitted: 0 }, paused: false });
  });

  test('the page reads its own claims from its token as the server signed them', () => {
    const key = queueTokenKey('a key of the test');
    for (const claims of [
      { concertId: 'aurora-live', userId: 'ann', seq: 3 },
      { concertId: 'c_2', userId: 'björk ✓', seq: 123_456, shard: 7 },
      { concertId: 'c', userId: 'u', seq: 1, shard: 0, preQueue: true as const },
    ]) {
      const token = signQueueToken(claims, key);
      expect(claimsOf(token)).toEqual(unverifiedQueueTokenClaims(token));
      expect(claimsOf(token)).toEqual(claims);
    }
    expect(claimsOf('qt.old.form')).toBeUndefined();
    expect(claimsOf('qt2.abcdefgh.bm90IGpzb24.mac')).toBeUndefined();
  });
});
