/**
 * The scheduled jobs. The stack gives each an EventBridge rule at this rate; the local server
 * runs them on its timer (JOB_INTERVAL_SECONDS) and on `POST /local/jobs/<localName>`.
 */
export interface JobDefinition {
  readonly name: 'admission' | 'expiry';
  readonly entry: string;
  /** Deployed rate. */
  readonly rateMinutes: number;
  readonly localPath: string;
}

export const jobs: readonly JobDefinition[] = [
  { name: 'admission', entry: 'functions/jobs/admission.ts', rateMinutes: 1, localPath: '/local/jobs/activate' },
  { name: 'expiry', entry: 'functions/jobs/expiry.ts', rateMinutes: 1, localPath: '/local/jobs/expire' },
];
