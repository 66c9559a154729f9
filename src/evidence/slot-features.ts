// Everything the evidence knows about each slot in one frame, before any trained weights: the hand features, the
// backbone activations of two crops, the detections' footprint support and the slot's small reference picture.
import type { RgbaFrame } from '../camera/frame.ts';
import { observeFromDetections } from '../occupancy/detection-evidence.ts';
import { toPixels } from '../occupancy/geometry.ts';
import type { Detection, Slot } from '../occupancy/types.ts';
import { handFeatures, innerGray, lightLevel, PATCH_HEIGHT, PATCH_WIDTH, patchGray, referenceVector, type PatchGray } from './hand-features.ts';
import { warpCorners, warpQuad, type RgbPatch } from './warp.ts';
import { tileLayout, type BackboneProbe, type ProbeCrop } from './probe.ts';
import { rectifiedTile, squareTile } from './tiles.ts';

export interface SlotFeatures {
  readonly id: string;
  /** The illumination-relative hand features (HAND_FEATURE_NAMES). */
  readonly hand: readonly number[];
  /** Pooled backbone activations of the square context crop and of the rectified slot; null when not computed. */
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

/** The cheap half, for every slot: its upright patch, the patch's grey picture and the frame's light level. */
export interface FramePatches {
  readonly lum: number;
  readonly patches: readonly RgbPatch[];
  readonly grays: readonly PatchGray[];
}

export function framePatches(frame: RgbaFrame, slots: readonly Slot[]): FramePatches {
  const patches = slots.map((s) => warpQuad(frame, warpCorners(toPixels(s.polygon, frame.width, frame.height)), PATCH_WIDTH, PATCH_HEIGHT));
  const grays = patches.map(patchGray);
  const lum = lightLevel(patches.map((p, i) => innerGray(p, grays[i])));
  return { lum, patches, grays };
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
 * patches: hand features and reference relative to the whole frame's light, detection support, and, with a probe,
 * the backbone tiles. Each group starts a new mosaic (its last one padded with blank tiles, as the full path pads the
 * lot's last mosaic), so a group of SlotEvidence.groups() gets exactly the features the full path gives it. Without a
 * probe (model loading or failed) the tiles are null.
 */
export async function slotFeaturesAt(
  frame: RgbaFrame,
  slots: readonly Slot[],
  fp: FramePatches,
  detections: readonly Detection[],
  probe: BackboneProbe | null,
  groups: readonly (readonly number[])[] = [slots.map((_, i) => i)],
): Promise<SlotFeatures[]> {
  const indices = groups.flat();
  const picked = indices.map((i) => slots[i]!);
  const det = observeFromDetections(picked, detections);
  const probed = new Map<ProbeCrop, Float32Array[]>();
  if (probe && picked.length > 0) {
    const { width, height, perMosaic } = tileLayout(probe.config);
    const crops = probe.config.crops;
    const blank: RgbPatch = { width, height, data: new Uint8Array(width * height * 3) };
    // Per crop, per group: its tiles, then blanks up to a whole mosaic (null marks a blank's place in the output).
    // With more than one crop, groups() makes one group of all slots, packed crop after crop as always.
    const pad = (n: number) => (crops.length === 1 ? (perMosaic - (n % perMosaic)) % perMosaic : 0);
    const order = crops.flatMap((c) => groups.flatMap((g) => [...g.map((i) => ({ c, i })), ...Array.from({ length: pad(g.length) }, () => null)]));
    const tiles = order.map((t) => (t === null ? blank : (t.c === 'square' ? squareTile : rectifiedTile)(frame, slots[t.i]!.polygon, width, height)));
    const feats = await probe.features(tiles);
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
 * All features of every slot. With a probe, the square and rectified tiles of all slots go through the backbone
 * together (fewer, fuller mosaics); without one (model loading or failed) they are null.
 */
export async function extractFeatures(
  frame: RgbaFrame,
  slots: readonly Slot[],
  detections: readonly Detection[],
  probe: BackboneProbe | null,
): Promise<FrameFeatures> {
  const fp = framePatches(frame, slots);
  return { lum: fp.lum, slots: await slotFeaturesAt(frame, slots, fp, detections, probe) };
}
