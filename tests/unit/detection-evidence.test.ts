import { describe, expect, it } from 'vitest';
import { footprintOf, footprintSupport, observeFromDetections } from '../../src/occupancy/detection-evidence.ts';
import type { Box, Detection, Point, Slot } from '../../src/occupancy/types.ts';

// A front row of slots seen obliquely: each slot is the ground patch where a parked car's lower half stands.
const rect = (x: number, y: number, w: number, h: number): Point[] => [
  [x, y],
  [x + w, y],
  [x + w, y + h],
  [x, y + h],
];
const slotA: Slot = { id: 'a', name: 'A', polygon: rect(0.1, 0.6, 0.1, 0.3) };
const slotB: Slot = { id: 'b', name: 'B', polygon: rect(0.2, 0.6, 0.1, 0.3) };
const slotBehind: Slot = { id: 'c', name: 'C', polygon: rect(0.1, 0.3, 0.1, 0.2) };
const car = (box: Box, score = 0.8, label: Detection['label'] = 'car'): Detection => ({ label, score, box });

describe('footprintOf', () => {
  it('is the lower half of the box, trimmed at the sides', () => {
    const f = footprintOf({ x: 0, y: 0, w: 1, h: 1 });
    expect(f.x).toBeCloseTo(0.1);
    expect(f.w).toBeCloseTo(0.8);
    expect(f.y).toBeCloseTo(0.5);
    expect(f.h).toBeCloseTo(0.5);
  });
});

describe('observeFromDetections: the geometry a parking user expects', () => {
  const cases: { name: string; detections: Detection[]; occupied: string[] }[] = [
    { name: 'empty frame', detections: [], occupied: [] },
    { name: 'a car parked in A', detections: [car({ x: 0.1, y: 0.45, w: 0.1, h: 0.42 })], occupied: ['a'] },
    {
      name: 'a low-score car parked in B still counts (above the detector minimum)',
      detections: [car({ x: 0.2, y: 0.45, w: 0.1, h: 0.42 }, 0.3)],
      occupied: ['b'],
    },
    {
      name: 'a car parked in A whose box leans over B does not occupy B',
      detections: [car({ x: 0.1, y: 0.45, w: 0.14, h: 0.42 })],
      occupied: ['a'],
    },
    {
      name: 'a car driving through the aisle below the row occupies nothing',
      detections: [car({ x: 0.12, y: 0.8, w: 0.16, h: 0.18 })],
      occupied: [],
    },
    {
      name: 'a car in the front row hides the slot behind it with its roof only',
      detections: [car({ x: 0.1, y: 0.4, w: 0.1, h: 0.45 })],
      occupied: ['a'],
    },
    {
      name: 'a bus across both slots occupies both',
      detections: [car({ x: 0.1, y: 0.4, w: 0.2, h: 0.5 }, 0.9, 'bus')],
      occupied: ['a', 'b'],
    },
    { name: 'a box merely touching the slot corner', detections: [car({ x: 0.17, y: 0.86, w: 0.05, h: 0.06 })], occupied: [] },
    {
      name: 'one spurious box around half the lot occupies nothing',
      detections: [car({ x: 0, y: 0.2, w: 1, h: 0.75 }, 0.4, 'truck')],
      occupied: [],
    },
    {
      name: 'a slot drawn smaller than the car under it is occupied',
      detections: [car({ x: 0.05, y: 0.3, w: 0.2, h: 0.65 })],
      occupied: ['a'],
    },
    { name: 'a car far away', detections: [car({ x: 0.7, y: 0.1, w: 0.1, h: 0.1 })], occupied: [] },
  ];
  it.each(cases)('$name', ({ detections, occupied }) => {
    const obs = observeFromDetections([slotA, slotB, slotBehind], detections);
    expect(obs.filter((o) => o.probability >= 0.5).map((o) => o.id)).toEqual(occupied);
    for (const o of obs) expect(o.probability).toBeGreaterThanOrEqual(0);
    for (const o of obs) expect(o.probability).toBeLessThanOrEqual(1);
  });
  it('support grows with overlap', () => {
    const slot = rect(0, 0.5, 0.2, 0.5);
    const shifted = [0.3, 0.2, 0.1, 0].map((dx) => footprintSupport(slot, { x: dx, y: 0.4, w: 0.2, h: 0.6 }));
    expect(shifted).toEqual([...shifted].sort((a, b) => a - b));
    expect(shifted[0]).toBe(0);
    expect(shifted[3]).toBe(1);
  });
  it('a higher score never lowers the probability', () => {
    const box = { x: 0.1, y: 0.45, w: 0.1, h: 0.42 };
    const [lo] = observeFromDetections([slotA], [car(box, 0.31)]);
    const [hi] = observeFromDetections([slotA], [car(box, 0.95)]);
    expect(hi!.probability).toBeGreaterThan(lo!.probability);
  });
});
