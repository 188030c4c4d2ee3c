import { AppError, notFound, UnavailableError } from '../shared/errors';
import { claimExpiresAt, decideHold, freeHoldSlots, holdExpiresAt } from './hold-rules';
import type { Seat } from '../catalogue/seat';
import { toReservationView, type HoldingToken, type Reservation, type ReservationView } from './reservation';
import type { ReservationDeps } from './reservation-deps';
import type { SeatClaim } from './reservation-repository';

export interface HoldSeatInput {
  readonly userId: string;
  readonly concertId: string;
  readonly scheduleId: string;
  readonly seatNumber: number;
}

/** What the queue token check tells a hold: the concert's hold length, when its settings set one. */
export interface HoldTerms {
  readonly holdSeconds?: number;
}

/** A commit lost to a concurrent transaction of the same user is tried again this often, then 503. */
const MAX_ATTEMPTS = 6;

const seatUnavailable = (reason: string) => new AppError('SEAT_UNAVAILABLE', reason);
const limitReached = () =>
  new AppError('HOLD_LIMIT_REACHED', 'you already hold 4 seats of this date; pay for them or let a hold end first');

/**
 * Holds a seat for HOLD_SECONDS (or the concert's `holdSeconds`, which the ACTIVE check read with
 * the token), in two round trips:
 * 1. One conditional write on the seat claims it: of any number of racers exactly one wins, and
 *    the others cost that one write and no transaction (no read of the seat first: the claim's
 *    condition is the seat's rules, and a refused claim hands back the seat to say why). It goes
 *    alongside the fresh ACTIVE check (`activeCheck`) when this instance's recent admission record
 *    already shows the caller admitted (`seemsActive`), else after that check: a caller never
 *    admitted never claims a seat. A claim whose check then refuses is given back at once, and the
 *    check's refusal is the answer. So a loser costs the check and the claim, nothing more.
 * 2. The winner alone commits: one transaction turns its claim into the hold, claims a hold slot
 *    (at most 4 live holds per user and date) and writes the reservation. The slots are not read
 *    first: the commit tries one that this instance has not seen live (`holdSlotHints`), on the
 *    condition that it is free, and only when that fails reads them and tries a free one. Refused
 *    by the limit, it gives the claim back at once; if it never commits (its function died), the
 *    claim lapses within CLAIM_MS by itself. Nothing before the commit is visible as a hold.
 * The queue token the check passed is checked again by the commit (still unspent), so a revocation
 * or payment that lands in between stops the hold.
 */
export async function holdSeat(
  deps: ReservationDeps,
  input: HoldSeatInput,
  activeCheck: () => Promise<(HoldingToken & HoldTerms) | void>,
  seemsActive: () => Promise<boolean> = async () => false,
): Promise<ReservationView> {
  const check = activeCheck();
  check.catch(() => undefined);
  const claim: SeatClaim = { reservationId: deps.newReservationId(), ...input };
  const early = await seemsActive().catch(() => false);
  const claimed = early ? claimSeat(deps, claim) : undefined;
  claimed?.catch(() => undefined);

  let token: (HoldingToken & HoldTerms) | undefined;
  try {
    token = (await check) ?? undefined;
  } catch (refusal) {
    // The check's refusal comes first, whatever the claim did; a claim it won goes back at once.
    const won =
      claimed &&
      (await claimed.then(
        () => true,
        () => false,
      ));
    if (won) await deps.reservations.releaseClaim(claim).catch(() => false);
    throw refusal;
  }
  const { seat, now } = await (claimed ?? claimSeat(deps, claim));

  try {
    const reservation: Reservation = {
      ...claim,
      concertId: seat.concertId,
      date: seat.date,
      price: seat.price,
      status: 'HELD',
      expiresAt: holdExpiresAt(now, token?.holdSeconds ?? deps.settings.holdSeconds),
      createdAt: now,
    };
    return await commitHold(deps, reservation, token);
  } catch (error) {
    // The release only applies to a claim still uncommitted, so it is safe whatever the commit did;
    // if it fails too, the claim lapses by itself.
    await deps.reservations.releaseClaim(claim).catch(() => false);
    throw error;
  }
}

/** Claims the seat, or says why not: a seat of no such concert is 404, a taken or past one 409. */
async function claimSeat(deps: ReservationDeps, claim: SeatClaim): Promise<{ seat: Seat; now: number }> {
  const now = deps.now();
  const outcome = await deps.reservations.claimSeat(claim, claimExpiresAt(now), now);
  if (outcome.kind === 'claimed') return { seat: outcome.seat, now };
  const seat = outcome.seat;
  if (!seat || seat.concertId !== claim.concertId) throw notFound('seat');
  const decision = decideHold(seat, [], now);
  throw seatUnavailable(
    decision.kind === 'seatUnavailable' && decision.reason === 'datePassed' ? 'this date has passed' : 'this seat is held or sold',
  );
}

/** Turns the winner's claim into its hold, in a slot still free; throws (having changed nothing) when it cannot. */
async function commitHold(deps: ReservationDeps, reservation: Reservation, token: HoldingToken | undefined): Promise<ReservationView> {
  const { userId, scheduleId, reservationId, expiresAt } = reservation;
  const hints = deps.holdSlotHints;
  const readFreeSlots = async () => {
    const slots = await deps.reservations.findHoldSlots(userId, scheduleId);
    hints?.saw(userId, scheduleId, slots);
    return freeHoldSlots(slots, deps.now());
  };
  // A guess, unread: the slots this instance has not seen live. Seen all live, read before refusing.
  let free = freeHoldSlots(hints?.slotsOf(userId, scheduleId) ?? [], deps.now());
  if (free.length === 0) free = await readFreeSlots();
  if (free.length === 0) throw limitReached();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // Concurrent holds of one user pick different free slots more often than not.
    const slot = free[Math.floor(Math.random() * free.length)];
    const now = deps.now();
    const outcome = await deps.reservations.commitHold(reservation, slot, now, attempt, token);
    if (outcome === 'held') {
      hints?.held(userId, scheduleId, { slot, reservationId, expiresAt });
      return toReservationView(reservation, now);
    }
    if (outcome === 'claimLost') throw seatUnavailable('this seat is held or sold');
    if (outcome === 'tokenSpent') throw new AppError('QUEUE_TOKEN_NOT_ACTIVE', 'this queue token has ended; join the queue again');
    // That slot is live (another hold of this user, maybe on another instance), or was touched at the same time: a free one may remain.
    if (outcome === 'conflict') await deps.pause(Math.random() * 20 * attempt);
    free = await readFreeSlots();
    if (free.length === 0) throw limitReached();
  }
  throw new UnavailableError(1);
}
