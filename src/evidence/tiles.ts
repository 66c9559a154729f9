// The pictures of a slot that a tile model (the backbone probe, the tile CNN) looks at, and the role such a model plays.
// Pure.
import type { RgbaFrame } from '../camera/frame.ts';
import { boundingBox, toPixels } from '../occupancy/geometry.ts';
import type { Point } from '../occupancy/types.ts';
import type { LightStats } from './slot-cnn.ts';
import { scalePolygon, slotPatch, SUPERSAMPLE_STEP, warpQuad, type RgbPatch } from './warp.ts';

/** Which picture of a slot a tile is: the square context crop or the rectified slot. */
export type TileCrop = 'square' | 'rectified';

/** How a rectified tile is made. */
export interface TileShape {
  readonly tile: { readonly width: number; readonly height: number };
  /** How much the rectified crop enlarges the slot (RECTIFIED_SCALE; 1 with a patch-sized tile reuses the hand patch). */
  readonly enlarge: number;
  /** The warp's supersampling step for its tiles (warp.ts SUPERSAMPLE_STEP: the hand patch's). */
  readonly sampling: number;
}

/**
 * A model that turns slot tiles into one feature vector each (the layer before the `rectified` linear head of
 * weights.ts): the backbone probe (probe.ts) or the tile CNN (tile-cnn.ts). slot-features.ts makes the tiles.
 */
export interface TileFeatureExtractor extends TileShape {
  /** The crops of each slot it looks at, in order (a per-tile extractor: only 'rectified'). */
  readonly crops: readonly TileCrop[];
  /**
   * Tiles that share one model input (a 300x300 mosaic) and so change each other's features; null when each tile's
   * features depend on that tile alone (and the frame's light): then any subset of slots can be recomputed.
   */
  readonly mosaic: number | null;
  /** Whether features() needs the frame's light (from every slot of the frame, never from the subset recomputed). */
  readonly needsFrameLight: boolean;
  /**
   * A wider picture of the slot it may also look at (a per-tile model only: tile-cnn.ts's second opinion), or null.
   * features() then asks for some slots' wide tiles through its `wide` argument.
   */
  readonly wide: TileShape | null;
  /** `wide(ks)`: the wide tiles of the slots of tiles[k] for each k of ks, in that order (needed when `wide` is set). */
  features(tiles: readonly RgbPatch[], frameLight?: LightStats, wide?: (ks: readonly number[]) => RgbPatch[]): Promise<Float32Array[]>;
  /** Frees the model's own tensors (not the graph's). */
  dispose(): void;
}

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

/**
 * The slot's own ground, perspective-rectified: the polygon, enlarged `scale`x about its centre, warped upright to
 * width x height (warpQuad of its warpCorners; slotPatch solves the homography once where it can). Scale 1 is exactly
 * the hand features' patch when the size is theirs (framePatches).
 */
export function rectifiedTile(frame: RgbaFrame, polygon: readonly Point[], size: number, height = size, scale = RECTIFIED_SCALE, step = SUPERSAMPLE_STEP): RgbPatch {
  const px = toPixels(polygon, frame.width, frame.height);
  return slotPatch(frame, scale === 1 ? px : scalePolygon(px, scale), size, height, step);
}
