import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import { timeLabels } from '../history/axis-labels.ts';

export interface ChartSeries {
  label: string;
  /** One value per x; null is a gap (drawn as a break, never as zero). */
  values: (number | null)[];
  color: string;
  /** Fill under a line. */
  fill?: string;
}

const AXIS = { stroke: '#94a3b8', grid: { stroke: '#1e293b', width: 1 }, ticks: { stroke: '#334155', width: 1 } };

/**
 * A chart drawn by uPlot (canvas): a time series (`kind="time"`, x in epoch seconds, shown in `timeZone`) or bars
 * over categories (`kind="bars"`, one `labels` entry per x). The numbers behind it are the `x` and `series`
 * properties (and `data`), for tables, tests and screen-reader alternatives.
 */
export class LwHistoryChart extends LitElement {
  static override properties = {
    kind: { type: String },
    x: { attribute: false },
    series: { attribute: false },
    labels: { attribute: false },
    timeZone: { type: String, attribute: 'time-zone' },
    yMax: { attribute: false },
    heading: { type: String },
  };

  declare kind: 'time' | 'bars';
  declare x: number[];
  declare series: ChartSeries[];
  declare labels: string[];
  declare timeZone: string;
  /** Fixed top of the y scale (e.g. 1 for shares), or null to fit the data. */
  declare yMax: number | null;
  declare heading: string;

  private plot: uPlot | null = null;
  private resize: ResizeObserver | null = null;

  constructor() {
    super();
    this.kind = 'time';
    this.x = [];
    this.series = [];
    this.labels = [];
    this.timeZone = 'UTC';
    this.yMax = null;
    this.heading = '';
  }

  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host {
        display: block;
        min-height: 220px;
      }
      .plot {
        width: 100%;
      }
      .u-legend {
        color: #cbd5e1;
        font-size: 0.85rem;
      }
    `,
  ];

  /** The aligned arrays uPlot draws: x first, then one array per series. */
  get data(): uPlot.AlignedData {
    return [this.x, ...this.series.map((s) => s.values)] as uPlot.AlignedData;
  }

  override render() {
    return html`<div class="plot" role="img" aria-label=${this.heading}></div>`;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize = new ResizeObserver(() => this.plot?.setSize(this.size()));
    this.resize.observe(this);
    // Moved in the page: the plot went with the disconnect, and no update is coming to draw it again.
    if (this.hasUpdated && !this.plot) this.draw();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  protected override updated(changed: PropertyValues<this>): void {
    const shape = changed.has('kind') || changed.has('labels') || changed.has('timeZone') || changed.has('yMax') || changed.has('series');
    if (this.plot && !shape) this.plot.setData(this.data);
    else this.draw();
    this.dataset.points = String(this.series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0));
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, Math.floor(this.clientWidth || 320)), height: 200 };
  }

  private draw(): void {
    this.plot?.destroy();
    const target = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (!target) return;
    const bars = this.kind === 'bars';
    const labels = this.labels;
    const opts: uPlot.Options = {
      ...this.size(),
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: bars ? { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] } : { time: true },
        y: { range: (_u, _min, max) => [0, this.yMax ?? Math.max(1, max)] },
      },
      axes: [
        bars
          ? { ...AXIS, values: (_u, splits) => splits.map((i) => labels[i] ?? '') }
          : { ...AXIS, space: 64, values: (_u, splits) => timeLabels(splits, this.timeZone) },
        { ...AXIS, size: 44 },
      ],
      series: [
        {},
        ...this.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          // A value with no neighbour (a single step counted, or one between gaps) is a point, not nothing.
          points: { show: isolated(s.values), size: 7, fill: s.color },
          ...(s.fill ? { fill: s.fill } : {}),
          ...(bars ? { paths: uPlot.paths.bars!({ size: [0.7, 60] }), fill: s.fill ?? s.color, points: { show: false } } : {}),
          // A gap stays a gap: no line is drawn across time nobody counted.
          spanGaps: false,
        })),
      ],
      ...(bars ? {} : { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), this.timeZone) }),
    };
    this.plot = new uPlot(opts, this.data, target);
  }
}

/** Whether some value has no non-null neighbour, so a line alone would not show it. */
function isolated(values: readonly (number | null)[]): boolean {
  return values.some((v, i) => v !== null && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null);
}

customElements.define('lw-history-chart', LwHistoryChart);

declare global {
  interface HTMLElementTagNameMap {
    'lw-history-chart': LwHistoryChart;
  }
}
