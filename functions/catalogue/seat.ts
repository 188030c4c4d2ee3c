/** A seat's status as the seat map shows it. */
export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD';

/** One seat of one schedule, as stored. */
export interface Seat {
  readonly concertId: string;
  readonly scheduleId: string;
  /** The schedule's date, `YYYY-MM-DD`, kept on the seat so a hold needs no second read. */
  readonly date: string;
  readonly seatNumber: number;
  /** KRW. */
  readonly price: number;
  /** As last written: a HELD seat whose hold has ended is AVAILABLE (see seatStatusAt). */
  readonly status: SeatStatus;
  readonly reservationId?: string;
  readonly heldBy?: string;
  /** Epoch milliseconds; set while HELD. */
  readonly holdExpiresAt?: number;
}

/** A hold is live until `holdExpiresAt`; from that instant the seat is available again, whatever has run. */
export function seatStatusAt(seat: Pick<Seat, 'status' | 'holdExpiresAt'>, now: number): SeatStatus {
  if (seat.status === 'SOLD') return 'SOLD';
  if (seat.status === 'HELD' && seat.holdExpiresAt !== undefined && now < seat.holdExpiresAt) return 'HELD';
  return 'AVAILABLE';
}
