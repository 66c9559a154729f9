// What the export buttons (and the relay's CSV) write: events and aggregates as tables with ISO-8601 times.
import { toCsv, type CsvValue } from './csv.ts';
import type { HistoryReport } from './report.ts';
import type { SlotEvent } from './types.ts';
import { formatLocal } from './zoned-time.ts';

export type ExportTable = 'events' | 'series' | 'slots';
export type ExportFormat = 'csv' | 'json';

export const SERIES_HEADER = [
  'start', 'end', 'start_local', 'counted', 'occupied', 'available', 'total', 'occupancy', 'peak', 'low', 'full', 'arrivals', 'departures',
] as const;

export const SLOTS_HEADER = [
  'id', 'name', 'utilisation', 'counted_s', 'occupied_s', 'stays', 'dwell_mean_s', 'dwell_median_s', 'censored_stays', 'censored_longest_s',
] as const;

export const EVENTS_HEADER = ['time', 'local_time', 'lot', 'slot_id', 'slot_name', 'state', 'confidence'] as const;

/** Per zone, three more columns: `occupied:<zone>`, `available:<zone>`, `occupancy:<zone>` (zones in name order). */
export function seriesHeader(r: HistoryReport): string[] {
  return [...SERIES_HEADER, ...Object.keys(r.zones ?? {}).flatMap((z) => [`occupied:${z}`, `available:${z}`, `occupancy:${z}`])];
}

/** The occupancy series, one row per bucket; empty cells where nothing was counted. */
export function seriesRows(r: HistoryReport): CsvValue[][] {
  const zones = Object.values(r.zones ?? {});
  return r.series.map((p, i) => [
    p.start, p.end, formatLocal(Date.parse(p.start), r.time_zone), p.counted, p.occupied, p.available, p.total, p.occupancy, p.peak, p.low, p.full,
    p.arrivals, p.departures, ...zones.flatMap((z) => [z[i]?.occupied, z[i]?.available, z[i]?.occupancy]),
  ]);
}

export function slotRows(r: HistoryReport): CsvValue[][] {
  return r.slots.map((s) => [
    s.id, s.name, s.utilisation, s.counted_s, s.occupied_s, s.stays, s.dwell_mean_s, s.dwell_median_s, s.censored_stays, s.censored_longest_s,
  ]);
}

export interface EventRow {
  time: string;
  local_time: string;
  lot: string;
  slot_id: string;
  slot_name: string;
  state: SlotEvent['state'];
  confidence: number;
}

export function eventRows(events: readonly SlotEvent[], names: ReadonlyMap<string, string>, timeZone: string): EventRow[] {
  return events.map((e) => ({
    time: new Date(e.at).toISOString(),
    local_time: formatLocal(e.at, timeZone),
    lot: e.lotId,
    slot_id: e.slotId,
    slot_name: names.get(e.slotId) ?? e.slotId,
    state: e.state,
    confidence: e.probability,
  }));
}

export const seriesCsv = (r: HistoryReport): string => toCsv(seriesHeader(r), seriesRows(r));
export const slotsCsv = (r: HistoryReport): string => toCsv(SLOTS_HEADER, slotRows(r));
export const eventsCsv = (rows: readonly EventRow[]): string => toCsv(EVENTS_HEADER, rows.map((e) => EVENTS_HEADER.map((k) => e[k])));

/** A file name such as `lotwatch-default-series-2026-03-29.csv`. */
export function exportFileName(lot: string, table: ExportTable, from: number, timeZone: string, format: ExportFormat): string {
  return `lotwatch-${lot}-${table}-${formatLocal(from, timeZone).slice(0, 10)}.${format}`;
}
