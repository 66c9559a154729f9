// Overlap of two slot polygons, for matching a user's layout to labelled slots. Pure.
import { area, signedArea } from '../occupancy/geometry.ts';
import type { Point } from '../occupancy/types.ts';

/** Clips `subject` to a convex polygon `clip` (Sutherland–Hodgman); exact for convex clips, in either winding. */
export function clipConvex(subject: readonly Point[], clip: readonly Point[]): Point[] {
  const ccw = signedArea(clip) > 0;
  const inside = (a: Point, b: Point, p: Point) => {
    const cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
    return ccw ? cross >= 0 : cross <= 0;
  };
  const cut = (a: Point, b: Point, p: Point, q: Point): Point => {
    const a1 = b[1] - a[1], b1 = a[0] - b[0], c1 = a1 * a[0] + b1 * a[1];
    const a2 = q[1] - p[1], b2 = p[0] - q[0], c2 = a2 * p[0] + b2 * p[1];
    const det = a1 * b2 - a2 * b1;
    if (Math.abs(det) < 1e-15) return q;
    return [(b2 * c1 - b1 * c2) / det, (a1 * c2 - a2 * c1) / det];
  };
  let out: Point[] = [...subject];
  for (let i = 0; i < clip.length && out.length; i++) {
    const a = clip[i]!;
    const b = clip[(i + 1) % clip.length]!;
    const input = out;
    out = [];
    for (let j = 0; j < input.length; j++) {
      const cur = input[j]!;
      const prev = input[(j + input.length - 1) % input.length]!;
      if (inside(a, b, cur)) {
        if (!inside(a, b, prev)) out.push(cut(a, b, prev, cur));
        out.push(cur);
      } else if (inside(a, b, prev)) out.push(cut(a, b, prev, cur));
    }
  }
  return out;
}

/** Area of the intersection of two polygons, the second taken as convex (a parking bay is). */
export function polygonOverlap(a: readonly Point[], b: readonly Point[]): number {
  return area(clipConvex(a, b));
}

/** For each polygon of `layout`, the index of the polygon of `labelled` it overlaps most, or -1 when none. */
export function matchByOverlap(layout: readonly (readonly Point[])[], labelled: readonly (readonly Point[])[]): number[] {
  return layout.map((p) => {
    let best = -1;
    let bestArea = 0;
    labelled.forEach((q, i) => {
      const o = polygonOverlap(p, q);
      if (o > bestArea) {
        bestArea = o;
        best = i;
      }
    });
    return best;
  });
}
