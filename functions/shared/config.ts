import { tableDefinition, type TableId } from './tables';

/** A whole-number setting: its value when unset, and the bounds it must keep. */
interface WholeNumber {
  readonly fallback: number;
  readonly min: number;
  readonly max?: number;
}
const positiveInt = (fallback: number): WholeNumber => ({ fallback, min: 1 });

const SETTINGS = {
  HOLD_SECONDS: positiveInt(300),
  /**
   * At most a concert's own activeSeconds allows (waiting-room-rules SETTING_LIMITS): a turn keeps its batch
   * on the admission record, one a run, and much longer turns would fill the record's 400 KB at 64 shards.
   */
  ACTIVE_SECONDS: { fallback: 600, min: 1, max: 3_600 },
  ADMIT_PER_TICK: positiveInt(100),
  MAX_ACTIVE_PER_CONCERT: positiveInt(1000),
  /** How often admission runs: the local timer's period, or the deployed rule's rate. 0 = local timer off. */
  JOB_INTERVAL_SECONDS: { fallback: 10, min: 0 },
  /** Sequence counters per waiting room: 1 is one exact line; more spread a rush's joins (docs/SCALE.md). */
  QUEUE_SHARDS: { fallback: 1, min: 1, max: 64 },
  /** How long a poll or join may reuse the admission record this instance read, in ms (at most 1 s); 0 = every one reads it. */
  POLL_ADMISSION_CACHE_MS: { fallback: 1000, min: 0, max: 1000 },
} satisfies Record<string, WholeNumber>;

/**
 * The settings' numbers from the environment's text, each checked against its bounds. Read by hand,
 * not with zod: for the jobs and the stream consumers this is all the validating they do, and
 * without it they load no zod at all (a fifth of their bundle, and its start-up at every cold start).
 */
function wholeNumbers(env: NodeJS.ProcessEnv): { values: Record<keyof typeof SETTINGS, number>; problems: string[] } {
  const problems: string[] = [];
  const entries = (Object.entries(SETTINGS) as [string, WholeNumber][]).map(([name, { fallback, min, max = Number.MAX_SAFE_INTEGER }]) => {
    const text = env[name];
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
      problems.push(`${name}: expected a whole number ${range}, got ${JSON.stringify(text)}`);
    }
    return [name, value];
  });
  return { values: Object.fromEntries(entries) as Record<keyof typeof SETTINGS, number>, problems };
}

export interface Settings {
  readonly holdSeconds: number;
  readonly activeSeconds: number;
  readonly admitPerTick: number;
  readonly maxActivePerConcert: number;
  /** Seconds between admission runs, used for wait estimates; 60 when the local timer is off. */
  readonly admissionIntervalSeconds: number;
  /** Sequence counters per waiting room (QUEUE_SHARDS); 1 keeps strict first in, first out. */
  readonly queueShards: number;
  /** POLL_ADMISSION_CACHE_MS: polls may show admission this much late, so a waiting poll reads nothing. */
  readonly pollAdmissionCacheMs: number;
}

/** Reads and validates the service's settings; an invalid value stops start-up with its name. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const { values: s, problems } = wholeNumbers(env);
  if (problems.length > 0) throw new Error(`invalid settings: ${problems.join('; ')}`);
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

/** Where the queue token signing keys come from (functions/queue/queue-token-keys.ts reads them). */
export type QueueTokenKeySetting =
  /** Deployed: the stack's Secrets Manager secret (its AWSCURRENT signs, AWSPREVIOUS still verifies). */
  | { readonly source: 'secret'; readonly secretId: string }
  /** Local: the keys themselves, comma-separated, current first. */
  | { readonly source: 'keys'; readonly keys: readonly string[] }
  /** Local: a file of keys, one a line, current first (`npm start` keeps one in DATA_DIR). */
  | { readonly source: 'file'; readonly path: string };

/** A key shorter than this is a mistake (a generated one is 64 characters). */
export const MIN_QUEUE_TOKEN_KEY_LENGTH = 32;

/**
 * The queue token key source named by the environment: QUEUE_TOKEN_SECRET_ARN, else
 * QUEUE_TOKEN_KEYS, else QUEUE_TOKEN_KEY_FILE. None of them is a deployment bug, never a default key.
 */
export function queueTokenKeySetting(env: NodeJS.ProcessEnv = process.env): QueueTokenKeySetting {
  if (env.QUEUE_TOKEN_SECRET_ARN) return { source: 'secret', secretId: env.QUEUE_TOKEN_SECRET_ARN };
  if (env.QUEUE_TOKEN_KEYS) return { source: 'keys', keys: parseQueueTokenKeys(env.QUEUE_TOKEN_KEYS, 'QUEUE_TOKEN_KEYS', ',') };
  if (env.QUEUE_TOKEN_KEY_FILE) return { source: 'file', path: env.QUEUE_TOKEN_KEY_FILE };
  throw new Error('no queue token key: set QUEUE_TOKEN_SECRET_ARN (deployed), QUEUE_TOKEN_KEYS or QUEUE_TOKEN_KEY_FILE');
}

/** Keys from a list (`separator` between them), current first; each at least MIN_QUEUE_TOKEN_KEY_LENGTH characters. */
export function parseQueueTokenKeys(text: string, where: string, separator: string | RegExp): string[] {
  const keys = text
    .split(separator)
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  if (keys.length === 0) throw new Error(`${where} holds no queue token key`);
  if (keys.some((key) => key.length < MIN_QUEUE_TOKEN_KEY_LENGTH)) {
    throw new Error(`${where}: every queue token key must be at least ${MIN_QUEUE_TOKEN_KEY_LENGTH} characters`);
  }
  return keys;
}
