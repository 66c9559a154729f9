// A lot's history in IndexedDB: append-only events and snapshots, hourly aggregates after compaction. I/O only:
// what to write is decided by the pure modules in history/.
import { decodeAggregate, encodeAggregate } from '../history/aggregate-codec.ts';
import { sanitizeHistorySettings, type HistorySettings } from '../history/history-settings.ts';
import type { HistoryAggregate, LotSnapshot, SlotEvent } from '../history/types.ts';
import type { LotwatchDB } from './db.ts';

const HOUR_MS = 3_600_000;

const SETTINGS_KEY = 'history';
/** Per lot: raw history before this is gone (compacted); its hours are in `aggregates`. */
const compactedKey = (lot: string) => `history-compacted:${lot}`;
/** Per lot: every hour before this has its aggregate. */
const aggregatedKey = (lot: string) => `history-aggregated:${lot}`;

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
    try {
      // Requests are queued without awaiting each one; the transaction's completion is the one thing to wait for.
      for (const e of events) void ev.put(e).catch(() => {});
      for (const s of snapshots) void sn.put(s).catch(() => {});
    } catch (err) {
      // A record IndexedDB cannot clone throws right here, and does not abort what was queued before it: abort.
      tx.abort();
      await tx.done.catch(() => {});
      throw err;
    }
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
    const rows = await this.db.getAll('aggregates', IDBKeyRange.bound([this.lotId, Math.floor(from / HOUR_MS) * HOUR_MS], [this.lotId, to], false, true));
    return rows.map(decodeAggregate);
  }

  /** Raw history before this instant has been compacted away (0: nothing has). */
  compactedUntil(): Promise<number> {
    return this.instant(compactedKey(this.lotId));
  }

  /** Every hour before this instant has its aggregate (0: none has). */
  aggregatedUntil(): Promise<number> {
    return this.instant(aggregatedKey(this.lotId));
  }

  /** Stores aggregates of hours up to `until`, and that they are there, together. */
  async putAggregates(aggregates: readonly HistoryAggregate[], until: number): Promise<void> {
    const tx = this.db.transaction(['aggregates', 'settings'], 'readwrite');
    // A failed request also fails tx.done, which is awaited: caught here, it is not an unhandled rejection as well.
    for (const a of aggregates) void tx.objectStore('aggregates').put(encodeAggregate(a)).catch(() => {});
    void tx.objectStore('settings').put(until, aggregatedKey(this.lotId)).catch(() => {});
    await tx.done;
  }

  async settings(): Promise<HistorySettings> {
    return sanitizeHistorySettings(await this.db.get('settings', SETTINGS_KEY));
  }

  async saveSettings(s: HistorySettings): Promise<void> {
    await this.db.put('settings', { ...sanitizeHistorySettings(s) }, SETTINGS_KEY);
  }

  private async instant(key: string): Promise<number> {
    const v = await this.db.get('settings', key);
    return typeof v === 'number' && Number.isFinite(v) ? v : 0;
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
   * Removes the raw history before `cutoff` and writes the state carried over at `cutoff`, in one transaction: a
   * crash midway leaves the raw history as it was.
   */
  async commitCompaction(cutoff: number, carry: LotSnapshot | null): Promise<void> {
    const tx = this.db.transaction(['events', 'snapshots', 'settings'], 'readwrite');
    const old = IDBKeyRange.bound([this.lotId], [this.lotId, cutoff], false, true);
    // As in putAggregates: tx.done reports a failure; the requests' own rejections are caught so they are not unhandled.
    void tx.objectStore('events').delete(old).catch(() => {});
    void tx.objectStore('snapshots').delete(old).catch(() => {});
    if (carry) void tx.objectStore('snapshots').put(carry).catch(() => {});
    void tx.objectStore('settings').put(cutoff, compactedKey(this.lotId)).catch(() => {});
    await tx.done;
  }

  /** Time of the lot's oldest raw record, or null. */
  async firstRecordAt(): Promise<number | null> {
    const range = IDBKeyRange.bound([this.lotId], [this.lotId, []]);
    const [e, s] = await Promise.all([this.db.getKey('events', range), this.db.getKey('snapshots', range)]);
    const times = [e?.[1], s?.[1]].filter((t): t is number => typeof t === 'number');
    return times.length ? Math.min(...times) : null;
  }
}
