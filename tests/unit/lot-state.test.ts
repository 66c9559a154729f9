import { describe, expect, it } from 'vitest';
import type { HysteresisSettings } from '../../src/occupancy/hysteresis.ts';
import { stepLot } from '../../src/occupancy/lot-state.ts';
import { toMetadata } from '../../src/share/metadata.ts';
import type { Slot } from '../../src/occupancy/types.ts';

const quick: HysteresisSettings = { threshold: 0.5, band: 0, holdFrames: 1, holdMs: 0 };
const slot = (id: string, name = id.toUpperCase()): Slot => ({
  id,
  name,
  polygon: [
    [0, 0],
    [0.1, 0],
    [0.1, 0.1],
    [0, 0.1],
  ],
});

describe('stepLot', () => {
  it('counts occupied, available and total', () => {
    const st = stepLot(null, [slot('a'), slot('b'), slot('c')], [
      { id: 'a', probability: 0.9 },
      { id: 'b', probability: 0.2 },
      { id: 'c', probability: 0.7 },
    ], 1000, quick);
    expect(st.counts).toEqual({ total: 3, occupied: 2, available: 1 });
    expect(st.lastChanged).toBe(1000);
  });

  it('keeps lastChanged while nothing changes, moves it when a slot changes', () => {
    const slots = [slot('a')];
    let st = stepLot(null, slots, [{ id: 'a', probability: 0.1 }], 1000, quick);
    st = stepLot(st, slots, [{ id: 'a', probability: 0.2 }], 2000, quick);
    expect(st.lastChanged).toBe(1000);
    expect(st.observedAt).toBe(2000);
    st = stepLot(st, slots, [{ id: 'a', probability: 0.9 }], 3000, quick);
    expect(st.lastChanged).toBe(3000);
  });

  it('follows the layout: added slots appear, removed slots go, missing observations keep state', () => {
    let st = stepLot(null, [slot('a'), slot('b')], [
      { id: 'a', probability: 0.9 },
      { id: 'b', probability: 0.9 },
    ], 1000, quick);
    st = stepLot(st, [slot('a'), slot('c')], [{ id: 'c', probability: 0.1 }], 2000, quick);
    expect(st.slots.map((s) => [s.id, s.occupied])).toEqual([
      ['a', true],
      ['c', false],
    ]);
    expect(st.counts).toEqual({ total: 2, occupied: 1, available: 1 });
    expect(st.lastChanged).toBe(2000);
  });

  it('a slot added while a frame was analysed without it is unknown, in no count, until its first observation', () => {
    let st = stepLot(null, [slot('a')], [{ id: 'a', probability: 0.9 }], 1000, quick);
    // The frame was grabbed before slot b was drawn: it says nothing about b.
    st = stepLot(st, [slot('a'), slot('b')], [{ id: 'a', probability: 0.9 }], 2000, quick);
    expect(st.slots.map((s) => s.id)).toEqual(['a']);
    expect(st.counts).toEqual({ total: 1, occupied: 1, available: 0 });
    st = stepLot(st, [slot('a'), slot('b')], [{ id: 'a', probability: 0.9 }, { id: 'b', probability: 0.1 }], 3000, quick);
    expect(st.slots.map((s) => [s.id, s.occupied])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(st.counts).toEqual({ total: 2, occupied: 1, available: 1 });
  });
});

describe('toMetadata', () => {
  it('has exactly the original API fields plus per-slot detail and the breakdowns', () => {
    const slots = [slot('a', 'Row 1 · 1'), slot('b')];
    const st = stepLot(null, slots, [
      { id: 'a', probability: 0.91234 },
      { id: 'b', probability: 0.1 },
    ], Date.UTC(2026, 10, 28, 12, 0, 0), quick);
    const m = toMetadata(st, slots);
    expect(Object.keys(m).sort()).toEqual([
      'available_slots', 'closed_slots', 'kinds', 'last_updated', 'occupied_slots', 'slots', 'total_slots', 'zones',
    ]);
    expect(m).toMatchObject({ zones: {}, kinds: { standard: { total: 2, occupied: 1, available: 1 } }, closed_slots: 0 });
    expect(m).toMatchObject({ total_slots: 2, occupied_slots: 1, available_slots: 1, last_updated: '2026-11-28T12:00:00.000Z' });
    expect(m.slots[0]).toEqual({
      id: 'a',
      name: 'Row 1 · 1',
      occupied: true,
      probability: 0.912,
      since: '2026-11-28T12:00:00.000Z',
    });
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });
  it('an empty lot is all zeros', () => {
    const m = toMetadata(stepLot(null, [], [], 0, quick), []);
    expect(m).toMatchObject({ total_slots: 0, occupied_slots: 0, available_slots: 0, slots: [] });
  });
});

describe('zones, kinds and closed slots', () => {
  const T = Date.UTC(2026, 10, 28, 12);
  const layout: Slot[] = [
    { ...slot('a'), zone: 'Level 1' },
    { ...slot('b'), zone: 'Level 1', kind: 'disabled' },
    { ...slot('c'), zone: 'Level 2', kind: 'ev' },
    { ...slot('d'), zone: 'Level 2', closed: { reason: 'resurfacing', until: T + 3_600_000 } },
    { ...slot('e'), closed: { reason: 'ended', until: T - 1 } },
  ];
  const obs = ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ id, probability: i % 2 ? 0.9 : 0.1 }));

  it('a closed slot counts in neither available nor total, in the lot, its zone or its kind; a lapsed closure counts again', () => {
    const st = stepLot(null, layout, obs, T, quick);
    expect(st.counts).toEqual({ total: 4, occupied: 1, available: 3 });
    const m = toMetadata(st, layout);
    expect(m).toMatchObject({ total_slots: 4, occupied_slots: 1, available_slots: 3, closed_slots: 1 });
    expect(m.zones).toEqual({
      'Level 1': { total: 2, occupied: 1, available: 1 },
      'Level 2': { total: 1, occupied: 0, available: 1 },
    });
    expect(m.kinds).toEqual({
      standard: { total: 2, occupied: 0, available: 2 },
      disabled: { total: 1, occupied: 1, available: 0 },
      ev: { total: 1, occupied: 0, available: 1 },
    });
    expect(m.slots.find((s) => s.id === 'd')).toMatchObject({ zone: 'Level 2', closed: { reason: 'resurfacing', until: '2026-11-28T13:00:00.000Z' } });
    expect(m.slots.find((s) => s.id === 'e')!.closed).toBeUndefined();
    expect(m.slots.find((s) => s.id === 'a')!.kind).toBeUndefined();
  });

  it('closing a slot moves last_updated (the counts changed) and the closure ends by itself at its end time', () => {
    const open = layout.map(({ closed: _c, ...s }) => s);
    let st = stepLot(null, open, obs, T, quick);
    expect(st.counts.total).toBe(5);
    st = stepLot(st, layout, obs, T + 1000, quick);
    expect(st.counts.total).toBe(4);
    expect(st.lastChanged).toBe(T + 1000);
    st = stepLot(st, layout, obs, T + 3_600_000, quick);
    expect(st.counts.total).toBe(5);
  });
});
