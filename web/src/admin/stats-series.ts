/**
 * The stats series as chart lines. A point carries the levels at its time (waiting, active) and the
 * running totals (joined, admitted, sold, revenue); "admitted per minute" is the rise of the total
 * between two points over the minutes between them.
 */
import type { StatsPoint } from './console-types';

export interface ChartLines {
  /** Epoch seconds of each point. */
  readonly x: number[];
  readonly waiting: number[];
  readonly active: number[];
  /** Null at the first point, which has nothing before it. */
  readonly admittedPerMinute: Array<number | null>;
  readonly sold: number[];
  readonly revenue: number[];
}

export function chartLines(series: readonly StatsPoint[]): ChartLines {
  const points = [...series].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const x = points.map((point) => Date.parse(point.at) / 1000);
  return {
    x,
    waiting: points.map((point) => point.waiting),
    active: points.map((point) => point.active),
    admittedPerMinute: points.map((point, i) => {
      const before = points[i - 1];
      if (!before) return null;
      const minutes = (x[i]! - x[i - 1]!) / 60;
      return minutes > 0 ? Math.max(0, point.admitted - before.admitted) / minutes : null;
    }),
    sold: points.map((point) => point.sold),
    revenue: points.map((point) => point.revenue),
  };
}

/** Large numbers short on an axis: 950, 12.5k, 3.2M. */
export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${trim(value / 1e9)}B`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  return Number.isInteger(value) ? value.toLocaleString('en-US') : trim(value);
}

const trim = (value: number) => String(Math.round(value * 10) / 10);
