// Replays a lot's timeline over a range and measures it: counted time, occupied slot-time, arrivals, departures and
// stays, per interval and per slot. Time outside the counting spans is unknown: it is neither free nor occupied, it
// is simply not in any figure (every share is "of the time counted").
import type { HistoryRecord, LotInterval, SlotTime, Span, Stay, Timeline, TrackedSlot } from './types.ts';

export interface ReplayOptions {
  readonly from: number;
  readonly to: number;
  /** Interval edges, ascending: the first is `from`, the last is `to`. */
  readonly cuts: readonly number[];
  /** Also keep every slot's time per interval (compaction needs it; a dashboard needs only totals). */
  readonly perSlotIntervals?: boolean;
  /** Slot id → group (a zone): also keep each group's slot time per interval. Slots not in the map are in no group. */
  readonly groups?: ReadonlyMap<string, string>;
}

export interface Replayed {
  /** One per pair of consecutive cuts. */
  readonly intervals: LotInterval[];
  /** Per interval, per slot; null unless asked for. */
  readonly slotIntervals: Map<string, SlotTime>[] | null;
  /** Per interval, per group; null unless groups were given. */
  readonly groupIntervals: Map<string, SlotTime>[] | null;
  /** Per slot, over the whole range. */
  readonly slots: Map<string, SlotTime>;
  /** Stays that ended within [from, to): departures, and stays cut short by a gap or a removed slot. */
  readonly stays: Stay[];
  /** Stays still going on at `to` (censored: they last at least `to - start`). */
  readonly ongoing: Stay[];
  /** Every slot's state at `to`, when the counter was counting then; null in a gap. */
  readonly end: TrackedSlot[] | null;
}

type MutableInterval = { -readonly [K in keyof LotInterval]: LotInterval[K] };
type MutableTime = { occupiedMs: number; knownMs: number };

interface SlotNow {
  occupied: boolean;
  since: number | null;
  /** Time already added to the slot's figures. */
  flushedTo: number;
  /** Start of the current stay (when occupied). */
  stayStart: number;
  stayStartObserved: boolean;
}

export function replay(timeline: Timeline, o: ReplayOptions): Replayed {
  const { from, to, cuts } = o;
  if (cuts.length < 2 || cuts[0] !== from || cuts[cuts.length - 1] !== to) throw new RangeError('cuts must run from `from` to `to`');
  const intervals: MutableInterval[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    intervals.push({ start: cuts[i]!, end: cuts[i + 1]!, knownMs: 0, slotMs: 0, occupiedMs: 0, fullMs: 0, peak: null, low: null, arrivals: 0, departures: 0 });
  }
  const slotIntervals = o.perSlotIntervals ? intervals.map(() => new Map<string, MutableTime>()) : null;
  const groups = o.groups?.size ? o.groups : null;
  const groupIntervals = groups ? intervals.map(() => new Map<string, MutableTime>()) : null;
  const totals = new Map<string, MutableTime>();
  const stays: Stay[] = [];
  const ongoing: Stay[] = [];

  const slots = new Map<string, SlotNow>();
  let occupiedCount = 0;
  let counts: { total: number; occupied: number } | null = null;
  let active: Span | null = null;
  let fresh = false;
  let remembered: TrackedSlot[] | null = null;
  let rememberedCounts: { total: number; occupied: number } | null = null;
  let lotCursor = -Infinity;
  let lotIndex = 0;

  const inRange = (t: number) => t >= from && t < to;
  const indexOf = (t: number): number => {
    let lo = 0;
    let hi = intervals.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (intervals[mid]!.start <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  const addLot = (a: number, b: number, n: number, k: number) => {
    while (lotIndex < intervals.length - 1 && intervals[lotIndex]!.end <= a) lotIndex++;
    for (let i = lotIndex; i < intervals.length && a < b; i++) {
      const iv = intervals[i]!;
      const e = Math.min(b, iv.end);
      const d = e - a;
      if (d <= 0) continue;
      iv.knownMs += d;
      iv.slotMs += n * d;
      iv.occupiedMs += k * d;
      if (n > 0 && k === n) iv.fullMs += d;
      iv.peak = iv.peak === null ? k : Math.max(iv.peak, k);
      iv.low = iv.low === null ? k : Math.min(iv.low, k);
      a = e;
    }
  };

  /** Adds the lot's current state from where it was last measured up to `t`. */
  const lotTo = (t: number) => {
    if (active) {
      const a = Math.max(lotCursor, from);
      const b = Math.min(t, to);
      if (b > a) addLot(a, b, counts ? counts.total : slots.size, counts ? counts.occupied : occupiedCount);
    }
    lotCursor = t;
  };

  const addTime = (m: Map<string, MutableTime>, id: string, occupied: boolean, d: number) => {
    let x = m.get(id);
    if (!x) m.set(id, (x = { occupiedMs: 0, knownMs: 0 }));
    x.knownMs += d;
    if (occupied) x.occupiedMs += d;
  };

  const flushSlot = (id: string, s: SlotNow, t: number) => {
    const a = Math.max(s.flushedTo, from);
    const b = Math.min(t, to);
    s.flushedTo = t;
    if (b <= a) return;
    addTime(totals, id, s.occupied, b - a);
    const group = groups?.get(id);
    if (!slotIntervals && group === undefined) return;
    for (let i = indexOf(a), x = a; i < intervals.length && x < b; i++) {
      const e = Math.min(b, intervals[i]!.end);
      if (e > x) {
        if (slotIntervals) addTime(slotIntervals[i]!, id, s.occupied, e - x);
        if (group !== undefined) addTime(groupIntervals![i]!, group, s.occupied, e - x);
      }
      x = e;
    }
  };

  const endStay = (id: string, s: SlotNow, t: number, observed: boolean) => {
    if (!inRange(t)) return;
    stays.push({ slotId: id, start: s.stayStart, end: t, startObserved: s.stayStartObserved, endObserved: observed });
    if (observed) intervals[indexOf(t)]!.departures++;
  };

  const addSlot = (id: string, occupied: boolean, since: number | null, t: number, seen?: number) => {
    const known = since !== null && since <= t ? since : null;
    const first = known ?? (seen !== undefined && seen <= t ? seen : t);
    slots.set(id, { occupied, since: known, flushedTo: t, stayStart: first, stayStartObserved: known !== null });
    if (occupied) occupiedCount++;
  };

  const removeSlot = (id: string, s: SlotNow, t: number) => {
    flushSlot(id, s, t);
    if (s.occupied) {
      endStay(id, s, t, false);
      occupiedCount--;
    }
    slots.delete(id);
  };

  const transition = (id: string, s: SlotNow, occupied: boolean, t: number) => {
    flushSlot(id, s, t);
    if (s.occupied) {
      endStay(id, s, t, true);
      occupiedCount--;
    } else {
      if (inRange(t)) intervals[indexOf(t)]!.arrivals++;
      s.stayStart = t;
      s.stayStartObserved = true;
      occupiedCount++;
    }
    s.occupied = occupied;
    s.since = t;
  };

  const setAll = (tracked: readonly TrackedSlot[], t: number) => {
    slots.clear();
    occupiedCount = 0;
    for (const s of tracked) addSlot(s.id, s.occupied, s.since, t, s.seen);
  };

  const snapshot = (): TrackedSlot[] =>
    [...slots].map(([id, s]) => (s.since === null ? { id, occupied: s.occupied, since: null, seen: s.stayStart } : { id, occupied: s.occupied, since: s.since }));

  const openSpan = (span: Span) => {
    active = span;
    fresh = true;
    lotCursor = span.start;
    // Until a record says otherwise, the lot is as it was last seen; when it got there is unknown.
    setAll(remembered?.map((s) => ({ id: s.id, occupied: s.occupied, since: null })) ?? [], span.start);
    counts = rememberedCounts;
  };

  const closeSpan = (t: number) => {
    lotTo(t);
    remembered = snapshot();
    rememberedCounts = counts;
    for (const [id, s] of [...slots]) removeSlot(id, s, t);
    counts = null;
    active = null;
  };

  const apply = (r: HistoryRecord) => {
    const t = r.at;
    if (!active) {
      // Outside every span (should not happen): remember it, measure nothing.
      if (r.kind === 'state') (remembered = [...r.slots]), (rememberedCounts = null);
      else if (r.kind === 'counts') (remembered = null), (rememberedCounts = { total: r.total, occupied: r.occupied });
      return;
    }
    lotTo(t);
    if (r.kind === 'state') {
      if (fresh && t === active.start) setAll(r.slots, t);
      else {
        const seen = new Set<string>();
        for (const rs of r.slots) {
          seen.add(rs.id);
          const cur = slots.get(rs.id);
          if (!cur) addSlot(rs.id, rs.occupied, rs.since, t, rs.seen);
          else if (cur.occupied !== rs.occupied) transition(rs.id, cur, rs.occupied, t);
        }
        for (const [id, s] of [...slots]) if (!seen.has(id)) removeSlot(id, s, t);
      }
      counts = null;
    } else if (r.kind === 'counts') {
      for (const [id, s] of [...slots]) removeSlot(id, s, t);
      counts = { total: r.total, occupied: r.occupied };
    } else {
      counts = null;
      const cur = slots.get(r.slotId);
      if (r.state === 'removed') {
        if (cur) removeSlot(r.slotId, cur, t);
      } else if (!cur) addSlot(r.slotId, r.state === 'occupied', null, t);
      else if (cur.occupied !== (r.state === 'occupied')) transition(r.slotId, cur, r.state === 'occupied', t);
    }
    fresh = false;
  };

  const spans = timeline.spans;
  let si = 0;
  /** Opens and closes spans up to time `t`: spans ending before `t` close; spans starting before `t` (or at it) open. */
  const spansUpTo = (t: number, includeStartAtT: boolean) => {
    for (;;) {
      const a = active as Span | null;
      if (a && a.end < t) {
        closeSpan(a.end);
        continue;
      }
      if (!a && si < spans.length && (spans[si]!.start < t || (includeStartAtT && spans[si]!.start === t))) {
        openSpan(spans[si++]!);
        continue;
      }
      return;
    }
  };

  for (const r of timeline.records) {
    if (r.at >= to) break;
    spansUpTo(r.at, true);
    apply(r);
  }
  // Spans after the last record, up to `to` (a span that ends exactly at `to` still knows the state at `to`; one that
  // starts there learns it from a record at `to`, which belongs to the next range).
  spansUpTo(to, false);
  const last = active as Span | null;
  let end: TrackedSlot[] | null = null;
  if (last && last.start <= to && last.end >= to) {
    lotTo(to);
    for (const [id, s] of slots) {
      flushSlot(id, s, to);
      if (s.occupied) ongoing.push({ slotId: id, start: s.stayStart, end: to, startObserved: s.stayStartObserved, endObserved: false });
    }
    end = snapshot();
  }
  return { intervals, slotIntervals, groupIntervals, slots: totals, stays, ongoing, end };
}
