// The one entry point the app's analysis worker and the eval command both call.
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { RgbaFrame } from '../camera/frame.ts';
import type { Detection, Slot, SlotObservation } from '../occupancy/types.ts';
import { calibratedLogit, type Correction, type CorrectionFeatures, type LotCalibration } from './calibration.ts';
import { applySensitivity, baseLogits, modeOf, type BaseLogits, type EvidenceMode } from './fusion.ts';
import { BackboneProbe } from './probe.ts';
import { extractFeatures } from './slot-features.ts';
import type { EvidenceWeights } from './weights.ts';

export interface ObserveOptions {
  /** Logit offset the user sets: positive calls slots occupied on weaker evidence. Default 0. */
  readonly sensitivity?: number;
  /** Skip the backbone even though a graph is loaded (the fallback, or a slow device). */
  readonly patchOnly?: boolean;
}

export interface SlotEvidenceFeatures extends CorrectionFeatures {
  readonly id: string;
  /** The slot's logit before the user's sensitivity, after the lot's calibration. */
  readonly logit: number;
}

export interface EvidenceResult {
  /** One per slot, in the order of `slots`: the probability that it is occupied (sensitivity applied). */
  readonly observations: SlotObservation[];
  readonly mode: EvidenceMode;
  /** Per slot, in the same order: what a correction of that slot on this frame records (see makeCorrection). */
  readonly features: SlotEvidenceFeatures[];
  /** Why the probe was not used, when the weights and graph would have allowed it (its error message). */
  readonly fallbackReason?: string;
}

export class SlotEvidence {
  private readonly probe: BackboneProbe | null;

  /** Without a graph (model loading or failed to load), evidence runs in patch-only mode. */
  constructor(
    readonly weights: EvidenceWeights,
    graph?: GraphModel | null,
  ) {
    this.probe = graph ? new BackboneProbe(graph, weights.probe) : null;
  }

  get mode(): EvidenceMode {
    return this.probe ? 'full' : 'patch-only';
  }

  /**
   * Evidence for every slot of one frame. `frame` is the analysis frame (ANALYSIS_MAX_SIDE), `slots` normalised
   * polygons, `detections` this frame's vehicles (may be empty). A probe failure falls back to patch-only for this
   * frame and says why.
   */
  async observe(
    frame: RgbaFrame,
    slots: readonly Slot[],
    detections: readonly Detection[],
    calibration?: LotCalibration | null,
    options: ObserveOptions = {},
  ): Promise<EvidenceResult> {
    const probe = options.patchOnly ? null : this.probe;
    let fallbackReason: string | undefined;
    let feats;
    try {
      feats = await extractFeatures(frame, slots, detections, probe);
    } catch (e) {
      if (!probe) throw e;
      fallbackReason = e instanceof Error ? e.message : String(e);
      feats = await extractFeatures(frame, slots, detections, null);
    }
    const sensitivity = options.sensitivity ?? 0;
    const features = feats.slots.map((f): SlotEvidenceFeatures => {
      const logits: BaseLogits = baseLogits(f, this.weights);
      return { id: f.id, logits, reference: f.reference, logit: calibratedLogit(logits, f.reference, f.id, this.weights, calibration) };
    });
    const observations = features.map((f) => ({ id: f.id, probability: applySensitivity(f.logit, sensitivity) }));
    const mode: EvidenceMode = features.length > 0 ? modeOf(features[0]!.logits) : probe ? 'full' : 'patch-only';
    return fallbackReason === undefined ? { observations, mode, features } : { observations, mode, features, fallbackReason };
  }
}

/** The correction a user's tap makes: "slot `f.id` is free/occupied on this frame". */
export function makeCorrection(
  f: SlotEvidenceFeatures,
  occupied: boolean,
  frame: string,
  weights: EvidenceWeights,
  at: number,
): Correction {
  return { slotId: f.id, occupied, at, frame, weightsId: weights.id, features: { logits: f.logits, reference: f.reference } };
}
