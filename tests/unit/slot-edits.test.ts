import { describe, expect, it } from 'vitest';
import { area, isAxisAlignedRect } from '../../src/occupancy/geometry.ts';
import type { Point, Slot } from '../../src/occupancy/types.ts';
import {
  dragCorner,
  nextSlotId,
  orderCorners,
  rectFromDrag,
  resizePolygon,
  translatePolygon,
} from '../../src/layout/slot-edits.ts';

const rect: Point[] = [
  [0.2, 0.2],
  [0.4, 0.2],
  [0.4, 0.3],
  [0.2, 0.3],
];
const slot = (id: string): Slot => ({ id, name: id, polygon: rect });

describe('nextSlotId', () => {
  it.each([
    [[], '1'],
    [['1', '2'], '3'],
    [['7', '3'], '8'],
    [['A', 'b-2'], '1'],
    [['2', 'x', '10'], '11'],
  ])('%j → %s', (ids, expected) => expect(nextSlotId(ids.map(slot))).toBe(expected));
});

describe('rectFromDrag', () => {
  it('normalises direction', () => {
    expect(rectFromDrag([0.4, 0.3], [0.2, 0.2])).toEqual(rect);
  });
  it('clips to the frame', () => {
    expect(rectFromDrag([-0.5, 0.9], [0.1, 1.4])).toEqual([
      [0, 0.9],
      [0.1, 0.9],
      [0.1, 1],
      [0, 1],
    ]);
  });
  it('a tap is not a slot', () => {
    expect(rectFromDrag([0.5, 0.5], [0.505, 0.6])).toBeNull();
  });
});

describe('translatePolygon', () => {
  it.each([
    ['inside', 0.1, 0.1, [0.3, 0.3]],
    ['stops at the right edge', 0.9, 0, [0.8, 0.2]],
    ['stops at the top edge', 0, -0.5, [0.2, 0]],
  ] as const)('%s', (_n, dx, dy, topLeft) => {
    const moved = translatePolygon(rect, dx, dy);
    expect(moved[0]![0]).toBeCloseTo(topLeft[0]);
    expect(moved[0]![1]).toBeCloseTo(topLeft[1]);
    expect(area(moved)).toBeCloseTo(area(rect));
  });
});

describe('dragCorner', () => {
  it('resizes a rectangle and keeps it a rectangle', () => {
    const out = dragCorner(rect, 2, [0.5, 0.45]);
    expect(isAxisAlignedRect(out)).toBe(true);
    expect(out).toEqual([
      [0.2, 0.2],
      [0.5, 0.2],
      [0.5, 0.45],
      [0.2, 0.45],
    ]);
  });
  it('moves one corner of a quadrilateral', () => {
    const quad: Point[] = [
      [0.2, 0.2],
      [0.4, 0.25],
      [0.4, 0.3],
      [0.2, 0.3],
    ];
    expect(dragCorner(quad, 1, [0.45, 0.2])).toEqual([
      [0.2, 0.2],
      [0.45, 0.2],
      [0.4, 0.3],
      [0.2, 0.3],
    ]);
  });
});

describe('resizePolygon', () => {
  it('grows about the top-left corner and never below the minimum', () => {
    const grown = resizePolygon(rect, 0.1, 0.1);
    expect(grown[2]![0]).toBeCloseTo(0.5);
    expect(grown[2]![1]).toBeCloseTo(0.4);
    const tiny = resizePolygon(rect, -1, -1);
    expect(tiny[2]![0] - tiny[0]![0]).toBeCloseTo(0.01);
  });
});

describe('orderCorners', () => {
  it('orders four taps clockwise from the top left, whatever the tap order', () => {
    const taps: Point[] = [
      [0.4, 0.3],
      [0.2, 0.2],
      [0.2, 0.3],
      [0.4, 0.2],
    ];
    expect(orderCorners(taps)).toEqual(rect);
  });
});
