// How far the camera moved since the slots were marked, as the picture shows it: a shift, a small turn and a zoom
// about the picture's centre. Pure maths on normalised coordinates, so it holds at any resolution.
import { applyHomography, type Homography } from '../occupancy/homography.ts';
import type { Point, Slot } from '../occupancy/types.ts';

/**
 * A point of the scene that was at `p` when the slots were marked is now at `centre + scale · R(angle) · (p − centre)
 * + (dx, dy)`, in units of the frame's width on both axes (so a shift of 0.05 is 5 % of the width either way).
 */
export interface CameraMove {
  readonly dx: number;
  readonly dy: number;
  /** Degrees; positive turns the picture clockwise on screen (y runs down). */
  readonly angle: number;
  readonly scale: number;
}

export const NO_MOVE: CameraMove = { dx: 0, dy: 0, angle: 0, scale: 1 };

/** How big a move the slots may follow by themselves (issue 12: 5 % of the width and 3°); beyond it, the user checks. */
export interface MoveLimits {
  /** Largest shift of the picture's centre, as a fraction of the frame width. */
  readonly shift: number;
  /** Largest turn, degrees. */
  readonly angle: number;
  /** Largest zoom either way: 0.05 allows 0.95..1.05. */
  readonly zoom: number;
}

export const FOLLOW_LIMITS: MoveLimits = { shift: 0.05, angle: 3, zoom: 0.05 };

/** Moves too small to matter (a few tenths of a pixel at the analysis size): the slots stay exactly as marked. */
export const STILL_LIMITS: MoveLimits = { shift: 0.002, angle: 0.1, zoom: 0.002 };

export function withinLimits(m: CameraMove, l: MoveLimits): boolean {
  // The limits are inclusive; the epsilon keeps 1.05 − 1 from landing just above 0.05.
  const e = 1e-9;
  return Math.hypot(m.dx, m.dy) <= l.shift + e && Math.abs(m.angle) <= l.angle + e && Math.abs(m.scale - 1) <= l.zoom + e;
}

/** The largest distance any point of the frame travels under `m` (fraction of the width): how big a move looks. */
export function moveSize(m: CameraMove, aspect: number): number {
  const corners: Point[] = [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 1],
  ];
  const h = moveHomography(m, aspect);
  return Math.max(
    ...corners.map((p) => {
      const [x, y] = applyHomography(h, p);
      return Math.hypot(x - p[0], (y - p[1]) * aspect);
    }),
  );
}

/**
 * The move as a homography on normalised coordinates (x and y from 0 to 1) of a frame whose height is `aspect` times
 * its width. Rotation is only a rotation in square units, hence the aspect.
 */
export function moveHomography(m: CameraMove, aspect: number): Homography {
  const t = (m.angle * Math.PI) / 180;
  const a = m.scale * Math.cos(t);
  const b = m.scale * Math.sin(t);
  const cx = 0.5;
  const cy = 0.5 * aspect;
  // In width units: Q = C + [a -b; b a](P - C) + d; then y is divided by the aspect again.
  const tx = cx - a * cx + b * cy + m.dx;
  const ty = cy - b * cx - a * cy + m.dy;
  return [a, -b * aspect, tx, b / aspect, a, ty / aspect, 0, 0, 1];
}

/** The move that undoes `m`. */
export function inverseMove(m: CameraMove): CameraMove {
  const t = (-m.angle * Math.PI) / 180;
  const s = 1 / m.scale;
  // P = C + (1/s) R(-θ) (Q - C - d): its own shift is -(1/s) R(-θ) d.
  const dx = -s * (Math.cos(t) * m.dx - Math.sin(t) * m.dy);
  const dy = -s * (Math.sin(t) * m.dx + Math.cos(t) * m.dy);
  return { dx, dy, angle: -m.angle, scale: s };
}

/** The slots where they are now, after the camera moved by `m` (ids and names kept). */
export function followMove(slots: readonly Slot[], m: CameraMove, aspect: number): Slot[] {
  const h = moveHomography(m, aspect);
  return slots.map((s) => ({ ...s, polygon: s.polygon.map((p) => applyHomography(h, p)) }));
}
