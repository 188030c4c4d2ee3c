import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../local/synth/synthesize';
import startDynamoDb from '../support/global-setup';

/**
 * One DynamoDB Local and one `cdk synth` for the run, into a directory of its own so it never
 * meets a `cdk synth` running at the same time in cdk.out. SYNTH_ASSEMBLY_DIR set beforehand
 * serves that assembly instead (quicker while working on the tests).
 */
export default async function globalSetup(): Promise<void> {
  await startDynamoDb();
  if (process.env.SYNTH_ASSEMBLY_DIR) return;
  const outdir = mkdtempSync(join(tmpdir(), 'concert-synth-test-'));
  await synthesize({ outdir });
  process.env.SYNTH_ASSEMBLY_DIR = outdir;
  (globalThis as { __synthDir?: string }).__synthDir = outdir;
}
