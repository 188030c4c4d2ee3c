import type { Concert } from './concert';
import type { Schedule } from './schedule';
import type { Seat } from './seat';

/** A schedule to create, with its seats (all AVAILABLE). */
export interface NewSchedule {
  readonly schedule: Schedule;
  readonly seats: readonly Pick<Seat, 'seatNumber' | 'price'>[];
}

export interface CatalogueRepository {
  findConcert(concertId: string): Promise<Concert | undefined>;
  /** Concerts whose last date is `fromDate` or later, by last date. */
  listConcerts(fromDate: string): Promise<Concert[]>;
  putConcert(concert: Concert): Promise<void>;
  /**
   * Writes the schedules and their seats first and the concert item last, so nothing of a
   * create that fails part way can be found: concerts are reached only through their item.
   * False when the concert already exists (its schedules and seats are then not touched).
   */
  createConcert(concert: Concert, schedules: readonly NewSchedule[]): Promise<boolean>;
  listSchedules(concertId: string): Promise<Schedule[]>;
  /** Per schedule of the concert, its seats held or sold at `now` (expired holds do not count); schedules with none are absent. */
  countTakenSeats(concertId: string, now: number): Promise<ReadonlyMap<string, number>>;
  /** The whole seat map by seat number; empty when the schedule does not exist. */
  listSeats(scheduleId: string): Promise<Seat[]>;
  findSeat(scheduleId: string, seatNumber: number): Promise<Seat | undefined>;
}
