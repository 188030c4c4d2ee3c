import { notFound } from '../shared/errors';
import type { CatalogueRepository } from './catalogue-repository';
import { seatStatusAt, type SeatStatus } from './seat';

export interface SeatView {
  readonly seatNumber: number;
  readonly price: number;
  readonly status: SeatStatus;
}

/** The whole seat map of one date of a concert, by seat number; a hold past its end shows AVAILABLE. */
export async function getSeatMap(
  catalogue: Pick<CatalogueRepository, 'listSeats'>,
  input: { concertId: string; scheduleId: string },
  now: number,
): Promise<SeatView[]> {
  const seats = await catalogue.listSeats(input.scheduleId);
  // Every schedule has at least one seat, so none means no such schedule (or not of this concert).
  if (seats.length === 0 || seats[0].concertId !== input.concertId) throw notFound('schedule');
  return seats.map((seat) => ({ seatNumber: seat.seatNumber, price: seat.price, status: seatStatusAt(seat, now) }));
}
