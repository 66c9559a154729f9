// Checks a history report that came over the network (a relay's answer) before a viewer shows it. Never throws.
import type { DwellReport, HistoryReport, LongStay, ProfileCell, SeriesPoint, SlotReport, ZonePoint } from './report.ts';
import type { Checked } from './query.ts';

class Invalid extends Error {}
const fail = (path: string, what: string): never => {
  throw new Invalid(`${path}: expected ${what}`);
};
const obj = (v: unknown, p: string): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(p, 'an object');
const arr = (v: unknown, p: string, max: number): unknown[] => (Array.isArray(v) && v.length <= max ? v : fail(p, `an array of at most ${max}`));
const num = (v: unknown, p: string): number => (typeof v === 'number' && Number.isFinite(v) ? v : fail(p, 'a number'));
const numOrNull = (v: unknown, p: string): number | null => (v === null ? null : num(v, p));
const str = (v: unknown, p: string, max = 200): string => (typeof v === 'string' && v.length <= max ? v : fail(p, `a string of at most ${max} characters`));
const time = (v: unknown, p: string): string => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : fail(p, 'an ISO-8601 time'));
const bool = (v: unknown, p: string): boolean => (typeof v === 'boolean' ? v : fail(p, 'a boolean'));

const MAX_POINTS = 10_000;
const MAX_SLOTS = 1_000;

function cell(v: unknown, p: string): ProfileCell {
  const o = obj(v, p);
  return { occupancy: numOrNull(o.occupancy, `${p}.occupancy`), counted_s: num(o.counted_s, `${p}.counted_s`) };
}

function point(v: unknown, p: string): SeriesPoint {
  const o = obj(v, p);
  const n = (k: keyof SeriesPoint) => numOrNull(o[k], `${p}.${k}`);
  return {
    start: time(o.start, `${p}.start`),
    end: time(o.end, `${p}.end`),
    counted: num(o.counted, `${p}.counted`),
    occupied: n('occupied'),
    available: n('available'),
    total: n('total'),
    occupancy: n('occupancy'),
    peak: n('peak'),
    low: n('low'),
    full: n('full'),
    arrivals: num(o.arrivals, `${p}.arrivals`),
    departures: num(o.departures, `${p}.departures`),
  };
}

function zonePoint(v: unknown, p: string): ZonePoint {
  const o = obj(v, p);
  const n = (k: keyof ZonePoint) => numOrNull(o[k], `${p}.${k}`);
  return { occupied: n('occupied'), available: n('available'), total: n('total'), occupancy: n('occupancy') };
}

/** Per-zone series; a relay from before zones sends none. */
function zoneSeries(v: unknown, length: number): Record<string, ZonePoint[]> {
  if (v === undefined) return {};
  const o = obj(v, 'zones');
  if (Object.keys(o).length > MAX_SLOTS) fail('zones', `at most ${MAX_SLOTS} zones`);
  const out: Record<string, ZonePoint[]> = {};
  for (const [zone, list] of Object.entries(o)) {
    const p = `zones["${zone.slice(0, 40)}"]`;
    const points = arr(list, p, MAX_POINTS).map((x, i) => zonePoint(x, `${p}[${i}]`));
    if (points.length !== length) fail(p, `one point per bucket (${length})`);
    out[str(zone, 'zones', 64)] = points;
  }
  return out;
}

function slot(v: unknown, p: string): SlotReport {
  const o = obj(v, p);
  const n = (k: keyof SlotReport) => numOrNull(o[k], `${p}.${k}`);
  return {
    id: str(o.id, `${p}.id`, 97),
    name: str(o.name, `${p}.name`, 128),
    utilisation: n('utilisation'),
    counted_s: num(o.counted_s, `${p}.counted_s`),
    occupied_s: num(o.occupied_s, `${p}.occupied_s`),
    stays: num(o.stays, `${p}.stays`),
    dwell_mean_s: n('dwell_mean_s'),
    dwell_median_s: n('dwell_median_s'),
    censored_stays: num(o.censored_stays, `${p}.censored_stays`),
    censored_longest_s: n('censored_longest_s'),
  };
}

function dwell(v: unknown, p: string): DwellReport {
  const o = obj(v, p);
  return {
    stays: num(o.stays, `${p}.stays`),
    mean_s: numOrNull(o.mean_s, `${p}.mean_s`),
    median_s: numOrNull(o.median_s, `${p}.median_s`),
    censored: num(o.censored, `${p}.censored`),
    censored_longest_s: numOrNull(o.censored_longest_s, `${p}.censored_longest_s`),
  };
}

function longStay(v: unknown, p: string): LongStay {
  const o = obj(v, p);
  return {
    id: str(o.id, `${p}.id`, 97),
    name: str(o.name, `${p}.name`, 128),
    since: time(o.since, `${p}.since`),
    since_observed: bool(o.since_observed, `${p}.since_observed`),
    for_s: num(o.for_s, `${p}.for_s`),
  };
}

export function parseHistoryReport(v: unknown): Checked<HistoryReport> {
  try {
    const o = obj(v, 'report');
    const s = obj(o.summary, 'summary');
    const c = obj(o.current, 'current');
    const byHour = arr(o.by_hour, 'by_hour', 24).map((x, i) => cell(x, `by_hour[${i}]`));
    const byWeekday = arr(o.by_weekday, 'by_weekday', 7).map((x, i) => cell(x, `by_weekday[${i}]`));
    if (byHour.length !== 24) fail('by_hour', '24 cells');
    if (byWeekday.length !== 7) fail('by_weekday', '7 cells');
    const series = arr(o.series, 'series', MAX_POINTS).map((x, i) => point(x, `series[${i}]`));
    const heatmap = arr(o.heatmap, 'heatmap', 7).map((row, d) => arr(row, `heatmap[${d}]`, 24).map((x, h) => numOrNull(x, `heatmap[${d}][${h}]`)));
    return {
      ok: true,
      value: {
        lot: str(o.lot, 'lot', 64),
        from: time(o.from, 'from'),
        to: time(o.to, 'to'),
        step: str(o.step, 'step', 16),
        time_zone: str(o.time_zone, 'time_zone', 64),
        generated_at: time(o.generated_at, 'generated_at'),
        coverage: num(o.coverage, 'coverage'),
        summary: {
          occupancy: numOrNull(s.occupancy, 'summary.occupancy'),
          occupied: numOrNull(s.occupied, 'summary.occupied'),
          peak: numOrNull(s.peak, 'summary.peak'),
          full: numOrNull(s.full, 'summary.full'),
          arrivals: num(s.arrivals, 'summary.arrivals'),
          departures: num(s.departures, 'summary.departures'),
        },
        series,
        zones: zoneSeries(o.zones, series.length),
        by_hour: byHour,
        by_weekday: byWeekday,
        heatmap,
        slots: arr(o.slots, 'slots', MAX_SLOTS).map((x, i) => slot(x, `slots[${i}]`)),
        dwell: dwell(o.dwell, 'dwell'),
        current: {
          at: time(c.at, 'current.at'),
          live: bool(c.live, 'current.live'),
          longest: arr(c.longest, 'current.longest', MAX_SLOTS).map((x, i) => longStay(x, `current.longest[${i}]`)),
        },
      },
    };
  } catch (e) {
    return { ok: false, error: e instanceof Invalid ? e.message : `report: could not be checked (${String(e)})` };
  }
}
