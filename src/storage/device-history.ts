// This device's history as the dashboard reads it: raw events and snapshots since the last compaction, hourly
// aggregates before it, turned into a report by the same code the relay uses.
import { deviceTimeline } from '../history/device-timeline.ts';
import { eventRows, type EventRow } from '../history/exports.ts';
import type { HistorySettings } from '../history/history-settings.ts';
import type { HistoryQuery } from '../history/query.ts';
import { RECORDER_CONFIG } from '../history/recorder-plan.ts';
import { historyReport, type HistoryReport } from '../history/report.ts';
import type { HistorySource, StorageInfo } from '../history/source.ts';
import { maintainHistory, STATE_LOOKBACK_MS } from './history-maintenance.ts';
import type { HistoryStore } from './history-store.ts';

export interface DeviceHistoryOptions {
  /** Slot names in layout order. */
  names: () => ReadonlyMap<string, string>;
  /** Slot id → zone, for the per-zone series. */
  zones?: () => ReadonlyMap<string, string>;
  /** Called before reading, so what the recorder still holds in memory is on disk. */
  beforeRead?: () => Promise<void>;
  now?: () => number;
}

export class DeviceHistory implements HistorySource {
  constructor(
    private readonly store: HistoryStore,
    private readonly o: DeviceHistoryOptions,
  ) {}

  get lot(): string {
    return this.store.lotId;
  }

  async report(q: HistoryQuery): Promise<HistoryReport> {
    await this.o.beforeRead?.();
    const now = (this.o.now ?? Date.now)();
    const gap = RECORDER_CONFIG.gapAfterMs;
    const [aggregated, compacted] = await Promise.all([this.store.aggregatedUntil(), this.store.compactedUntil()]);
    // Hours that are over come from their aggregates; the rest (the last hour or two) from raw events.
    const rawFrom = Math.max(q.from, aggregated, compacted);
    const until = Math.min(q.to, now);
    const [raw, aggregates] = await Promise.all([
      rawFrom < until ? this.store.raw(Math.max(compacted, rawFrom - STATE_LOOKBACK_MS), until + gap) : { events: [], snapshots: [] },
      q.from < rawFrom ? this.store.aggregates(q.from, Math.min(rawFrom, q.to)) : [],
    ]);
    return historyReport(
      { lot: this.lot, from: q.from, to: q.to, step: q.step, timeZone: q.timeZone, now, names: this.o.names(), zones: this.o.zones?.() },
      { timeline: deviceTimeline(raw.events, raw.snapshots, gap, now), rawFrom, aggregates },
    );
  }

  async events(q: HistoryQuery): Promise<EventRow[]> {
    await this.o.beforeRead?.();
    const { events } = await this.store.raw(q.from, q.to);
    return eventRows(events, this.o.names(), q.timeZone);
  }

  async storage(): Promise<StorageInfo> {
    const [estimate, counts, compactedUntil] = await Promise.all([
      navigator.storage?.estimate?.().catch(() => null) ?? Promise.resolve(null),
      this.store.counts(),
      this.store.compactedUntil(),
    ]);
    return {
      usageBytes: estimate?.usage ?? null,
      quotaBytes: estimate?.quota ?? null,
      ...counts,
      compactedUntil: compactedUntil || null,
    };
  }

  settings(): Promise<HistorySettings> {
    return this.store.settings();
  }

  async saveSettings(s: HistorySettings): Promise<void> {
    await this.store.saveSettings(s);
    await this.o.beforeRead?.();
    await maintainHistory(this.store, (this.o.now ?? Date.now)(), s.retentionDays);
  }
}
