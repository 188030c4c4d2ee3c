/**
 * A concert's waiting-room settings, which admins change live (API.md, "Sale-day operations"), as
 * plain functions of the settings, the deployment's defaults and the time.
 *
 * A concert never configured has revision 0 and the deployment's settings (the environment's),
 * and behaves exactly as before: each admission run admits up to ADMIT_PER_TICK. Once changed, a
 * run admits a share of `admitPerMinute`, counted per clock minute (see `admissionLimits`).
 */
import type { Settings } from '../shared/config';

export type Joining = 'OPEN' | 'CLOSED';
export type AdmissionMode = 'RUNNING' | 'PAUSED';

/** The writable settings. Times are epoch milliseconds, or null when unset. */
export interface WaitingRoomSettings {
  readonly joining: Joining;
  readonly admission: AdmissionMode;
  readonly admitPerMinute: number;
  readonly maxActive: number;
  /** A turn's length for batches admitted from now on (each batch records its own). */
  readonly activeSeconds: number;
  /** A hold's length for holds made from now on. */
  readonly holdSeconds: number;
  readonly preQueueOpensAt: number | null;
  readonly saleOpensAt: number | null;
  /** Stored and validated here; the join's proof of work enforces it (a later step). */
  readonly challengeWork: number;
}

export type SettingName = keyof WaitingRoomSettings;
export type SettingValue = WaitingRoomSettings[SettingName];

export const SETTING_NAMES: readonly SettingName[] = [
  'joining',
  'admission',
  'admitPerMinute',
  'maxActive',
  'activeSeconds',
  'holdSeconds',
  'preQueueOpensAt',
  'saleOpensAt',
  'challengeWork',
];

/** The ranges of the contract; the request schema checks them, and the rules name them once. */
export const SETTING_LIMITS = {
  admitPerMinute: { min: 1, max: 1_000_000 },
  maxActive: { min: 1, max: 10_000_000 },
  activeSeconds: { min: 60, max: 3_600 },
  holdSeconds: { min: 30, max: 1_800 },
  challengeWork: { min: 0, max: 10_000_000 },
} as const;

/** A concert's settings as they stand: revision 0 is the deployment's defaults, never changed. */
export interface WaitingRoom {
  readonly revision: number;
  readonly settings: WaitingRoomSettings;
  /** Epoch milliseconds of the last change; absent at revision 0. */
  readonly updatedAt?: number;
  /** The admin (`sub`) who made the last change; absent at revision 0. */
  readonly updatedBy?: string;
}

/** One change, as the audit keeps it: who, when, and each changed field from → to. */
export interface WaitingRoomChange {
  readonly revision: number;
  readonly at: number;
  readonly by: string;
  readonly changed: Readonly<Partial<Record<SettingName, { readonly from: SettingValue; readonly to: SettingValue }>>>;
}

/** What the rules need of the deployment's settings. */
export type DeploymentSettings = Pick<
  Settings,
  'holdSeconds' | 'activeSeconds' | 'admitPerTick' | 'maxActivePerConcert' | 'admissionIntervalSeconds'
>;

/** Admission runs in a minute: 60 s deployed, JOB_INTERVAL_SECONDS locally (60 s with the timer off). */
const runsPerMinute = (deployment: DeploymentSettings) => 60 / deployment.admissionIntervalSeconds;

/** The deployment's settings as a never-configured concert reads them. */
export function defaultWaitingRoomSettings(deployment: DeploymentSettings): WaitingRoomSettings {
  return {
    joining: 'OPEN',
    admission: 'RUNNING',
    // What ADMIT_PER_TICK per run makes in a minute, to the nearest whole person.
    admitPerMinute: Math.max(1, Math.round(deployment.admitPerTick * runsPerMinute(deployment))),
    maxActive: deployment.maxActivePerConcert,
    activeSeconds: deployment.activeSeconds,
    holdSeconds: deployment.holdSeconds,
    preQueueOpensAt: null,
    saleOpensAt: null,
    challengeWork: 0,
  };
}

/**
 * The settings in force: the stored ones (a field a later version added takes its default), or the
 * deployment's at revision 0.
 */
export function waitingRoomOf(stored: WaitingRoom | undefined, deployment: DeploymentSettings): WaitingRoom {
  const defaults = defaultWaitingRoomSettings(deployment);
  if (!stored || stored.revision <= 0) return { revision: 0, settings: defaults };
  return { ...stored, settings: { ...defaults, ...stored.settings } };
}

export type SettingsChange =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'changed'; readonly room: WaitingRoom; readonly change: WaitingRoomChange }
  | { readonly kind: 'invalid'; readonly field: SettingName; readonly message: string };

/**
 * The settings after `patch`, and the change to record: only fields whose value differs count, and
 * a patch that changes nothing is no change (no new revision). The pre-queue may not open after the sale.
 */
export function changeSettings(room: WaitingRoom, patch: Partial<WaitingRoomSettings>, by: string, now: number): SettingsChange {
  const settings: WaitingRoomSettings = { ...room.settings, ...patch };
  const { preQueueOpensAt, saleOpensAt } = settings;
  if (preQueueOpensAt !== null && saleOpensAt !== null && preQueueOpensAt > saleOpensAt) {
    const field = 'preQueueOpensAt' in patch || !('saleOpensAt' in patch) ? 'preQueueOpensAt' : 'saleOpensAt';
    return { kind: 'invalid', field, message: 'preQueueOpensAt must not be after saleOpensAt' };
  }
  const changed: Partial<Record<SettingName, { from: SettingValue; to: SettingValue }>> = {};
  for (const name of SETTING_NAMES) {
    if (name in patch && settings[name] !== room.settings[name]) changed[name] = { from: room.settings[name], to: settings[name] };
  }
  if (Object.keys(changed).length === 0) return { kind: 'unchanged' };
  const revision = room.revision + 1;
  return {
    kind: 'changed',
    room: { revision, settings, updatedAt: now, updatedBy: by },
    change: { revision, at: now, by, changed },
  };
}

/** How many changes `GET .../waiting-room/changes` lists, newest first. */
export const LISTED_CHANGES = 50;

/** The revisions whose changes are listed: the newest, and the ones before it, down to 1. */
export const listedRevisions = (revision: number): number[] =>
  Array.from({ length: Math.min(LISTED_CHANGES, Math.max(0, revision)) }, (_, i) => revision - i);

export type JoinRefusal =
  { readonly code: 'QUEUE_CLOSED' } | { readonly code: 'QUEUE_NOT_OPEN'; readonly opensAt: number; readonly retryAfterSeconds: number };

/** Why a join is refused now, if it is: joining closed, or the pre-queue not open yet. */
export function joinRefusal(room: WaitingRoom, now: number): JoinRefusal | undefined {
  if (room.settings.joining === 'CLOSED') return { code: 'QUEUE_CLOSED' };
  const opensAt = room.settings.preQueueOpensAt;
  if (opensAt !== null && now < opensAt) {
    return { code: 'QUEUE_NOT_OPEN', opensAt, retryAfterSeconds: Math.max(1, Math.ceil((opensAt - now) / 1000)) };
  }
  return undefined;
}

/** Nobody is admitted: paused, or the sale has not opened yet. */
export function admissionHeld(room: WaitingRoom, now: number): boolean {
  return room.settings.admission === 'PAUSED' || (room.settings.saleOpensAt !== null && now < room.settings.saleOpensAt);
}

/** How many this room has admitted in one admission window (a clock minute), kept on the admission record. */
export interface RateWindow {
  /** Epoch milliseconds: the window's start. */
  readonly start: number;
  readonly admitted: number;
}

/** What one admission run may do for a concert. */
export interface AdmissionLimits {
  /** Most this run admits (before the line's length and the room left under `maxActive`). */
  readonly admit: number;
  readonly maxActive: number;
  /** The turn length of the batch admitted now. */
  readonly activeSeconds: number;
  /** The window this run counts in, with what was admitted in it before the run. */
  readonly window: RateWindow;
}

/**
 * An admission run's limits. Revision 0: ADMIT_PER_TICK a run, as before. Once configured, a run
 * admits `admitPerMinute × interval / 60`, rounded so each clock minute's total is exact: a minute
 * has n = 60 / interval runs, and the run in its k-th interval (k = 0…n−1) brings the minute's
 * total up to ⌊admitPerMinute × (k + 1) / n⌋, so shares differ by one at most and add up to
 * `admitPerMinute`. Counting what the minute already admitted (`window`) keeps a minute at or
 * under it whatever the runs do: a second run in the same interval adds nothing, and a run that
 * found fewer waiting, or a missed run, leaves its share to the minute's later runs. (With an
 * interval over 60 s, the window is one interval and its total `admitPerMinute × interval / 60`.)
 * Paused, or before `saleOpensAt`, nobody is admitted.
 */
export function admissionLimits(
  room: WaitingRoom,
  window: RateWindow | undefined,
  now: number,
  deployment: DeploymentSettings,
): AdmissionLimits {
  const interval = deployment.admissionIntervalSeconds;
  const windowSeconds = Math.max(60, interval);
  const start = Math.floor(now / (windowSeconds * 1000)) * windowSeconds * 1000;
  const admittedInWindow = window?.start === start ? window.admitted : 0;
  const current = { start, admitted: admittedInWindow };
  const { settings } = room;
  if (room.revision === 0) {
    return {
      admit: admissionHeld(room, now) ? 0 : deployment.admitPerTick,
      maxActive: deployment.maxActivePerConcert,
      activeSeconds: deployment.activeSeconds,
      window: current,
    };
  }
  const windowTotal = interval <= 60 ? settings.admitPerMinute : Math.floor((settings.admitPerMinute * interval) / 60);
  const runs = Math.ceil(windowSeconds / interval);
  const run = Math.min(runs - 1, Math.floor((now - start) / (interval * 1000)));
  const target = Math.floor((windowTotal * (run + 1)) / runs);
  const admit = admissionHeld(room, now) ? 0 : Math.max(0, target - admittedInWindow);
  return { admit, maxActive: settings.maxActive, activeSeconds: settings.activeSeconds, window: current };
}

/** The rates the wait estimate and Retry-After are computed from, for this room. */
export function admissionRates(
  room: WaitingRoom,
  deployment: DeploymentSettings,
): Pick<Settings, 'admitPerTick' | 'maxActivePerConcert' | 'activeSeconds' | 'admissionIntervalSeconds'> {
  if (room.revision === 0) return deployment;
  return {
    admitPerTick: room.settings.admitPerMinute / runsPerMinute(deployment),
    maxActivePerConcert: room.settings.maxActive,
    activeSeconds: room.settings.activeSeconds,
    admissionIntervalSeconds: deployment.admissionIntervalSeconds,
  };
}
