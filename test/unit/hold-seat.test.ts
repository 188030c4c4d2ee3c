import type { Seat } from '../../functions/catalogue/seat';
import { CLAIM_MS } from '../../functions/reservations/hold-rules';
import { holdSeat } from '../../functions/reservations/hold-seat';
import { decodeCursor, encodeCursor } from '../../functions/reservations/list-reservations';
import type { Reservation } from '../../functions/reservations/reservation';
import type { ReservationDeps } from '../../functions/reservations/reservation-deps';
import type { HoldSlot } from '../../functions/reservations/reservation';
import type { ClaimOutcome, CommitOutcome, ReservationRepository } from '../../functions/reservations/reservation-repository';
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

/** A reservation repository whose seat claim and hold commits answer with the given outcomes in turn. */
function fakeDeps(options: { seat?: Seat; slots?: HoldSlot[][]; claim?: ClaimOutcome; commits?: CommitOutcome[] }) {
  const claims: Array<{ reservation: Reservation; claimExpiresAt: number }> = [];
  const commits: Array<{ reservation: Reservation; slot: number; attempt: number }> = [];
  const releases: Reservation[] = [];
  const slotReads = [...(options.slots ?? [[]])];
  const outcomes = [...(options.commits ?? [])];
  const reservations: ReservationRepository = {
    findHoldSlots: async () => (slotReads.length > 1 ? slotReads.shift()! : slotReads[0]),
    claimSeat: async (reservation, claimExpiresAt) => {
      claims.push({ reservation, claimExpiresAt });
      return options.claim ?? 'claimed';
    },
    commitHold: async (reservation, slot, _now, attempt) => {
      commits.push({ reservation, slot, attempt });
      return outcomes.shift() ?? 'conflict';
    },
    releaseClaim: async (reservation) => {
      releases.push(reservation);
      return true;
    },
    listReservations: async () => ({ reservations: [] }),
    findReservation: async () => undefined,
    releaseHold: async () => ({ kind: 'conflict' }),
  };
  let id = 0;
  const deps: ReservationDeps = {
    reservations,
    catalogue: { findSeat: async () => ('seat' in options ? options.seat : SEAT) },
    settings: { holdSeconds: 300 },
    now: () => NOW,
    newReservationId: () => `01JD00000000000000000000${String(++id).padStart(2, '0')}`,
    pause: async () => undefined,
  };
  return { deps, claims, commits, releases, writes: () => claims.length + commits.length + releases.length };
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
    expect(claims).toEqual([
      { reservation: expect.objectContaining({ reservationId: '01JD0000000000000000000001' }), claimExpiresAt: NOW + CLAIM_MS },
    ]);
    expect(CLAIM_MS).toBeLessThanOrEqual(10_000);
    expect(commits).toHaveLength(1);
    expect(commits[0].reservation).toBe(claims[0].reservation);
    expect(commits[0].reservation).toMatchObject({ userId: 'alice', status: 'HELD', expiresAt: NOW + 300_000 });
    expect(releases).toHaveLength(0);
  });

  test('writes nothing when the queue token check fails, even if the reads succeed', async () => {
    const fake = fakeDeps({ commits: ['held'] });
    const refused = async () => {
      throw new AppError('QUEUE_TOKEN_NOT_ACTIVE', 'expired');
    };
    expect(await codeOf(holdSeat(fake.deps, INPUT, refused))).toBe('QUEUE_TOKEN_NOT_ACTIVE');
    expect(fake.writes()).toBe(0);
  });

  test('404 for a missing seat or a seat of another concert, without a write', async () => {
    const missing = fakeDeps({ seat: undefined });
    expect(await codeOf(holdSeat(missing.deps, INPUT, active))).toBe('NOT_FOUND');
    const elsewhere = fakeDeps({ seat: { ...SEAT, concertId: 'neon-harbor' } });
    expect(await codeOf(holdSeat(elsewhere.deps, INPUT, active))).toBe('NOT_FOUND');
    expect(missing.writes() + elsewhere.writes()).toBe(0);
  });

  test('a seat seen held, claimed or sold, or 4 live slots, is answered without a write', async () => {
    const held = fakeDeps({ seat: { ...SEAT, status: 'HELD', holdExpiresAt: NOW + 1 } });
    expect(await codeOf(holdSeat(held.deps, INPUT, active))).toBe('SEAT_UNAVAILABLE');
    const claimed = fakeDeps({ seat: { ...SEAT, status: 'CLAIMED', holdExpiresAt: NOW + 1 } });
    expect(await codeOf(holdSeat(claimed.deps, INPUT, active))).toBe('SEAT_UNAVAILABLE');
    const full = fakeDeps({ slots: [[1, 2, 3, 4].map((slot) => ({ slot, reservationId: 'r', expiresAt: NOW + 1 }))] });
    expect(await codeOf(holdSeat(full.deps, INPUT, active))).toBe('HOLD_LIMIT_REACHED');
    expect(held.writes() + claimed.writes() + full.writes()).toBe(0);
  });

  test('a lost race costs the one claim write: SEAT_UNAVAILABLE, no commit, nothing to give back', async () => {
    const lost = fakeDeps({ claim: 'seatTaken', commits: ['held'] });
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
    expect(revoked.releases).toEqual([revoked.claims[0].reservation]);
  });

  test('a slot taken meanwhile is retried with a slot still free, on the same claim; none free → HOLD_LIMIT_REACHED and the claim given back', async () => {
    const live = (slot: number) => ({ slot, reservationId: `r${slot}`, expiresAt: NOW + 1 });
    const retried = fakeDeps({
      slots: [
        [live(1), live(2)],
        [live(1), live(2), live(3)],
      ],
      commits: ['slotTaken', 'held'],
    });
    await holdSeat(retried.deps, INPUT, active);
    expect(retried.commits.map((commit) => commit.slot)[1]).toBe(4);
    expect(new Set(retried.commits.map((commit) => commit.reservation.reservationId)).size).toBe(1);
    expect(retried.commits.map((commit) => commit.attempt)).toEqual([1, 2]);
    expect([retried.claims.length, retried.releases.length]).toEqual([1, 0]);

    const exhausted = fakeDeps({ slots: [[live(1), live(2), live(3)], [1, 2, 3, 4].map(live)], commits: ['slotTaken'] });
    expect(await codeOf(holdSeat(exhausted.deps, INPUT, active))).toBe('HOLD_LIMIT_REACHED');
    expect(exhausted.commits).toHaveLength(1);
    expect(exhausted.releases).toEqual([exhausted.claims[0].reservation]);
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
    expect(busy.releases).toEqual([busy.claims[0].reservation]);
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
