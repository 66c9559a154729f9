// What the counter makes of each frame's motion estimate: slots that follow a small move, and a warning, with counts
// held, once the camera has moved too far (or the view no longer matches) for the layout to be trusted. Pure.
import { centroid } from '../occupancy/geometry.ts';
import type { Slot } from '../occupancy/types.ts';
import { FOLLOW_LIMITS, followMove, NO_MOVE, STILL_LIMITS, withinLimits, type CameraMove, type MoveLimits } from './camera-move.ts';

/**
 * - `steady`: the camera is where the slots were marked.
 * - `following`: it moved a little; the slots follow it.
 * - `moved`: it moved too far, or the picture no longer matches the reference: the layout is not trusted.
 */
export type CameraState = 'steady' | 'following' | 'moved';

export interface CameraWatch {
  readonly state: CameraState;
  /** The move the slots follow (the last one that could be trusted; NO_MOVE when steady). */
  readonly move: CameraMove;
  /** Whether this frame's slots could be placed: when false, the frame gives no slot evidence and counts hold. */
  readonly placed: boolean;
  /** The latest move the estimate found, even beyond the limits (null: the picture did not match). */
  readonly seen: CameraMove | null;
  /** Frames in a row whose slots could not be placed. */
  readonly misses: number;
}

export interface WatchSettings {
  readonly follow: MoveLimits;
  readonly still: MoveLimits;
  /** Frames in a row that cannot be placed before the camera is called moved: a passing truck is not a move. */
  readonly movedAfter: number;
  /** A new move this close to the one followed keeps the old one, so slots do not jitter by a pixel frame to frame. */
  readonly jitter: MoveLimits;
}

export const DEFAULT_WATCH: WatchSettings = {
  follow: FOLLOW_LIMITS,
  still: STILL_LIMITS,
  movedAfter: 3,
  jitter: { shift: 0.001, angle: 0.05, zoom: 0.001 },
};

export const STEADY: CameraWatch = { state: 'steady', move: NO_MOVE, placed: true, seen: NO_MOVE, misses: 0 };

/** The watch after one more frame whose estimated move (since the reference) is `estimate` (null: no match). */
export function watchCamera(prev: CameraWatch, estimate: CameraMove | null, s: WatchSettings = DEFAULT_WATCH): CameraWatch {
  if (estimate && withinLimits(estimate, s.follow)) {
    const move = withinLimits(estimate, s.still) ? NO_MOVE : withinLimits(difference(estimate, prev.move), s.jitter) ? prev.move : estimate;
    return { state: move === NO_MOVE ? 'steady' : 'following', move, placed: true, seen: estimate, misses: 0 };
  }
  const misses = prev.misses + 1;
  return { state: misses >= s.movedAfter ? 'moved' : prev.state, move: prev.move, placed: false, seen: estimate, misses };
}

function difference(a: CameraMove, b: CameraMove): CameraMove {
  return { dx: a.dx - b.dx, dy: a.dy - b.dy, angle: a.angle - b.angle, scale: 1 + a.scale - b.scale };
}

/**
 * The slots to take evidence from on this frame: none when they cannot be placed, as marked when the camera is
 * steady, else moved with the camera, less those whose middle the move took out of the picture.
 */
export function placeSlots(slots: readonly Slot[], watch: CameraWatch, aspect: number): readonly Slot[] {
  if (!watch.placed) return [];
  if (watch.move === NO_MOVE) return slots;
  return followMove(slots, watch.move, aspect).filter((s) => {
    const [x, y] = centroid(s.polygon);
    return x >= 0 && x <= 1 && y >= 0 && y <= 1;
  });
}
