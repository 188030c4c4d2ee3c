/**
 * The bodies the console reads and sends. Each is the service's own type, imported
 * (types only: nothing of the server ends up in the bundle), so a change of the contract fails the
 * console's type check.
 */
import type { CreatedConcertView, NewConcertInput } from '../../../functions/catalogue/create-concert';
import type { Revocation } from '../../../functions/queue/revoke-queue-token';
import type {
  WaitingRoomChangeView,
  WaitingRoomSettingsPatch,
  WaitingRoomSettingsView,
} from '../../../functions/queue/waiting-room-settings';
import type { SeriesPointView, WaitingRoomStatsView } from '../../../functions/stats/stats-rules';

/** The writable fields of a concert's waiting room, times as ISO strings (or null). */
export type WaitingRoomFields = Required<WaitingRoomSettingsPatch>;
export type SettingName = keyof WaitingRoomFields;
export type WaitingRoomSettings = WaitingRoomSettingsView;
export type SettingsChange = WaitingRoomChangeView;
export interface SettingsChanges {
  readonly changes: readonly SettingsChange[];
}
export type { Revocation };

export type StatsPoint = SeriesPointView;
export type WaitingRoomStats = WaitingRoomStatsView;

export type NewConcert = NewConcertInput;
export type CreatedConcert = CreatedConcertView;
