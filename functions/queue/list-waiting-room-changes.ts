import type { WaitingRoomDeps } from './waiting-room-deps';
import { listedRevisions } from './waiting-room-rules';
import { currentWaitingRoom, toChangeView, type WaitingRoomChangeView } from './waiting-room-settings';

/**
 * `GET /admin/concerts/{concertId}/waiting-room/changes`: the last 50 changes, newest first. Each
 * change is an item keyed by its revision, so they are read by key in one BatchGetItem (no query,
 * no scan): the newest revision, and the 49 before it.
 */
export async function listWaitingRoomChanges(
  deps: WaitingRoomDeps,
  input: { concertId: string },
): Promise<{ changes: WaitingRoomChangeView[] }> {
  const room = await currentWaitingRoom(deps, input.concertId);
  const changes = await deps.rooms.findChanges(input.concertId, listedRevisions(room.revision));
  return { changes: changes.map(toChangeView) };
}
