// Keeps a device's history quick to read and small: hours that are over get their aggregate (the dashboard reads
// those, not every event), and raw events older than the retention period are removed once aggregated. Runs when
// the counter starts and then hourly; both steps commit a piece at a time and resume where they stopped.
import { aggregateHours, closedUntil, compactionCutoff, floorHour } from '../history/compaction.ts';
import { deviceTimeline } from '../history/device-timeline.ts';
import { RECORDER_CONFIG } from '../history/recorder-plan.ts';
import { DAY_MS, HOUR_MS } from '../history/zoned-time.ts';
import type { HistoryStore } from './history-store.ts';

const GAP = RECORDER_CONFIG.gapAfterMs;
/** Far enough back for the last full snapshot before an instant (one an hour while counting): the state there. */
export const STATE_LOOKBACK_MS = RECORDER_CONFIG.fullSnapshotEveryMs + GAP;

/** Aggregates every hour that is over and has no aggregate yet, a day at a time. Returns the hours written. */
export async function aggregateHistory(store: HistoryStore, now: number): Promise<number> {
  const until = closedUntil(now, GAP);
  let done = await store.aggregatedUntil();
  if (done === 0) {
    const first = await store.firstRecordAt();
    if (first === null) return 0;
    done = floorHour(first);
  }
  const compacted = await store.compactedUntil();
  let hours = 0;
  while (done < until) {
    const end = Math.min(until, done + DAY_MS);
    const r = await store.raw(Math.max(compacted, done - STATE_LOOKBACK_MS), end + GAP);
    const { aggregates } = aggregateHours(store.lotId, deviceTimeline(r.events, r.snapshots, GAP), done, end);
    await store.putAggregates(aggregates, end);
    hours += aggregates.length;
    done = end;
  }
  return hours;
}

/**
 * Removes raw history older than `retentionDays` (whole hours, and only hours already aggregated), keeping the lot's
 * state at the cut as a full snapshot so the raw history after it still starts from a known state.
 */
export async function compactHistory(store: HistoryStore, now: number, retentionDays: number): Promise<{ cutoff: number } | null> {
  const cutoff = Math.min(compactionCutoff(now, retentionDays), await store.aggregatedUntil());
  const compacted = await store.compactedUntil();
  if (cutoff <= compacted) return null;
  const r = await store.raw(Math.max(compacted, cutoff - HOUR_MS - STATE_LOOKBACK_MS), cutoff + GAP);
  const { carry } = aggregateHours(store.lotId, deviceTimeline(r.events, r.snapshots, GAP), cutoff - HOUR_MS, cutoff);
  await store.commitCompaction(cutoff, carry);
  return { cutoff };
}

/** Both, in order: aggregate what is over, then drop what is past retention. */
export async function maintainHistory(store: HistoryStore, now: number, retentionDays: number): Promise<void> {
  await aggregateHistory(store, now);
  await compactHistory(store, now, retentionDays);
}
