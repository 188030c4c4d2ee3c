import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Template } from '../../local/synth/assembly';

export const ROOT = resolve(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** The assembly the global setup synthesized. */
export function assemblyDir(): string {
  const dir = process.env.SYNTH_ASSEMBLY_DIR;
  if (!dir) throw new Error('SYNTH_ASSEMBLY_DIR is not set: run these tests with `npm run test:synth`');
  return dir;
}

export interface RunningCli {
  readonly url: string;
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** `npm run start:synth -- --no-synth --out <assembly>` as a process of its own; resolves once it says ready. */
export async function startSynthCli(env: Record<string, string>): Promise<RunningCli> {
  const child = spawn(TSX, ['local/synth/start.ts', '--no-synth', '--out', assemblyDir()], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`start:synth was not ready within 60 s:\n${output}`)), 60_000);
    const check = () => {
      const ready = /ready: (http:\/\/[\d.:]+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolveReady(ready[1]);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start:synth exited (${code}) before it was ready:\n${output}`));
    });
  });
  return { url, output: () => output, stop: () => stopProcess(child) };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGINT');
  });
}

/** The synthesized stack's template. */
export function readTemplate(
  dir = assemblyDir(),
): Template & { Resources: Record<string, { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any> }> } {
  return JSON.parse(readFileSync(join(dir, 'ConcertReservation-dev.template.json'), 'utf8'));
}

/** A copy of the assembly with something broken in it; the large zip assets nobody serves are left out. */
export function brokenCopy(edit: (dir: string, template: ReturnType<typeof readTemplate>) => void): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'concert-broken-'));
  cpSync(assemblyDir(), dir, { recursive: true, filter: (source) => !source.endsWith('.zip') });
  const template = readTemplate(dir);
  edit(dir, template);
  writeFileSync(join(dir, 'ConcertReservation-dev.template.json'), JSON.stringify(template));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The logical id of the resource whose construct path (without the stack) is `path`. */
export function logicalIdAt(template: ReturnType<typeof readTemplate>, path: string): string {
  const found = Object.entries(template.Resources).find(
    ([, resource]) => resource.Metadata?.['aws:cdk:path'] === `ConcertReservation-dev/${path}`,
  );
  if (!found) throw new Error(`no resource at ${path}`);
  return found[0];
}
