/** One date of a concert, with as many seats as it was created with. */
export interface Schedule {
  readonly concertId: string;
  readonly scheduleId: string;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly seatCount: number;
}
