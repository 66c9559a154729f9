// The history report: what the dashboard shows and what the relay's `GET /lots/<lot>/history` answers. Built by the
// same code on the device and at the relay, from a timeline (and, on the device, compacted hours). Pure.
import { bucketEdges, formatStep, groupIntoBuckets, mergeEdges, quarterEdges, sumIntervals, type Step } from './buckets.ts';
import { fromAggregates } from './compaction.ts';
import { dwellStats } from './dwell.ts';
import { replay } from './replay.ts';
import type { HistoryAggregate, LotInterval, SlotTime, Stay, Timeline } from './types.ts';
import { zonedParts } from './zoned-time.ts';

/** One bucket of the occupancy series. Means are over the counted part of the bucket; null where nothing was counted (a gap). */
export interface SeriesPoint {
  start: string;
  end: string;
  /** Share of the bucket the counter was counting, 0..1. */
  counted: number;
  /** Mean number of slots occupied, free, and counted. */
  occupied: number | null;
  available: number | null;
  total: number | null;
  /** Occupied share of the counted slot-time, 0..1. */
  occupancy: number | null;
  peak: number | null;
  low: number | null;
  /** Share of the counted time the lot was full. */
  full: number | null;
  arrivals: number;
  departures: number;
}

/** One bucket of a zone's series (same buckets as `series`): mean slots occupied, free and counted, and the share. */
export interface ZonePoint {
  occupied: number | null;
  available: number | null;
  total: number | null;
  occupancy: number | null;
}

/** Occupancy of one hour of the day or one day of the week, over the counted time that fell in it. */
export interface ProfileCell {
  occupancy: number | null;
  counted_s: number;
}

export interface SlotReport {
  id: string;
  name: string;
  /** Occupied share of the time the slot was counted, 0..1. */
  utilisation: number | null;
  counted_s: number;
  occupied_s: number;
  /** Stays with arrival and departure seen (they have a dwell time). */
  stays: number;
  dwell_mean_s: number | null;
  dwell_median_s: number | null;
  /** Stays cut by the range or by a gap in counting: their dwell is at least `censored_longest_s` for the longest. */
  censored_stays: number;
  censored_longest_s: number | null;
}

export interface DwellReport {
  stays: number;
  mean_s: number | null;
  median_s: number | null;
  censored: number;
  censored_longest_s: number | null;
}

/** A car still in its slot at the end of the range. */
export interface LongStay {
  id: string;
  name: string;
  /** Arrival, or the first moment it was seen when the arrival was not seen (`since_observed` false: it is longer). */
  since: string;
  since_observed: boolean;
  for_s: number;
}

export interface HistoryReport {
  lot: string;
  from: string;
  to: string;
  step: string;
  time_zone: string;
  generated_at: string;
  /** Share of the range so far (up to `current.at`) the counter was counting, 0..1. */
  coverage: number;
  summary: {
    occupancy: number | null;
    occupied: number | null;
    peak: number | null;
    full: number | null;
    arrivals: number;
    departures: number;
  };
  series: SeriesPoint[];
  /** Per zone (of the layout as it is now), a series aligned with `series`. */
  zones: Record<string, ZonePoint[]>;
  /** 24 cells, local hours 0..23. */
  by_hour: ProfileCell[];
  /** 7 cells, Monday first. */
  by_weekday: ProfileCell[];
  /** Occupancy by [weekday][hour]. */
  heatmap: (number | null)[][];
  slots: SlotReport[];
  dwell: DwellReport;
  /** The lot at the end of the range (or now, if sooner): `live` when that is now and the counter is counting. */
  current: { at: string; live: boolean; longest: LongStay[] };
}

export interface ReportRange {
  lot: string;
  from: number;
  to: number;
  step: Step;
  timeZone: string;
  now: number;
  /** Slot names in layout order (slots seen only in history follow, by id). */
  names: ReadonlyMap<string, string>;
  /** Slot id → zone, for the per-zone series (slots not listed are in no zone). */
  zones?: ReadonlyMap<string, string>;
}

export interface ReportSources {
  /** Raw history; complete from `rawFrom` on (records before it only set the starting state). */
  timeline: Timeline;
  rawFrom: number;
  /** Compacted hours, for the part of the range before `rawFrom`. */
  aggregates?: readonly HistoryAggregate[];
}

const iso = (t: number) => new Date(t).toISOString();
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const share = (part: number, whole: number) => (whole > 0 ? round(part / whole, 4) : null);
const seconds = (ms: number) => Math.round(ms / 1000);
const LONGEST = 10;

/**
 * Builds the report for a range from raw history and, before `rawFrom`, compacted hours. The part of the range after
 * `now` has not happened: its buckets are empty (null), never free.
 */
export function historyReport(range: ReportRange, src: ReportSources): HistoryReport {
  const { from, to } = range;
  const until = Math.max(from, Math.min(to, range.now));
  const rawFrom = Math.min(until, Math.max(from, src.rawFrom));
  const edges = bucketEdges(from, to, range.step, range.timeZone);
  const old = fromAggregates(src.aggregates ?? [], from, rawFrom, edges);
  let pieces = old.pieces;
  const slotTimes = old.slots;
  let stays = old.stays;
  let ongoing: Stay[] = [];
  let known = false;
  const zoneTime = new ZoneTime(edges, range.zones);
  for (const a of src.aggregates ?? []) zoneTime.addHour(a, from, rawFrom);
  if (rawFrom < until) {
    const groups = range.zones?.size ? range.zones : undefined;
    const r = replay(src.timeline, { from: rawFrom, to: until, cuts: mergeEdges(rawFrom, until, quarterEdges(rawFrom, until), edges), groups });
    r.groupIntervals?.forEach((g, i) => zoneTime.add(r.intervals[i]!.start, g));
    pieces = [...pieces, ...r.intervals];
    for (const [id, t] of r.slots) {
      const x = slotTimes.get(id) ?? { occupiedMs: 0, knownMs: 0 };
      x.occupiedMs += t.occupiedMs;
      x.knownMs += t.knownMs;
      slotTimes.set(id, x);
    }
    stays = [...stays, ...r.stays];
    ongoing = r.ongoing;
    known = r.end !== null;
  }
  return buildReport(range, { pieces, slotTimes, stays, ongoing, edges, until, known, zoneTime });
}

/** Each zone's occupied and counted slot-time per bucket. */
class ZoneTime {
  readonly byZone = new Map<string, { occ: number; known: number }[]>();

  constructor(
    private readonly edges: readonly number[],
    private readonly zoneOf: ReadonlyMap<string, string> | undefined,
  ) {
    for (const z of new Set(zoneOf?.values())) this.byZone.set(z, Array.from({ length: Math.max(0, edges.length - 1) }, () => ({ occ: 0, known: 0 })));
  }

  /** Slot-time of a piece that starts at `at` and lies within one bucket. */
  add(at: number, times: ReadonlyMap<string, SlotTime>): void {
    const i = this.bucketOf(at);
    for (const [zone, t] of times) {
      const b = this.byZone.get(zone)?.[i];
      if (b) (b.occ += t.occupiedMs), (b.known += t.knownMs);
    }
  }

  /** A compacted hour, the part of it within [from, to), spread evenly like its lot figures. */
  addHour(a: HistoryAggregate, from: number, to: number): void {
    if (!this.zoneOf?.size) return;
    const sums = new Map<string, SlotTime>();
    for (const [id, [occ, known]] of Object.entries(a.slots)) {
      const zone = this.zoneOf.get(id);
      if (zone === undefined) continue;
      const x = sums.get(zone) ?? { occupiedMs: 0, knownMs: 0 };
      sums.set(zone, { occupiedMs: x.occupiedMs + occ, knownMs: x.knownMs + known });
    }
    const len = a.end - a.start;
    for (let i = 0; i + 1 < this.edges.length; i++) {
      const s = Math.max(from, a.start, this.edges[i]!);
      const e = Math.min(to, a.end, this.edges[i + 1]!);
      if (e <= s) continue;
      const f = (e - s) / len;
      for (const [zone, t] of sums) {
        const b = this.byZone.get(zone)![i]!;
        (b.occ += t.occupiedMs * f), (b.known += t.knownMs * f);
      }
    }
  }

  private bucketOf(t: number): number {
    let lo = 0;
    let hi = this.edges.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.edges[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

interface Measured {
  /** Sorted; each inside one bucket and one local hour. */
  pieces: readonly LotInterval[];
  slotTimes: ReadonlyMap<string, SlotTime>;
  stays: readonly Stay[];
  ongoing: readonly Stay[];
  edges: readonly number[];
  /** The end of what has happened: `to`, or `now` when the range reaches into the future. */
  until: number;
  /** Whether the lot's state at `until` is known (the counter was counting then). */
  known: boolean;
  zoneTime: ZoneTime;
}

function buildReport(range: ReportRange, m: Measured): HistoryReport {
  const { from, to, timeZone } = range;
  const buckets = groupIntoBuckets(m.pieces, m.edges);
  const all = sumIntervals(from, to, m.pieces);
  const series = buckets.map((b): SeriesPoint => {
    const k = b.knownMs;
    return {
      start: iso(b.start),
      end: iso(b.end),
      counted: round(k / (b.end - b.start), 4),
      occupied: k > 0 ? round(b.occupiedMs / k, 3) : null,
      available: k > 0 ? round((b.slotMs - b.occupiedMs) / k, 3) : null,
      total: k > 0 ? round(b.slotMs / k, 3) : null,
      occupancy: share(b.occupiedMs, b.slotMs),
      peak: b.peak,
      low: b.low,
      full: k > 0 ? round(b.fullMs / k, 4) : null,
      arrivals: b.arrivals,
      departures: b.departures,
    };
  });

  const zones: Record<string, ZonePoint[]> = {};
  for (const [zone, list] of [...m.zoneTime.byZone].sort(([a], [b]) => a.localeCompare(b))) {
    zones[zone] = list.map((z, i): ZonePoint => {
      const k = buckets[i]?.knownMs ?? 0;
      return {
        occupied: k > 0 ? round(z.occ / k, 3) : null,
        available: k > 0 ? round((z.known - z.occ) / k, 3) : null,
        total: k > 0 ? round(z.known / k, 3) : null,
        occupancy: share(z.occ, z.known),
      };
    });
  }

  const hour = Array.from({ length: 24 }, () => ({ occ: 0, slot: 0, known: 0 }));
  const weekday = Array.from({ length: 7 }, () => ({ occ: 0, slot: 0, known: 0 }));
  const cells = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => ({ occ: 0, slot: 0 })));
  for (const p of m.pieces) {
    if (p.knownMs <= 0) continue;
    const z = zonedParts(p.start, timeZone);
    for (const acc of [hour[z.hour]!, weekday[z.weekday]!]) {
      acc.occ += p.occupiedMs;
      acc.slot += p.slotMs;
      acc.known += p.knownMs;
    }
    const c = cells[z.weekday]![z.hour]!;
    c.occ += p.occupiedMs;
    c.slot += p.slotMs;
  }
  const cell = (a: { occ: number; slot: number; known: number }): ProfileCell => ({ occupancy: share(a.occ, a.slot), counted_s: seconds(a.known) });

  const staysBySlot = new Map<string, Stay[]>();
  for (const s of [...m.stays, ...m.ongoing]) {
    // Push into the slot's own list: copying it for every stay was quadratic in a slot's stays.
    const list = staysBySlot.get(s.slotId);
    if (list) list.push(s);
    else staysBySlot.set(s.slotId, [s]);
  }
  const ids = [...range.names.keys()];
  const extra = [...new Set([...m.slotTimes.keys(), ...staysBySlot.keys()])].filter((id) => !range.names.has(id)).sort();
  const slots = [...ids, ...extra].map((id): SlotReport => {
    const t = m.slotTimes.get(id) ?? { occupiedMs: 0, knownMs: 0 };
    const d = dwellStats(staysBySlot.get(id) ?? []);
    return {
      id,
      name: range.names.get(id) ?? id,
      utilisation: share(t.occupiedMs, t.knownMs),
      counted_s: seconds(t.knownMs),
      occupied_s: seconds(t.occupiedMs),
      stays: d.stays,
      dwell_mean_s: d.meanMs === null ? null : seconds(d.meanMs),
      dwell_median_s: d.medianMs === null ? null : seconds(d.medianMs),
      censored_stays: d.censored,
      censored_longest_s: d.censoredLongestMs === null ? null : seconds(d.censoredLongestMs),
    };
  });
  const d = dwellStats([...m.stays, ...m.ongoing]);
  const longest = [...m.ongoing]
    .sort((a, b) => a.start - b.start || a.slotId.localeCompare(b.slotId))
    .slice(0, LONGEST)
    .map((s): LongStay => ({
      id: s.slotId,
      name: range.names.get(s.slotId) ?? s.slotId,
      since: iso(s.start),
      since_observed: s.startObserved,
      for_s: seconds(m.until - s.start),
    }));

  return {
    lot: range.lot,
    from: iso(from),
    to: iso(to),
    step: formatStep(range.step),
    time_zone: timeZone,
    generated_at: iso(range.now),
    coverage: m.until > from ? round(all.knownMs / (m.until - from), 4) : 0,
    summary: {
      occupancy: share(all.occupiedMs, all.slotMs),
      occupied: all.knownMs > 0 ? round(all.occupiedMs / all.knownMs, 3) : null,
      peak: all.peak,
      full: all.knownMs > 0 ? round(all.fullMs / all.knownMs, 4) : null,
      arrivals: all.arrivals,
      departures: all.departures,
    },
    series,
    zones,
    by_hour: hour.map(cell),
    by_weekday: weekday.map(cell),
    heatmap: cells.map((row) => row.map((c) => share(c.occ, c.slot))),
    slots,
    dwell: {
      stays: d.stays,
      mean_s: d.meanMs === null ? null : seconds(d.meanMs),
      median_s: d.medianMs === null ? null : seconds(d.medianMs),
      censored: d.censored,
      censored_longest_s: d.censoredLongestMs === null ? null : seconds(d.censoredLongestMs),
    },
    current: { at: iso(m.until), live: m.known && m.until === range.now, longest },
  };
}
