// A lot's history in IndexedDB: append-only events and snapshots, hourly aggregates after compaction.
import { compact, compactionCutoff, floorHour } from '../history/compaction.ts';
import { deviceTimeline } from '../history/device-timeline.ts';
import { DEFAULT_HISTORY_SETTINGS, sanitizeHistorySettings, type HistorySettings } from '../history/history-settings.ts';
import { RECORDER_CONFIG } from '../history/recorder-plan.ts';
import type { HistoryAggregate, LotSnapshot, SlotEvent } from '../history/types.ts';
import { DAY_MS } from '../history/zoned-time.ts';
import type { LotwatchDB } from './db.ts';

const SETTINGS_KEY = 'history';
/** Where compaction has reached, per lot: raw history before it is gone, its hours are in `aggregates`. */
const compactedKey = (lot: string) => `history-compacted:${lot}`;

export interface RawHistory {
  events: SlotEvent[];
  snapshots: LotSnapshot[];
}

export interface HistoryCounts {
  events: number;
  snapshots: number;
  aggregates: number;
}

export class HistoryStore {
  constructor(
    private readonly db: LotwatchDB,
    readonly lotId: string,
  ) {}

  /** Appends events and snapshots in one transaction: a batch lands whole or not at all. */
  async append(events: readonly SlotEvent[], snapshots: readonly LotSnapshot[]): Promise<void> {
    if (!events.length && !snapshots.length) return;
    const tx = this.db.transaction(['events', 'snapshots'], 'readwrite');
    const ev = tx.objectStore('events');
    const sn = tx.objectStore('snapshots');
    // Requests are queued without awaiting each one; the transaction's completion is the one thing to wait for.
    for (const e of events) void ev.put(e);
    for (const s of snapshots) void sn.put(s);
    await tx.done;
  }

  /** Raw events and snapshots with `from <= at < to`, in time order. */
  async raw(from: number, to: number): Promise<RawHistory> {
    const tx = this.db.transaction(['events', 'snapshots'], 'readonly');
    const [events, snapshots] = await Promise.all([
      tx.objectStore('events').getAll(IDBKeyRange.bound([this.lotId, from], [this.lotId, to], false, true)),
      tx.objectStore('snapshots').getAll(IDBKeyRange.bound([this.lotId, from], [this.lotId, to], false, true)),
    ]);
    return { events, snapshots };
  }

  /** Hourly aggregates that overlap [from, to). */
  async aggregates(from: number, to: number): Promise<HistoryAggregate[]> {
    return this.db.getAll('aggregates', IDBKeyRange.bound([this.lotId, floorHour(from)], [this.lotId, to], false, true));
  }

  /** Raw history before this instant has been compacted (0: nothing has). */
  async compactedUntil(): Promise<number> {
    const v = await this.db.get('settings', compactedKey(this.lotId));
    return typeof v === 'number' && Number.isFinite(v) ? v : 0;
  }

  async settings(): Promise<HistorySettings> {
    return sanitizeHistorySettings(await this.db.get('settings', SETTINGS_KEY));
  }

  async saveSettings(s: HistorySettings): Promise<void> {
    await this.db.put('settings', { ...sanitizeHistorySettings(s) }, SETTINGS_KEY);
  }

  async counts(): Promise<HistoryCounts> {
    const range = IDBKeyRange.bound([this.lotId], [this.lotId, []]);
    const [events, snapshots, aggregates] = await Promise.all([
      this.db.count('events', range),
      this.db.count('snapshots', range),
      this.db.count('aggregates', range),
    ]);
    return { events, snapshots, aggregates };
  }

  /**
   * Compacts raw history older than the retention period into hourly aggregates, a day at a time: each day's
   * aggregates, the carried state and the removal of its raw records commit together, so a crash midway loses nothing.
   */
  async compact(now: number, retentionDays = DEFAULT_HISTORY_SETTINGS.retentionDays): Promise<{ hours: number; removed: number }> {
    const cutoff = compactionCutoff(now, retentionDays);
    let done = await this.compactedUntil();
    if (done >= cutoff) return { hours: 0, removed: 0 };
    if (done === 0) {
      const first = await this.firstRecordAt();
      if (first === null || first >= cutoff) return { hours: 0, removed: 0 };
      done = floorHour(first);
    }
    let hours = 0;
    let removed = 0;
    const gap = RECORDER_CONFIG.gapAfterMs;
    while (done < cutoff) {
      const end = Math.min(cutoff, done + DAY_MS);
      // A little before (the state at `done`) and after (was the counter still counting at `end`?).
      const r = await this.raw(done - gap, end + gap);
      const { aggregates, carry } = compact(this.lotId, deviceTimeline(r.events, r.snapshots, gap), done, end);
      const tx = this.db.transaction(['events', 'snapshots', 'aggregates', 'settings'], 'readwrite');
      for (const a of aggregates) void tx.objectStore('aggregates').put(a);
      const old = IDBKeyRange.bound([this.lotId, done], [this.lotId, end], false, true);
      void tx.objectStore('events').delete(old);
      void tx.objectStore('snapshots').delete(old);
      if (carry) void tx.objectStore('snapshots').put(carry);
      void tx.objectStore('settings').put(end, compactedKey(this.lotId));
      await tx.done;
      hours += aggregates.length;
      removed += r.events.filter((e) => e.at >= done && e.at < end).length + r.snapshots.filter((s) => s.at >= done && s.at < end).length;
      done = end;
    }
    return { hours, removed };
  }

  private async firstRecordAt(): Promise<number | null> {
    const range = IDBKeyRange.bound([this.lotId], [this.lotId, []]);
    const [e, s] = await Promise.all([this.db.getKey('events', range), this.db.getKey('snapshots', range)]);
    const times = [e?.[1], s?.[1]].filter((t): t is number => typeof t === 'number');
    return times.length ? Math.min(...times) : null;
  }
}
