import type { Seat } from '../../functions/catalogue/seat';
import { CLAIM_MS } from '../../functions/reservations/hold-rules';
import { holdSeat } from '../../functions/reservations/hold-seat';
import { createHoldSlotHints, type HoldSlotHints } from '../../functions/reservations/hold-slot-hints';
import { decodeCursor, encodeCursor } from '../../functions/reservations/list-reservations';
import type { Reservation } from '../../functions/reservations/reservation';
import type { ReservationDeps } from '../../functions/reservations/reservation-deps';
import type { HoldSlot } from '../../functions/reservations/reservation';
import type { ClaimOutcome, CommitOutcome, ReservationRepository, SeatClaim } from '../../functions/reservations/reservation-repository';
import { AppError, UnavailableError } from '../../functions/shared/errors';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const SEAT: Seat = {
  concertId: 'aurora-live',
  scheduleId: 'aurora-live-1',
  date: '2026-12-24',
  seatNumber: 3,
  price: 165_000,
  status: 'AVAILABLE',
};
const INPUT = { userId: 'alice', concertId: 'aurora-live', scheduleId: 'aurora-live-1', seatNumber: 3 };

/**
 * A reservation repository whose seat claim and hold commits answer with the given outcomes in turn (the claim wins by default),
 * and whose reads of the hold slots answer `slots` in turn; `hints`, what the instance saw of them.
 */
function fakeDeps(options: { slots?: HoldSlot[][]; claim?: ClaimOutcome; commits?: CommitOutcome[]; hints?: HoldSlotHints }) {
  const claims: Array<{ claim: SeatClaim; claimExpiresAt: number }> = [];
  let reads = 0;
  const commits: Array<{ reservation: Reservation; slot: number; attempt: number }> = [];
  const releases: SeatClaim[] = [];
  const slotReads = [...(options.slots ?? [[]])];
  const outcomes = [...(options.commits ?? [])];
  const reservations: ReservationRepository = {
    findHoldSlots: async () => {
      reads++;
      return slotReads.length > 1 ? slotReads.shift()! : slotReads[0];
    },
    claimSeat: async (claim, claimExpiresAt) => {
      claims.push({ claim, claimExpiresAt });
      return options.claim ?? { kind: 'claimed', seat: { ...SEAT, status: 'CLAIMED', reservationId: claim.reservationId } };
    },
    commitHold: async (reservation, slot, _now, attempt) => {
      commits.push({ reservation, slot, attempt });
      return outcomes.shift() ?? 'conflict';
    },
    releaseClaim: async (claim) => {
      releases.push(claim);
      return true;
    },
    listReservations: async () => ({ reservations: [] }),
    findReservation: async () => undefined,
    releaseHold: async () => ({ kind: 'conflict' }),
  };
  let id = 0;
  const deps: ReservationDeps = {
    reservations,
    settings: { holdSeconds: 300 },
    now: () => NOW,
    newReservationId: () => `01JD00000000000000000000${String(++id).padStart(2, '0')}`,
    ...(options.hints ? { holdSlotHints: options.hints } : {}),
    pause: async () => undefined,
  };
  return { deps, claims, commits, releases, reads: () => reads, writes: () => claims.length + commits.length + releases.length };
}

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'no error',
    (error: unknown) => (error instanceof AppError ? error.code : error instanceof UnavailableError ? 'UNAVAILABLE' : String(error)),
  );
const active = async () => undefined;

describe('holdSeat', () => {
  test('claims the seat for seconds, then commits one reservation for HOLD_SECONDS with the price and date of the seat', async () => {
    const { deps, claims, commits, releases } = fakeDeps({ commits: ['held'] });
    const view = await holdSeat(deps, INPUT, active);
    expect(view).toEqual({
      reservationId: '01JD0000000000000000000001',
      concertId: 'aurora-live',
      scheduleId: 'aurora-live-1',
      date: '2026-12-24',
      seatNumber: 3,
      price: 165_000,
      status: 'HELD',
      expiresAt: '2026-12-01T10:05:00.000Z',
      createdAt: '2026-12-01T10:00:00.000Z',
    });
    expect(claims).toEqual([{ claim: { reservationId: '01JD0000000000000000000001', ...INPUT }, claimExpiresAt: NOW + CLAIM_MS }]);
    expect(CLAIM_MS).toBeLessThanOrEqual(10_000);
    expect(commits).toHaveLength(1);
    expect(commits[0].reservation).toMatchObject(claims[0].claim);
    expect(commits[0].reservation).toMatchObject({ userId: 'alice', status: 'HELD', expiresAt: NOW + 300_000 });
    expect(releases).toHaveLength(0);
  });

  test('the commit tries a slot the instance has not seen live, without reading the slots; the slot it wins is then seen live', async () => {
    const live = (slot: number) => ({ slot, reservationId: `r${slot}`, expiresAt: NOW + 1 });
    const hints = createHoldSlotHints();
    hints.saw('alice', 'aurora-live-1', [live(1), live(3), { slot: 4, reservationId: 'r4', expiresAt: NOW }]);
    const held = fakeDeps({ commits: ['held'], hints });
    await holdSeat(held.deps, INPUT, active);
    // Slot 4's hold has ended: it is as free as slot 2.
    expect([2, 4]).toContain(held.commits[0].slot);
    expect(held.reads()).toBe(0);
    const seenLive = hints.slotsOf('alice', 'aurora-live-1').filter((slot) => NOW < slot.expiresAt);
    expect(seenLive.map((slot) => slot.slot).sort()).toEqual([1, 3, held.commits[0].slot].sort());

    const unseen = fakeDeps({ commits: ['held'], hints });
    await holdSeat(unseen.deps, { ...INPUT, userId: 'bob' }, active);
    expect([unseen.commits.length, unseen.reads()]).toEqual([1, 0]);
  });

  test('writes nothing when the queue token check fails and the instance has not seen the caller admitted', async () => {
    const fake = fakeDeps({ commits: ['held'] });
    const refused = async () => {
      throw new AppError('QUEUE_TOKEN_NOT_ACTIVE', 'expired');
    };
    expect(await codeOf(holdSeat(fake.deps, INPUT, refused))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    expect(await codeOf(holdSeat(fake.deps, INPUT, refused, async () => false))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    expect(fake.writes()).toBe(0);
  });

  test('seen admitted, the claim goes out alongside the check; not, only once the check has passed', async () => {
    for (const seen of [true, false]) {
      const fake = fakeDeps({ commits: ['held'] });
      let pass!: () => void;
      const check = () => new Promise<void>((resolve) => (pass = resolve));
      const hold = holdSeat(fake.deps, INPUT, check, async () => seen);
      await new Promise((resolve) => setImmediate(resolve));
      expect(fake.claims).toHaveLength(seen ? 1 : 0);
      pass();
      await hold;
      expect([fake.claims.length, fake.commits.length, fake.releases.length]).toEqual([1, 1, 0]);
    }
  });

  test('a claim sent alongside a check that then refuses is given back at once, and the refusal is the answer, even over a lost claim', async () => {
    const refused = async () => {
      throw new AppError('QUEUE_TOKEN_NOT_ACTIVE', 'expired');
    };
    const won = fakeDeps({ commits: ['held'] });
    expect(await codeOf(holdSeat(won.deps, INPUT, refused, async () => true))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    expect([won.claims.length, won.commits.length]).toEqual([1, 0]);
    expect(won.releases).toEqual([won.claims[0].claim]);

    const lost = fakeDeps({ claim: { kind: 'refused', seat: { ...SEAT, status: 'HELD', holdExpiresAt: NOW + 1 } } });
    expect(await codeOf(holdSeat(lost.deps, INPUT, refused, async () => true))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    expect([lost.claims.length, lost.commits.length, lost.releases.length]).toEqual([1, 0, 0]);
  });

  test('404 for a missing seat or a seat of another concert: the refused claim, nothing else', async () => {
    const missing = fakeDeps({ claim: { kind: 'refused' } });
    expect(await codeOf(holdSeat(missing.deps, INPUT, active))).toBe('NOT_FOUND');
    const elsewhere = fakeDeps({ claim: { kind: 'refused', seat: { ...SEAT, concertId: 'neon-harbor' } } });
    expect(await codeOf(holdSeat(elsewhere.deps, INPUT, active))).toBe('NOT_FOUND');
    expect(missing.writes() + elsewhere.writes()).toBe(2);
  });

  test('a seat held, claimed or sold, or of a date passed, is SEAT_UNAVAILABLE from the refused claim; 4 live slots give a won claim back', async () => {
    for (const seat of [
      { ...SEAT, status: 'HELD' as const, holdExpiresAt: NOW + 1 },
      { ...SEAT, status: 'CLAIMED' as const, holdExpiresAt: NOW + 1 },
      { ...SEAT, status: 'SOLD' as const },
    ]) {
      const taken = fakeDeps({ claim: { kind: 'refused', seat } });
      expect(await codeOf(holdSeat(taken.deps, INPUT, active))).toBe('SEAT_UNAVAILABLE');
      expect(taken.writes()).toBe(1);
    }
    const past = fakeDeps({ claim: { kind: 'refused', seat: { ...SEAT, date: '2026-11-30' } } });
    await expect(holdSeat(past.deps, INPUT, active)).rejects.toThrow('this date has passed');

    // Four live slots: seen by this instance, read to be sure and refused without a commit; unseen, the commit's slot is refused first.
    const four = [1, 2, 3, 4].map((slot) => ({ slot, reservationId: 'r', expiresAt: NOW + 1 }));
    const hints = createHoldSlotHints();
    hints.saw('alice', 'aurora-live-1', four);
    const seenFull = fakeDeps({ slots: [four], hints });
    expect(await codeOf(holdSeat(seenFull.deps, INPUT, active))).toBe('HOLD_LIMIT_REACHED');
    expect([seenFull.claims.length, seenFull.reads(), seenFull.commits.length]).toEqual([1, 1, 0]);
    expect(seenFull.releases).toEqual([seenFull.claims[0].claim]);
    const unseenFull = fakeDeps({ slots: [four], commits: ['slotTaken'] });
    expect(await codeOf(holdSeat(unseenFull.deps, INPUT, active))).toBe('HOLD_LIMIT_REACHED');
    expect([unseenFull.claims.length, unseenFull.commits.length, unseenFull.reads()]).toEqual([1, 1, 1]);
    expect(unseenFull.releases).toEqual([unseenFull.claims[0].claim]);
  });

  test('a lost race costs the one claim write: SEAT_UNAVAILABLE, no commit, nothing to give back', async () => {
    const lost = fakeDeps({ claim: { kind: 'refused', seat: { ...SEAT, status: 'CLAIMED', holdExpiresAt: NOW + 1 } }, commits: ['held'] });
    expect(await codeOf(holdSeat(lost.deps, INPUT, active))).toBe('SEAT_UNAVAILABLE');
    expect([lost.claims.length, lost.commits.length, lost.releases.length]).toEqual([1, 0, 0]);
  });

  test('a claim lost before its commit (it lapsed and another hold claimed the seat): SEAT_UNAVAILABLE', async () => {
    const lapsed = fakeDeps({ commits: ['claimLost'] });
    expect(await codeOf(holdSeat(lapsed.deps, INPUT, active))).toBe('SEAT_UNAVAILABLE');
    expect(lapsed.commits).toHaveLength(1);
  });

  test('the commit checks the token the ACTIVE check passed; spent meanwhile (revoked, paid, left): QUEUE_TOKEN_NOT_ACTIVE and the claim given back', async () => {
    const token = { token: 'qt2.x', concertId: 'aurora-live', userId: 'alice' };
    const revoked = fakeDeps({ commits: ['tokenSpent'] });
    const tokens: unknown[] = [];
    const commit = revoked.deps.reservations.commitHold;
    revoked.deps.reservations.commitHold = async (reservation, slot, now, attempt, checked) => {
      tokens.push(checked);
      return commit(reservation, slot, now, attempt, checked);
    };
    expect(await codeOf(holdSeat(revoked.deps, INPUT, async () => token))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    expect(tokens).toEqual([token]);
    expect(revoked.releases).toEqual([revoked.claims[0].claim]);
  });

  test('a slot found taken is retried, after one read of the slots, with a slot still free, on the same claim; none free → HOLD_LIMIT_REACHED and the claim given back', async () => {
    const live = (slot: number) => ({ slot, reservationId: `r${slot}`, expiresAt: NOW + 1 });
    const hints = createHoldSlotHints();
    const retried = fakeDeps({ slots: [[live(1), live(2), live(3)]], commits: ['slotTaken', 'held'], hints });
    await holdSeat(retried.deps, INPUT, active);
    expect(retried.commits.map((commit) => commit.slot)[1]).toBe(4);
    expect(retried.reads()).toBe(1);
    expect(new Set(retried.commits.map((commit) => commit.reservation.reservationId)).size).toBe(1);
    expect(retried.commits.map((commit) => commit.attempt)).toEqual([1, 2]);
    expect([retried.claims.length, retried.releases.length]).toEqual([1, 0]);
    // What the read showed and what the commit won are what the instance now knows.
    expect(hints.slotsOf('alice', 'aurora-live-1').map((slot) => slot.slot)).toEqual([1, 2, 3, 4]);

    const exhausted = fakeDeps({ slots: [[live(1), live(2), live(3)], [1, 2, 3, 4].map(live)], commits: ['slotTaken', 'slotTaken'] });
    expect(await codeOf(holdSeat(exhausted.deps, INPUT, active))).toBe('HOLD_LIMIT_REACHED');
    expect(exhausted.commits).toHaveLength(2);
    expect(exhausted.releases).toEqual([exhausted.claims[0].claim]);
  });

  test('conflicts are retried a few times on the same claim, then 503 with the claim given back', async () => {
    const recovered = fakeDeps({ commits: ['conflict', 'conflict', 'held'] });
    await holdSeat(recovered.deps, INPUT, active);
    expect(recovered.claims).toHaveLength(1);
    expect(recovered.commits).toHaveLength(3);
    expect(recovered.releases).toHaveLength(0);

    const busy = fakeDeps({ commits: [] });
    expect(await codeOf(holdSeat(busy.deps, INPUT, active))).toBe('UNAVAILABLE');
    expect(busy.commits).toHaveLength(6);
    expect(busy.releases).toEqual([busy.claims[0].claim]);
  });

  test('a commit that fails outright (the database is unreachable) tries to give the claim back, then fails as it did', async () => {
    const broken = fakeDeps({});
    broken.deps.reservations.commitHold = async () => {
      throw new UnavailableError(1);
    };
    broken.deps.reservations.releaseClaim = async () => {
      throw new Error('unreachable too');
    };
    expect(await codeOf(holdSeat(broken.deps, INPUT, active))).toBe('UNAVAILABLE');
  });
});

describe('the reservations cursor', () => {
  test('round-trips a reservation id and refuses anything else', () => {
    expect(decodeCursor(encodeCursor('01JD0000000000000000000001'))).toBe('01JD0000000000000000000001');
    for (const bad of ['', 'abc', encodeCursor('not-a-ulid'), Buffer.from('01JD0000000000000000000001').toString('base64url'), 'a+b/c=']) {
      expect(() => decodeCursor(bad)).toThrow(AppError);
    }
  });
});

describe('the hold slot hints', () => {
  test('keep the users last seen, at most as many as asked, forgetting the one seen longest ago', () => {
    const hints = createHoldSlotHints(2);
    const slot = (n: number) => ({ slot: n, reservationId: `r${n}`, expiresAt: NOW + 1 });
    hints.saw('a', 's', [slot(1)]);
    hints.held('b', 's', slot(2));
    hints.held('a', 's', slot(3)); // a is now the latest seen
    hints.saw('c', 's', [slot(4)]);
    expect(hints.slotsOf('a', 's')).toEqual([slot(1), slot(3)]);
    expect(hints.slotsOf('b', 's')).toEqual([]);
    expect(hints.slotsOf('c', 's')).toEqual([slot(4)]);
    hints.held('c', 's', { ...slot(4), reservationId: 'again' });
    expect(hints.slotsOf('c', 's')).toEqual([{ ...slot(4), reservationId: 'again' }]);
    hints.released('a', 's', 'r1');
    expect(hints.slotsOf('a', 's')).toEqual([slot(3)]);
  });
});
