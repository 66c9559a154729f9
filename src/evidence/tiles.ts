// The square pictures of a slot that the backbone probe looks at. Pure.
import type { RgbaFrame } from '../camera/frame.ts';
import { boundingBox, toPixels } from '../occupancy/geometry.ts';
import type { Point } from '../occupancy/types.ts';
import { scalePolygon, warpCorners, warpQuad, type RgbPatch } from './warp.ts';

/** How much context around the slot's bounding box the square crop keeps (measured: 1.35 carries the signal). */
export const CROP_CONTEXT = 1.35;
/** The rectified crop is the slot itself, a little enlarged, so its painted lines stay in view. */
export const RECTIFIED_SCALE = 1.2;

/** A square crop around the slot's bounding box, side = CROP_CONTEXT x its longer side, resampled to size x size. */
export function squareTile(frame: RgbaFrame, polygon: readonly Point[], size: number, height = size): RgbPatch {
  const b = boundingBox(toPixels(polygon, frame.width, frame.height));
  const side = Math.max(b.w, b.h, 1) * CROP_CONTEXT;
  const cx = b.x + b.w / 2;
  const cy = b.y + b.h / 2;
  const h = side / 2;
  return warpQuad(
    frame,
    [
      [cx - h, cy - h],
      [cx + h, cy - h],
      [cx + h, cy + h],
      [cx - h, cy + h],
    ],
    size,
    height,
  );
}

/** The slot's own ground, perspective-rectified: the polygon, enlarged about its centre, warped upright to width x height. */
export function rectifiedTile(frame: RgbaFrame, polygon: readonly Point[], size: number, height = size): RgbPatch {
  const corners = warpCorners(scalePolygon(toPixels(polygon, frame.width, frame.height), RECTIFIED_SCALE));
  return warpQuad(frame, corners, size, height);
}
