import type { Node } from 'constructs';
import { z } from 'zod';
import { jobs } from '../functions/jobs/job-table';
import { routeKeyOf, routes } from '../functions/http/route-table';
import { readSettings } from '../functions/shared/config';

/** API Gateway's token bucket: a steady rate (requests per second) and the burst it absorbs at once. */
export interface ThrottleLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface StageConfig {
  /** `-c stage=<name>`; part of the stack name, so stages live side by side in one account. */
  readonly stage: string;
  /** The settings every function gets as environment variables. */
  readonly settingsEnvironment: Readonly<Record<string, string>>;
  /** The stage's default throttle (`-c throttleRate=`, `-c throttleBurst=`). */
  readonly throttle: ThrottleLimits;
  /** Tighter limits of single routes, by route key (`-c routeThrottles='{"POST /payments":{"rateLimit":100,"burstLimit":200}}'`). */
  readonly routeThrottles: Readonly<Record<string, ThrottleLimits>>;
  /** Browser origins the API answers CORS for (`-c allowedOrigins=https://a.example,https://b.example`); none: no CORS. */
  readonly allowedOrigins: readonly string[];
  /**
   * Reserved concurrency of each scheduled job (`-c jobReservedConcurrency=1`): one run at a time is
   * plenty, and it bounds a runaway. Unset by default: a new account's Lambda quota is often 10
   * concurrent executions, all of which must stay unreserved, so any reservation fails the deploy.
   */
  readonly jobReservedConcurrency?: number;
  /** Whether the stage has the web page on CloudFront (`-c webSite=false` leaves it out, e.g. while a new account awaits CloudFront verification). */
  readonly webSite: boolean;
}

/**
 * Default limits. The stage's own is sized for a rush (polls and joins); the routes that move
 * money or write much get less, so a bot hammering them cannot take the stage's whole budget.
 */
export const DEFAULT_THROTTLE: ThrottleLimits = { rateLimit: 2000, burstLimit: 4000 };
export const DEFAULT_ROUTE_THROTTLES: Readonly<Record<string, ThrottleLimits>> = {
  'POST /reservations': { rateLimit: 1000, burstLimit: 2000 },
  'POST /payments': { rateLimit: 500, burstLimit: 1000 },
  'POST /balance/charge': { rateLimit: 200, burstLimit: 400 },
  'POST /admin/concerts': { rateLimit: 2, burstLimit: 5 },
};

const count = z.coerce.number().int().min(1).max(1_000_000);
const limitsSchema = z.strictObject({ rateLimit: count, burstLimit: count });
const routeKeys = new Set<string>(routes.map(routeKeyOf));
const routeThrottlesSchema = z.record(z.string(), limitsSchema).superRefine((limits, check) => {
  for (const key of Object.keys(limits)) {
    if (!routeKeys.has(key)) check.addIssue({ code: 'custom', path: [key], message: 'is not a route of functions/http/route-table.ts' });
  }
});
/** An https origin, or a plain-http one on this machine for a developer's page; never a wildcard. */
const originSchema = z
  .string()
  .regex(
    /^(https:\/\/[a-z0-9.-]+(:\d+)?|http:\/\/(localhost|127\.0\.0\.1)(:\d+)?)$/,
    'must be https://host[:port] (or http://localhost[:port]), without a path or wildcard',
  );

/** `-c webSite=false` arrives as a string; cdk.json context arrives as a boolean. */
const booleanSchema = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

export const DEFAULT_STAGE = 'dev';
const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,23}$/;

/** Context key (`-c holdSeconds=120`) of each setting; unset ones take the defaults of functions/shared/config.ts. */
const SETTING_CONTEXT_KEYS = {
  HOLD_SECONDS: 'holdSeconds',
  ACTIVE_SECONDS: 'activeSeconds',
  ADMIT_PER_TICK: 'admitPerTick',
  MAX_ACTIVE_PER_CONCERT: 'maxActivePerConcert',
  QUEUE_SHARDS: 'queueShards',
  POLL_ADMISSION_CACHE_MS: 'pollAdmissionCacheMs',
} as const;

/** Reads the stage and the settings from CDK context, validated as the functions will validate them. */
export function readStageConfig(node: Node): StageConfig {
  const stage = String(node.tryGetContext('stage') ?? DEFAULT_STAGE);
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`stage '${stage}' must be lower-case letters, digits and '-', starting with a letter, at most 24 characters`);
  }
  const fromContext: Record<string, string> = {};
  for (const [envName, contextKey] of Object.entries(SETTING_CONTEXT_KEYS)) {
    const value: unknown = node.tryGetContext(contextKey);
    if (value !== undefined) fromContext[envName] = String(value);
  }
  const settings = readSettings({ ...fromContext, JOB_INTERVAL_SECONDS: String(admissionIntervalSeconds()) });
  const context = (key: string): unknown => node.tryGetContext(key);
  return {
    stage,
    throttle: parseContext('throttleRate/throttleBurst', limitsSchema, {
      rateLimit: context('throttleRate') ?? DEFAULT_THROTTLE.rateLimit,
      burstLimit: context('throttleBurst') ?? DEFAULT_THROTTLE.burstLimit,
    }),
    routeThrottles: {
      ...DEFAULT_ROUTE_THROTTLES,
      ...parseContext('routeThrottles', routeThrottlesSchema, jsonContext(context('routeThrottles')) ?? {}),
    },
    allowedOrigins: parseContext('allowedOrigins', z.array(originSchema), listContext(context('allowedOrigins'))),
    jobReservedConcurrency: parseContext('jobReservedConcurrency', count.optional(), context('jobReservedConcurrency')),
    webSite: parseContext('webSite', booleanSchema, context('webSite') ?? true),
    settingsEnvironment: {
      HOLD_SECONDS: String(settings.holdSeconds),
      ACTIVE_SECONDS: String(settings.activeSeconds),
      ADMIT_PER_TICK: String(settings.admitPerTick),
      MAX_ACTIVE_PER_CONCERT: String(settings.maxActivePerConcert),
      // The deployed admission rate, which the wait estimates are based on.
      JOB_INTERVAL_SECONDS: String(settings.admissionIntervalSeconds),
      // Only when asked for (`-c queueShards=16`): unset, the functions keep the one exact counter.
      ...(settings.queueShards > 1 ? { QUEUE_SHARDS: String(settings.queueShards) } : {}),
      // Always named: unset, the functions take their own default (1000 ms), and 0 must reach them as 0.
      POLL_ADMISSION_CACHE_MS: String(settings.pollAdmissionCacheMs),
    },
  };
}

function admissionIntervalSeconds(): number {
  const admission = jobs.find((job) => job.name === 'admission');
  if (!admission) throw new Error('functions/jobs/job-table.ts has no admission job');
  return admission.rateMinutes * 60;
}

function parseContext<T>(name: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${[name, ...issue.path].join('.')}: ${issue.message}`);
    throw new Error(`invalid context: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** `-c key=<JSON>` arrives as a string; cdk.json context arrives parsed. */
function jsonContext(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new Error(`invalid context: ${value} is not JSON`);
  }
}

/** A list from cdk.json, or a comma-separated string from `-c`. */
function listContext(value: unknown): unknown {
  if (value === undefined) return [];
  if (typeof value !== 'string') return value;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
