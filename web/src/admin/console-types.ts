/**
 * The bodies the console reads and sends. Where the service has a type for one, it is imported
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

/** The writable fields of a concert's waiting room, times as ISO strings (or null). */
export type WaitingRoomFields = Required<WaitingRoomSettingsPatch>;
export type SettingName = keyof WaitingRoomFields;
export type WaitingRoomSettings = WaitingRoomSettingsView;
export type SettingsChange = WaitingRoomChangeView;
export interface SettingsChanges {
  readonly changes: readonly SettingsChange[];
}
export type { Revocation };

export interface StatsPoint {
  readonly at: string;
  readonly waiting: number;
  readonly active: number;
  readonly joined: number;
  readonly admitted: number;
  readonly sold: number;
  readonly revenue: number;
}

export interface WaitingRoomStats {
  readonly concertId: string;
  readonly at: string;
  readonly waiting: number;
  readonly active: number;
  readonly joinedTotal: number;
  readonly admittedTotal: number;
  readonly leftTotal: number;
  readonly estimatedWaitSecondsForNewJoiner: number;
  readonly holdsLive: number;
  readonly seatsSold: number;
  readonly seatsTotal: number;
  readonly revenue: number;
  readonly series: readonly StatsPoint[];
}

export type NewConcert = NewConcertInput;
export type CreatedConcert = CreatedConcertView;
