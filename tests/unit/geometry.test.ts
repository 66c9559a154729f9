import { describe, expect, it } from 'vitest';
import {
  area,
  boundingBox,
  boxIoU,
  centroid,
  clipToBox,
  containsPoint,
  isAxisAlignedRect,
  overlapArea,
} from '../../src/occupancy/geometry.ts';
import type { Point } from '../../src/occupancy/types.ts';

const square: Point[] = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
];
const diamond: Point[] = [
  [0.5, 0],
  [1, 0.5],
  [0.5, 1],
  [0, 0.5],
];

describe('area and centroid', () => {
  it.each([
    ['unit square', square, 1],
    ['diamond', diamond, 0.5],
    ['reversed square', [...square].reverse(), 1],
    ['triangle', [[0, 0], [2, 0], [0, 2]] as Point[], 2],
    ['degenerate line', [[0, 0], [1, 1], [2, 2], [1, 1]] as Point[], 0],
  ])('%s', (_name, poly, expected) => {
    expect(area(poly)).toBeCloseTo(expected, 12);
  });
  it('centroid of a square and of a degenerate polygon', () => {
    expect(centroid(square)).toEqual([0.5, 0.5]);
    expect(centroid([[0, 0], [2, 2], [0, 0], [2, 2]])).toEqual([1, 1]);
  });
});

describe('containsPoint', () => {
  it.each([
    [[0.5, 0.5], true],
    [[0.9, 0.1], false],
    [[0.5, 0.05], true],
    [[1.2, 0.5], false],
    [[-0.1, 0.5], false],
  ] as [Point, boolean][])('diamond contains %j: %s', (p, expected) => {
    expect(containsPoint(diamond, p)).toBe(expected);
  });
});

describe('clipToBox and overlapArea', () => {
  it.each([
    ['box inside the square', { x: 0.25, y: 0.25, w: 0.5, h: 0.5 }, 0.25],
    ['box covering the square', { x: -1, y: -1, w: 3, h: 3 }, 1],
    ['box half over the right edge', { x: 0.5, y: 0, w: 1, h: 1 }, 0.5],
    ['box outside', { x: 2, y: 2, w: 1, h: 1 }, 0],
    ['box touching an edge', { x: 1, y: 0, w: 1, h: 1 }, 0],
  ])('square ∩ %s', (_name, box, expected) => {
    expect(overlapArea(square, box)).toBeCloseTo(expected, 12);
  });
  it('clips a diamond to its bounding box without loss and to a quarter exactly', () => {
    expect(area(clipToBox(diamond, { x: 0, y: 0, w: 1, h: 1 }))).toBeCloseTo(0.5, 12);
    expect(area(clipToBox(diamond, { x: 0, y: 0, w: 0.5, h: 0.5 }))).toBeCloseTo(0.125, 12);
  });
  it('clips a concave polygon exactly', () => {
    // A "U" shape: area 3 of a 3x2 box minus the 1x1 notch = 5; keep the left column only.
    const u: Point[] = [[0, 0], [1, 0], [1, 1], [2, 1], [2, 0], [3, 0], [3, 2], [0, 2]];
    expect(area(u)).toBeCloseTo(5, 12);
    expect(overlapArea(u, { x: 0, y: 0, w: 1.5, h: 2 })).toBeCloseTo(2.5, 12);
  });
});

describe('boxes', () => {
  it.each([
    ['identical', { x: 0, y: 0, w: 1, h: 1 }, { x: 0, y: 0, w: 1, h: 1 }, 1],
    ['half shifted', { x: 0, y: 0, w: 2, h: 1 }, { x: 1, y: 0, w: 2, h: 1 }, 1 / 3],
    ['disjoint', { x: 0, y: 0, w: 1, h: 1 }, { x: 2, y: 2, w: 1, h: 1 }, 0],
  ])('IoU %s', (_name, a, b, expected) => {
    expect(boxIoU(a, b)).toBeCloseTo(expected, 12);
  });
  it('bounding box of a diamond', () => {
    expect(boundingBox(diamond)).toEqual({ x: 0, y: 0, w: 1, h: 1 });
  });
  it.each([
    ['square', square, true],
    ['square starting elsewhere, counter-clockwise', [[1, 1], [1, 0], [0, 0], [0, 1]] as Point[], true],
    ['diamond', diamond, false],
    ['three corners and a repeat', [[0, 0], [1, 0], [1, 1], [1, 1]] as Point[], false],
    ['flat', [[0, 0], [1, 0], [1, 0], [0, 0]] as Point[], false],
  ])('isAxisAlignedRect: %s', (_name, poly, expected) => {
    expect(isAxisAlignedRect(poly)).toBe(expected);
  });
});
