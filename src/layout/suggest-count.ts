import { centroid } from '../occupancy/geometry.ts';
import type { Point, Slot } from '../occupancy/types.ts';
import { MAX_SPLIT } from './row-split.ts';

/** How many of the nearest marked slots speak for the size of slots in a new row. */
const NEAREST = 8;

const dist = (a: Point, b: Point, aspect: number) => Math.hypot((b[0] - a[0]) * aspect, b[1] - a[1]);

/** A four-sided slot's width over depth on screen: its shorter pair of opposite sides over its longer pair. */
export function slotAspect(polygon: readonly Point[], aspect: number): number | null {
  if (polygon.length !== 4) return null;
  const [a, b, c, d] = polygon as [Point, Point, Point, Point];
  const pairA = (dist(a, b, aspect) + dist(d, c, aspect)) / 2;
  const pairB = (dist(b, c, aspect) + dist(a, d, aspect)) / 2;
  const long = Math.max(pairA, pairB);
  return long > 0 ? Math.min(pairA, pairB) / long : null;
}

/**
 * A first guess at the number of slots along a row (quad in row order: quad[0]→quad[1] along the row) of `rows`
 * rows: the row's length over the width of a slot as deep as one row, taking the shape of slots from the marked slots
 * nearest to it (perspective changes it across the picture).
 *
 * Null when unsure: before any four-sided slot is marked there is no shape to go by, and a guess from a typical bay
 * (0.7 as wide as deep) was off by half on real lots (9 for a row of 6), so the user is asked instead.
 */
export function suggestCount(quad: readonly Point[], rows: number, slots: readonly Slot[], aspect: number): number | null {
  if (quad.length !== 4 || rows < 1) return null;
  const [a, b, c, d] = quad as [Point, Point, Point, Point];
  const length = (dist(a, b, aspect) + dist(d, c, aspect)) / 2;
  const depth = (dist(a, d, aspect) + dist(b, c, aspect)) / 2 / rows;
  if (!(depth > 0)) return null;
  const here = centroid(quad);
  const shapes = slots
    .map((s) => ({ r: slotAspect(s.polygon, aspect), d: dist(centroid(s.polygon), here, aspect) }))
    .filter((s): s is { r: number; d: number } => s.r !== null)
    .sort((x, y) => x.d - y.d)
    .slice(0, NEAREST)
    .map((s) => s.r)
    .sort((x, y) => x - y);
  if (!shapes.length) return null;
  const ratio = shapes[Math.floor(shapes.length / 2)]!;
  return Math.min(MAX_SPLIT, Math.max(1, Math.round(length / (ratio * depth))));
}
