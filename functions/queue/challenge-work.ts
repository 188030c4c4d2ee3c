import type { AdmissionState } from './queue-rules';

/** The concert's `challengeWork` (its waiting-room settings): about how many attempts a join's proof of work takes; 0, none. */
export const challengeWorkOf = (admission: AdmissionState): number =>
  (admission as AdmissionState & { readonly settings?: { readonly challengeWork?: number } }).settings?.challengeWork ?? 0;
