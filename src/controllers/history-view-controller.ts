import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { HistoryStatus, RangeChoice } from '../components/lw-history-dashboard.ts';
import { autoStep } from '../history/buckets.ts';
import { eventsCsv, exportFileName, seriesCsv, slotsCsv, type ExportFormat, type ExportTable } from '../history/exports.ts';
import { parseTime, presetQuery, type HistoryQuery } from '../history/query.ts';
import type { HistoryReport } from '../history/report.ts';
import type { HistorySource, StorageInfo } from '../history/source.ts';
import { addLocalDays } from '../history/zoned-time.ts';
import { downloadJson, downloadText } from '../share/download.ts';

/** Ranges that reach now are refreshed this often while shown. */
const REFRESH_MS = 60_000;
// Excel reads a CSV file as UTF-8 only with a byte-order mark; other spreadsheets ignore it.
const BOM = '\uFEFF';

/** The query for a choice, in the viewer's time zone; null for custom dates that make no range. */
export function queryFor(choice: RangeChoice, now: number, timeZone: string): HistoryQuery | null {
  if (choice.preset !== 'custom') return presetQuery(choice.preset, now, timeZone);
  const from = parseTime(choice.from, timeZone);
  const last = parseTime(choice.to, timeZone);
  if (from === null || last === null || last < from) return null;
  const to = addLocalDays(last, 1, timeZone);
  return { from, to, step: autoStep(from, to), timeZone };
}

/** Loads history reports for a view from a source (this device or a relay), refreshes them, exports them. */
export class HistoryViewController implements ReactiveController {
  choice: RangeChoice = { preset: 'today' };
  status: HistoryStatus = 'loading';
  report: HistoryReport | null = null;
  error = '';
  note = '';
  storage: StorageInfo | null = null;
  retentionDays: number | null = null;
  readonly timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  private query: HistoryQuery | null = null;
  private loads = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly source: () => HistorySource | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.load();
    this.timer = setInterval(() => {
      if (this.query && this.query.to > Date.now() && !document.hidden) void this.load();
    }, REFRESH_MS);
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
    this.loads++;
  }

  setChoice(choice: RangeChoice): void {
    this.choice = choice;
    void this.load();
  }

  async load(): Promise<void> {
    const source = this.source();
    const query = queryFor(this.choice, Date.now(), this.timeZone);
    if (!source || !query) {
      this.set({ status: 'error', error: source ? 'Pick a start date on or before the end date.' : 'History is not available on this device.' });
      return;
    }
    const load = ++this.loads;
    this.query = query;
    this.set({ status: 'loading', error: '' });
    try {
      const [report, storage, settings] = await Promise.all([source.report(query), source.storage?.(), source.settings?.()]);
      if (load !== this.loads) return;
      this.set({ status: 'ready', report, storage: storage ?? null, retentionDays: settings?.retentionDays ?? null });
    } catch (err) {
      if (load !== this.loads) return;
      this.set({ status: 'error', error: `History could not be read: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  async export(table: ExportTable, format: ExportFormat): Promise<void> {
    const r = this.report;
    const source = this.source();
    if (!r || !source || !this.query) return;
    const name = exportFileName(source.lot, table, this.query.from, this.timeZone, format);
    if (table === 'events') {
      if (!source.events) return;
      const rows = await source.events(this.query);
      if (format === 'csv') downloadText(name, BOM + eventsCsv(rows), 'text/csv;charset=utf-8');
      else downloadJson(name, { lot: source.lot, from: r.from, to: r.to, time_zone: r.time_zone, events: rows });
      this.set({ note: `${rows.length} events exported.` });
      return;
    }
    if (format === 'csv') downloadText(name, BOM + (table === 'series' ? seriesCsv(r) : slotsCsv(r)), 'text/csv;charset=utf-8');
    else downloadJson(name, r);
    this.set({ note: `${table === 'series' ? `${r.series.length} steps` : `${r.slots.length} slots`} exported.` });
  }

  async saveRetention(days: number): Promise<void> {
    const source = this.source();
    if (!source?.saveSettings) return;
    try {
      await source.saveSettings({ retentionDays: days });
      this.set({ note: `Events are now kept for ${days} days.` });
      await this.load();
    } catch (err) {
      this.set({ error: `The setting could not be saved: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  private set(patch: Partial<Pick<HistoryViewController, 'status' | 'report' | 'error' | 'note' | 'storage' | 'retentionDays'>>): void {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }
}
