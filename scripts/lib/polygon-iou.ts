// Intersection over union of two slot polygons, for scoring a marked layout against labelled slots.
import { area } from '../../src/occupancy/geometry.ts';
import type { Point } from '../../src/occupancy/types.ts';

const side = (a: Point, b: Point, p: Point) => (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);

/** The part of `subject` (any simple polygon) inside `convex` (Sutherland–Hodgman: exact for a convex clip polygon). */
export function clipToConvex(subject: readonly Point[], convex: readonly Point[]): Point[] {
  // Orientation of the clip polygon decides which side of each edge is inside.
  const orient = Math.sign(convex.reduce((s, p, i) => s + side(convex[0]!, p, convex[(i + 1) % convex.length]!), 0)) || 1;
  let out: Point[] = [...subject];
  for (let i = 0; i < convex.length && out.length; i++) {
    const a = convex[i]!;
    const b = convex[(i + 1) % convex.length]!;
    const inside = (p: Point) => side(a, b, p) * orient >= 0;
    const cut = (p: Point, q: Point): Point => {
      const sp = side(a, b, p);
      const t = sp / (sp - side(a, b, q));
      return [p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t];
    };
    const input = out;
    out = [];
    for (let k = 0; k < input.length; k++) {
      const cur = input[k]!;
      const prev = input[(k + input.length - 1) % input.length]!;
      if (inside(cur)) {
        if (!inside(prev)) out.push(cut(prev, cur));
        out.push(cur);
      } else if (inside(prev)) out.push(cut(prev, cur));
    }
  }
  return out;
}

/** IoU of a convex polygon (a marked slot) and any simple polygon (a labelled one). */
export function polygonIoU(convex: readonly Point[], other: readonly Point[]): number {
  const inter = area(clipToConvex(other, convex));
  const union = area(convex) + area(other) - inter;
  return union > 0 ? inter / union : 0;
}
