/**
 * Figure 13: the memory of `npm start` left idle. The bench runs `npm start` itself, as a user
 * would (its own DynamoDB Local in memory, the demo data, the job timer), waits until it is ready
 * and then idle, and sums the resident memory of every process it runs, npm included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { listProcesses, processTree, treeRssMiB, type ProcessRow } from '../process-stats';
import { judged, notMeasured, reported } from '../results';
import type { Scenario } from '../scenario';
import { median, round, sleep } from '../stats';

const GROUP = '13 idle memory';
const ROOT = resolve(__dirname, '..', '..');
const READY_WITHIN_MS = 120_000;
const SAMPLES = 5;

export const memoryScenario: Scenario = {
  name: 'memory',
  async run({ sizes, log }) {
    if (process.platform === 'win32') return [notMeasured(GROUP, 'idle RSS of everything npm start runs', 'MiB', '<= 250', 'needs ps')];
    log(`memory: npm start, idle for ${sizes.memoryIdleSeconds} s`);
    const { DYNAMODB_ENDPOINT: _ownDatabase, DATA_DIR: _dataDir, ...env } = process.env;
    // Its own process group, so stopping it stops everything it started, as Ctrl-C does.
    const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...env, PORT: '0' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await ready(child);
      await sleep(sizes.memoryIdleSeconds * 1000);
      const samples: { total: number; tree: ProcessRow[] }[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const tree = processTree(listProcesses(), child.pid!);
        samples.push({ total: treeRssMiB(tree), tree });
        await sleep(1000);
      }
      const middle = [...samples].sort((a, b) => a.total - b.total)[Math.floor(SAMPLES / 2)];
      const parts = middle.tree.map((row) => `${describe(row.command)} ${round(row.rssKiB / 1024, 0)}`).join(', ');
      log(`  ${round(middle.total, 0)} MiB: ${parts}`);
      return [
        judged(
          GROUP,
          'idle RSS of everything npm start runs',
          round(median(samples.map((s) => s.total)), 0),
          'MiB',
          '<=',
          250,
          `median of ${SAMPLES} readings a second apart after ${sizes.memoryIdleSeconds} s idle, each process's RSS in full (shared pages counted in each): ${parts}`,
        ),
        reported(
          GROUP,
          'processes npm start leaves running',
          middle.tree.length,
          'processes',
          middle.tree.map((row) => describe(row.command)).join(', '),
        ),
      ];
    } finally {
      await stop(child);
    }
  },
};

/** A short name for a process in the note: its program and, for node, its script. */
function describe(command: string): string {
  if (/\bjava\b/.test(command)) return 'java (DynamoDB Local)';
  if (/^npm\b|\/npm(-cli\.js)?\b/.test(command)) return 'npm';
  if (/esbuild/.test(command)) return 'esbuild';
  if (/^(\/\S+\/)?(sh|bash|dash)\b/.test(command)) return 'sh';
  const script = /(\S+\.(?:ts|js|mjs|cjs))(\s|$)/.exec(command);
  return script ? `node ${script[1].split('/').slice(-2).join('/')}` : command.split(' ')[0];
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`npm start was not ready within ${READY_WITHIN_MS / 1000} s: ${output.slice(-500)}`)),
      READY_WITHIN_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/\[local\] ready: /.test(output)) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}): ${output.slice(-500)}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  process.kill(-child.pid!, 'SIGINT');
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}
