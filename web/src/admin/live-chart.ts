/**
 * One live time chart (uPlot): a heading with the latest values, a unit on the y axis, one or more
 * lines over the last hours, and a legend that reads the values under the cursor. `update` swaps
 * the data in place, so a refresh every few seconds keeps the chart (and the reader's place).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Scope } from '../context';
import { h } from '../dom';

export interface LineSpec {
  readonly label: string;
  readonly color: string;
}
export interface ChartSpec {
  readonly title: string;
  /** The y axis's label, e.g. "people" or "KRW". */
  readonly unit: string;
  readonly lines: readonly LineSpec[];
  /** How a value reads on the axis and in the legend (short). */
  readonly format: (value: number) => string;
  /** How the latest value reads under the heading (in full); `format` when absent. */
  readonly formatLatest?: (value: number) => string;
}

const HEIGHT = 220;
const INK = '#1b1d24';
const GRID = '#e4e2dc';
const clock = (seconds: number, withSeconds = false) =>
  new Date(seconds * 1000).toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' } : {}),
  });

export class LiveChart {
  readonly element: HTMLElement;
  private plot: uPlot | undefined;
  private readonly latest: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly area: HTMLElement;

  constructor(
    private readonly spec: ChartSpec,
    scope: Scope,
  ) {
    const id = `chart-${spec.title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
    this.latest = h('p', { class: 'latest' });
    this.empty = h('p', { class: 'hint' }, 'No points yet: the first comes with the next admission run.');
    this.area = h('div', { class: 'chart-area' });
    this.element = h(
      'figure',
      { class: 'chart card', 'aria-labelledby': id },
      h('figcaption', null, h('h3', { id }, spec.title, h('span', { class: 'unit' }, ` (${spec.unit})`)), this.latest),
      this.empty,
      this.area,
    );
    // The grid decides the width: follow it, on a window resize or a change of columns alike.
    const observer = new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT }));
    observer.observe(this.area);
    scope.signal.addEventListener(
      'abort',
      () => {
        observer.disconnect();
        this.plot?.destroy();
      },
      { once: true },
    );
  }

  /** `x` in epoch seconds; one array per line, aligned with `x`. */
  update(x: readonly number[], lines: ReadonlyArray<ReadonlyArray<number | null>>): void {
    this.empty.hidden = x.length > 0;
    const formatLatest = this.spec.formatLatest ?? this.spec.format;
    this.latest.textContent = this.spec.lines
      .map((line, i) => {
        const value = [...(lines[i] ?? [])].reverse().find((v) => v !== null);
        return `${line.label}: ${value === undefined || value === null ? '—' : formatLatest(value)}`;
      })
      .join(' · ');
    const data = [x, ...lines] as unknown as uPlot.AlignedData;
    if (this.plot) this.plot.setData(data);
    else if (this.area.isConnected) this.plot = new uPlot(this.options(), data, this.area);
  }

  private width(): number {
    return Math.max(240, Math.floor(this.area.clientWidth));
  }

  private options(): uPlot.Options {
    const { spec } = this;
    const format = (value: number | null | undefined) => (value === null || value === undefined ? '—' : spec.format(value));
    return {
      width: this.width(),
      height: HEIGHT,
      scales: {
        x: { time: true },
        // From zero, so a small change does not look like a cliff.
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        // Ticks less than a minute apart (a short series) show their seconds.
        { stroke: INK, grid: { stroke: GRID }, values: (_u, splits, _axis, _space, step) => splits.map((x) => clock(x, step < 60)) },
        {
          stroke: INK,
          grid: { stroke: GRID },
          label: spec.unit,
          size: 64,
          values: (_u, splits) => splits.map((value) => spec.format(value)),
        },
      ],
      series: [
        { label: 'Time', value: (_u, value) => (value === null ? '—' : clock(value, true)) },
        ...spec.lines.map((line) => ({
          label: line.label,
          stroke: line.color,
          width: 2,
          fill: `${line.color}1f`,
          points: { show: false },
          value: (_u: uPlot, value: number | null) => format(value),
        })),
      ],
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
    };
  }
}
