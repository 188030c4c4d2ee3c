import type { Settings } from '../shared/config';
import type { WaitingRoomRepository } from './waiting-room-repository';

/** What the admin's waiting-room settings use cases need. */
export interface WaitingRoomDeps {
  readonly rooms: WaitingRoomRepository;
  /** True when the concert exists (a cached lookup is fine: concerts are not deleted). */
  readonly concertExists: (concertId: string) => Promise<boolean>;
  /** The deployment's settings: a never-configured concert's defaults. */
  readonly settings: Settings;
  readonly now: () => number;
  /** Waits before trying a change again that lost a race. */
  readonly pause: (ms: number) => Promise<void>;
}
