import { describe, expect, it } from 'vitest';
import { area } from '../../src/occupancy/geometry.ts';
import type { Point } from '../../src/occupancy/types.ts';
import {
  applyHomography,
  DegenerateError,
  homographyFromPoints,
  invertHomography,
  squareToQuad,
  type Homography,
  type Quad,
} from '../../src/occupancy/homography.ts';
import { evenDividers, orientRow, QuadError, quadProblem, resolveDividers, splitGrid, splitRow } from '../../src/layout/row-split.ts';

const close = (a: readonly Point[], b: readonly Point[], digits = 9) => {
  expect(a).toHaveLength(b.length);
  a.forEach((p, i) => {
    expect(p[0]).toBeCloseTo(b[i]![0], digits);
    expect(p[1]).toBeCloseTo(b[i]![1], digits);
  });
};

const rect: Quad = [
  [0.1, 0.2],
  [0.9, 0.2],
  [0.9, 0.3],
  [0.1, 0.3],
];
/** A row seen at a slant: its long sides converge to the right, as a row running away from the camera does. */
const receding: Quad = [
  [0.05, 0.3],
  [0.95, 0.42],
  [0.95, 0.5],
  [0.05, 0.7],
];

describe('homography (4-point DLT)', () => {
  it.each([
    ['rectangle', rect],
    ['receding row', receding],
    ['rotated rhombus', [[0.5, 0.1], [0.9, 0.5], [0.5, 0.9], [0.1, 0.5]] as unknown as Quad],
    ['pixels, strong perspective', [[100, 400], [1200, 380], [900, 700], [300, 690]] as unknown as Quad],
  ])('maps the unit square onto a %s, and back', (_name, quad) => {
    const h = squareToQuad(quad);
    const back = invertHomography(h);
    const corners: Point[] = [[0, 0], [1, 0], [1, 1], [0, 1]];
    close(corners.map((c) => applyHomography(h, c)), quad, 6);
    close(quad.map((p) => applyHomography(back, p)), corners, 6);
  });

  it('maps any four points onto any four points', () => {
    const from: Quad = [[3, 1], [10, 2], [11, 9], [2, 7]];
    const to: Quad = [[0.2, 0.1], [0.8, 0.15], [0.7, 0.9], [0.1, 0.8]];
    close(from.map((p) => applyHomography(homographyFromPoints(from, to), p)), to, 9);
  });

  it('refuses three points on one line', () => {
    expect(() => squareToQuad([[0, 0], [0.5, 0], [1, 0], [0.5, 1]])).toThrow(DegenerateError);
  });
});

describe('splitRow', () => {
  it.each([1, 2, 5, 22])('cuts a rectangle into %i equal rectangles, in order along the row', (n) => {
    const slots = splitRow(rect, n);
    expect(slots).toHaveLength(n);
    const w = 0.8 / n;
    slots.forEach((s, k) => close(s, [[0.1 + k * w, 0.2], [0.1 + (k + 1) * w, 0.2], [0.1 + (k + 1) * w, 0.3], [0.1 + k * w, 0.3]]));
  });

  it('N = 1 gives the outline itself', () => {
    close(splitRow(receding, 1)[0]!, receding);
  });

  it('spaces slots evenly on the ground: the picture of an even ground row under a known perspective', () => {
    // A camera's view of the ground: a projective map with a real horizon. Ground row: 10 m long, 5 m deep, 4 slots.
    const camera: Homography = [0.9, 0.2, 0.1, 0.05, 1.1, 0.05, 0.35, 0.6, 1];
    const ground: Quad = [[0, 0], [1, 0], [1, 0.5], [0, 0.5]];
    const quad = ground.map((p) => applyHomography(camera, p)) as unknown as Quad;
    const expected = [0, 1, 2, 3].map((k) =>
      ([[k / 4, 0], [(k + 1) / 4, 0], [(k + 1) / 4, 0.5], [k / 4, 0.5]] as Point[]).map((p) => applyHomography(camera, p)),
    );
    const slots = splitRow(quad, 4);
    slots.forEach((s, k) => close(s, expected[k]!, 9));
    // Far slots come out narrower, as they appear.
    const widths = slots.map((s) => Math.hypot(s[1]![0] - s[0]![0], s[1]![1] - s[0]![1]));
    for (let k = 1; k < widths.length; k++) expect(widths[k]).toBeLessThan(widths[k - 1]!);
  });

  it.each([
    ['rectangle', rect, 7],
    ['receding row', receding, 9],
  ])('%s: neighbours share their divider and the slots tile the outline', (_name, quad, n) => {
    const slots = splitRow(quad, n);
    for (let k = 1; k < n; k++) {
      close([slots[k]![0]!, slots[k]![3]!], [slots[k - 1]![1]!, slots[k - 1]![2]!], 12);
    }
    expect(slots.reduce((s, p) => s + area(p), 0)).toBeCloseTo(area(quad), 12);
  });

  it('puts dividers where it is told (in the row’s ground coordinate)', () => {
    const slots = splitRow(rect, 3, [0.25, 0.5]);
    expect(slots.map((s) => s[1]![0])).toEqual([0.3, 0.5, 0.9].map((x) => expect.closeTo(x, 12)));
  });

  it.each([
    ['two corners on one spot', [[0.1, 0.1], [0.1, 0.1], [0.5, 0.5], [0.1, 0.5]], 'corners-coincide'],
    ['three corners on one line', [[0.1, 0.1], [0.3, 0.1], [0.5, 0.1], [0.3, 0.4]], 'collinear'],
    ['self-crossing (bow-tie)', [[0.1, 0.1], [0.9, 0.5], [0.9, 0.1], [0.1, 0.5]], 'self-crossing'],
    ['a dent', [[0.1, 0.1], [0.9, 0.1], [0.3, 0.2], [0.1, 0.5]], 'not-convex'],
    ['three corners', [[0.1, 0.1], [0.9, 0.1], [0.1, 0.5]], 'not-four'],
    ['NaN', [[0.1, Number.NaN], [0.9, 0.1], [0.9, 0.5], [0.1, 0.5]], 'not-finite'],
  ] as [string, Point[], string][])('%s is refused with a clear error', (_name, quad, code) => {
    expect(quadProblem(quad)?.code).toBe(code);
    expect(() => splitRow(quad, 3)).toThrow(QuadError);
    try {
      splitRow(quad, 3);
    } catch (err) {
      expect((err as QuadError).problem.code).toBe(code);
      expect((err as Error).message.length).toBeGreaterThan(20);
    }
  });

  it.each([0, -1, 2.5, 401, Number.NaN])('refuses a count of %s', (n) => {
    expect(() => splitRow(rect, n)).toThrow(RangeError);
  });

  it.each([
    ['too few', [0.5]],
    ['not rising', [0.6, 0.4]],
    ['outside 0..1', [0.5, 1.2]],
  ])('refuses dividers that are %s', (_name, dividers) => {
    expect(() => splitRow(rect, 3, dividers)).toThrow(RangeError);
  });
});

describe('splitGrid', () => {
  it('cuts R x C cells row by row, row 0 along the first side', () => {
    const cells = splitGrid(rect, 2, 3);
    expect(cells).toHaveLength(6);
    close(cells[0]!, [[0.1, 0.2], [0.1 + 0.8 / 3, 0.2], [0.1 + 0.8 / 3, 0.25], [0.1, 0.25]]);
    close(cells[5]!, [[0.1 + 1.6 / 3, 0.25], [0.9, 0.25], [0.9, 0.3], [0.1 + 1.6 / 3, 0.3]]);
  });

  it('lets each row have its own dividers (the two rows of a double row rarely line up)', () => {
    const cells = splitGrid(rect, 2, 2, { colDividers: [[0.5], [0.25]], rowDividers: [0.4] });
    expect(cells[0]![1]![0]).toBeCloseTo(0.5, 12);
    expect(cells[2]![1]![0]).toBeCloseTo(0.3, 12);
    expect(cells[0]![2]![1]).toBeCloseTo(0.24, 12);
  });

  it('a grid of 1 x N is the row of N', () => {
    splitGrid(receding, 1, 6).forEach((c, i) => close(c, splitRow(receding, 6)[i]!, 12));
  });

  it.each([
    [0, 3],
    [2, 0],
    [21, 20],
  ])('refuses %i x %i', (r, c) => {
    expect(() => splitGrid(rect, r, c)).toThrow(RangeError);
  });
});

describe('dividers', () => {
  it.each([
    [[], []],
    [[null, null], [1 / 3, 2 / 3]],
    [[null, 0.5, null], [0.25, 0.5, 0.75]],
    [[0.1, null, null], [0.1, 0.4, 0.7]],
    [[null, null, 0.9], [0.3, 0.6, 0.9]],
    [[0.2, null, 0.4, null], [0.2, 0.3, 0.4, 0.7]],
  ] as [(number | null)[], number[]][])('pins %j resolve to %j', (pins, expected) => {
    resolveDividers(pins).forEach((d, i) => expect(d).toBeCloseTo(expected[i]!, 12));
    expect(resolveDividers(pins)).toHaveLength(expected.length);
  });

  it('even dividers', () => {
    expect(evenDividers(4)).toEqual([0.25, 0.5, 0.75]);
    expect(evenDividers(1)).toEqual([]);
  });
});

describe('orientRow', () => {
  const aspect = 16 / 9;
  const corners: Point[] = [
    [0.2, 0.3],
    [0.8, 0.28],
    [0.82, 0.36],
    [0.18, 0.37],
  ];
  const perms = (xs: Point[]): Point[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));

  it('gives the same outline for the 24 orders of tapping: top-left first, along the row, left to right', () => {
    for (const taps of perms(corners)) expect(orientRow(taps, aspect)).toEqual(corners);
  });

  it('a row running down the picture is numbered from the top', () => {
    const down: Point[] = [
      [0.3, 0.1],
      [0.35, 0.1],
      [0.36, 0.9],
      [0.29, 0.9],
    ];
    const q = orientRow([down[2]!, down[0]!, down[3]!, down[1]!], aspect);
    expect(q[0]![1]).toBeLessThan(q[1]![1]); // along: downwards
    expect(q[0]![0]).toBeLessThan(q[3]![0]); // first side on the left
    expect(splitRow(q, 4)[0]![0]![1]).toBeCloseTo(0.1, 9);
  });

  it('"split the other way" runs along the short sides', () => {
    const q = orientRow(corners, aspect, true);
    expect(Math.abs(q[1]![1] - q[0]![1])).toBeGreaterThan(Math.abs(q[1]![0] - q[0]![0]) * aspect);
  });

  it('compares lengths in pixels: a square of the picture is not a square on screen', () => {
    // 0.3 wide x 0.4 high in normalised units is 576 x 288 px on a 1920x1080 frame: the row runs across.
    const q = orientRow([[0.1, 0.1], [0.4, 0.1], [0.4, 0.5], [0.1, 0.5]], aspect);
    expect(q[1]).toEqual([0.4, 0.1]);
  });
});
