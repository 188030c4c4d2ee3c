import { AppError, UnavailableError } from '../shared/errors';
import type { WaitingRoomDeps } from './waiting-room-deps';
import { changeSettings, waitingRoomOf } from './waiting-room-rules';
import {
  currentWaitingRoom,
  patchSettings,
  toSettingsView,
  type WaitingRoomSettingsPatch,
  type WaitingRoomSettingsView,
} from './waiting-room-settings';

/** Changes that lost a race are tried again from a fresh read this often, then 503. */
const MAX_ATTEMPTS = 10;

export interface ChangeWaitingRoomInput {
  readonly concertId: string;
  /** The admin's `sub`. */
  readonly by: string;
  readonly patch: WaitingRoomSettingsPatch;
  /** `If-Match`: the revision the admin's change was made against. */
  readonly ifMatch?: number;
}

/**
 * `PATCH /admin/concerts/{concertId}/waiting-room`: read the settings, apply the patch, and write
 * the result with its audit entry in one transaction over exactly the revision read. With
 * `If-Match` a change made against another revision is 412 PRECONDITION_FAILED; without it, a
 * change that lost the race to another is applied again over the newer settings, so neither is
 * lost. A patch that changes nothing writes nothing and answers the settings as they are.
 */
export async function changeWaitingRoomSettings(deps: WaitingRoomDeps, input: ChangeWaitingRoomInput): Promise<WaitingRoomSettingsView> {
  const patch = patchSettings(input.patch);
  let room = await currentWaitingRoom(deps, input.concertId);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (input.ifMatch !== undefined && input.ifMatch !== room.revision) {
      throw new AppError(
        'PRECONDITION_FAILED',
        `the settings changed since revision ${input.ifMatch} (they are at revision ${room.revision}): read them again and reapply your change`,
      );
    }
    const outcome = changeSettings(room, patch, input.by, deps.now());
    if (outcome.kind === 'invalid') {
      throw new AppError('VALIDATION_ERROR', 'the request body is not valid', [{ path: outcome.field, message: outcome.message }]);
    }
    if (outcome.kind === 'unchanged') return toSettingsView(input.concertId, room);
    if (await deps.rooms.saveChange(input.concertId, outcome.room, outcome.change)) return toSettingsView(input.concertId, outcome.room);
    await deps.pause(Math.random() * 20 * attempt);
    room = waitingRoomOf(await deps.rooms.findWaitingRoom(input.concertId), deps.settings);
  }
  throw new UnavailableError(1);
}
