import type { Point } from '../occupancy/types.ts';

/** A 3x3 projective transform, row-major: [a b c; d e f; g h i]. */
export type Homography = readonly [number, number, number, number, number, number, number, number, number];

/** Four corners in order around the shape. */
export type Quad = readonly [Point, Point, Point, Point];

/** The unit square, in the order a quad's corners are mapped from: (0,0) (1,0) (1,1) (0,1). */
export const UNIT_SQUARE: Quad = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
];

export class DegenerateError extends Error {
  override name = 'DegenerateError';
}

/**
 * The homography that maps each `from[i]` onto `to[i]` (direct linear transform with h33 = 1: eight equations, eight
 * unknowns, solved exactly). Throws DegenerateError when three of the points are on one line.
 */
export function homographyFromPoints(from: Quad, to: Quad): Homography {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!;
    const [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  const h = solve(a);
  if (!h) throw new DegenerateError('three of the four points are on one line');
  const m: Homography = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1];
  // A solution can exist and still flatten the plane onto a line (three targets on one line): det ~ 0.
  const scale = Math.max(...m.map(Math.abs));
  if (Math.abs(determinant(m)) < 1e-10 * scale ** 3) throw new DegenerateError('three of the four points are on one line');
  return m;
}

/** The homography taking the unit square onto `quad`: (u, v) in 0..1 becomes a point of the quad. */
export function squareToQuad(quad: Quad): Homography {
  return homographyFromPoints(UNIT_SQUARE, quad);
}

export function applyHomography(h: Homography, [x, y]: Point): Point {
  const w = h[6] * x + h[7] * y + h[8];
  return [(h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w];
}

/** The inverse transform (the adjugate; a homography is only defined up to scale, so the determinant can be dropped). */
export function invertHomography(h: Homography): Homography {
  const [a, b, c, d, e, f, g, i, j] = h;
  const inv: Homography = [
    e * j - f * i,
    c * i - b * j,
    b * f - c * e,
    f * g - d * j,
    a * j - c * g,
    c * d - a * f,
    d * i - e * g,
    b * g - a * i,
    a * e - b * d,
  ];
  const s = inv[8] !== 0 ? inv[8] : 1;
  return inv.map((v) => v / s) as unknown as Homography;
}

function determinant([a, b, c, d, e, f, g, h, i]: Homography): number {
  return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
}

/** Gaussian elimination with partial pivoting on an augmented n x (n+1) matrix; null when it is singular. */
function solve(m: number[][]): number[] | null {
  const n = m.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) < 1e-12) return null;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const row = m[col]!;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const other = m[r]!;
      const f = other[col]! / row[col]!;
      if (f === 0) continue;
      for (let k = col; k <= n; k++) other[k]! -= f * row[k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}
