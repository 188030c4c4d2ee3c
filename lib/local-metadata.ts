/**
 * Resource metadata that only `npm run start:synth` reads (CloudFormation ignores a resource's
 * Metadata): the local path of the `POST /local/jobs/*` route that runs a schedule's job at once.
 * No imports, so local/synth can read it without loading anything of functions/.
 */
export const LOCAL_JOB_PATH_METADATA = 'concert-reservation:local-job-path';
