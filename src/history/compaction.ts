// Hourly aggregates: each hour that is over becomes one record per lot, which is what dashboards read for anything
// but the last hour or two, and what is left of an hour once its raw events pass the retention period (compaction).
// What a dashboard needs survives: counted time, occupied slot-time, peaks, arrivals and departures, per-slot time,
// and every stay (for dwell times).
import { QUARTER_MS, sliceAtEdges, sumIntervals } from './buckets.ts';
import { replay } from './replay.ts';
import type { HistoryAggregate, LotInterval, LotSnapshot, Stay, Timeline } from './types.ts';
import { DAY_MS, HOUR_MS } from './zoned-time.ts';

export const floorHour = (t: number): number => Math.floor(t / HOUR_MS) * HOUR_MS;

/** Raw history before this instant can go: a whole hour at least `retentionDays` ago. */
export function compactionCutoff(now: number, retentionDays: number): number {
  return floorHour(now - retentionDays * DAY_MS);
}

/** Hours before this are over: nothing the counter still writes (a heartbeat within `gapAfterMs`) can change them. */
export function closedUntil(now: number, gapAfterMs: number): number {
  return floorHour(now - gapAfterMs);
}

export interface Aggregated {
  /** One per hour the counter counted in (hours without any counting are left out: unknown). */
  readonly aggregates: HistoryAggregate[];
  /**
   * The lot's state at `to` as a full snapshot, when counting was going on then: once the raw history before `to` is
   * gone, what remains starts from it (stays that began before `to` keep their arrival). Null when `to` is in a gap.
   */
  readonly carry: LotSnapshot | null;
}

/**
 * Aggregates the timeline of [from, to) (whole hours) by hour. Each hour keeps its four quarter-hour pieces too, so a
 * day's chart (quarter-hour buckets) reads an aggregated hour exactly as it read the raw events.
 */
export function aggregateHours(lotId: string, timeline: Timeline, from: number, to: number): Aggregated {
  const cuts = [from];
  for (let t = Math.floor(from / QUARTER_MS) * QUARTER_MS + QUARTER_MS; t < to; t += QUARTER_MS) cuts.push(t);
  cuts.push(to);
  const r = replay(timeline, { from, to, cuts, perSlotIntervals: true });
  const staysByHour = new Map<number, Stay[]>();
  for (const s of r.stays) {
    const h = floorHour(s.end);
    // Push, not copy: copying the hour's list for every stay was quadratic.
    const list = staysByHour.get(h);
    if (list) list.push(s);
    else staysByHour.set(h, [s]);
  }
  const aggregates: HistoryAggregate[] = [];
  for (let i = 0; i < r.intervals.length; ) {
    const hour = floorHour(r.intervals[i]!.start);
    let j = i;
    while (j < r.intervals.length && floorHour(r.intervals[j]!.start) === hour) j++;
    const quarters = r.intervals.slice(i, j);
    const iv = sumIntervals(quarters[0]!.start, quarters.at(-1)!.end, quarters);
    const stays = staysByHour.get(hour) ?? [];
    if (iv.knownMs > 0 || stays.length > 0) {
      const slots: Record<string, [number, number]> = {};
      for (const perSlot of r.slotIntervals!.slice(i, j)) {
        for (const [id, t] of perSlot) {
          const x = (slots[id] ??= [0, 0]);
          x[0] += t.occupiedMs;
          x[1] += t.knownMs;
        }
      }
      aggregates.push({ ...iv, lotId, slots, stays, quarters });
    }
    i = j;
  }
  const carry: LotSnapshot | null = r.end
    ? { lotId, at: to, total: r.end.length, occupied: r.end.filter((s) => s.occupied).length, slots: r.end }
    : null;
  return { aggregates, carry };
}

/** Index of the first sorted value greater than `t`. */
function firstAfter(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * What stored aggregates say about [from, to): quarter-hour pieces cut at `edges` (a piece that is not a whole
 * quarter gets its share of the quarter's figures), per-slot time (the share of each hour inside the range), and the
 * stays that ended in the range.
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
    const cutsInside: number[] = [];
    for (let q = a.start + QUARTER_MS; q < a.end; q += QUARTER_MS) if (q > s && q < e) cutsInside.push(q);
    for (let i = firstAfter(edges, s); i < edges.length && edges[i]! < e; i++) cutsInside.push(edges[i]!);
    cutsInside.sort((x, y) => x - y);
    const { lotId: _lot, slots: perSlot, stays: _stays, quarters, ...lotLevel } = a;
    // An aggregate written before quarters were kept is read as its hour spread evenly.
    for (const p of sliceAtEdges(quarters ?? [lotLevel], [s, ...cutsInside, e])) if (p.start >= s && p.end <= e && p.end > p.start) pieces.push(p);
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
