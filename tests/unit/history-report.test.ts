// The report the dashboard shows and the relay answers, the device recorder's decisions, compaction, and exports.
import { describe, expect, it } from 'vitest';
import { parseStep } from '../../src/history/buckets.ts';
import { decodeAggregate, encodeAggregate } from '../../src/history/aggregate-codec.ts';
import { aggregateHours, closedUntil, compactionCutoff, fromAggregates } from '../../src/history/compaction.ts';
import { parseCsv } from '../../src/history/csv.ts';
import { deviceTimeline } from '../../src/history/device-timeline.ts';
import { eventRows, eventsCsv, seriesCsv, slotsCsv, SERIES_HEADER } from '../../src/history/exports.ts';
import { planRecord, RECORDER_CONFIG, type RecorderMemory } from '../../src/history/recorder-plan.ts';
import { historyReport, type ReportRange } from '../../src/history/report.ts';
import { parseHistoryReport } from '../../src/history/report-parse.ts';
import type { HistoryRecord, LotSnapshot, SlotEvent, Timeline } from '../../src/history/types.ts';
import { simulateLot, toLotState } from '../support/simulated-lot.ts';

const H = 3_600_000;
const at = (s: string) => Date.parse(s);
const names = new Map([
  ['a', 'A-01'],
  ['b', 'A-02'],
]);
const range = (from: string, to: string, step: string, timeZone: string, now = Infinity): ReportRange => ({
  lot: 'default',
  from: at(from),
  to: at(to),
  step: parseStep(step)!,
  timeZone,
  now: Number.isFinite(now) ? now : at(to) + 1,
  names,
});
const state = (t: number, slots: Record<string, boolean>): HistoryRecord => ({
  kind: 'state',
  at: t,
  slots: Object.entries(slots).map(([id, occupied]) => ({ id, occupied, since: null })),
});

// One slot, counted all local day; a car from local 01:30 to 03:30 on the night the clocks change.
function dstDay(dayStart: string, dayEnd: string, arrive: string, leave: string): Timeline {
  return {
    spans: [{ start: at(dayStart), end: at(dayEnd) }],
    records: [
      state(at(dayStart), { a: false }),
      { kind: 'change', at: at(arrive), slotId: 'a', state: 'occupied' },
      { kind: 'change', at: at(leave), slotId: 'a', state: 'free' },
    ],
  };
}

describe('history report on daylight-saving days (Europe/Berlin)', () => {
  it.each([
    {
      name: '2026-10-25: the day has 25 hours, hour 2 happens twice, a car from 01:30 to 03:30 stayed 3 hours',
      timeline: dstDay('2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', '2026-10-24T23:30:00Z', '2026-10-25T02:30:00Z'),
      from: '2026-10-24T22:00:00Z',
      to: '2026-10-25T23:00:00Z',
      hours: 25,
      hour: { 1: [0.5, 3600], 2: [1, 7200], 3: [0.5, 3600] } as Record<number, [number, number]>,
      dwell: 3 * 3600,
    },
    {
      name: '2026-03-29: the day has 23 hours, hour 2 never happens, a car from 01:30 to 03:30 stayed 1 hour',
      timeline: dstDay('2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', '2026-03-29T00:30:00Z', '2026-03-29T01:30:00Z'),
      from: '2026-03-28T23:00:00Z',
      to: '2026-03-29T22:00:00Z',
      hours: 23,
      hour: { 1: [0.5, 3600], 2: [null, 0], 3: [0.5, 3600] } as Record<number, [number | null, number]>,
      dwell: 3600,
    },
  ])('$name', ({ timeline, from, to, hours, hour, dwell }) => {
    const r = historyReport(range(from, to, '1d', 'Europe/Berlin'), { timeline, rawFrom: at(from) });
    expect(r.series).toHaveLength(1);
    expect((Date.parse(r.series[0]!.end) - Date.parse(r.series[0]!.start)) / H).toBe(hours);
    expect(r.series[0]!.counted).toBe(1);
    for (const [h, [occupancy, counted]] of Object.entries(hour)) expect(r.by_hour[Number(h)]).toEqual({ occupancy, counted_s: counted });
    expect(r.by_hour.reduce((s, c) => s + c.counted_s, 0)).toBe(hours * 3600);
    expect(r.dwell).toMatchObject({ stays: 1, mean_s: dwell, median_s: dwell, censored: 0 });
    expect(r.slots[0]).toMatchObject({ id: 'a', name: 'A-01', stays: 1, dwell_mean_s: dwell, utilisation: Math.round((dwell / 3600 / hours) * 1e4) / 1e4 });
    // Sunday, in both cases.
    expect(r.by_weekday[6]!.counted_s).toBe(hours * 3600);
  });

  it('hourly buckets on the long day: 25 of them, each one real hour', () => {
    const timeline = dstDay('2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', '2026-10-24T23:30:00Z', '2026-10-25T02:30:00Z');
    const r = historyReport(range('2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', '1h', 'Europe/Berlin'), { timeline, rawFrom: 0 });
    expect(r.series).toHaveLength(25);
    expect(r.series.map((p) => p.occupancy).slice(0, 6)).toEqual([0, 0.5, 1, 1, 0.5, 0]);
    expect(r.heatmap[6]![2]).toBe(1);
  });
});

describe('history report', () => {
  const day: Timeline = {
    spans: [{ start: at('2026-03-10T06:00:00Z'), end: at('2026-03-10T20:00:00Z') }],
    records: [
      state(at('2026-03-10T06:00:00Z'), { a: false, b: true }),
      { kind: 'change', at: at('2026-03-10T08:00:00Z'), slotId: 'a', state: 'occupied' },
      { kind: 'change', at: at('2026-03-10T10:30:00Z'), slotId: 'a', state: 'free' },
      { kind: 'change', at: at('2026-03-10T12:00:00Z'), slotId: 'b', state: 'free' },
      { kind: 'change', at: at('2026-03-10T13:00:00Z'), slotId: 'a', state: 'occupied' },
    ],
  };

  it('shows gaps and the future as empty buckets, never as free, and the longest-occupied slots now', () => {
    const now = at('2026-03-10T15:00:00Z');
    const r = historyReport(range('2026-03-10T00:00:00Z', '2026-03-11T00:00:00Z', '1h', 'UTC', now), { timeline: day, rawFrom: 0 });
    expect(r.series).toHaveLength(24);
    const occupied = r.series.map((p) => p.occupied);
    expect(occupied.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(occupied.slice(6, 15)).toEqual([1, 1, 2, 2, 1.5, 1, 0, 1, 1]);
    expect(occupied.slice(15)).toEqual(Array(9).fill(null));
    expect(r.series[10]).toMatchObject({ counted: 1, occupied: 1.5, available: 0.5, total: 2, occupancy: 0.75, peak: 2, low: 1, full: 0.5, departures: 1 });
    expect(r.series[3]).toMatchObject({ counted: 0, occupied: null, available: null, occupancy: null, peak: null, full: null });
    expect(r.coverage).toBe(Math.round((9 / 15) * 1e4) / 1e4);
    expect(r.summary).toMatchObject({ peak: 2, arrivals: 2, departures: 2 });
    expect(r.current).toEqual({
      at: '2026-03-10T15:00:00.000Z',
      live: true,
      longest: [{ id: 'a', name: 'A-01', since: '2026-03-10T13:00:00.000Z', since_observed: true, for_s: 7200 }],
    });
    expect(parseHistoryReport(JSON.parse(JSON.stringify(r)))).toEqual({ ok: true, value: r });
  });

  it('counts tens of thousands of stays in one slot in linear time (the stay lists are pushed to, not copied)', () => {
    // Two hours of a slot that changes every 100 ms: 36,000 stays (the last still going at the end).
    const start = at('2026-03-10T06:00:00Z');
    const records: HistoryRecord[] = [state(start, { a: false })];
    for (let i = 1; i < 72_000; i++) records.push({ kind: 'change', at: start + i * 100, slotId: 'a', state: i % 2 ? 'occupied' : 'free' });
    const busy: Timeline = { spans: [{ start, end: start + 2 * H }], records };
    const t0 = performance.now();
    const r = historyReport(range('2026-03-10T06:00:00Z', '2026-03-10T08:00:00Z', '1h', 'UTC'), { timeline: busy, rawFrom: 0 });
    const { aggregates } = aggregateHours('default', busy, start, start + 2 * H);
    const elapsed = performance.now() - t0;
    expect(r.slots.find((x) => x.id === 'a')).toMatchObject({ stays: 35_999, censored_stays: 1, occupied_s: 3600 });
    expect(aggregates.map((a) => a.stays.length)).toEqual([17_999, 18_000]);
    // Copying each list per stay took over a minute here; pushing takes about a second, even on a busy machine.
    expect(elapsed).toBeLessThan(20_000);
  });

  it('a relay answer that is not a report is refused with the path of the problem', () => {
    const r = historyReport(range('2026-03-10T00:00:00Z', '2026-03-11T00:00:00Z', '1h', 'UTC'), { timeline: day, rawFrom: 0 });
    expect(parseHistoryReport({ ...r, series: [{ ...r.series[0], occupied: 'many' }] })).toEqual({ ok: false, error: 'series[0].occupied: expected a number' });
    expect(parseHistoryReport({ ...r, by_hour: r.by_hour.slice(1) })).toEqual({ ok: false, error: 'by_hour: expected 24 cells' });
    expect(parseHistoryReport(null)).toEqual({ ok: false, error: 'report: expected an object' });
  });

  it('exports the series and the slots as CSV a spreadsheet opens: header row, ISO-8601 times, empty cells for gaps', () => {
    const r = historyReport(range('2026-03-10T00:00:00Z', '2026-03-11T00:00:00Z', '6h', 'Europe/Berlin'), { timeline: day, rawFrom: 0 });
    const rows = parseCsv(seriesCsv(r));
    expect(rows[0]).toEqual([...SERIES_HEADER]);
    expect(rows[1]).toEqual(['2026-03-10T00:00:00.000Z', '2026-03-10T05:00:00.000Z', '2026-03-10 01:00:00', '0', '', '', '', '', '', '', '', '0', '0']);
    expect(rows[2]!.slice(0, 5)).toEqual(['2026-03-10T05:00:00.000Z', '2026-03-10T11:00:00.000Z', '2026-03-10 06:00:00', '0.8333', '1.5']);
    expect(parseCsv(slotsCsv(r))).toEqual([
      ['id', 'name', 'utilisation', 'counted_s', 'occupied_s', 'stays', 'dwell_mean_s', 'dwell_median_s', 'censored_stays', 'censored_longest_s'],
      ['a', 'A-01', '0.6786', '50400', '34200', '1', '9000', '9000', '1', '25200'],
      ['b', 'A-02', '0.4286', '50400', '21600', '0', '', '', '1', '21600'],
    ]);
  });

  it('exports events with UTC and local times', () => {
    const ev: SlotEvent[] = [{ lotId: 'default', at: at('2026-10-25T00:30:00Z'), slotId: 'a', state: 'occupied', probability: 0.91 }];
    expect(parseCsv(eventsCsv(eventRows(ev, names, 'Europe/Berlin')))).toEqual([
      ['time', 'local_time', 'lot', 'slot_id', 'slot_name', 'state', 'confidence'],
      ['2026-10-25T00:30:00.000Z', '2026-10-25 02:30:00', 'default', 'a', 'A-01', 'occupied', '0.91'],
    ]);
  });
});

describe('the device recorder', () => {
  const lot = (occupied: Record<string, boolean>) => {
    const base = toLotState({ at: 0, slots: Object.entries(occupied).map(([id, o]) => ({ id, occupied: o })) });
    return { ...base, slots: base.slots.map((s) => ({ ...s, probability: 0.8 })) };
  };
  const steps: { at: number; lot: Record<string, boolean>; events: [string, string][]; snapshot: 'full' | 'light' | null }[] = [
    { at: 0, lot: { a: false, b: true }, events: [], snapshot: 'full' },
    { at: 10_000, lot: { a: false, b: true }, events: [], snapshot: null },
    { at: 20_000, lot: { a: true, b: true }, events: [['a', 'occupied']], snapshot: null },
    { at: 60_000, lot: { a: true, b: true }, events: [], snapshot: 'light' },
    { at: 70_000, lot: { a: true }, events: [['b', 'removed']], snapshot: null },
    { at: 3_600_000, lot: { a: true }, events: [], snapshot: 'full' },
    { at: 3_700_000, lot: { a: true }, events: [], snapshot: 'light' },
    // 181 s of silence: a gap. A new span starts with a full snapshot; the change in the gap was not seen.
    { at: 3_881_001, lot: { a: false }, events: [], snapshot: 'full' },
  ];

  it('writes a full snapshot when a span starts and hourly, a heartbeat each minute, and an event per change', () => {
    let mem: RecorderMemory | null = null;
    for (const s of steps) {
      const plan = planRecord(mem, 'default', lot(s.lot), s.at, RECORDER_CONFIG);
      expect(plan.events.map((e) => [e.slotId, e.state]), `events at ${s.at}`).toEqual(s.events);
      for (const e of plan.events) expect(e).toMatchObject({ lotId: 'default', at: s.at, probability: e.state === 'removed' ? 0 : 0.8 });
      const kind = plan.snapshot ? (plan.snapshot.slots ? 'full' : 'light') : null;
      expect(kind, `snapshot at ${s.at}`).toBe(s.snapshot);
      mem = plan.memory;
    }
    const last = planRecord(null, 'default', lot({ a: true }), 5, RECORDER_CONFIG);
    expect(last.snapshot).toEqual({ lotId: 'default', at: 5, total: 1, occupied: 1, slots: [{ id: 'a', occupied: true, since: null, seen: 5 }] });
  });
});

describe('hourly aggregates', () => {
  // Three simulated days of a 12-slot lot, with the counter off for an evening; the first day is read from aggregates.
  const from = at('2026-03-27T00:00:00Z');
  const to = at('2026-03-30T00:00:00Z');
  const cutoff = at('2026-03-28T00:00:00Z');
  const frames = simulateLot({ slots: 12, from, to, seed: 7, offline: [{ start: at('2026-03-27T18:10:00Z'), end: at('2026-03-27T21:40:00Z') }] });
  const events: SlotEvent[] = [];
  const snapshots: LotSnapshot[] = [];
  let mem: RecorderMemory | null = null;
  for (const f of frames) {
    const p = planRecord(mem, 'default', toLotState(f), f.at);
    mem = p.memory;
    events.push(...p.events);
    if (p.snapshot) snapshots.push(p.snapshot);
  }
  const gap = RECORDER_CONFIG.gapAfterMs;
  const raw = deviceTimeline(events, snapshots, gap);
  const early = deviceTimeline(
    events.filter((e) => e.at < cutoff + gap),
    snapshots.filter((s) => s.at < cutoff + gap),
    gap,
  );
  const { aggregates, carry } = aggregateHours('default', early, from, cutoff);
  const later = deviceTimeline(
    events.filter((e) => e.at >= cutoff),
    [...(carry ? [carry] : []), ...snapshots.filter((s) => s.at > cutoff)],
    gap,
  );

  it.each([
    ['UTC', '1h'],
    ['Europe/Berlin', '1d'],
    ['Europe/Berlin', '3h'],
    // A day's chart is in quarter hours: each aggregate keeps its hour's four quarters, exact in every zone whose
    // offset is a multiple of 15 minutes (India's +5:30, Nepal's +5:45).
    ['Europe/Berlin', '15m'],
    ['Asia/Kolkata', '15m'],
    ['Asia/Kathmandu', '15m'],
  ])('answers from hourly aggregates what the raw events answer (%s, step %s)', (zone, step) => {
    const q: ReportRange = { lot: 'default', from, to, step: parseStep(step)!, timeZone: zone, now: to + 1, names: new Map() };
    const all = historyReport(q, { timeline: raw, rawFrom: from });
    const compacted = historyReport(q, { timeline: later, rawFrom: cutoff, aggregates });
    expect(all.series.some((p) => p.occupied === null)).toBe(step === '1h' || step === '15m');
    expect(all.dwell.stays).toBeGreaterThan(30);
    expect(compacted.series).toHaveLength(all.series.length);
    compacted.series.forEach((p, i) => {
      const a = all.series[i]!;
      expect([p.start, p.occupied === null, p.peak, p.low, p.arrivals, p.departures]).toEqual([a.start, a.occupied === null, a.peak, a.low, a.arrivals, a.departures]);
      expect(p.counted).toBeCloseTo(a.counted, 3);
      if (a.occupied !== null) expect(p.occupied).toBeCloseTo(a.occupied, 2);
    });
    expect(compacted.slots.map((s) => [s.id, s.utilisation, s.stays, s.dwell_mean_s, s.censored_stays])).toEqual(
      all.slots.map((s) => [s.id, s.utilisation, s.stays, s.dwell_mean_s, s.censored_stays]),
    );
    expect(compacted.dwell).toEqual(all.dwell);
    expect(compacted.by_hour).toEqual(all.by_hour);
    expect(compacted.heatmap).toEqual(all.heatmap);
  });

  it('packs an aggregate for storage and unpacks it unchanged', () => {
    for (const a of aggregates) expect(decodeAggregate(encodeAggregate(a))).toEqual(a);
    expect(aggregates.some((a) => a.stays.length > 0 && Object.keys(a.slots).length === 12)).toBe(true);
  });

  it('keeps each hour’s quarters, which add up to the hour; an aggregate stored before quarters were kept reads as its hour spread evenly', () => {
    const whole = aggregates.filter((a) => a.end - a.start === H);
    expect(whole.length).toBeGreaterThan(15);
    for (const a of whole) {
      expect(a.quarters!.map((q) => q.start - a.start)).toEqual([0, 1, 2, 3].map((k) => k * 15 * 60_000));
      expect(a.quarters!.reduce((n, q) => n + q.occupiedMs, 0)).toBeCloseTo(a.occupiedMs, 6);
      expect(a.quarters!.reduce((n, q) => n + q.arrivals, 0)).toBe(a.arrivals);
    }
    const edges = [0, 1, 2, 3, 4].map((k) => whole[5]!.start + k * 15 * 60_000);
    const { quarters: _q, ...old } = whole[5]!;
    const spread = fromAggregates([old], edges[0]!, edges[4]!, edges).pieces;
    expect(spread.map((p) => p.occupiedMs)).toEqual(edges.slice(1).map(() => old.occupiedMs / 4));
    expect(fromAggregates([whole[5]!], edges[0]!, edges[4]!, edges).pieces).toEqual(whole[5]!.quarters);
  });

  it('keeps hours, not changes: far fewer records, and none for hours nobody counted', () => {
    expect(aggregates.length).toBeLessThanOrEqual(24);
    expect(aggregates.length).toBeGreaterThanOrEqual(20);
    expect(aggregates.every((a) => a.knownMs > 0 || a.stays.length > 0)).toBe(true);
    const before = events.filter((e) => e.at < cutoff).length + snapshots.filter((s) => s.at < cutoff).length;
    expect(before).toBeGreaterThan(aggregates.length * 20);
    expect(carry).toMatchObject({ at: cutoff, total: 12 });
    // Cars there at the cut keep when they arrived (or were first seen), so their stays stay whole.
    const parked = carry!.slots!.filter((s) => s.occupied);
    expect(parked.length).toBeGreaterThan(0);
    for (const s of parked) expect((s.since ?? s.seen)!).toBeLessThan(cutoff);
  });

  it('aggregates whole hours once they are over, and drops raw hours once older than the retention period', () => {
    expect(new Date(closedUntil(at('2026-03-29T12:02:00Z'), RECORDER_CONFIG.gapAfterMs)).toISOString()).toBe('2026-03-29T11:00:00.000Z');
    expect(new Date(closedUntil(at('2026-03-29T12:03:00Z'), RECORDER_CONFIG.gapAfterMs)).toISOString()).toBe('2026-03-29T12:00:00.000Z');
    expect(new Date(compactionCutoff(at('2026-03-29T12:34:56Z'), 7)).toISOString()).toBe('2026-03-22T12:00:00.000Z');
  });
});

describe('per-zone series', () => {
  // Three slots over two hours: a and b on Level 1, c on Level 2. a is taken for the first hour, c for all of it.
  const from = at('2026-05-04T08:00:00Z');
  const timeline: Timeline = {
    spans: [{ start: from, end: from + 2 * H }],
    records: [state(from, { a: true, b: false, c: true }), { kind: 'change', at: from + H, slotId: 'a', state: 'free' }],
  };
  const zones = new Map([
    ['a', 'Level 1'],
    ['b', 'Level 1'],
    ['c', 'Level 2'],
  ]);
  const r3 = (z?: ReadonlyMap<string, string>): ReportRange => ({ ...range('2026-05-04T08:00:00Z', '2026-05-04T10:00:00Z', '1h', 'UTC'), zones: z });

  it('has one point per bucket and zone, from raw history and from compacted hours alike', () => {
    const raw = historyReport(r3(zones), { timeline, rawFrom: 0 });
    expect(raw.zones).toEqual({
      'Level 1': [
        { occupied: 1, available: 1, total: 2, occupancy: 0.5 },
        { occupied: 0, available: 2, total: 2, occupancy: 0 },
      ],
      'Level 2': [
        { occupied: 1, available: 0, total: 1, occupancy: 1 },
        { occupied: 1, available: 0, total: 1, occupancy: 1 },
      ],
    });
    const { aggregates } = aggregateHours('default', timeline, from, from + 2 * H);
    const compacted = historyReport(r3(zones), { timeline: { spans: [], records: [] }, rawFrom: from + 2 * H, aggregates });
    expect(compacted.zones).toEqual(raw.zones);
    expect(historyReport(r3(), { timeline, rawFrom: 0 }).zones).toEqual({});
  });

  it('adds three CSV columns per zone, and a relay answer carries the series through the report check', () => {
    const r = historyReport(r3(zones), { timeline, rawFrom: 0 });
    const rows = parseCsv(seriesCsv(r));
    expect(rows[0]!.slice(SERIES_HEADER.length)).toEqual([
      'occupied:Level 1', 'available:Level 1', 'occupancy:Level 1', 'occupied:Level 2', 'available:Level 2', 'occupancy:Level 2',
    ]);
    expect(rows[1]!.slice(SERIES_HEADER.length)).toEqual(['1', '1', '0.5', '1', '0', '1']);
    expect(parseHistoryReport(JSON.parse(JSON.stringify(r)))).toEqual({ ok: true, value: r });
    const { zones: _z, ...old } = r;
    expect(parseHistoryReport(old)).toEqual({ ok: true, value: { ...r, zones: {} } });
  });
});

describe('closed slots in the device history', () => {
  it('a closed slot is recorded as removed while closed and comes back when it reopens', () => {
    const s = (id: string, occupied: boolean) => ({ id, occupied, since: 0, probability: occupied ? 0.9 : 0.1, pending: null });
    const lot = (t: number, closed?: string[]) => ({
      slots: [s('a', true), s('b', false)],
      counts: { total: 2, occupied: 1, available: 1 },
      lastChanged: 0,
      observedAt: t,
      ...(closed ? { closed } : {}),
    });
    const first = planRecord(null, 'default', lot(1000), 1000);
    const closed = planRecord(first.memory, 'default', lot(2000, ['b']), 2000);
    expect(closed.events.map((e) => [e.slotId, e.state])).toEqual([['b', 'removed']]);
    const reopened = planRecord(closed.memory, 'default', lot(3000), 3000);
    expect(reopened.events.map((e) => [e.slotId, e.state])).toEqual([['b', 'free']]);
  });
});
