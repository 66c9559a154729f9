// From features to one probability per slot: base logits, their fusion, a lot's calibration and the user's sensitivity.
// Pure.
import { predictLogit, sigmoid } from './logistic.ts';
import type { SlotFeatures } from './slot-features.ts';
import type { EvidenceWeights } from './weights.ts';

export type EvidenceMode = 'full' | 'patch-only';

/** The base evidence of one slot: what a correction records, so a calibration can be refitted on it. */
export interface BaseLogits {
  readonly hand: number;
  /** Null when the frame was seen without the model (patch-only mode). */
  readonly square: number | null;
  readonly rectified: number | null;
  readonly detection: number;
}

export function baseLogits(f: SlotFeatures, w: EvidenceWeights): BaseLogits {
  return {
    hand: predictLogit(w.hand, f.hand),
    square: f.square && w.square ? predictLogit(w.square, f.square) : null,
    rectified: f.rectified ? predictLogit(w.rectified, f.rectified) : null,
    detection: f.detection,
  };
}

/** Full when the backbone saw the slot (the rectified probe is always part of the full model). */
export const modeOf = (b: BaseLogits): EvidenceMode => (b.rectified === null ? 'patch-only' : 'full');

/** The inputs of the full fusion model (FUSION_INPUTS order); only for full-mode logits. A probe not in use adds 0. */
export function fusionInputs(b: BaseLogits): number[] {
  if (b.rectified === null) throw new Error('fusion inputs need the probe logits');
  return [b.hand, b.square ?? 0, b.rectified, b.detection];
}

/** The shipped model's logit for a slot, in whichever mode its logits were made. */
export function fusedLogit(b: BaseLogits, w: EvidenceWeights): number {
  return modeOf(b) === 'full' ? predictLogit(w.fusion, fusionInputs(b)) : predictLogit(w.patchOnly, [b.hand]);
}

/**
 * The user's sensitivity is an offset on the logit: +1 calls a slot occupied on weaker evidence (e^1 ≈ 2.7x the odds),
 * -1 needs stronger evidence. 0 is the trained decision.
 */
export function applySensitivity(logit: number, sensitivity: number): number {
  return sigmoid(logit + sensitivity);
}
