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
 * unknowns, solved exactly). Throws DegenerateError when three of the points of either quad are on one line.
 *
 * Whether a quad is degenerate is decided on the quad moved to its centroid and scaled to a mean distance of √2
 * (Hartley's conditioning), so a small slot far from the origin is as good as the same slot near it. The system is
 * solved as given (exact for simple shapes), and again on the conditioned points when that is not accurate.
 */
export function homographyFromPoints(from: Quad, to: Quad): Homography {
  const f = conditioned(from);
  const t = conditioned(to);
  if (!f || !t) throw new DegenerateError('three of the four points are on one line');
  const direct = dlt(from, to);
  if (direct && reproduces(direct, from, to, t.s)) return direct;
  const n = dlt(f.points as unknown as Quad, t.points as unknown as Quad);
  if (!n) throw new DegenerateError('three of the four points are on one line');
  // Undo the conditioning: H = T_to⁻¹ · N · T_from, with T(p) = s·(p − c).
  const { s: sf, cx: fx, cy: fy } = f;
  const { s: st, cx: tx, cy: ty } = t;
  const [n0, n1, n2, n3, n4, n5, n6, n7, n8] = n;
  const m = [n0 * sf, n1 * sf, n2 - sf * (n0 * fx + n1 * fy), n3 * sf, n4 * sf, n5 - sf * (n3 * fx + n4 * fy), n6 * sf, n7 * sf, n8 - sf * (n6 * fx + n7 * fy)];
  const r = [
    m[0]! / st + tx * m[6]!, m[1]! / st + tx * m[7]!, m[2]! / st + tx * m[8]!,
    m[3]! / st + ty * m[6]!, m[4]! / st + ty * m[7]!, m[5]! / st + ty * m[8]!,
    m[6]!, m[7]!, m[8]!,
  ];
  const big = Math.max(...r.map(Math.abs));
  const scale = Math.abs(r[8]!) > 1e-12 * big ? r[8]! : big;
  return r.map((v) => v / scale) as unknown as Homography;
}

/** Solves the eight DLT equations with h33 = 1; null when the system is singular. */
function dlt(from: Quad, to: Quad): Homography | null {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!;
    const [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  const h = solve(a);
  return h && h.every(Number.isFinite) ? [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1] : null;
}

/** True when `h` maps every `from` corner within a millionth of the target quad's size of its `to` corner. */
function reproduces(h: Homography, from: Quad, to: Quad, toScale: number): boolean {
  return from.every((p, i) => {
    const [x, y] = applyHomography(h, p);
    return Math.hypot(x - to[i]![0], y - to[i]![1]) * toScale < 1e-6;
  });
}

/**
 * The quad moved to its centroid and scaled to a mean distance of √2, with that similarity; null when three of its
 * points are (nearly) on one line or a coordinate is not finite.
 */
function conditioned(q: Quad): { points: Point[]; s: number; cx: number; cy: number } | null {
  if (!q.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y))) return null;
  const cx = (q[0][0] + q[1][0] + q[2][0] + q[3][0]) / 4;
  const cy = (q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4;
  const d = q.reduce((sum, [x, y]) => sum + Math.hypot(x - cx, y - cy), 0) / 4;
  if (!(d > 0)) return null;
  const s = Math.SQRT2 / d;
  const points = q.map(([x, y]) => [(x - cx) * s, (y - cy) * s] as const);
  // Every triangle of three corners must keep some area (the points are now of size ~1: the threshold is relative).
  for (let k = 0; k < 4; k++) {
    const [a, b, c] = [points[k]!, points[(k + 1) % 4]!, points[(k + 2) % 4]!];
    if (Math.abs((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])) < 1e-9) return null;
  }
  return { points, s, cx, cy };
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

/** Gaussian elimination with partial pivoting on an augmented n x (n+1) matrix; null when it is singular. */
function solve(m: number[][]): number[] | null {
  const n = m.length;
  const big = Math.max(...m.flat().map(Math.abs));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (!(Math.abs(m[pivot]![col]!) > 1e-14 * big)) return null;
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
