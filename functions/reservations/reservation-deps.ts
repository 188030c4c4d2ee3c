import type { Settings } from '../shared/config';
import type { HoldSlotHints } from './hold-slot-hints';
import type { ReservationRepository } from './reservation-repository';

export interface ReservationDeps {
  readonly reservations: ReservationRepository;
  readonly settings: Pick<Settings, 'holdSeconds'>;
  readonly now: () => number;
  /** A new reservation id: a ULID, so ids sort by creation time. */
  readonly newReservationId: () => string;
  /** Which hold slots this instance saw live, so a commit guesses a free one without a read; none: every slot is guessed free. */
  readonly holdSlotHints?: HoldSlotHints;
  /** Waits before trying a contended transaction again. */
  readonly pause: (ms: number) => Promise<void>;
}
