/** A seat's status as the seat map shows it. */
export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD';
/**
 * A seat's status as stored. CLAIMED: a hold won the seat's race but has not yet written its
 * reservation; the claim lapses at `holdExpiresAt` (seconds away) unless the hold's commit makes it
 * HELD. The seat map shows a live claim as HELD (nobody else can take the seat), but a claim is
 * never a hold: it has no reservation and cannot be paid.
 */
export type StoredSeatStatus = SeatStatus | 'CLAIMED';

/** One seat of one schedule, as stored. */
export interface Seat {
  readonly concertId: string;
  readonly scheduleId: string;
  /** The schedule's date, `YYYY-MM-DD`, kept on the seat so a hold needs no second read. */
  readonly date: string;
  readonly seatNumber: number;
  /** KRW. */
  readonly price: number;
  /** As last written: a HELD or CLAIMED seat whose time has ended is AVAILABLE (see seatStatusAt). */
  readonly status: StoredSeatStatus;
  readonly reservationId?: string;
  readonly heldBy?: string;
  /** Epoch milliseconds; set while HELD or CLAIMED. */
  readonly holdExpiresAt?: number;
}

/** A hold (or claim) is live until `holdExpiresAt`; from that instant the seat is available again, whatever has run. */
export function seatStatusAt(seat: Pick<Seat, 'status' | 'holdExpiresAt'>, now: number): SeatStatus {
  if (seat.status === 'SOLD') return 'SOLD';
  const taken = seat.status === 'HELD' || seat.status === 'CLAIMED';
  if (taken && seat.holdExpiresAt !== undefined && now < seat.holdExpiresAt) return 'HELD';
  return 'AVAILABLE';
}
