import type { WaitingRoom, WaitingRoomChange } from './waiting-room-rules';

/** Where a concert's waiting-room settings and their audit live (the admission record, and one item per change). */
export interface WaitingRoomRepository {
  /** The settings an admin stored, read fresh; undefined when never changed (revision 0). */
  findWaitingRoom(concertId: string): Promise<WaitingRoom | undefined>;
  /**
   * Stores `room` (revision n) with its change, in one transaction, only over revision n − 1:
   * false when another change came first, or a concurrent write to the record got in the way.
   */
  saveChange(concertId: string, room: WaitingRoom, change: WaitingRoomChange): Promise<boolean>;
  /** The recorded changes of these revisions, in the order asked for (one read, whatever their number up to 100). */
  findChanges(concertId: string, revisions: readonly number[]): Promise<WaitingRoomChange[]>;
}
