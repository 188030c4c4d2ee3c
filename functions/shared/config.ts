import * as z from 'zod/mini';
import './zod-messages';
import { tableDefinition, type TableId } from './tables';

/** A whole number from the environment's text, within bounds, `fallback` when unset. */
const wholeNumber = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z._default(z.pipe(z.coerce.number(), z.int().check(z.minimum(min), z.maximum(max))), fallback);
const positiveInt = (fallback: number) => wholeNumber(fallback, 1);

const settingsSchema = z.object({
  HOLD_SECONDS: positiveInt(300),
  ACTIVE_SECONDS: positiveInt(600),
  ADMIT_PER_TICK: positiveInt(100),
  MAX_ACTIVE_PER_CONCERT: positiveInt(1000),
  /** How often admission runs: the local timer's period, or the deployed rule's rate. 0 = local timer off. */
  JOB_INTERVAL_SECONDS: wholeNumber(10, 0),
  /** Sequence counters per waiting room: 1 is one exact line; more spread a rush's joins (docs/SCALE.md). */
  QUEUE_SHARDS: wholeNumber(1, 1, 64),
  /** How long a poll may reuse the admission record another poll read, in ms; 0 = every poll reads it. */
  POLL_ADMISSION_CACHE_MS: wholeNumber(0, 0, 5000),
});

export interface Settings {
  readonly holdSeconds: number;
  readonly activeSeconds: number;
  readonly admitPerTick: number;
  readonly maxActivePerConcert: number;
  /** Seconds between admission runs, used for wait estimates; 60 when the local timer is off. */
  readonly admissionIntervalSeconds: number;
  /** Sequence counters per waiting room (QUEUE_SHARDS); 1 keeps strict first in, first out. */
  readonly queueShards: number;
  /** POLL_ADMISSION_CACHE_MS: polls may show admission this much late, so a rush's polls spare the admission item. */
  readonly pollAdmissionCacheMs: number;
}

/** Reads and validates the service's settings; an invalid value stops start-up with its name. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid settings: ${problems.join('; ')}`);
  }
  const s = parsed.data;
  return {
    holdSeconds: s.HOLD_SECONDS,
    activeSeconds: s.ACTIVE_SECONDS,
    admitPerTick: s.ADMIT_PER_TICK,
    maxActivePerConcert: s.MAX_ACTIVE_PER_CONCERT,
    admissionIntervalSeconds: s.JOB_INTERVAL_SECONDS > 0 ? s.JOB_INTERVAL_SECONDS : 60,
    queueShards: s.QUEUE_SHARDS,
    pollAdmissionCacheMs: s.POLL_ADMISSION_CACHE_MS,
  };
}

let cachedSettings: Settings | undefined;

/** The settings of this process, read once. */
export function settings(): Settings {
  cachedSettings ??= readSettings();
  return cachedSettings;
}

/** The name of a table this function was given; a missing one is a deployment bug, not a default. */
export function tableName(id: TableId, env: NodeJS.ProcessEnv = process.env): string {
  const { envVar } = tableDefinition(id);
  const name = env[envVar];
  if (!name) throw new Error(`${envVar} is not set: this function has no access to the ${id} table`);
  return name;
}
