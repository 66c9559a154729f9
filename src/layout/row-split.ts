import type { Point } from '../occupancy/types.ts';
import { applyHomography, squareToQuad, type Quad } from '../occupancy/homography.ts';

/** The most slots one row or grid can be split into (a guard against a typo of 1000). */
export const MAX_SPLIT = 400;

export type QuadProblemCode = 'not-four' | 'not-finite' | 'corners-coincide' | 'self-crossing' | 'collinear' | 'not-convex';

export interface QuadProblem {
  readonly code: QuadProblemCode;
  readonly message: string;
}

export class QuadError extends Error {
  override name = 'QuadError';
  constructor(readonly problem: QuadProblem) {
    super(problem.message);
  }
}

const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** True when segments ab and cd cross at a point inside both (touching ends do not count). */
export function segmentsCross(a: Point, b: Point, c: Point, d: Point): boolean {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

/**
 * What is wrong with four corners as the outline of a row, in words, or null when they make a convex quadrilateral.
 * A row must be convex: only then does its homography map the unit square onto it without folding.
 */
export function quadProblem(quad: readonly Point[]): QuadProblem | null {
  if (quad.length !== 4) return { code: 'not-four', message: `A row needs 4 corners, not ${quad.length}.` };
  if (!quad.every((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]))) {
    return { code: 'not-finite', message: 'A corner has no position (not a number).' };
  }
  const xs = quad.map((p) => p[0]);
  const ys = quad.map((p) => p[1]);
  const size = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const eps = Math.max(size, 1e-9) * 1e-3;
  for (let i = 0; i < 4; i++) {
    for (let j = i + 1; j < 4; j++) {
      if (Math.hypot(quad[i]![0] - quad[j]![0], quad[i]![1] - quad[j]![1]) <= eps) {
        return { code: 'corners-coincide', message: 'Two corners are on the same spot: tap the four corners of the row.' };
      }
    }
  }
  const [a, b, c, d] = quad as Quad;
  if (segmentsCross(a, b, c, d) || segmentsCross(b, c, d, a)) {
    return { code: 'self-crossing', message: 'The outline crosses itself: give the corners in order around the row.' };
  }
  const turns = quad.map((p, i) => cross(p, quad[(i + 1) % 4]!, quad[(i + 2) % 4]!));
  if (turns.some((t) => Math.abs(t) <= eps * size)) {
    return { code: 'collinear', message: 'Three corners are on one line: the row needs four real corners.' };
  }
  if (!turns.every((t) => Math.sign(t) === Math.sign(turns[0]!))) {
    return { code: 'not-convex', message: 'The outline has a dent (one corner points inwards): move that corner out.' };
  }
  return null;
}

function assertQuad(quad: readonly Point[]): asserts quad is Quad {
  const problem = quadProblem(quad);
  if (problem) throw new QuadError(problem);
}

function assertCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_SPLIT) throw new RangeError(`${what} must be a whole number from 1 to ${MAX_SPLIT}, not ${n}.`);
}

/** n - 1 inner dividers spaced evenly on 0..1. */
export function evenDividers(n: number): number[] {
  return Array.from({ length: n - 1 }, (_, i) => (i + 1) / n);
}

/**
 * The inner dividers of n parts, where `pins` holds the ones the user placed (a number in 0..1) and null for the
 * others: those are spaced evenly between their placed neighbours (or the ends). Placed ones keep their order.
 */
export function resolveDividers(pins: readonly (number | null)[]): number[] {
  const out = [...pins] as (number | null)[];
  let prevIndex = -1;
  let prevValue = 0;
  for (let i = 0; i <= out.length; i++) {
    const v = i < out.length ? out[i]! : 1;
    if (v === null) continue;
    const gap = i - prevIndex;
    for (let k = prevIndex + 1; k < i; k++) out[k] = prevValue + ((v - prevValue) * (k - prevIndex)) / gap;
    prevIndex = i;
    prevValue = v;
  }
  return out as number[];
}

/** The cell [u0,u1] x [v0,v1] of the unit square as a polygon of the quad, in the quad's own corner order. */
function cell(h: ReturnType<typeof squareToQuad>, u0: number, u1: number, v0: number, v1: number): Point[] {
  return [applyHomography(h, [u0, v0]), applyHomography(h, [u1, v0]), applyHomography(h, [u1, v1]), applyHomography(h, [u0, v1])];
}

function checkDividers(dividers: readonly number[], n: number, what: string): void {
  if (dividers.length !== n - 1) throw new RangeError(`${what}: ${n} parts need ${n - 1} dividers, not ${dividers.length}.`);
  let prev = 0;
  for (const d of dividers) {
    if (!(d > prev && d < 1)) throw new RangeError(`${what}: dividers must rise strictly inside 0..1.`);
    prev = d;
  }
}

/**
 * Splits a row into n slot polygons, spaced evenly in the ground plane: the quad's corners are the row's outline in
 * order, with quad[0]→quad[1] and quad[3]→quad[2] running along the row. Through the homography from the unit square,
 * slots far from the camera come out narrower, as they appear. `dividers` (n - 1 values rising in 0..1, in the row's
 * own ground coordinate) replace the even spacing. Throws QuadError for an outline that is not a convex quadrilateral.
 */
export function splitRow(quad: readonly Point[], n: number, dividers?: readonly number[]): Point[][] {
  return splitGrid(quad, 1, n, { colDividers: dividers ? [dividers] : undefined });
}

export interface GridDividers {
  /** Per row, the dividers between its slots; rows may differ (the two rows of a double row rarely line up). */
  readonly colDividers?: readonly (readonly number[])[] | undefined;
  /** The dividers between rows, from the quad[0]→quad[1] side towards quad[3]→quad[2]. */
  readonly rowDividers?: readonly number[] | undefined;
}

/** Splits a block into rows x cols slot polygons, row by row (row 0 along quad[0]→quad[1]), each row in order. */
export function splitGrid(quad: readonly Point[], rows: number, cols: number, dividers: GridDividers = {}): Point[][] {
  assertQuad(quad);
  assertCount(rows, 'The number of rows');
  assertCount(cols, 'The number of slots in a row');
  if (rows * cols > MAX_SPLIT) throw new RangeError(`At most ${MAX_SPLIT} slots at once, not ${rows * cols}.`);
  const rowCuts = dividers.rowDividers ?? evenDividers(rows);
  checkDividers(rowCuts, rows, 'Rows');
  if (dividers.colDividers && dividers.colDividers.length !== rows) {
    throw new RangeError(`Slots: ${rows} rows need ${rows} lists of dividers, not ${dividers.colDividers.length}.`);
  }
  const h = squareToQuad(quad);
  const vs = [0, ...rowCuts, 1];
  const out: Point[][] = [];
  for (let r = 0; r < rows; r++) {
    const colCuts = dividers.colDividers?.[r] ?? evenDividers(cols);
    checkDividers(colCuts, cols, `Row ${r + 1}`);
    const us = [0, ...colCuts, 1];
    for (let c = 0; c < cols; c++) out.push(cell(h, us[c]!, us[c + 1]!, vs[r]!, vs[r + 1]!));
  }
  return out;
}

/**
 * Puts four tapped corners in row order: around the outline, with quad[0]→quad[1] along the row (the longer pair of
 * sides on screen, or the shorter pair when `across` is set: "split the other way"), running left to right (or top
 * to bottom for a row that runs down the picture), and quad[0] on the top (or left) side. `aspect` is the frame's
 * width / height: lengths are compared in pixels, not in normalised units.
 */
export function orientRow(taps: readonly Point[], aspect: number, across = false): Point[] {
  if (taps.length !== 4) return [...taps];
  const ring = convexOrder(taps);
  const px = (p: Point, q: Point) => Math.hypot((q[0] - p[0]) * aspect, q[1] - p[1]);
  const pairA = px(ring[0]!, ring[1]!) + px(ring[2]!, ring[3]!);
  const pairB = px(ring[1]!, ring[2]!) + px(ring[3]!, ring[0]!);
  const alongFirst = pairA >= pairB !== across; // true: ring[0]→ring[1] is along the row
  let best: Point[] = [];
  let bestScore = -Infinity;
  for (const dir of [1, -1]) {
    for (let s = 0; s < 4; s++) {
      const q = [0, 1, 2, 3].map((k) => ring[(((s + dir * k) % 4) + 4) % 4]!);
      // The first side joins ring[s] and its neighbour: sides ring[i]→ring[i+1] with i even are pair A.
      const firstSide = dir === 1 ? s : (s + 3) % 4;
      const onA = firstSide % 2 === 0;
      if (onA !== alongFirst) continue;
      const along: Point = [(q[1]![0] - q[0]![0] + q[2]![0] - q[3]![0]) * aspect, q[1]![1] - q[0]![1] + q[2]![1] - q[3]![1]];
      const side: Point = [(q[3]![0] - q[0]![0] + q[2]![0] - q[1]![0]) * aspect, q[3]![1] - q[0]![1] + q[2]![1] - q[1]![1]];
      const horizontal = Math.abs(along[0]) >= Math.abs(along[1]);
      const score =
        (horizontal ? along[0] : along[1]) / (Math.hypot(...along) || 1) + (horizontal ? side[1] : side[0]) / (Math.hypot(...side) || 1);
      if (score > bestScore) {
        bestScore = score;
        best = q;
      }
    }
  }
  return best;
}

/** Four points in order around their centre (a bow-tie of taps becomes an outline). */
function convexOrder(points: readonly Point[]): Point[] {
  const cx = points.reduce((s, p) => s + p[0], 0) / points.length;
  const cy = points.reduce((s, p) => s + p[1], 0) / points.length;
  return [...points].sort((a, b) => Math.atan2(a[1] - cy, a[0] - cx) - Math.atan2(b[1] - cy, b[0] - cx));
}
