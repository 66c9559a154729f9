// Cutting time into buckets: steps ("15m", "1h", "1d"), bucket edges in a time zone, and slicing interval figures at
// those edges. Pure.
import type { LotInterval } from './types.ts';
import { DAY_MS, HOUR_MS, addLocalDays, startOfLocalDay } from './zoned-time.ts';

/** A fixed length, or whole local days (23 or 25 hours on daylight-saving days). */
export type Step = { readonly kind: 'fixed'; readonly ms: number } | { readonly kind: 'days'; readonly days: number };

export const QUARTER_MS = 15 * 60_000;
export const MIN_STEP_MS = 60_000;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: HOUR_MS, d: DAY_MS };

/** `15m`, `1h`, `6h`, `1d`, `7d`, or a number of seconds; at least a minute, at most 366 days. Null when not a step. */
export function parseStep(text: string): Step | null {
  const m = /^(\d{1,6})([smhd]?)$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] || 's';
  if (n <= 0) return null;
  if (unit === 'd') return n <= 366 ? { kind: 'days', days: n } : null;
  const ms = n * UNITS[unit]!;
  if (ms < MIN_STEP_MS || ms > 366 * DAY_MS) return null;
  // A multiple of a day is counted in local days, so daily buckets start at local midnight.
  return ms % DAY_MS === 0 ? { kind: 'days', days: ms / DAY_MS } : { kind: 'fixed', ms };
}

export function formatStep(step: Step): string {
  if (step.kind === 'days') return `${step.days}d`;
  if (step.ms % HOUR_MS === 0) return `${step.ms / HOUR_MS}h`;
  if (step.ms % 60_000 === 0) return `${step.ms / 60_000}m`;
  return `${Math.round(step.ms / 1000)}s`;
}

/** A step that gives a readable chart for the range: quarter hours for a day or two, hours up to ~6 weeks, then days. */
export function autoStep(from: number, to: number): Step {
  const span = to - from;
  if (span <= 2 * DAY_MS) return { kind: 'fixed', ms: QUARTER_MS };
  if (span <= 45 * DAY_MS) return { kind: 'fixed', ms: HOUR_MS };
  return { kind: 'days', days: 1 };
}

/** How many buckets a range would have (an upper bound for day steps), to refuse absurd requests before doing them. */
export function bucketCountBound(from: number, to: number, step: Step): number {
  const len = step.kind === 'fixed' ? step.ms : step.days * (DAY_MS - HOUR_MS);
  return Math.ceil((to - from) / len) + 1;
}

/**
 * Bucket edges from `from` to `to` (both included). Buckets line up with the local day of `from` in `timeZone`:
 * day steps start at local midnight, fixed steps count from the local midnight before `from`. The first and last
 * bucket may be partial.
 */
export function bucketEdges(from: number, to: number, step: Step, timeZone: string): number[] {
  const edges = [from];
  const anchor = startOfLocalDay(from, timeZone);
  if (step.kind === 'fixed') {
    for (let t = anchor + Math.floor((from - anchor) / step.ms + 1) * step.ms; t < to; t += step.ms) edges.push(t);
  } else {
    for (let d = addLocalDays(anchor, step.days, timeZone); d < to; d = addLocalDays(d, step.days, timeZone)) edges.push(d);
  }
  edges.push(to);
  return edges;
}

/** Every UTC quarter hour strictly inside (from, to). Every time zone's offset is a whole number of quarter hours, so a quarter never straddles a local hour. */
export function quarterEdges(from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = Math.floor(from / QUARTER_MS + 1) * QUARTER_MS; t < to; t += QUARTER_MS) out.push(t);
  return out;
}

/** Sorted, without duplicates, limited to [from, to], with `from` and `to` included. */
export function mergeEdges(from: number, to: number, ...lists: readonly (readonly number[])[]): number[] {
  const all = new Set<number>([from, to]);
  for (const l of lists) for (const t of l) if (t > from && t < to) all.add(t);
  return [...all].sort((a, b) => a - b);
}

/**
 * The part of an interval between `start` and `end`, assuming its figures spread evenly over it (what is left of an
 * hour once it has been compacted). Peak and low stay as they are; arrivals and departures go with the part that
 * holds the interval's start.
 */
export function sliceInterval(iv: LotInterval, start: number, end: number): LotInterval {
  const s = Math.max(start, iv.start);
  const e = Math.min(end, iv.end);
  const f = e > s ? (e - s) / (iv.end - iv.start) : 0;
  const first = s === iv.start;
  return {
    start: s,
    end: e,
    knownMs: iv.knownMs * f,
    slotMs: iv.slotMs * f,
    occupiedMs: iv.occupiedMs * f,
    fullMs: iv.fullMs * f,
    peak: f > 0 && iv.knownMs > 0 ? iv.peak : null,
    low: f > 0 && iv.knownMs > 0 ? iv.low : null,
    arrivals: first ? iv.arrivals : 0,
    departures: first ? iv.departures : 0,
  };
}

/** Cuts intervals at every edge inside them, so each piece lies within one bucket (and one quarter hour). */
export function sliceAtEdges(intervals: readonly LotInterval[], edges: readonly number[]): LotInterval[] {
  const out: LotInterval[] = [];
  for (const iv of intervals) {
    let s = iv.start;
    for (const e of edges) {
      if (e <= s) continue;
      if (e >= iv.end) break;
      out.push(sliceInterval(iv, s, e));
      s = e;
    }
    out.push(sliceInterval(iv, s, iv.end));
  }
  return out;
}

/** Adds intervals up into one over [start, end). */
export function sumIntervals(start: number, end: number, intervals: readonly LotInterval[]): LotInterval {
  let knownMs = 0;
  let slotMs = 0;
  let occupiedMs = 0;
  let fullMs = 0;
  let peak: number | null = null;
  let low: number | null = null;
  let arrivals = 0;
  let departures = 0;
  for (const iv of intervals) {
    knownMs += iv.knownMs;
    slotMs += iv.slotMs;
    occupiedMs += iv.occupiedMs;
    fullMs += iv.fullMs;
    if (iv.peak !== null) peak = peak === null ? iv.peak : Math.max(peak, iv.peak);
    if (iv.low !== null) low = low === null ? iv.low : Math.min(low, iv.low);
    arrivals += iv.arrivals;
    departures += iv.departures;
  }
  return { start, end, knownMs, slotMs, occupiedMs, fullMs, peak, low, arrivals, departures };
}

/** Groups pieces (each within one bucket) into the buckets the edges make. */
export function groupIntoBuckets(pieces: readonly LotInterval[], edges: readonly number[]): LotInterval[] {
  const out: LotInterval[] = [];
  let p = 0;
  for (let i = 0; i + 1 < edges.length; i++) {
    const start = edges[i]!;
    const end = edges[i + 1]!;
    const inside: LotInterval[] = [];
    while (p < pieces.length && pieces[p]!.start < end) {
      if (pieces[p]!.start >= start) inside.push(pieces[p]!);
      p++;
    }
    out.push(sumIntervals(start, end, inside));
  }
  return out;
}
