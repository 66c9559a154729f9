import type { EventRow } from './exports.ts';
import type { HistorySettings } from './history-settings.ts';
import type { HistoryQuery } from './query.ts';
import type { HistoryReport } from './report.ts';

/** How much this site stores: the browser's estimate for the whole origin, and history's own records. */
export interface StorageInfo {
  usageBytes: number | null;
  quotaBytes: number | null;
  events: number;
  snapshots: number;
  aggregates: number;
  /** Raw events before this are compacted into hourly figures (null: none yet). */
  compactedUntil: number | null;
}

/** Where a history view gets its numbers: this device's IndexedDB, or a relay (read-only). */
export interface HistorySource {
  readonly lot: string;
  report(q: HistoryQuery): Promise<HistoryReport>;
  /** The device's own raw events (a relay keeps states, not events). */
  events?(q: HistoryQuery): Promise<EventRow[]>;
  storage?(): Promise<StorageInfo>;
  settings?(): Promise<HistorySettings>;
  /** Saves the settings and compacts what is now past the retention period. */
  saveSettings?(s: HistorySettings): Promise<void>;
}
