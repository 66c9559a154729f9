import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { eventsCsv, exportFileName, seriesCsv, slotsCsv, type ExportFormat, type ExportTable } from '../history/exports.ts';
import { queryFor, type HistoryQuery, type HistoryStatus, type RangeChoice } from '../history/query.ts';
import type { HistoryReport } from '../history/report.ts';
import type { HistorySource, StorageInfo } from '../history/source.ts';
import { downloadJson, downloadText } from '../share/download.ts';

/** Ranges that reach now are refreshed this often while shown. */
const REFRESH_MS = 60_000;
// Excel reads a CSV file as UTF-8 only with a byte-order mark; other spreadsheets ignore it.
const BOM = '\uFEFF';

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
    if (!source) return this.refuse('History is not available on this device.');
    const checked = queryFor(this.choice, Date.now(), this.timeZone);
    if (!checked.ok) return this.refuse(checked.error);
    const query = checked.value;
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
    const query = this.query;
    if (!r || !source || !query) return;
    // Callers do not await this (`void v.export(...)`): a failure is shown on the dashboard, not left unhandled.
    try {
      const name = exportFileName(source.lot, table, query.from, this.timeZone, format);
      if (table === 'events') {
        if (!source.events) return;
        const rows = await source.events(query);
        if (format === 'csv') downloadText(name, BOM + eventsCsv(rows), 'text/csv;charset=utf-8');
        else downloadJson(name, { lot: source.lot, from: r.from, to: r.to, time_zone: r.time_zone, events: rows });
        this.set({ note: `${rows.length} events exported.` });
        return;
      }
      if (format === 'csv') downloadText(name, BOM + (table === 'series' ? seriesCsv(r) : slotsCsv(r)), 'text/csv;charset=utf-8');
      else downloadJson(name, r);
      this.set({ note: `${table === 'series' ? `${r.series.length} steps` : `${r.slots.length} slots`} exported.` });
    } catch (err) {
      this.set({ error: `The export failed: ${err instanceof Error ? err.message : String(err)}` });
    }
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

  private refuse(error: string): void {
    // A load still under way must not replace this error with its answer.
    this.loads++;
    this.set({ status: 'error', error });
  }

  private set(patch: Partial<Pick<HistoryViewController, 'status' | 'report' | 'error' | 'note' | 'storage' | 'retentionDays'>>): void {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }
}
