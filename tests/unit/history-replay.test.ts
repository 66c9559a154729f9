// The measuring core of history, table by table: counted time, per-slot utilisation, stays (dwell) and their
// censoring, with gaps, midnight, daylight-saving days and a slot occupied across the whole range.
import { describe, expect, it } from 'vitest';
import { dwellStats } from '../../src/history/dwell.ts';
import { replay } from '../../src/history/replay.ts';
import { spansFromTimes, trackSlots } from '../../src/history/track.ts';
import type { HistoryRecord, SlotChangeState, Span, Stay, Timeline } from '../../src/history/types.ts';

const H = 3_600_000;
const M = 60_000;
const t = (hhmm: string, day = '2026-03-10') => Date.parse(`${day}T${hhmm}:00Z`);
/** A full state: slot id → occupied, or [occupied, since]. */
const state = (at: number, slots: Record<string, boolean | [boolean, number | null]>): HistoryRecord => ({
  kind: 'state',
  at,
  slots: Object.entries(slots).map(([id, v]) => (Array.isArray(v) ? { id, occupied: v[0], since: v[1] } : { id, occupied: v, since: null })),
});
const change = (at: number, slotId: string, s: SlotChangeState): HistoryRecord => ({ kind: 'change', at, slotId, state: s });
const span = (start: number, end: number): Span => ({ start, end });
const stay = (slotId: string, start: number, end: number, startObserved: boolean, endObserved: boolean): Stay => ({ slotId, start, end, startObserved, endObserved });

interface Case {
  name: string;
  timeline: Timeline;
  from: number;
  to: number;
  known: number;
  /** slot → [occupied ms, known ms] */
  slots: Record<string, [number, number]>;
  stays: Stay[];
  ongoing: Stay[];
  arrivals: number;
  departures: number;
}

// A day in UTC: counted 06:00–20:00; slot a free, b occupied when counting starts.
const day: Timeline = {
  spans: [span(t('06:00'), t('20:00'))],
  records: [
    state(t('06:00'), { a: false, b: true }),
    change(t('08:00'), 'a', 'occupied'),
    change(t('10:30'), 'a', 'free'),
    change(t('12:00'), 'b', 'free'),
    change(t('13:00'), 'a', 'occupied'),
  ],
};

const cases: Case[] = [
  {
    name: 'a counted day: gaps before and after are unknown, not free; stays cut by the end of counting are censored',
    timeline: day,
    from: t('00:00'),
    to: t('00:00', '2026-03-11'),
    known: 14 * H,
    slots: { a: [9.5 * H, 14 * H], b: [6 * H, 14 * H] },
    stays: [
      stay('a', t('08:00'), t('10:30'), true, true),
      stay('b', t('06:00'), t('12:00'), false, true),
      stay('a', t('13:00'), t('20:00'), true, false),
    ],
    ongoing: [],
    arrivals: 2,
    departures: 2,
  },
  {
    name: 'a slot occupied across the whole range, arrival seen before it: utilisation 1, one ongoing (censored) stay',
    timeline: day,
    from: t('14:00'),
    to: t('16:00'),
    known: 2 * H,
    slots: { a: [2 * H, 2 * H], b: [0, 2 * H] },
    stays: [],
    ongoing: [stay('a', t('13:00'), t('16:00'), true, false)],
    arrivals: 0,
    departures: 0,
  },
  {
    name: 'a slot occupied across the whole range since counting started: the arrival is unknown',
    timeline: day,
    from: t('07:00'),
    to: t('11:00'),
    known: 4 * H,
    slots: { a: [2.5 * H, 4 * H], b: [4 * H, 4 * H] },
    stays: [stay('a', t('08:00'), t('10:30'), true, true)],
    ongoing: [stay('b', t('06:00'), t('11:00'), false, false)],
    arrivals: 1,
    departures: 1,
  },
  {
    name: 'a stay that ends in the range counts whole, even when it began before the range',
    timeline: day,
    from: t('09:00'),
    to: t('11:00'),
    known: 2 * H,
    slots: { a: [1.5 * H, 2 * H], b: [2 * H, 2 * H] },
    stays: [stay('a', t('08:00'), t('10:30'), true, true)],
    ongoing: [stay('b', t('06:00'), t('11:00'), false, false)],
    arrivals: 0,
    departures: 1,
  },
  {
    name: 'a gap in the middle: neither free nor occupied; the stay is cut, and after the gap its arrival is unknown',
    timeline: {
      spans: [span(t('08:00'), t('10:00')), span(t('11:00'), t('12:00'))],
      records: [
        state(t('08:00'), { a: false }),
        change(t('09:00'), 'a', 'occupied'),
        state(t('11:00'), { a: [true, null] }),
        change(t('11:30'), 'a', 'free'),
      ],
    },
    from: t('08:00'),
    to: t('12:00'),
    known: 3 * H,
    slots: { a: [1.5 * H, 3 * H] },
    stays: [stay('a', t('09:00'), t('10:00'), true, false), stay('a', t('11:00'), t('11:30'), false, true)],
    ongoing: [],
    arrivals: 1,
    departures: 1,
  },
  {
    name: 'a span that starts without a record (a relay whose first state was a duplicate) goes on from the last state, arrival unknown',
    timeline: {
      spans: [span(t('08:00'), t('09:00')), span(t('10:00'), t('11:00'))],
      records: [state(t('08:00'), { a: false }), state(t('08:30'), { a: [true, t('08:30')] })],
    },
    from: t('08:00'),
    to: t('11:00'),
    known: 2 * H,
    slots: { a: [1.5 * H, 2 * H] },
    stays: [stay('a', t('08:30'), t('09:00'), true, false)],
    ongoing: [stay('a', t('10:00'), t('11:00'), false, false)],
    arrivals: 1,
    departures: 0,
  },
  {
    name: 'a slot removed from the layout stops being counted; its stay is cut',
    timeline: {
      spans: [span(t('08:00'), t('12:00'))],
      records: [state(t('08:00'), { a: [true, t('07:00')], b: false }), change(t('09:00'), 'a', 'removed'), change(t('10:00'), 'c', 'occupied')],
    },
    from: t('08:00'),
    to: t('12:00'),
    known: 4 * H,
    slots: { a: [1 * H, 1 * H], b: [0, 4 * H], c: [2 * H, 2 * H] },
    stays: [stay('a', t('07:00'), t('09:00'), true, false)],
    ongoing: [stay('c', t('10:00'), t('12:00'), false, false)],
    arrivals: 0,
    departures: 0,
  },
  {
    name: 'a full state in a span changes only what differs, and those changes are observed',
    timeline: {
      spans: [span(t('08:00'), t('12:00'))],
      records: [state(t('08:00'), { a: false, b: true }), state(t('09:00'), { a: true, b: [true, null] }), state(t('10:00'), { a: false, b: true })],
    },
    from: t('08:00'),
    to: t('12:00'),
    known: 4 * H,
    slots: { a: [1 * H, 4 * H], b: [4 * H, 4 * H] },
    stays: [stay('a', t('09:00'), t('10:00'), true, true)],
    ongoing: [stay('b', t('08:00'), t('12:00'), false, false)],
    arrivals: 1,
    departures: 1,
  },
  {
    name: 'midnight: a car from 23:00 to 01:00 ends in the second day, with its whole two hours',
    timeline: {
      spans: [span(t('22:00'), t('02:00', '2026-03-11'))],
      records: [state(t('22:00'), { a: false }), change(t('23:00'), 'a', 'occupied'), change(t('01:00', '2026-03-11'), 'a', 'free')],
    },
    from: t('00:00', '2026-03-11'),
    to: t('00:00', '2026-03-12'),
    known: 2 * H,
    slots: { a: [1 * H, 2 * H] },
    stays: [stay('a', t('23:00'), t('01:00', '2026-03-11'), true, true)],
    ongoing: [],
    arrivals: 0,
    departures: 1,
  },
  {
    name: 'midnight: the same car is still there at the end of the first day (censored, at least an hour)',
    timeline: {
      spans: [span(t('22:00'), t('02:00', '2026-03-11'))],
      records: [state(t('22:00'), { a: false }), change(t('23:00'), 'a', 'occupied'), change(t('01:00', '2026-03-11'), 'a', 'free')],
    },
    from: t('00:00'),
    to: t('00:00', '2026-03-11'),
    known: 2 * H,
    slots: { a: [1 * H, 2 * H] },
    stays: [],
    ongoing: [stay('a', t('23:00'), t('00:00', '2026-03-11'), true, false)],
    arrivals: 1,
    departures: 0,
  },
  {
    name: 'no counting at all: nothing is known, nothing is free',
    timeline: { spans: [], records: [] },
    from: t('00:00'),
    to: t('12:00'),
    known: 0,
    slots: {},
    stays: [],
    ongoing: [],
    arrivals: 0,
    departures: 0,
  },
];

describe('replay', () => {
  it.each(cases)('$name', (c) => {
    const r = replay(c.timeline, { from: c.from, to: c.to, cuts: [c.from, c.to] });
    const iv = r.intervals[0]!;
    expect(iv.knownMs).toBe(c.known);
    expect(Object.fromEntries([...r.slots].map(([id, s]) => [id, [s.occupiedMs, s.knownMs]]))).toEqual(c.slots);
    expect(r.stays).toEqual(c.stays);
    expect(r.ongoing).toEqual(c.ongoing);
    expect([iv.arrivals, iv.departures]).toEqual([c.arrivals, c.departures]);
    // Occupied slot-time is the per-slot occupied time added up; counted slot-time likewise.
    const sum = (k: 'occupiedMs' | 'knownMs') => [...r.slots.values()].reduce((a, s) => a + s[k], 0);
    expect(iv.occupiedMs).toBe(sum('occupiedMs'));
    expect(iv.slotMs).toBe(sum('knownMs'));
  });

  it('splits figures at every cut, and peaks, lows and full time follow the lot', () => {
    const r = replay(day, { from: t('06:00'), to: t('14:00'), cuts: [t('06:00'), t('08:00'), t('10:00'), t('12:00'), t('14:00')] });
    expect(r.intervals.map((i) => [i.knownMs / H, i.occupiedMs / H, i.peak, i.low, i.fullMs / H])).toEqual([
      [2, 2, 1, 1, 0],
      [2, 4, 2, 2, 2],
      [2, 2.5, 2, 1, 0.5],
      [2, 1, 1, 0, 0],
    ]);
  });

  it('knows the state at the end of the range only while counting, with each slot’s since', () => {
    expect(replay(day, { from: t('06:00'), to: t('15:00'), cuts: [t('06:00'), t('15:00')] }).end).toEqual([
      { id: 'a', occupied: true, since: t('13:00') },
      { id: 'b', occupied: false, since: t('12:00') },
    ]);
    expect(replay(day, { from: t('06:00'), to: t('21:00'), cuts: [t('06:00'), t('21:00')] }).end).toBeNull();
  });

  it('counts-only states (a publisher without per-slot detail) still give lot figures, and no per-slot ones', () => {
    const r = replay(
      {
        spans: [span(t('08:00'), t('10:00'))],
        records: [
          { kind: 'counts', at: t('08:00'), total: 10, occupied: 4 },
          { kind: 'counts', at: t('09:00'), total: 10, occupied: 10 },
        ],
      },
      { from: t('08:00'), to: t('10:00'), cuts: [t('08:00'), t('10:00')] },
    );
    expect(r.intervals[0]).toMatchObject({ knownMs: 2 * H, slotMs: 20 * H, occupiedMs: 14 * H, fullMs: 1 * H, peak: 10, low: 4 });
    expect(r.slots.size).toBe(0);
  });

  it('keeps per-slot time per interval when asked (compaction)', () => {
    const r = replay(day, { from: t('06:00'), to: t('10:00'), cuts: [t('06:00'), t('08:00'), t('10:00')], perSlotIntervals: true });
    expect(r.slotIntervals!.map((m) => Object.fromEntries([...m].map(([id, s]) => [id, [s.occupiedMs / H, s.knownMs / H]])))).toEqual([
      { a: [0, 2], b: [2, 2] },
      { a: [2, 2], b: [2, 2] },
    ]);
  });
});

describe('dwell statistics', () => {
  it.each([
    { name: 'none', stays: [], expected: { stays: 0, meanMs: null, medianMs: null, censored: 0, censoredLongestMs: null } },
    {
      name: 'odd count: the middle one',
      stays: [stay('a', 0, 10 * M, true, true), stay('a', 0, 30 * M, true, true), stay('b', 0, 20 * M, true, true)],
      expected: { stays: 3, meanMs: 20 * M, medianMs: 20 * M, censored: 0, censoredLongestMs: null },
    },
    {
      name: 'even count: the mean of the middle two; censored stays stay out of mean and median',
      stays: [stay('a', 0, 10 * M, true, true), stay('a', 0, 40 * M, true, true), stay('b', 0, 600 * M, false, true), stay('c', 0, 900 * M, true, false)],
      expected: { stays: 2, meanMs: 25 * M, medianMs: 25 * M, censored: 2, censoredLongestMs: 900 * M },
    },
    {
      name: 'only a slot occupied across the whole range: no dwell time, one censored stay',
      stays: [stay('a', 0, 24 * H, false, false)],
      expected: { stays: 0, meanMs: null, medianMs: null, censored: 1, censoredLongestMs: 24 * H },
    },
  ])('$name', ({ stays, expected }) => {
    expect(dwellStats(stays)).toEqual(expected);
  });
});

describe('tracking slots and spans', () => {
  it.each([
    {
      name: 'a new span: every since unknown (first seen now), nothing changed',
      prev: null,
      next: [{ id: 'a', occupied: true }],
      slots: [{ id: 'a', occupied: true, since: null, seen: 100 }],
      changes: [],
    },
    {
      name: 'unchanged slots keep their since',
      prev: [{ id: 'a', occupied: true, since: 5 }],
      next: [{ id: 'a', occupied: true }],
      slots: [{ id: 'a', occupied: true, since: 5 }],
      changes: [],
    },
    {
      name: 'a change, a new slot, a removed slot',
      prev: [
        { id: 'a', occupied: true, since: 5 },
        { id: 'b', occupied: false, since: null },
      ],
      next: [
        { id: 'a', occupied: false },
        { id: 'c', occupied: true },
      ],
      slots: [
        { id: 'a', occupied: false, since: 100 },
        { id: 'c', occupied: true, since: null, seen: 100 },
      ],
      changes: [
        { slotId: 'a', state: 'free' },
        { slotId: 'c', state: 'occupied' },
        { slotId: 'b', state: 'removed' },
      ],
    },
  ])('$name', ({ prev, next, slots, changes }) => {
    expect(trackSlots(prev, next, 100)).toEqual({ slots, changes });
  });

  it.each([
    { times: [], live: undefined, spans: [] },
    { times: [0], live: undefined, spans: [span(0, 0)] },
    { times: [0, 60, 120, 400, 460], live: undefined, spans: [span(0, 120), span(400, 460)] },
    { times: [0, 60, 120], live: 200, spans: [span(0, 200)] },
    { times: [0, 60, 120], live: 500, spans: [span(0, 120)] },
  ])('heartbeats $times (gap after 180, live at $live) make spans $spans', ({ times, live, spans }) => {
    expect(spansFromTimes(times, 180, live)).toEqual(spans);
  });
});
