import { boundingBox, clamp, isAxisAlignedRect } from '../occupancy/geometry.ts';
import type { Point } from '../occupancy/types.ts';

export { nextSlotId } from './slot-ids.ts';

/** Slots smaller than this share of the frame side are taps, not drags. */
export const MIN_SLOT_SIDE = 0.01;

/** The rectangle a drag from `a` to `b` spans, clockwise from the top left, clipped to the frame. */
export function rectFromDrag(a: Point, b: Point): Point[] | null {
  const x0 = clamp(Math.min(a[0], b[0]), 0, 1);
  const x1 = clamp(Math.max(a[0], b[0]), 0, 1);
  const y0 = clamp(Math.min(a[1], b[1]), 0, 1);
  const y1 = clamp(Math.max(a[1], b[1]), 0, 1);
  if (x1 - x0 < MIN_SLOT_SIDE || y1 - y0 < MIN_SLOT_SIDE) return null;
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
}

/** Moves a polygon by (dx, dy), stopping at the frame's edges so it never leaves the picture. */
export function translatePolygon(polygon: readonly Point[], dx: number, dy: number): Point[] {
  const b = boundingBox(polygon);
  const mx = clamp(dx, -b.x, 1 - (b.x + b.w));
  const my = clamp(dy, -b.y, 1 - (b.y + b.h));
  return polygon.map(([x, y]) => [x + mx, y + my] as const);
}

/**
 * Drags corner `index` to `to`. A rectangle stays a rectangle (its neighbours follow, like resizing a box);
 * any other quadrilateral moves just that corner.
 */
export function dragCorner(polygon: readonly Point[], index: number, to: Point): Point[] {
  const p: Point = [clamp(to[0], 0, 1), clamp(to[1], 0, 1)];
  if (!isAxisAlignedRect(polygon)) return polygon.map((q, i) => (i === index ? p : q));
  const old = polygon[index]!;
  return polygon.map(([x, y], i) => {
    if (i === index) return p;
    return [x === old[0] ? p[0] : x, y === old[1] ? p[1] : y] as const;
  });
}

/** Grows or shrinks a polygon about its top-left corner by (dw, dh) of the frame (keyboard resizing). */
export function resizePolygon(polygon: readonly Point[], dw: number, dh: number): Point[] {
  const b = boundingBox(polygon);
  const w = clamp(b.w + dw, MIN_SLOT_SIDE, 1 - b.x);
  const h = clamp(b.h + dh, MIN_SLOT_SIDE, 1 - b.y);
  const sx = w / b.w;
  const sy = h / b.h;
  return polygon.map(([x, y]) => [b.x + (x - b.x) * sx, b.y + (y - b.y) * sy] as const);
}

/** Puts four tapped corners in a consistent order (clockwise on screen, starting top-left-most). */
export function orderCorners(points: readonly Point[]): Point[] {
  const cx = points.reduce((s, p) => s + p[0], 0) / points.length;
  const cy = points.reduce((s, p) => s + p[1], 0) / points.length;
  const sorted = [...points].sort((a, b) => Math.atan2(a[1] - cy, a[0] - cx) - Math.atan2(b[1] - cy, b[0] - cx));
  const start = sorted.reduce((best, p, i) => (p[0] + p[1] < sorted[best]![0] + sorted[best]![1] ? i : best), 0);
  return [...sorted.slice(start), ...sorted.slice(0, start)];
}
