import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One measured figure, as `bench/results.json` lists it. */
export interface Figure {
  /** Which of the figures it belongs to, e.g. `1 round trips`. */
  readonly group: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The target as text (`<= 1.5`, `== 1`), or null for a figure that is only reported. */
  readonly target: string | null;
  /** Whether the value meets the target; null when there is no target or it could not be measured. */
  readonly pass: boolean | null;
  readonly note?: string;
}

export type Comparison = '<=' | '==' | '>=';

/** A figure with a target: pass is computed from the value. */
export function judged(group: string, name: string, value: number, unit: string, op: Comparison, limit: number, note?: string): Figure {
  const pass = Number.isFinite(value) && (op === '<=' ? value <= limit : op === '>=' ? value >= limit : value === limit);
  return { group, name, value, unit, target: `${op} ${limit}`, pass, ...(note ? { note } : {}) };
}

/** A figure that is reported without a target. */
export function reported(group: string, name: string, value: number, unit: string, note?: string): Figure {
  return { group, name, value, unit, target: null, pass: null, ...(note ? { note } : {}) };
}

/** A figure that could not be measured in this run (e.g. `--base-url` without DynamoDB access). */
export function notMeasured(group: string, name: string, unit: string, target: string | null, why: string): Figure {
  return { group, name, value: Number.NaN, unit, target, pass: null, note: `not measured: ${why}` };
}

export interface BenchResults {
  readonly mode: 'quick' | 'full';
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGiB: number;
    readonly node: string;
    readonly platform: string;
  };
  readonly environment: string;
  readonly figures: readonly Figure[];
}

export function writeResults(path: string, results: BenchResults): void {
  mkdirSync(dirname(path), { recursive: true });
  // NaN is not JSON: a figure that was not measured has value null.
  const json = JSON.stringify(results, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
  writeFileSync(path, `${json}\n`);
}

/** The table printed at the end of a run (markdown, so it can go into BENCHMARKS.md as it is). */
export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.group,
    f.name,
    Number.isFinite(f.value) ? formatNumber(f.value) : '—',
    f.unit,
    f.target ?? '',
    f.pass === null ? '' : f.pass ? 'pass' : 'FAIL',
    f.note ?? '',
  ]);
  const header = ['figure', 'name', 'value', 'unit', 'target', 'result', 'note'];
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 4;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}
