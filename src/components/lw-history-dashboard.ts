import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { ExportFormat, ExportTable } from '../history/exports.ts';
import { formatBytes, formatDuration, formatShare } from '../history/format.ts';
import type { HistoryStatus, RangeChoice, RangePreset } from '../history/query.ts';
import type { HistoryReport } from '../history/report.ts';
import type { StorageInfo } from '../history/source.ts';
import { WEEKDAY_NAMES, formatLocal } from '../history/zoned-time.ts';
import './lw-history-chart.ts';
import type { ChartSeries } from './lw-history-chart.ts';
import { controlStyles } from './shared-styles.ts';

const PRESETS: readonly [RangePreset, string][] = [
  ['today', 'Today'],
  ['7d', '7 days'],
  ['30d', '30 days'],
];
const HOURS = Array.from({ length: 24 }, (_, h) => String(h));
// Made once: a chart given new arrays redraws its plot from scratch.
const HOUR_X = HOURS.map((_, i) => i);
const WEEKDAY_X = WEEKDAY_NAMES.map((_, i) => i);
const WEEKDAY_LABELS = [...WEEKDAY_NAMES];

/** What a report's charts draw. */
interface ReportCharts {
  readonly x: number[];
  readonly overTime: ChartSeries[];
  readonly byHour: ChartSeries[];
  readonly byWeekday: ChartSeries[];
}

const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);

function chartsOf(r: HistoryReport): ReportCharts {
  return {
    x: r.series.map((p) => Date.parse(p.start) / 1000),
    overTime: [
      { label: 'occupied', values: r.series.map((p) => p.occupied), color: '#f87171', fill: 'rgba(248,113,113,0.15)' },
      { label: 'free', values: r.series.map((p) => p.available), color: '#4ade80' },
    ],
    byHour: [{ label: 'occupancy %', values: r.by_hour.map((c) => pct(c.occupancy)), color: '#f87171', fill: '#b91c1c' }],
    byWeekday: [{ label: 'occupancy %', values: r.by_weekday.map((c) => pct(c.occupancy)), color: '#f87171', fill: '#b91c1c' }],
  };
}

/**
 * The history dashboard: occupancy over time, by hour of day and day of week, per slot (utilisation, dwell), the
 * longest-occupied slots, exports, and (on the counting device) storage and retention. Shows what it is given.
 *
 * @fires history-range-changed - `{ choice }` the user picked another range
 * @fires history-export-requested - `{ table, format }` a download was asked for
 * @fires history-retention-changed - `{ days }` a new retention period was saved
 */
export class LwHistoryDashboard extends LitElement {
  static override properties = {
    report: { attribute: false },
    status: { type: String },
    error: { type: String },
    choice: { attribute: false },
    timeZone: { type: String, attribute: 'time-zone' },
    storage: { attribute: false },
    retentionDays: { attribute: false },
    eventsExport: { type: Boolean, attribute: 'events-export' },
    note: { type: String },
    emptyHint: { type: String, attribute: 'empty-hint' },
    showTable: { state: true },
  };

  declare report: HistoryReport | null;
  /** Why a range can be empty, said when it is (this device records only while its camera counts). */
  declare emptyHint: string;
  declare status: HistoryStatus;
  declare error: string;
  declare choice: RangeChoice;
  declare timeZone: string;
  /** What this device stores; null where that does not apply (a relay's viewer). */
  declare storage: StorageInfo | null;
  declare retentionDays: number | null;
  /** Whether raw events can be exported (the device's own history). */
  declare eventsExport: boolean;
  declare note: string;
  declare showTable: boolean;
  /** The report's chart data, made when the report changes, so other renders (notes, toggles) leave the charts be. */
  private charts: ReportCharts | null = null;

  constructor() {
    super();
    this.emptyHint = '';
    this.report = null;
    this.status = 'loading';
    this.error = '';
    this.choice = { preset: 'today' };
    this.timeZone = 'UTC';
    this.storage = null;
    this.retentionDays = null;
    this.eventsExport = false;
    this.note = '';
    this.showTable = false;
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        gap: 12px;
        color: #e2e8f0;
      }
      section {
        background: #0f172a;
        border-radius: 12px;
        padding: 10px 12px;
        min-width: 0;
      }
      h2 {
        font-size: 1rem;
        margin: 0 0 8px;
      }
      .bar {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: end;
      }
      .bar label {
        display: grid;
        gap: 2px;
        font-size: 0.85rem;
        color: #cbd5e1;
      }
      .meta,
      small,
      .hint {
        color: #94a3b8;
        font-size: 0.85rem;
      }
      .tiles {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(130px, 1fr));
        gap: 8px;
      }
      .tile {
        background: #0b1220;
        border-radius: 10px;
        padding: 8px 10px;
      }
      .tile b {
        display: block;
        font: 700 1.4rem/1.2 system-ui, sans-serif;
        font-variant-numeric: tabular-nums;
      }
      .grid2 {
        display: grid;
        gap: 12px;
        grid-template-columns: minmax(0, 1fr);
      }
      @media (min-width: 900px) {
        .grid2 {
          grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
        }
      }
      .scroll {
        overflow-x: auto;
      }
      table {
        border-collapse: collapse;
        font-size: 0.85rem;
        font-variant-numeric: tabular-nums;
        width: 100%;
      }
      th,
      td {
        padding: 4px 6px;
        text-align: right;
        white-space: nowrap;
      }
      th:first-child,
      td:first-child {
        text-align: left;
      }
      thead th {
        color: #94a3b8;
        font-weight: 600;
        border-bottom: 1px solid #1e293b;
      }
      .util {
        display: inline-block;
        height: 8px;
        background: #f87171;
        border-radius: 4px;
        vertical-align: middle;
        margin-right: 6px;
      }
      .heat td {
        min-width: 26px;
        text-align: center;
        padding: 3px 2px;
      }
      ol {
        margin: 0;
        padding-left: 1.4em;
      }
      li {
        min-height: 28px;
      }
      [role='alert'] {
        color: #fecaca;
      }
      summary {
        min-height: 44px;
        display: flex;
        align-items: center;
        cursor: pointer;
      }
      .exports {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('report')) this.charts = this.report ? chartsOf(this.report) : null;
  }

  override render() {
    const r = this.report;
    return html`${this.renderRange()}
      ${this.error ? html`<section role="alert" data-problem="history">${this.error}</section>` : nothing}
      ${r ? this.renderReport(r) : this.status === 'loading' ? html`<section role="status">Loading history…</section>` : nothing}
      ${this.renderExports()} ${this.renderStorage()}`;
  }

  private renderRange() {
    const c = this.choice;
    const r = this.report;
    return html`<section aria-label="Range">
      <div class="bar" role="group" aria-label="Range">
        ${PRESETS.map(
          ([p, label]) => html`<button aria-pressed=${c.preset === p ? 'true' : 'false'} @click=${() => this.pick({ preset: p })}>${label}</button>`,
        )}
        <button aria-pressed=${c.preset === 'custom' ? 'true' : 'false'} @click=${this.pickCustom}>Custom</button>
      </div>
      ${c.preset === 'custom'
        ? html`<form class="bar" style="margin-top:8px" @submit=${this.applyCustom}>
            <label>From <input name="from" type="date" required .value=${c.from} /></label>
            <label>To <input name="to" type="date" required .value=${c.to} /></label>
            <button type="submit" class="primary">Show</button>
          </form>`
        : nothing}
      <p class="meta" role="status" data-status=${this.status}>
        ${this.status === 'loading' ? 'Loading… ' : ''}${r
          ? html`${formatLocal(Date.parse(r.from), this.timeZone).slice(0, 16)} – ${formatLocal(Date.parse(r.to), this.timeZone).slice(0, 16)}
              (${this.timeZone}, ${r.step} steps) · counted <span data-coverage>${formatShare(r.coverage)}</span> of the time`
          : ''}
      </p>
    </section>`;
  }

  private renderReport(r: HistoryReport) {
    const c = this.charts ?? chartsOf(r);
    const heat = r.heatmap.some((row) => row.some((v) => v !== null));
    return html`${r.coverage === 0
        ? html`<section role="status" data-empty>
            <strong>Nothing was recorded in this range.</strong> ${this.emptyHint}
          </section>`
        : nothing}
      <section aria-labelledby="h-summary">
        <h2 id="h-summary">Summary</h2>
        <div class="tiles">
          ${tile('Mean occupancy', formatShare(r.summary.occupancy), 'occupancy')} ${tile('Peak occupied', r.summary.peak ?? '–', 'peak')}
          ${tile('Time full', formatShare(r.summary.full), 'full')} ${tile('Arrivals', r.summary.arrivals, 'arrivals')}
          ${tile('Median stay', formatDuration(r.dwell.median_s), 'median')} ${tile('Mean stay', formatDuration(r.dwell.mean_s), 'mean')}
        </div>
        <p class="hint">
          Stays: ${r.dwell.stays} with arrival and departure seen${r.dwell.censored
            ? html`; ${r.dwell.censored} more cut short by the range or by a pause in counting (the longest at least
              ${formatDuration(r.dwell.censored_longest_s)}), not in the mean or median`
            : ''}.
        </p>
      </section>
      <section aria-labelledby="h-time">
        <h2 id="h-time">Occupancy over time</h2>
        <lw-history-chart
          id="chart-time"
          kind="time"
          heading="Mean slots occupied and free over time"
          time-zone=${this.timeZone}
          .x=${c.x}
          .series=${c.overTime}
        ></lw-history-chart>
        <p class="hint">Slots occupied and free, on average in each step. Breaks in the lines are times the counter was not counting: unknown, not free.</p>
        <details @toggle=${(e: Event) => (this.showTable = (e.currentTarget as HTMLDetailsElement).open)}>
          <summary>As a table</summary>
          ${this.showTable ? this.renderSeriesTable(r) : nothing}
        </details>
      </section>
      <div class="grid2">
        <section aria-labelledby="h-hour">
          <h2 id="h-hour">By hour of day (%)</h2>
          <lw-history-chart
            id="chart-hour"
            kind="bars"
            heading="Mean occupancy by hour of day, in percent"
            .x=${HOUR_X}
            .labels=${HOURS}
            .yMax=${100}
            .series=${c.byHour}
          ></lw-history-chart>
        </section>
        <section aria-labelledby="h-weekday">
          <h2 id="h-weekday">By day of week (%)</h2>
          <lw-history-chart
            id="chart-weekday"
            kind="bars"
            heading="Mean occupancy by day of week, in percent"
            .x=${WEEKDAY_X}
            .labels=${WEEKDAY_LABELS}
            .yMax=${100}
            .series=${c.byWeekday}
          ></lw-history-chart>
        </section>
      </div>
      ${heat
        ? html`<section aria-labelledby="h-heat">
            <details>
              <summary><h2 id="h-heat" style="margin:0">Hour × day of week (%)</h2></summary>
              <div class="scroll">${this.renderHeatmap(r)}</div>
            </details>
          </section>`
        : nothing}
      <div class="grid2">
        <section aria-labelledby="h-slots">
          <h2 id="h-slots">Slots</h2>
          <div class="scroll">${this.renderSlots(r)}</div>
        </section>
        <section aria-labelledby="h-longest">
          <h2 id="h-longest">${r.current.live ? 'Occupied longest now' : `Occupied longest at ${formatLocal(Date.parse(r.current.at), this.timeZone).slice(0, 16)}`}</h2>
          ${r.current.longest.length
            ? html`<ol data-longest>
                ${r.current.longest.map(
                  (s) => html`<li data-id=${s.id}>
                    <b>${s.name}</b>: ${s.since_observed ? '' : 'at least '}${formatDuration(s.for_s)}
                    <small>(${s.since_observed ? 'since' : 'seen since'} ${formatLocal(Date.parse(s.since), this.timeZone).slice(5, 16)})</small>
                  </li>`,
                )}
              </ol>`
            : html`<p class="hint">${r.coverage === 0 ? 'Nothing was counted in this range.' : 'No slot was occupied then, or the counter was not counting at that moment.'}</p>`}
        </section>
      </div>`;
  }

  private renderSeriesTable(r: HistoryReport) {
    return html`<div class="scroll">
      <table data-series-table>
        <thead><tr><th>Start</th><th>Counted</th><th>Occupied</th><th>Free</th><th>Peak</th><th>Full</th></tr></thead>
        <tbody>
          ${r.series.map(
            (p) => html`<tr>
              <td>${formatLocal(Date.parse(p.start), this.timeZone).slice(0, 16)}</td>
              <td>${formatShare(p.counted)}</td>
              <td>${p.occupied ?? '–'}</td>
              <td>${p.available ?? '–'}</td>
              <td>${p.peak ?? '–'}</td>
              <td>${formatShare(p.full)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private renderHeatmap(r: HistoryReport) {
    const color = (v: number | null) => (v === null ? 'transparent' : `rgba(248, 113, 113, ${0.1 + 0.9 * v})`);
    return html`<table class="heat">
      <thead><tr><th scope="col">Day</th>${HOURS.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
      <tbody>
        ${r.heatmap.map(
          (row, d) => html`<tr>
            <th scope="row">${WEEKDAY_NAMES[d]}</th>
            ${row.map((v) => html`<td style="background:${color(v)}">${v === null ? '' : Math.round(v * 100)}</td>`)}
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private renderSlots(r: HistoryReport) {
    if (!r.slots.length) return html`<p class="hint">No per-slot figures for this range.</p>`;
    return html`<table data-slots>
      <thead>
        <tr><th scope="col">Slot</th><th scope="col">Occupied</th><th scope="col">Stays</th><th scope="col">Mean stay</th><th scope="col">Median stay</th></tr>
      </thead>
      <tbody>
        ${r.slots.map(
          (s) => html`<tr data-id=${s.id}>
            <td>${s.name}</td>
            <td><span class="util" style="width:${Math.round((s.utilisation ?? 0) * 60)}px"></span>${formatShare(s.utilisation)}</td>
            <td title=${s.censored_stays ? `${s.censored_stays} more cut short` : ''}>${s.stays}${s.censored_stays ? html` <small>+${s.censored_stays}</small>` : ''}</td>
            <td>${formatDuration(s.dwell_mean_s)}</td>
            <td>${formatDuration(s.dwell_median_s)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private renderExports() {
    const b = (table: ExportTable, format: ExportFormat, label: string) =>
      html`<button data-export=${`${table}-${format}`} ?disabled=${!this.report} @click=${() => this.fire('history-export-requested', { table, format })}>${label}</button>`;
    return html`<section aria-labelledby="h-export">
      <h2 id="h-export">Export this range</h2>
      <div class="exports">
        ${this.eventsExport ? html`${b('events', 'csv', 'Events CSV')} ${b('events', 'json', 'Events JSON')}` : nothing}
        ${b('series', 'csv', 'Aggregates CSV')} ${b('series', 'json', 'Aggregates JSON')} ${b('slots', 'csv', 'Slots CSV')}
      </div>
      <p class="hint">CSV opens in a spreadsheet: a header row, times in ISO-8601 (UTC) and in local time.</p>
      ${this.note ? html`<p class="hint" role="status" data-note>${this.note}</p>` : nothing}
    </section>`;
  }

  private renderStorage() {
    const s = this.storage;
    if (!s || this.retentionDays === null) return nothing;
    return html`<section aria-labelledby="h-storage">
      <h2 id="h-storage">Storage</h2>
      <p class="meta" data-storage>
        This site uses ${formatBytes(s.usageBytes)}${s.quotaBytes ? ` of ${formatBytes(s.quotaBytes)} the browser allows` : ''}. History:
        ${s.events} events, ${s.snapshots} snapshots, ${s.aggregates} compacted hours.
      </p>
      <form class="bar" @submit=${this.saveRetention}>
        <label
          >Keep every event for (days)
          <input name="days" type="number" min="1" max="3650" step="1" required .value=${String(this.retentionDays)} />
        </label>
        <button type="submit">Save</button>
      </form>
      <p class="hint">Older events become hourly figures: the charts keep working, the phone stays small; only the event export needs the raw events.</p>
    </section>`;
  }

  private pick(choice: RangeChoice): void {
    this.fire('history-range-changed', { choice });
  }

  private pickCustom = (): void => {
    if (this.choice.preset === 'custom') return;
    const r = this.report;
    const day = (iso: string | undefined, back = 0) => formatLocal((iso ? Date.parse(iso) : Date.now()) - back, this.timeZone).slice(0, 10);
    this.pick({ preset: 'custom', from: day(r?.from), to: day(r?.to, 1) });
  };

  private applyCustom = (e: Event): void => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    this.pick({ preset: 'custom', from: String(data.get('from')), to: String(data.get('to')) });
  };

  private saveRetention = (e: Event): void => {
    e.preventDefault();
    const days = Number(new FormData(e.currentTarget as HTMLFormElement).get('days'));
    if (Number.isFinite(days) && days >= 1) this.fire('history-retention-changed', { days });
  };

  private fire<K extends keyof HistoryDashboardEvents>(name: K, detail: HistoryDashboardEvents[K]): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}

function tile(name: string, value: string | number, key: string) {
  return html`<div class="tile"><b data-summary=${key}>${value}</b><small>${name}</small></div>`;
}

export interface HistoryDashboardEvents {
  'history-range-changed': { choice: RangeChoice };
  'history-export-requested': { table: ExportTable; format: ExportFormat };
  'history-retention-changed': { days: number };
}

customElements.define('lw-history-dashboard', LwHistoryDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'lw-history-dashboard': LwHistoryDashboard;
  }
  interface HTMLElementEventMap {
    'history-range-changed': CustomEvent<HistoryDashboardEvents['history-range-changed']>;
    'history-export-requested': CustomEvent<HistoryDashboardEvents['history-export-requested']>;
    'history-retention-changed': CustomEvent<HistoryDashboardEvents['history-retention-changed']>;
  }
}
