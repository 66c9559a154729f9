import { spansFromTimes } from './track.ts';
import type { HistoryRecord, LotSnapshot, SlotEvent, Timeline } from './types.ts';

/**
 * A device's raw history as a timeline: every event and snapshot is a heartbeat (the spans), full snapshots set the
 * lot's state, events change one slot. `liveAt` (now) extends a span whose last heartbeat is recent: still counting.
 */
export function deviceTimeline(events: readonly SlotEvent[], snapshots: readonly LotSnapshot[], gapAfterMs: number, liveAt?: number): Timeline {
  const records: HistoryRecord[] = [];
  for (const s of snapshots) if (s.slots) records.push({ kind: 'state', at: s.at, slots: s.slots });
  for (const e of events) records.push({ kind: 'change', at: e.at, slotId: e.slotId, state: e.state });
  // A full snapshot goes before events of the same instant: the events happened on top of it.
  records.sort((a, b) => a.at - b.at || (a.kind === 'state' ? -1 : 0) - (b.kind === 'state' ? -1 : 0));
  const times = [...snapshots.map((s) => s.at), ...events.map((e) => e.at)].sort((a, b) => a - b);
  return { spans: spansFromTimes(times, gapAfterMs, liveAt), records };
}

