import type { Box, Point } from './types.ts';

/** Signed area by the shoelace formula: positive for counter-clockwise in a y-up system (clockwise on screen). */
export function signedArea(polygon: readonly Point[]): number {
  let sum = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [x1, y1] = polygon[i]!;
    const [x2, y2] = polygon[(i + 1) % polygon.length]!;
    sum += x1 * y2 - x2 * y1;
  }
  return sum / 2;
}

export function area(polygon: readonly Point[]): number {
  return Math.abs(signedArea(polygon));
}

export function centroid(polygon: readonly Point[]): Point {
  const a = signedArea(polygon);
  if (Math.abs(a) < 1e-12) {
    const n = polygon.length || 1;
    return [polygon.reduce((s, p) => s + p[0], 0) / n, polygon.reduce((s, p) => s + p[1], 0) / n];
  }
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [x1, y1] = polygon[i]!;
    const [x2, y2] = polygon[(i + 1) % polygon.length]!;
    const f = x1 * y2 - x2 * y1;
    cx += (x1 + x2) * f;
    cy += (y1 + y2) * f;
  }
  return [cx / (6 * a), cy / (6 * a)];
}

/** Even-odd rule; points on an edge may fall either way. */
export function containsPoint(polygon: readonly Point[], [px, py]: Point): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function boxToPolygon(box: Box): Point[] {
  return [
    [box.x, box.y],
    [box.x + box.w, box.y],
    [box.x + box.w, box.y + box.h],
    [box.x, box.y + box.h],
  ];
}

export function boundingBox(polygon: readonly Point[]): Box {
  const xs = polygon.map((p) => p[0]);
  const ys = polygon.map((p) => p[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
}

const side = (a: Point, b: Point, p: Point) => (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);

/** The part of `subject` (any simple polygon) inside `convex`, in either winding (Sutherland–Hodgman: exact for a convex clip). */
export function clipToConvex(subject: readonly Point[], convex: readonly Point[]): Point[] {
  // Orientation of the clip polygon decides which side of each edge is inside.
  const orient = Math.sign(signedArea(convex)) || 1;
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

/** Clips any simple polygon to an axis-aligned box. */
export function clipToBox(polygon: readonly Point[], box: Box): Point[] {
  return clipToConvex(polygon, boxToPolygon(box));
}

/** IoU of a convex polygon (a marked slot) and any simple polygon (a labelled one). */
export function polygonIoU(convex: readonly Point[], other: readonly Point[]): number {
  const inter = area(clipToConvex(other, convex));
  const union = area(convex) + area(other) - inter;
  return union > 0 ? inter / union : 0;
}

/** Area of the part of `polygon` that lies inside `box`. */
export function overlapArea(polygon: readonly Point[], box: Box): number {
  return area(clipToBox(polygon, box));
}

/** Intersection over union of two boxes. */
export function boxIoU(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.w * a.h + b.w * b.h - inter);
}

/** True when the four points are an axis-aligned rectangle (in any starting corner and direction). */
export function isAxisAlignedRect(polygon: readonly Point[], eps = 1e-9): boolean {
  if (polygon.length !== 4) return false;
  const b = boundingBox(polygon);
  if (b.w <= eps || b.h <= eps) return false;
  const onCorner = (p: Point) =>
    (Math.abs(p[0] - b.x) < eps || Math.abs(p[0] - b.x - b.w) < eps) &&
    (Math.abs(p[1] - b.y) < eps || Math.abs(p[1] - b.y - b.h) < eps);
  const distinct = new Set(polygon.map((p) => `${Math.abs(p[0] - b.x) < eps ? 0 : 1}${Math.abs(p[1] - b.y) < eps ? 0 : 1}`));
  return polygon.every(onCorner) && distinct.size === 4;
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Normalises a pixel polygon to a frame of the given size. */
export function normalisePolygon(polygon: readonly Point[], width: number, height: number): Point[] {
  return polygon.map(([x, y]) => [x / width, y / height] as const);
}

/** Scales a normalised polygon to pixels of a frame of the given size. */
export function toPixels(polygon: readonly Point[], width: number, height: number): Point[] {
  return polygon.map(([x, y]) => [x * width, y * height] as const);
}
