import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const PROJECT_ROOT = resolve(__dirname, '..', '..');

/**
 * Runs the project's `cdk synth` (the app of cdk.json, with its policy checks) into `outdir`;
 * `args` go to cdk as they are (`-c stage=prod`, `-c holdSeconds=60`). Rejects with cdk's own
 * words when the synth fails.
 */
export function synthesize(options: { outdir: string; args?: readonly string[]; echo?: boolean }): Promise<void> {
  const cdk = require.resolve('aws-cdk/bin/cdk');
  const child = spawn(process.execPath, [cdk, 'synth', '--quiet', '--no-notices', '--output', options.outdir, ...(options.args ?? [])], {
    cwd: PROJECT_ROOT,
    stdio: options.echo ? 'inherit' : 'pipe',
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr])
    stream?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
  return new Promise((resolveSynth, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolveSynth() : reject(new Error(`cdk synth failed (exit ${code})${output ? `:\n${output}` : ''}`)),
    );
  });
}
