import { clamp } from '../occupancy/geometry.ts';
import type { Point } from '../occupancy/types.ts';

/**
 * What part of the frame the stage shows: `zoom` times larger than fitted, with (x, y) the normalised frame point at
 * the stage's top-left corner. The visible part is x .. x + 1/zoom across and y .. y + 1/zoom down.
 */
export interface View {
  readonly zoom: number;
  readonly x: number;
  readonly y: number;
}

export const FIT: View = { zoom: 1, x: 0, y: 0 };
/** Slots a few dozen pixels wide need about 8x on a phone before a fingertip covers less than one. */
export const MAX_ZOOM = 12;

/** Keeps the zoom in 1..MAX_ZOOM and the visible part inside the frame. */
export function clampView(v: View, maxZoom = MAX_ZOOM): View {
  const zoom = clamp(Number.isFinite(v.zoom) ? v.zoom : 1, 1, maxZoom);
  const span = 1 / zoom;
  return { zoom, x: clamp(v.x, 0, 1 - span), y: clamp(v.y, 0, 1 - span) };
}

/** A point of the stage (0..1 across and down the element) as a point of the frame. */
export function stageToFrame(v: View, [sx, sy]: Point): Point {
  return [v.x + sx / v.zoom, v.y + sy / v.zoom];
}

export function frameToStage(v: View, [fx, fy]: Point): Point {
  return [(fx - v.x) * v.zoom, (fy - v.y) * v.zoom];
}

/** Zooms by `factor` keeping the frame point under stage point `at` where it is (wheel, buttons). */
export function zoomAbout(v: View, at: Point, factor: number): View {
  const f = stageToFrame(v, at);
  const zoom = clampView({ ...v, zoom: v.zoom * factor }).zoom;
  return clampView({ zoom, x: f[0] - at[0] / zoom, y: f[1] - at[1] / zoom });
}

/** Moves the view by a stage distance (a drag of the picture: the picture follows the finger). */
export function panBy(v: View, dStage: Point): View {
  return clampView({ ...v, x: v.x - dStage[0] / v.zoom, y: v.y - dStage[1] / v.zoom });
}

/**
 * Two fingers: the frame point under their midpoint at the start stays under their midpoint now, and the zoom
 * follows their distance. Finger positions are in stage pixels, so the distance is measured in a square space.
 */
export function pinchView(start: View, size: Point, from: readonly [Point, Point], to: readonly [Point, Point]): View {
  const [w, h] = size;
  const mid = (p: readonly [Point, Point]): Point => [(p[0][0] + p[1][0]) / 2 / w, (p[0][1] + p[1][1]) / 2 / h];
  const dist = (p: readonly [Point, Point]) => Math.hypot(p[0][0] - p[1][0], p[0][1] - p[1][1]);
  const d0 = dist(from);
  const factor = d0 > 0 ? dist(to) / d0 : 1;
  const f = stageToFrame(start, mid(from));
  const zoom = clampView({ ...start, zoom: start.zoom * factor }).zoom;
  const m = mid(to);
  return clampView({ zoom, x: f[0] - m[0] / zoom, y: f[1] - m[1] / zoom });
}

/** A view that shows `box` (normalised frame coordinates) as large as possible, centred. */
export function viewOf(box: { x: number; y: number; w: number; h: number }, margin = 0.15): View {
  const side = Math.max(box.w, box.h) * (1 + 2 * margin);
  const zoom = clampView({ zoom: side > 0 ? 1 / side : MAX_ZOOM, x: 0, y: 0 }).zoom;
  return clampView({ zoom, x: box.x + box.w / 2 - 0.5 / zoom, y: box.y + box.h / 2 - 0.5 / zoom });
}
