import type { Settings } from '../shared/config';
import type { ReservationRepository } from './reservation-repository';

export interface ReservationDeps {
  readonly reservations: ReservationRepository;
  readonly settings: Pick<Settings, 'holdSeconds'>;
  readonly now: () => number;
  /** A new reservation id: a ULID, so ids sort by creation time. */
  readonly newReservationId: () => string;
  /** Waits before trying a contended transaction again. */
  readonly pause: (ms: number) => Promise<void>;
}
