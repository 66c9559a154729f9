// Compaction: raw events older than the retention period become one aggregate per lot and hour, so a phone that
// counts for months keeps hours of figures instead of every change. What a dashboard needs survives: counted time,
// occupied slot-time, peaks, arrivals and departures, per-slot time, and every stay (for dwell times).
import { QUARTER_MS, sliceAtEdges } from './buckets.ts';
import { replay } from './replay.ts';
import type { HistoryAggregate, LotInterval, LotSnapshot, Stay, Timeline } from './types.ts';
import { DAY_MS, HOUR_MS } from './zoned-time.ts';

export const floorHour = (t: number): number => Math.floor(t / HOUR_MS) * HOUR_MS;

/** Raw history before this instant is compacted: a whole hour at least `retentionDays` ago. */
export function compactionCutoff(now: number, retentionDays: number): number {
  return floorHour(now - retentionDays * DAY_MS);
}

export interface Compacted {
  /** One per hour the counter counted in (hours without any counting are left out: unknown). */
  readonly aggregates: HistoryAggregate[];
  /**
   * The lot's state at `to`, written as a full snapshot when counting was going on then: the raw history after `to`
   * starts from it (stays that began before `to` keep their arrival time). Null when `to` falls in a gap.
   */
  readonly carry: LotSnapshot | null;
}

/** Compacts the timeline of [from, to) (whole hours) into hourly aggregates. */
export function compact(lotId: string, timeline: Timeline, from: number, to: number): Compacted {
  const cuts = [from];
  for (let t = floorHour(from) + HOUR_MS; t < to; t += HOUR_MS) cuts.push(t);
  cuts.push(to);
  const r = replay(timeline, { from, to, cuts, perSlotIntervals: true });
  const staysByHour = new Map<number, Stay[]>();
  for (const s of r.stays) {
    const h = floorHour(s.end);
    staysByHour.set(h, [...(staysByHour.get(h) ?? []), s]);
  }
  const aggregates: HistoryAggregate[] = [];
  r.intervals.forEach((iv, i) => {
    const stays = staysByHour.get(floorHour(iv.start)) ?? [];
    if (iv.knownMs === 0 && stays.length === 0) return;
    const slots: Record<string, [number, number]> = {};
    for (const [id, t] of r.slotIntervals![i]!) slots[id] = [t.occupiedMs, t.knownMs];
    aggregates.push({ ...iv, lotId, slots, stays });
  });
  const carry: LotSnapshot | null = r.end
    ? { lotId, at: to, total: r.end.length, occupied: r.end.filter((s) => s.occupied).length, slots: r.end }
    : null;
  return { aggregates, carry };
}

/**
 * What stored aggregates say about [from, to): quarter-hour pieces cut at `edges` (each hour's figures spread
 * evenly), per-slot time (the share of each hour inside the range), and the stays that ended in the range.
 */
export function fromAggregates(
  aggregates: readonly HistoryAggregate[],
  from: number,
  to: number,
  edges: readonly number[],
): { pieces: LotInterval[]; slots: Map<string, { occupiedMs: number; knownMs: number }>; stays: Stay[] } {
  const pieces: LotInterval[] = [];
  const slots = new Map<string, { occupiedMs: number; knownMs: number }>();
  const stays: Stay[] = [];
  for (const a of aggregates) {
    const s = Math.max(from, a.start);
    const e = Math.min(to, a.end);
    for (const st of a.stays) if (st.end >= from && st.end < to) stays.push(st);
    if (e <= s) continue;
    const quarters: number[] = [];
    for (let q = a.start + QUARTER_MS; q < a.end; q += QUARTER_MS) quarters.push(q);
    const cutsInside = [...quarters, ...edges].filter((t) => t > s && t < e).sort((x, y) => x - y);
    const { lotId: _lot, slots: perSlot, stays: _stays, ...lotLevel } = a;
    for (const p of sliceAtEdges([lotLevel], [s, ...cutsInside, e])) if (p.start >= s && p.end <= e && p.end > p.start) pieces.push(p);
    const f = (e - s) / (a.end - a.start);
    for (const [id, [occ, known]] of Object.entries(perSlot)) {
      const x = slots.get(id) ?? { occupiedMs: 0, knownMs: 0 };
      x.occupiedMs += occ * f;
      x.knownMs += known * f;
      slots.set(id, x);
    }
  }
  pieces.sort((x, y) => x.start - y.start);
  return { pieces, slots, stays };
}
