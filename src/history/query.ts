// The question a history view asks: which range, in which buckets, in which time zone, answered how. Parsed from a
// URL's query (the relay's `GET /lots/<lot>/history?...`) with clear errors, and made from the dashboard's presets.
import { autoStep, bucketCountBound, formatStep, parseStep, type Step } from './buckets.ts';
import { DAY_MS, addLocalDays, canonicalTimeZone, daysInMonth, fromWallTime, startOfLocalDay } from './zoned-time.ts';

export interface HistoryQuery {
  readonly from: number;
  readonly to: number;
  readonly step: Step;
  readonly timeZone: string;
}

export interface HistoryRequest extends HistoryQuery {
  readonly format: 'json' | 'csv';
  /** Which table a CSV answer holds. */
  readonly table: 'series' | 'slots';
}

export const MAX_RANGE_DAYS = 400;
export const MAX_BUCKETS = 10_000;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An ISO-8601 date or date-time. With `Z` or an offset it is that instant; without, it is wall-clock time in
 * `timeZone` (a bare date is that day's local midnight).
 */
export function parseTime(text: string, timeZone: string): number | null {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const parts = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)] as const;
  if (parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > daysInMonth(parts[0], parts[1]) || parts[3] > 23 || parts[4] > 59 || parts[5] > 59) {
    return null;
  }
  const ms = Math.floor(Number(`0.${frac || '0'}`) * 1000);
  if (zone) {
    const t = Date.parse(`${y}-${mo}-${d}T${h.padStart(2, '0')}:${mi}:${s.padStart(2, '0')}.${String(ms).padStart(3, '0')}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
    return Number.isNaN(t) ? null : t;
  }
  const t = fromWallTime(...parts, ms, timeZone);
  return new Date(Date.UTC(parts[0], parts[1] - 1, parts[2])).getUTCDate() === parts[2] ? t : null;
}

/**
 * Null when [from, to) in steps of `step` is within the limits, else why not. The relay refuses what breaks them,
 * and the device checks the same, so a long custom range is an error message rather than a frozen tab.
 */
export function checkRange(from: number, to: number, step: Step): string | null {
  if (from >= to) return 'from: must be before to';
  if (to - from > MAX_RANGE_DAYS * DAY_MS) return `the range is longer than ${MAX_RANGE_DAYS} days`;
  const buckets = bucketCountBound(from, to, step);
  if (buckets > MAX_BUCKETS) return `step: ${formatStep(step)} makes about ${buckets} buckets, more than ${MAX_BUCKETS}; use a longer step`;
  return null;
}

/** Validates a history query; `get` reads a query parameter, `accept` is the request's Accept header. */
export function parseHistoryRequest(get: (name: string) => string | null, accept: string | undefined, now: number): Checked<HistoryRequest> {
  const rawZone = get('tz') ?? 'UTC';
  // The canonical name from here on: every spelling of one zone then shares one cached formatter.
  const timeZone = canonicalTimeZone(rawZone);
  if (timeZone === null) return { ok: false, error: `tz: "${rawZone.slice(0, 64)}" is not a time zone this relay knows (use an IANA name such as Europe/Berlin)` };
  const time = (name: 'from' | 'to', dflt: number): Checked<number> => {
    const raw = get(name);
    if (raw === null || raw === '') return { ok: true, value: dflt };
    const t = parseTime(raw, timeZone);
    return t === null ? { ok: false, error: `${name}: expected an ISO-8601 date or date-time, such as 2026-03-29 or 2026-03-29T08:00:00Z` } : { ok: true, value: t };
  };
  const to = time('to', now);
  if (!to.ok) return to;
  const from = time('from', to.value - DAY_MS);
  if (!from.ok) return from;
  const rawStep = get('step');
  const step = rawStep === null || rawStep === '' ? autoStep(from.value, to.value) : parseStep(rawStep);
  if (!step) return { ok: false, error: 'step: expected a duration such as 15m, 1h, 6h or 1d (at least 1m), or a number of seconds' };
  const error = checkRange(from.value, to.value, step);
  if (error !== null) return { ok: false, error };
  const format = get('format') ?? (wantsCsv(accept) ? 'csv' : 'json');
  if (format !== 'json' && format !== 'csv') return { ok: false, error: 'format: expected json or csv' };
  const table = get('table') ?? 'series';
  if (table !== 'series' && table !== 'slots') return { ok: false, error: 'table: expected series or slots' };
  return { ok: true, value: { from: from.value, to: to.value, step, timeZone, format, table } };
}

/** True when the Accept header prefers CSV to JSON. */
function wantsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const q = (type: string) => {
    for (const part of accept.split(',')) {
      const [t, ...params] = part.trim().split(';');
      if (t?.trim().toLowerCase() !== type) continue;
      const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return qp ? Number(qp.slice(2)) || 0 : 1;
    }
    return 0;
  };
  return q('text/csv') > 0 && q('text/csv') >= q('application/json');
}

export type RangePreset = 'today' | '7d' | '30d';

/** The range the user picked: a preset, or local dates (the last one included). */
export type RangeChoice = { readonly preset: RangePreset } | { readonly preset: 'custom'; readonly from: string; readonly to: string };

/** Where a history view's answer to its query is. */
export type HistoryStatus = 'loading' | 'ready' | 'error';

/** The dashboard's presets: today (local midnight to midnight), or the last 7 or 30 whole local days up to the end of today. */
export function presetQuery(preset: RangePreset, now: number, timeZone: string): HistoryQuery {
  const today = startOfLocalDay(now, timeZone);
  const tomorrow = addLocalDays(today, 1, timeZone);
  const days = preset === 'today' ? 1 : preset === '7d' ? 7 : 30;
  const from = addLocalDays(tomorrow, -days, timeZone);
  return { from, to: tomorrow, step: autoStep(from, tomorrow), timeZone };
}

/** The query for a choice, in the viewer's time zone, or why custom dates make no range the view can show. */
export function queryFor(choice: RangeChoice, now: number, timeZone: string): Checked<HistoryQuery> {
  if (choice.preset !== 'custom') return { ok: true, value: presetQuery(choice.preset, now, timeZone) };
  const from = parseTime(choice.from, timeZone);
  const last = parseTime(choice.to, timeZone);
  if (from === null || last === null || last < from) return { ok: false, error: 'Pick a start date on or before the end date.' };
  const to = addLocalDays(last, 1, timeZone);
  const step = autoStep(from, to);
  const error = checkRange(from, to, step);
  return error === null ? { ok: true, value: { from, to, step, timeZone } } : { ok: false, error: `Pick a shorter range: ${error}.` };
}
