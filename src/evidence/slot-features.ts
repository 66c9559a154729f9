// Everything the evidence knows about each slot in one frame, before any trained weights: the hand features, the
// tile model's features of two crops, the detections' footprint support and the slot's small reference picture.
import type { RgbaFrame } from '../camera/frame.ts';
import { observeFromDetections } from '../occupancy/detection-evidence.ts';
import { toPixels } from '../occupancy/geometry.ts';
import type { Detection, Slot } from '../occupancy/types.ts';
import { handFeatures, innerGray, lightLevel, PATCH_HEIGHT, PATCH_WIDTH, patchGray, referenceVector, type PatchGray } from './hand-features.ts';
import { slotPatch, SUPERSAMPLE_STEP, type RgbPatch } from './warp.ts';
import { lightStats, type LightStats } from './slot-cnn.ts';
import { rectifiedTile, squareTile, type TileCrop, type TileFeatureExtractor, type TileShape } from './tiles.ts';

export interface SlotFeatures {
  readonly id: string;
  /** The illumination-relative hand features (HAND_FEATURE_NAMES). */
  readonly hand: readonly number[];
  /**
   * The tile model's features (pooled backbone activations, or the tile CNN's pooled last layer) of the square context
   * crop and of the rectified slot; null when not computed.
   */
  readonly square: Float32Array | null;
  readonly rectified: Float32Array | null;
  /** 0..1: the strongest vehicle footprint over the slot (detection-evidence.ts). */
  readonly detection: number;
  /** The slot's small picture relative to the frame's light, for free-slot references (hand-features.ts). */
  readonly reference: readonly number[];
  /**
   * The light level of the frame these features were computed on (its slots' median inner grey): calibration uses a
   * reference or a refit only in similar light. Absent in features cached before it was recorded.
   */
  readonly light?: number;
}

export interface FrameFeatures {
  /** The frame's light level: the median inner grey of its slots. */
  readonly lum: number;
  readonly slots: readonly SlotFeatures[];
}

/**
 * The cheap half, for every slot: its upright patch, the patch's grey picture, the frame's light level, and the light
 * statistics of every patch together (what the tile CNN scales tiles by, and the change gate's anchors keep).
 */
export interface FramePatches {
  readonly lum: number;
  readonly patches: readonly RgbPatch[];
  readonly grays: readonly PatchGray[];
  readonly stats: LightStats;
}

export function framePatches(frame: RgbaFrame, slots: readonly Slot[]): FramePatches {
  const patches = slots.map((s) => slotPatch(frame, toPixels(s.polygon, frame.width, frame.height), PATCH_WIDTH, PATCH_HEIGHT));
  const grays = patches.map(patchGray);
  const lum = lightLevel(patches.map((p, i) => innerGray(p, grays[i])));
  return { lum, patches, grays, stats: lightStats(patches) };
}

/** The hand-feature half: pure, synchronous, a few ms per 100 slots. */
export function patchFeatures(frame: RgbaFrame, slots: readonly Slot[]): { lum: number; hand: number[][]; reference: number[][] } {
  const { lum, patches, grays } = framePatches(frame, slots);
  return {
    lum,
    hand: patches.map((p, i) => handFeatures(p, lum, grays[i])),
    reference: patches.map((p, i) => referenceVector(p, lum, grays[i])),
  };
}

/**
 * The features of the slots of `groups` (slot indices; default: all slots as one run), in that order, given the frame's
 * patches: hand features and reference relative to the whole frame's light, detection support, and, with a tile model,
 * its features of each slot's tiles. With a mosaic model (the probe) each group starts a new mosaic (its last one padded
 * with blank tiles, as the full path pads the lot's last mosaic), so a group of SlotEvidence.groups() gets exactly the
 * features the full path gives it. A per-tile model gets all picked slots in one batch. Without a model (loading or
 * failed) the tiles are null.
 */
export async function slotFeaturesAt(
  frame: RgbaFrame,
  slots: readonly Slot[],
  fp: FramePatches,
  detections: readonly Detection[],
  model: TileFeatureExtractor | null,
  groups: readonly (readonly number[])[] = [slots.map((_, i) => i)],
): Promise<SlotFeatures[]> {
  const indices = groups.flat();
  const picked = indices.map((i) => slots[i]!);
  const det = observeFromDetections(picked, detections);
  const probed = new Map<TileCrop, Float32Array[]>();
  if (model && model.mosaic === null && picked.length > 0) probed.set('rectified', await perTileFeatures(frame, slots, fp, model, indices));
  else if (model && picked.length > 0 && model.mosaic !== null) {
    const { width, height } = model.tile;
    const perMosaic = model.mosaic;
    const crops = model.crops;
    const blank: RgbPatch = { width, height, data: new Uint8Array(width * height * 3) };
    // Per crop, per group: its tiles, then blanks up to a whole mosaic (null marks a blank's place in the output).
    // With more than one crop, groups() makes one group of all slots, packed crop after crop as always.
    const pad = (n: number) => (crops.length === 1 ? (perMosaic - (n % perMosaic)) % perMosaic : 0);
    const order = crops.flatMap((c) => groups.flatMap((g) => [...g.map((i) => ({ c, i })), ...Array.from({ length: pad(g.length) }, () => null)]));
    const tiles = order.map((t) => (t === null ? blank : (t.c === 'square' ? squareTile : rectifiedTile)(frame, slots[t.i]!.polygon, width, height)));
    const feats = await model.features(tiles);
    for (const c of crops) probed.set(c, []);
    order.forEach((t, k) => t && probed.get(t.c)!.push(feats[k]!));
  }
  const square = probed.get('square');
  const rectified = probed.get('rectified');
  return indices.map((i, k) => ({
    id: slots[i]!.id,
    hand: handFeatures(fp.patches[i]!, fp.lum, fp.grays[i]),
    square: square?.[k] ?? null,
    rectified: rectified?.[k] ?? null,
    detection: det[k]!.probability,
    reference: referenceVector(fp.patches[i]!, fp.lum, fp.grays[i]),
    light: fp.lum,
  }));
}

/**
 * The tiles of the slots `indices` as a tile model of this shape sees them: the hand features' patch itself when it is
 * the same picture (the patch's size, no enlargement, the patch's supersampling: nothing warped twice), else the
 * rectified tile. The app (perTileFeatures) and train's stem inputs both take them from here.
 */
export function slotTiles(
  frame: RgbaFrame,
  slots: readonly Slot[],
  fp: FramePatches,
  shape: TileShape,
  indices: readonly number[],
): RgbPatch[] {
  const { width, height } = shape.tile;
  const samePatch = shape.enlarge === 1 && shape.sampling === SUPERSAMPLE_STEP && width === PATCH_WIDTH && height === PATCH_HEIGHT;
  return indices.map((i) => (samePatch ? fp.patches[i]! : rectifiedTile(frame, slots[i]!.polygon, width, height, shape.enlarge, shape.sampling)));
}

/**
 * A per-tile model's features of the slots `indices`, one batch (slotTiles), with the wide tiles of the slots it asks
 * for. The frame's light comes from every slot's patch, so a slot recomputed alone gets the features the full path
 * gives it.
 */
async function perTileFeatures(frame: RgbaFrame, slots: readonly Slot[], fp: FramePatches, model: TileFeatureExtractor, indices: readonly number[]): Promise<Float32Array[]> {
  const wide = model.wide;
  const wideTiles = wide ? (ks: readonly number[]) => slotTiles(frame, slots, fp, wide, ks.map((k) => indices[k]!)) : undefined;
  return model.features(slotTiles(frame, slots, fp, model, indices), model.needsFrameLight ? fp.stats : undefined, wideTiles);
}

/**
 * All features of every slot. With a tile model, all slots' tiles go through it together (with the probe: fewer,
 * fuller mosaics); without one (model loading or failed) they are null.
 */
export async function extractFeatures(
  frame: RgbaFrame,
  slots: readonly Slot[],
  detections: readonly Detection[],
  model: TileFeatureExtractor | null,
): Promise<FrameFeatures> {
  const fp = framePatches(frame, slots);
  return { lum: fp.lum, slots: await slotFeaturesAt(frame, slots, fp, detections, model) };
}
