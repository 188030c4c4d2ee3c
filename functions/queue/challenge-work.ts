import type { AdmissionState } from './queue-rules';

/** The concert's `challengeWork` (its waiting-room settings): about how many attempts a join's proof of work takes; 0, none. */
export const challengeWorkOf = (admission: AdmissionState): number => admission.settings?.settings.challengeWork ?? 0;
