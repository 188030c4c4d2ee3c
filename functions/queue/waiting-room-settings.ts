import { notFound } from '../shared/errors';
import type { WaitingRoomDeps } from './waiting-room-deps';
import {
  waitingRoomOf,
  type SettingName,
  type SettingValue,
  type WaitingRoom,
  type WaitingRoomChange,
  type WaitingRoomSettings,
} from './waiting-room-rules';

/** Settings as the contract writes them: times as ISO-8601 UTC strings. */
type InView<T> = { readonly [K in keyof T]: K extends 'preQueueOpensAt' | 'saleOpensAt' ? string | null : T[K] };

/** The writable fields of a `PATCH`, any subset, as the request schema checked them. */
export type WaitingRoomSettingsPatch = Partial<InView<WaitingRoomSettings>>;

/** The contract's settings body. */
export type WaitingRoomSettingsView = { readonly concertId: string; readonly revision: number } & InView<WaitingRoomSettings> & {
    readonly updatedAt?: string;
    readonly updatedBy?: string;
  };

/** One change as `GET .../waiting-room/changes` lists it. */
export interface WaitingRoomChangeView {
  readonly at: string;
  readonly by: string;
  readonly revision: number;
  readonly changed: Readonly<Record<string, { readonly from: string | number | null; readonly to: string | number | null }>>;
}

const isTime = (name: SettingName) => name === 'preQueueOpensAt' || name === 'saleOpensAt';
const iso = (ms: number) => new Date(ms).toISOString();
const valueView = (name: SettingName, value: SettingValue) => (isTime(name) && typeof value === 'number' ? iso(value) : value);

export function toSettingsView(concertId: string, room: WaitingRoom): WaitingRoomSettingsView {
  const { settings } = room;
  return {
    concertId,
    revision: room.revision,
    ...settings,
    preQueueOpensAt: settings.preQueueOpensAt === null ? null : iso(settings.preQueueOpensAt),
    saleOpensAt: settings.saleOpensAt === null ? null : iso(settings.saleOpensAt),
    ...(room.updatedAt !== undefined ? { updatedAt: iso(room.updatedAt) } : {}),
    ...(room.updatedBy !== undefined ? { updatedBy: room.updatedBy } : {}),
  };
}

export function toChangeView(change: WaitingRoomChange): WaitingRoomChangeView {
  const changed = Object.fromEntries(
    Object.entries(change.changed).map(([name, diff]) => [
      name,
      { from: valueView(name as SettingName, diff.from), to: valueView(name as SettingName, diff.to) },
    ]),
  );
  return { at: iso(change.at), by: change.by, revision: change.revision, changed };
}

/** A patch with its times as epoch milliseconds (the schema checked they are ISO times). */
export function patchSettings(patch: WaitingRoomSettingsPatch): Partial<WaitingRoomSettings> {
  const toTime = (value: string | null) => (value === null ? null : Date.parse(value));
  const { preQueueOpensAt, saleOpensAt, ...rest } = patch;
  return {
    ...rest,
    ...(preQueueOpensAt !== undefined ? { preQueueOpensAt: toTime(preQueueOpensAt) } : {}),
    ...(saleOpensAt !== undefined ? { saleOpensAt: toTime(saleOpensAt) } : {}),
  };
}

/** The concert's settings now, read fresh: the stored ones, or the deployment's at revision 0. */
export async function currentWaitingRoom(deps: WaitingRoomDeps, concertId: string): Promise<WaitingRoom> {
  const [exists, stored] = await Promise.all([deps.concertExists(concertId), deps.rooms.findWaitingRoom(concertId)]);
  if (!exists) throw notFound('concert');
  return waitingRoomOf(stored, deps.settings);
}

/** `GET /admin/concerts/{concertId}/waiting-room`. */
export async function getWaitingRoomSettings(deps: WaitingRoomDeps, input: { concertId: string }): Promise<WaitingRoomSettingsView> {
  return toSettingsView(input.concertId, await currentWaitingRoom(deps, input.concertId));
}
