import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One line of `ps`: a process, its parent and its resident memory in KiB. */
export interface ProcessRow {
  readonly pid: number;
  readonly ppid: number;
  readonly rssKiB: number;
  readonly command: string;
}

/** Every process on the machine, from `ps` (Linux and macOS alike). */
export function listProcesses(): ProcessRow[] {
  const output = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,rss=,args='], { encoding: 'utf8' });
  return output.split('\n').flatMap((line) => {
    const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    return match ? [{ pid: Number(match[1]), ppid: Number(match[2]), rssKiB: Number(match[3]), command: match[4] }] : [];
  });
}

/** The process `root` and all its descendants, root first. */
export function processTree(rows: readonly ProcessRow[], root: number): ProcessRow[] {
  const children = new Map<number, ProcessRow[]>();
  for (const row of rows) children.set(row.ppid, [...(children.get(row.ppid) ?? []), row]);
  const tree: ProcessRow[] = [];
  const pending = rows.filter((row) => row.pid === root);
  while (pending.length > 0) {
    const row = pending.shift()!;
    tree.push(row);
    pending.push(...(children.get(row.pid) ?? []).filter((child) => child.pid !== row.pid));
  }
  return tree;
}

/** Resident memory of a process tree, in MiB (each process's RSS counted in full, shared pages too). */
export function treeRssMiB(tree: readonly ProcessRow[]): number {
  return tree.reduce((sum, row) => sum + row.rssKiB, 0) / 1024;
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc; undefined where there is
 * no /proc (macOS) or the process is gone.
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux the bench runs on. */
const CLOCK_TICKS = 100;

/** Adds up a process's CPU seconds over the stretches between start() and stop(); undefined without /proc. */
export function cpuMeter(pid: number | undefined): { start(): void; stop(): void; readonly seconds: number | undefined } {
  let total: number | undefined = pid === undefined ? undefined : 0;
  let startedAt: number | undefined;
  const read = () => (pid === undefined ? undefined : cpuSeconds(pid));
  return {
    start: () => void (startedAt = read()),
    stop: () => {
      const now = read();
      total = total === undefined || startedAt === undefined || now === undefined ? undefined : total + now - startedAt;
    },
    get seconds() {
      return total;
    },
  };
}

/** Measures how busy processes were while `work` ran: each one's CPU use as a share of one core. */
export async function withCpuShares<T>(
  pids: Record<string, number | undefined>,
  work: () => Promise<T>,
): Promise<{ result: T; seconds: number; shares: Record<string, number | undefined> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid === undefined ? undefined : cpuSeconds(pid)]));
  const started = process.hrtime.bigint();
  const result = await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const shares = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => {
      const end = pid === undefined ? undefined : cpuSeconds(pid);
      const start = before[name];
      return [name, end === undefined || start === undefined ? undefined : (end - start) / seconds];
    }),
  );
  return { result, seconds, shares };
}
