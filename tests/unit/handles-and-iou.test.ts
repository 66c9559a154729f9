import { describe, expect, it } from 'vitest';
import type { Point } from '../../src/occupancy/types.ts';
import { groupHandles, hitGroup, segmentDistance } from '../../src/layout/handles.ts';
import { newGroup } from '../../src/layout/row-group.ts';
import { clipToConvex, polygonIoU } from '../../src/occupancy/geometry.ts';

const square = (x: number, y: number, s = 1): Point[] => [
  [x, y],
  [x + s, y],
  [x + s, y + s],
  [x, y + s],
];

describe('polygonIoU', () => {
  it.each([
    ['the same square', square(0, 0), square(0, 0), 1],
    ['half overlapping', square(0, 0), square(0.5, 0), 1 / 3],
    ['apart', square(0, 0), square(2, 0), 0],
    ['inside', square(0, 0, 2), square(0.5, 0.5), 1 / 4],
    ['reversed order', square(0, 0), [...square(0.5, 0)].reverse(), 1 / 3],
  ])('%s', (_name, a, b, expected) => {
    expect(polygonIoU(a, b)).toBeCloseTo(expected, 12);
  });
  it('clips a concave polygon by a convex one', () => {
    const l: Point[] = [[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]];
    expect(clipToConvex(l, square(0.5, 0.5)).length).toBeGreaterThan(3);
    expect(polygonIoU(square(0.5, 0.5), l)).toBeCloseTo(0.75 / (1 + 3 - 0.75), 12);
  });
});

describe('hitting a row’s handles (screen pixels, a 44 px target)', () => {
  // The frame is 1000 x 500 px on screen: a frame point (x, y) is at (1000x, 500y).
  const toScreen = (p: Point): Point => [p[0] * 1000, p[1] * 500];
  const fromScreen = (p: Point): Point => [p[0] / 1000, p[1] / 500];
  const g = newGroup(
    [
      [0.1, 0.4],
      [0.9, 0.4],
      [0.9, 0.6],
      [0.1, 0.6],
    ],
    1,
    8,
    [],
  );
  const h = groupHandles(g, toScreen, fromScreen, 34);

  it.each([
    ['a corner, a little off', [105, 195], { kind: 'corner', index: 0 }],
    ['the turn knob above the row', [500, 166], { kind: 'rotate' }],
    ['the move knob below it', [500, 334], { kind: 'move' }],
    ['the nearest divider', [296, 250], { kind: 'divider', index: 1 }],
    ['the middle of a slot, far from its dividers', [150, 250], { kind: 'body' }],
    ['outside the row', [500, 450], null],
  ] as [string, Point, { kind: string; index?: number } | null][])('%s', (_name, p, expected) => {
    const hit = hitGroup(h, p, toScreen, 22);
    if (!expected) return expect(hit).toBeNull();
    expect(hit?.kind).toBe(expected.kind);
    if (hit?.kind === 'corner') expect(hit.index).toBe(expected.index);
    if (hit?.kind === 'divider') expect(hit.line.index).toBe(expected.index);
  });

  it('knobs stay off other slots: off the row’s ends when above and below are taken', () => {
    const above = [
      [0.3, 0.2],
      [0.7, 0.2],
      [0.7, 0.38],
      [0.3, 0.38],
    ] as Point[];
    const below = above.map(([x, y]) => [x, y + 0.4] as Point);
    const k = groupHandles(g, toScreen, fromScreen, 34, [above, below]);
    expect(k.rotate[0]).toBeGreaterThan(0.9);
    expect(k.move[0]).toBeLessThan(0.1);
    expect(hitGroup(k, toScreen(k.rotate), toScreen, 22)?.kind).toBe('rotate');
  });

  it('knobs go off the row’s ends, not off the picture, when above and below would leave it', () => {
    const top = newGroup([[0.1, 0.01], [0.9, 0.01], [0.9, 0.2], [0.1, 0.2]], 1, 4, []);
    const k = groupHandles(top, toScreen, fromScreen, 34);
    expect(k.rotate[1]).toBeGreaterThan(0.01);
  });

  it('distance to a segment', () => {
    expect(segmentDistance([5, 5], [0, 0], [10, 0])).toBe(5);
    expect(segmentDistance([-3, 4], [0, 0], [10, 0])).toBe(5);
  });
});
