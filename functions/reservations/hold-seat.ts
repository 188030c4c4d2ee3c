import { AppError, notFound, UnavailableError } from '../shared/errors';
import { claimExpiresAt, decideHold, freeHoldSlots, holdExpiresAt } from './hold-rules';
import { toReservationView, type HoldingToken, type Reservation, type ReservationView } from './reservation';
import type { ReservationDeps } from './reservation-deps';

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
 * the token), in two steps:
 * 1. The seat and the user's hold slots are read (alongside the queue token check) to answer at
 *    once when the hold cannot succeed. Then one conditional write on the seat claims it: of any
 *    number of racers exactly one wins, and the others cost that one write and no transaction.
 * 2. The winner alone commits: one transaction turns its claim into the hold, claims a free slot
 *    (at most 4 live holds per user and date) and writes the reservation. Refused by the limit,
 *    it gives the claim back at once; if it never commits (its function died), the claim lapses
 *    within CLAIM_MS by itself. Nothing before the commit is visible as a hold.
 * `activeCheck` is awaited before anything is written. The queue token it passed is checked again by
 * the commit (still unspent), so a revocation or payment that lands in between stops the hold.
 */
export async function holdSeat(
  deps: ReservationDeps,
  input: HoldSeatInput,
  activeCheck: () => Promise<(HoldingToken & HoldTerms) | void>,
): Promise<ReservationView> {
  const state = Promise.all([
    deps.catalogue.findSeat(input.scheduleId, input.seatNumber),
    deps.reservations.findHoldSlots(input.userId, input.scheduleId),
  ]);
  state.catch(() => undefined); // awaited below; a failed token check must not leave it unobserved
  const token = (await activeCheck()) ?? undefined;

  const [seat, slots] = await state;
  if (!seat || seat.concertId !== input.concertId) throw notFound('seat');
  const now = deps.now();
  const decision = decideHold(seat, slots, now);
  if (decision.kind === 'seatUnavailable') {
    throw seatUnavailable(decision.reason === 'datePassed' ? 'this date has passed' : 'this seat is held or sold');
  }
  if (decision.kind === 'limitReached') throw limitReached();

  const reservation: Reservation = {
    reservationId: deps.newReservationId(),
    userId: input.userId,
    concertId: seat.concertId,
    scheduleId: seat.scheduleId,
    date: seat.date,
    seatNumber: seat.seatNumber,
    price: seat.price,
    status: 'HELD',
    expiresAt: holdExpiresAt(now, token?.holdSeconds ?? deps.settings.holdSeconds),
    createdAt: now,
  };
  if ((await deps.reservations.claimSeat(reservation, claimExpiresAt(now), now)) === 'seatTaken') {
    throw seatUnavailable('this seat is held or sold');
  }
  try {
    return await commitHold(deps, reservation, decision.freeSlots, token);
  } catch (error) {
    // The release only applies to a claim still uncommitted, so it is safe whatever the commit did;
    // if it fails too, the claim lapses by itself.
    await deps.reservations.releaseClaim(reservation).catch(() => false);
    throw error;
  }
}

/** Turns the winner's claim into its hold, in a slot still free; throws (having changed nothing) when it cannot. */
async function commitHold(
  deps: ReservationDeps,
  reservation: Reservation,
  freeSlots: readonly number[],
  token: HoldingToken | undefined,
): Promise<ReservationView> {
  let free = freeSlots;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // Concurrent holds of one user pick different free slots more often than not.
    const slot = free[Math.floor(Math.random() * free.length)];
    const now = deps.now();
    const outcome = await deps.reservations.commitHold(reservation, slot, now, attempt, token);
    if (outcome === 'held') return toReservationView(reservation, now);
    if (outcome === 'claimLost') throw seatUnavailable('this seat is held or sold');
    if (outcome === 'tokenSpent') throw new AppError('QUEUE_TOKEN_NOT_ACTIVE', 'this queue token has ended; join the queue again');
    // Another hold of this user took that slot just now, or touched it at the same time: a free one may remain.
    if (outcome === 'conflict') await deps.pause(Math.random() * 20 * attempt);
    free = freeHoldSlots(await deps.reservations.findHoldSlots(reservation.userId, reservation.scheduleId), deps.now());
    if (free.length === 0) throw limitReached();
  }
  throw new UnavailableError(1);
}
