/**
 * The bodies the console reads and sends. Where the service has a type for one, it is imported
 * (types only: nothing of the server ends up in the bundle), so a change of the contract fails the
 * console's type check.
 */
import type { CreatedConcertView, NewConcertInput } from '../../../functions/catalogue/create-concert';
import type { Revocation } from '../../../functions/queue/revoke-queue-token';

export type Joining = 'OPEN' | 'CLOSED';
export type Admission = 'RUNNING' | 'PAUSED';

/** The writable fields of a concert's waiting room. */
export interface WaitingRoomFields {
  readonly joining: Joining;
  readonly admission: Admission;
  readonly admitPerMinute: number;
  readonly maxActive: number;
  readonly activeSeconds: number;
  readonly holdSeconds: number;
  readonly preQueueOpensAt: string | null;
  readonly saleOpensAt: string | null;
  readonly challengeWork: number;
}
export type SettingName = keyof WaitingRoomFields;

export interface WaitingRoomSettings extends WaitingRoomFields {
  readonly concertId: string;
  /** Counts the changes; 0 before the first (then the deployment's defaults apply). */
  readonly revision: number;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

export interface SettingsChange {
  readonly at: string;
  readonly by: string;
  readonly revision: number;
  readonly changed: Partial<Record<SettingName, { readonly from: unknown; readonly to: unknown }>>;
}
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
