import { describe, expect, it } from 'vitest';
import { squareToQuad, type Quad } from '../../../src/occupancy/homography.ts';
import { scalePolygon, uprightCorners, warpCorners, warpQuad } from '../../../src/evidence/warp.ts';
import { matchByOverlap } from '../../../src/evidence/polygon-overlap.ts';
import { area, boundingBox, clipToConvex } from '../../../src/occupancy/geometry.ts';
import type { Point } from '../../../src/occupancy/types.ts';
import { paintFrame, rectPoly } from './synthetic.ts';

describe('uprightCorners', () => {
  // A slot 2 wide and 4 tall: the patch's long sides must run vertically whichever corner the polygon starts at.
  const base: Point[] = [[10, 10], [12, 10], [12, 14], [10, 14]];
  const rotations = [0, 1, 2, 3].map((k) => [...base.slice(k), ...base.slice(0, k)]);
  const variants = [...rotations, ...rotations.map((r) => [...r].reverse())];
  it.each(variants.map((v, i) => ({ i, v })))('is the same for every start and winding (#$i)', ({ v }) => {
    expect(uprightCorners(v)).toEqual([[10, 10], [12, 10], [12, 14], [10, 14]]);
  });
  it('puts a wide slot on its side so that the long side is vertical', () => {
    const c = uprightCorners([[0, 0], [4, 0], [4, 2], [0, 2]]);
    const top = Math.hypot(c[1]![0] - c[0]![0], c[1]![1] - c[0]![1]);
    const left = Math.hypot(c[3]![0] - c[0]![0], c[3]![1] - c[0]![1]);
    expect(left).toBeGreaterThan(top);
  });
});

describe('warpQuad', () => {
  it('samples the inside of the quad only', () => {
    // A red 40x80 rectangle on grey: its quad warps to an all-red patch.
    const frame = paintFrame(100, 100, [90, 90, 90], [{ x: 30, y: 10, w: 40, h: 80, c: [200, 20, 20] }]);
    const p = warpQuad(frame, uprightCorners(rectPoly(30, 10, 40, 80)), 32, 64);
    for (let i = 0; i < 32 * 64; i++) expect([p.data[i * 3], p.data[i * 3 + 1], p.data[i * 3 + 2]]).toEqual([200, 20, 20]);
  });
  it('keeps the top of the slot at the top of the patch', () => {
    const frame = paintFrame(100, 100, [0, 0, 0], [{ x: 30, y: 10, w: 40, h: 40, c: [255, 255, 255] }]);
    const p = warpQuad(frame, uprightCorners(rectPoly(30, 10, 40, 80)), 32, 64);
    expect(p.data[(5 * 32 + 16) * 3]).toBe(255);
    expect(p.data[(60 * 32 + 16) * 3]).toBe(0);
  });
});

describe('scalePolygon', () => {
  it('scales about the centroid', () => {
    expect(scalePolygon(rectPoly(0, 0, 2, 2), 2)).toEqual(rectPoly(-1, -1, 4, 4));
  });
});

describe('polygon overlap and layout matching', () => {
  it('clips a square to a triangle', () => {
    expect(area(clipToConvex(rectPoly(0, 0, 2, 2), [[0, 0], [2, 0], [0, 2]]))).toBeCloseTo(2);
    expect(clipToConvex(rectPoly(0, 0, 1, 1), rectPoly(5, 5, 1, 1))).toEqual([]);
  });
  it('works in either winding', () => {
    expect(area(clipToConvex(rectPoly(0, 0, 2, 2), [...rectPoly(1, 1, 2, 2)].reverse()))).toBeCloseTo(1);
  });
  it('matches each layout polygon to the labelled one it overlaps most, -1 when none', () => {
    const labelled = [rectPoly(0, 0, 1, 1), rectPoly(1, 0, 1, 1)];
    const layout = [rectPoly(0.6, 0, 1, 1), rectPoly(0.1, 0.1, 0.5, 0.5), rectPoly(5, 5, 1, 1)];
    expect(matchByOverlap(layout, labelled)).toEqual([1, 0, -1]);
  });
});

describe('warpCorners', () => {
  it('keeps a usable quad as its upright corners', () => {
    expect(warpCorners(rectPoly(10, 10, 20, 40))).toEqual(uprightCorners(rectPoly(10, 10, 20, 40)));
  });
  it('keeps a thin slot far from the origin (it used to be called degenerate there and not near the origin)', () => {
    const far: Point[] = [[1150, 150], [1120, 142], [1126, 135], [1154, 142]];
    expect(warpCorners(far)).toEqual(uprightCorners(far));
    expect(() => warpQuad(paintFrame(1280, 960, [0, 0, 0]), warpCorners(far), 32, 64)).not.toThrow();
  });
  // Each degenerate outline falls back to its own bounding box (at least 2 px a side, same centre), so one bad slot
  // never stops a frame and still looks at the right place.
  it.each([
    { name: 'collinear points', poly: [[0, 0], [5, 5], [10, 10], [15, 15]] as Point[], box: { x: 0, y: 0, w: 15, h: 15 } },
    { name: 'a point', poly: [[3, 3], [3, 3], [3, 3], [3, 3]] as Point[], box: { x: 2, y: 2, w: 2, h: 2 } },
    { name: 'a pentagon', poly: [[0, 0], [4, 0], [5, 3], [2, 5], [0, 3]] as Point[], box: { x: 0, y: 0, w: 5, h: 5 } },
    { name: 'a bow-tie', poly: [[100, 100], [140, 180], [140, 100], [100, 180]] as Point[], box: { x: 100, y: 100, w: 40, h: 80 } },
    { name: 'an arrowhead (concave)', poly: [[100, 100], [120, 150], [140, 100], [120, 200]] as Point[], box: { x: 100, y: 100, w: 40, h: 100 } },
    { name: 'a horizontal line', poly: [[10, 50], [30, 50], [60, 50], [90, 50]] as Point[], box: { x: 10, y: 49, w: 80, h: 2 } },
    { name: 'two corners on one', poly: [[500, 500], [540, 500], [540, 500], [500, 580]] as Point[], box: null },
  ])('falls back to the bounding box for $name', ({ poly, box }) => {
    const c = warpCorners(poly);
    expect(() => squareToQuad(c as unknown as Quad)).not.toThrow();
    if (box) {
      expect(boundingBox(c)).toEqual(box);
    } else {
      // A triangle has an area: it still falls back (only convex quads warp from their corners), to its bounding box.
      expect(boundingBox(c)).toEqual(boundingBox(poly));
    }
  });
});
