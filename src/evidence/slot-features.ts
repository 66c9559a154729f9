// Everything the evidence knows about each slot in one frame, before any trained weights: the hand features, the
// backbone activations of two crops, the detections' footprint support and the slot's small reference picture.
import type { RgbaFrame } from '../camera/frame.ts';
import { observeFromDetections } from '../occupancy/detection-evidence.ts';
import { toPixels } from '../occupancy/geometry.ts';
import type { Detection, Slot } from '../occupancy/types.ts';
import { handFeatures, innerGray, lightLevel, PATCH_HEIGHT, PATCH_WIDTH, patchGray, referenceVector } from './hand-features.ts';
import { warpCorners, warpQuad } from './warp.ts';
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
}

export interface FrameFeatures {
  /** The frame's light level: the median inner grey of its slots. */
  readonly lum: number;
  readonly slots: readonly SlotFeatures[];
}

/** The hand-feature half: pure, synchronous, a few ms per 100 slots. */
export function patchFeatures(frame: RgbaFrame, slots: readonly Slot[]): { lum: number; hand: number[][]; reference: number[][] } {
  const patches = slots.map((s) => warpQuad(frame, warpCorners(toPixels(s.polygon, frame.width, frame.height)), PATCH_WIDTH, PATCH_HEIGHT));
  const grays = patches.map(patchGray);
  const lum = lightLevel(patches.map((p, i) => innerGray(p, grays[i])));
  return {
    lum,
    hand: patches.map((p, i) => handFeatures(p, lum, grays[i])),
    reference: patches.map((p, i) => referenceVector(p, lum, grays[i])),
  };
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
  const { lum, hand, reference } = patchFeatures(frame, slots);
  const det = observeFromDetections(slots, detections);
  const probed = new Map<ProbeCrop, Float32Array[]>();
  if (probe && slots.length > 0) {
    const { width, height } = tileLayout(probe.config);
    const crops = probe.config.crops;
    const tiles = crops.flatMap((c) => slots.map((s) => (c === 'square' ? squareTile : rectifiedTile)(frame, s.polygon, width, height)));
    const feats = await probe.features(tiles);
    crops.forEach((c, k) => probed.set(c, feats.slice(k * slots.length, (k + 1) * slots.length)));
  }
  const square = probed.get('square');
  const rectified = probed.get('rectified');
  return {
    lum,
    slots: slots.map((s, i) => ({
      id: s.id,
      hand: hand[i]!,
      square: square?.[i] ?? null,
      rectified: rectified?.[i] ?? null,
      detection: det[i]!.probability,
      reference: reference[i]!,
    })),
  };
}
