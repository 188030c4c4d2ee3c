/**
 * One live time chart (uPlot): a title, a unit on the y axis, one or more lines over the last
 * hours, and a legend that reads the values under the cursor. `update` swaps the data in place,
 * so a refresh every few seconds keeps the chart (and the reader's place) as it is.
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
  /** How a value reads on the axis and in the legend. */
  readonly format: (value: number) => string;
}

const HEIGHT = 200;
const INK = '#1b1d24';
const GRID = '#e4e2dc';

export class LiveChart {
  readonly element: HTMLElement;
  private plot: uPlot | undefined;
  private readonly empty: HTMLElement;

  constructor(
    private readonly spec: ChartSpec,
    scope: Scope,
  ) {
    this.empty = h('p', { class: 'chart-empty hint' }, 'No points yet: the first comes with the next admission run.');
    this.element = h('figure', { class: 'chart card', 'aria-label': `${spec.title} (${spec.unit})` }, this.empty);
    const resize = () => this.plot?.setSize({ width: this.width(), height: HEIGHT });
    window.addEventListener('resize', resize);
    scope.onDispose(() => {
      window.removeEventListener('resize', resize);
      this.plot?.destroy();
    });
  }

  /** `x` in epoch seconds; one array per line, aligned with `x`. */
  update(x: readonly number[], lines: ReadonlyArray<ReadonlyArray<number | null>>): void {
    const data = [x, ...lines] as unknown as uPlot.AlignedData;
    this.empty.hidden = x.length > 0;
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    if (!this.element.isConnected) return; // drawn at the first update after the view is on the page
    this.plot = new uPlot(this.options(), data, this.element);
  }

  private width(): number {
    return Math.max(260, Math.floor(this.element.clientWidth - 24));
  }

  private options(): uPlot.Options {
    const { spec } = this;
    const format = (value: number | null | undefined) => (value === null || value === undefined ? '—' : spec.format(value));
    return {
      title: spec.title,
      width: this.width(),
      height: HEIGHT,
      scales: {
        x: { time: true },
        // From zero, so a small change does not look like a cliff.
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        { stroke: INK, grid: { stroke: GRID } },
        {
          stroke: INK,
          grid: { stroke: GRID },
          label: spec.unit,
          size: 64,
          values: (_u, splits) => splits.map((value) => spec.format(value)),
        },
      ],
      series: [
        { label: 'Time', value: (_u, value) => (value === null ? '—' : new Date(value * 1000).toLocaleTimeString('en-GB')) },
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
