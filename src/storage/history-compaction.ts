// Runs compaction on the device: raw history older than the retention period becomes hourly aggregates, a day at a
// time (each day commits on its own, so a long catch-up after months can stop anywhere and resume).
import { compact, compactionCutoff, floorHour } from '../history/compaction.ts';
import { deviceTimeline } from '../history/device-timeline.ts';
import { RECORDER_CONFIG } from '../history/recorder-plan.ts';
import { DAY_MS } from '../history/zoned-time.ts';
import type { HistoryStore } from './history-store.ts';

export async function compactHistory(store: HistoryStore, now: number, retentionDays: number): Promise<{ hours: number; days: number }> {
  const cutoff = compactionCutoff(now, retentionDays);
  let done = await store.compactedUntil();
  if (done >= cutoff) return { hours: 0, days: 0 };
  if (done === 0) {
    const first = await store.firstRecordAt();
    if (first === null || first >= cutoff) return { hours: 0, days: 0 };
    done = floorHour(first);
  }
  const gap = RECORDER_CONFIG.gapAfterMs;
  let hours = 0;
  let days = 0;
  while (done < cutoff) {
    const end = Math.min(cutoff, done + DAY_MS);
    // A little past the end, to know whether the counter was still counting at `end`.
    const r = await store.raw(done, end + gap);
    const { aggregates, carry } = compact(store.lotId, deviceTimeline(r.events, r.snapshots, gap), done, end);
    await store.commitCompaction(done, end, aggregates, carry);
    hours += aggregates.length;
    days++;
    done = end;
  }
  return { hours, days };
}
