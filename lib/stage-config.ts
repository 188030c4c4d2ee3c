import type { Node } from 'constructs';
import { jobs } from '../functions/jobs/job-table';
import { readSettings } from '../functions/shared/config';

export interface StageConfig {
  /** `-c stage=<name>`; part of the stack name, so stages live side by side in one account. */
  readonly stage: string;
  /** The settings every function gets as environment variables. */
  readonly settingsEnvironment: Readonly<Record<string, string>>;
}

export const DEFAULT_STAGE = 'dev';
const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,23}$/;

/** Context key (`-c holdSeconds=120`) of each setting; unset ones take the defaults of functions/shared/config.ts. */
const SETTING_CONTEXT_KEYS = {
  HOLD_SECONDS: 'holdSeconds',
  ACTIVE_SECONDS: 'activeSeconds',
  ADMIT_PER_TICK: 'admitPerTick',
  MAX_ACTIVE_PER_CONCERT: 'maxActivePerConcert',
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
  return {
    stage,
    settingsEnvironment: {
      HOLD_SECONDS: String(settings.holdSeconds),
      ACTIVE_SECONDS: String(settings.activeSeconds),
      ADMIT_PER_TICK: String(settings.admitPerTick),
      MAX_ACTIVE_PER_CONCERT: String(settings.maxActivePerConcert),
      // The deployed admission rate, which the wait estimates are based on.
      JOB_INTERVAL_SECONDS: String(settings.admissionIntervalSeconds),
    },
  };
}

function admissionIntervalSeconds(): number {
  const admission = jobs.find((job) => job.name === 'admission');
  if (!admission) throw new Error('functions/jobs/job-table.ts has no admission job');
  return admission.rateMinutes * 60;
}
