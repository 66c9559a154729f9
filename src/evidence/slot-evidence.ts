// The one entry point the app's analysis worker and the eval command both call.
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { RgbaFrame } from '../camera/frame.ts';
import type { Detection, Slot, SlotObservation } from '../occupancy/types.ts';
import { calibratedLogit, calibrationForSlots, confirmable, type ConfirmedState, type Correction, type CorrectionFeatures, type LotCalibration } from './calibration.ts';
import { applySensitivity, baseLogits, modeOf, type BaseLogits, type EvidenceMode } from './fusion.ts';
import { BackboneProbe } from './probe.ts';
import { framePatches, slotFeaturesAt, type FramePatches, type SlotFeatures } from './slot-features.ts';
import { TileCnn } from './tile-cnn.ts';
import type { TileFeatureExtractor } from './tiles.ts';
import type { EvidenceWeights } from './weights.ts';

export interface ObserveOptions {
  /** Logit offset the user sets: positive calls slots occupied on weaker evidence. Default 0. */
  readonly sensitivity?: number;
  /** Skip the backbone even though a graph is loaded (the fallback, or a slow device). */
  readonly patchOnly?: boolean;
  /** The frame's time (epoch ms): a tap holds its slot for calibration.ts STILL.maxAgeMs. Unknown: no time limit. */
  readonly at?: number;
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
  /** The tile model behind the `rectified` features: the tile CNN when the weights have one, else the backbone probe. */
  private readonly model: TileFeatureExtractor | null;

  /** Without a graph (model loading or failed to load), evidence runs in patch-only mode. */
  constructor(
    readonly weights: EvidenceWeights,
    graph?: GraphModel | null,
  ) {
    if (!graph) this.model = null;
    else this.model = weights.tileCnn ? new TileCnn(weights.tileCnn, weights.rectified, graph.weights) : new BackboneProbe(graph, weights.probe);
  }

  get mode(): EvidenceMode {
    return this.model ? 'full' : 'patch-only';
  }

  /** Frees the tile model's own tensors (the graph stays the detector's). */
  dispose(): void {
    this.model?.dispose();
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
    const { features, fallbackReason } = await this.featuresAt(frame, slots, framePatches(frame, slots), detections, options);
    const result = this.fuse(features, calibration, options);
    return fallbackReason === undefined ? result : { ...result, fallbackReason };
  }

  /**
   * The groups of slots (indices, in order) whose expensive evidence is computed together: the slots of one backbone
   * mosaic, 16 at a time in layout order (a tile's features depend on its neighbours in the mosaic, so a group is
   * only ever computed whole, exactly as observe() packs it). Without a tile model, or with a per-tile one (no mosaic),
   * every slot is its own group; with more than one crop per slot the mosaics mix slots across the layout, so all
   * slots form one group.
   */
  groups(count: number, options: ObserveOptions = {}): number[][] {
    const model = options.patchOnly ? null : this.model;
    const all = Array.from({ length: count }, (_, i) => i);
    if (!model || model.mosaic === null) return all.map((i) => [i]);
    if (model.crops.length !== 1) return count ? [all] : [];
    const per = model.mosaic;
    return Array.from({ length: Math.ceil(count / per) }, (_, g) => all.slice(g * per, (g + 1) * per));
  }

  /**
   * The features of the slots of `groups` (default: every group of groups()), in the order of the groups, with the
   * patch-only fallback when the tile model fails.
   */
  async featuresAt(
    frame: RgbaFrame,
    slots: readonly Slot[],
    fp: FramePatches,
    detections: readonly Detection[],
    options: ObserveOptions = {},
    groups: readonly (readonly number[])[] = this.groups(slots.length, options),
  ): Promise<{ features: SlotFeatures[]; fallbackReason?: string }> {
    const model = options.patchOnly ? null : this.model;
    const run = (m: TileFeatureExtractor | null) => slotFeaturesAt(frame, slots, fp, detections, m, groups);
    try {
      return { features: await run(model) };
    } catch (e) {
      if (!model) throw e;
      return { features: await run(null), fallbackReason: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Features → one probability per slot: base logits, the lot's calibration, the user's sensitivity. Cheap, pure. */
  fuse(feats: readonly SlotFeatures[], calibration?: LotCalibration | null, options: ObserveOptions = {}): EvidenceResult {
    const sensitivity = options.sensitivity ?? 0;
    // The lot's calibration, when the frame is of the layout it was learned on (calibrationForSlots).
    const cal = calibrationForSlots(calibration, feats.map((f) => f.id));
    const features = feats.map((f): SlotEvidenceFeatures => {
      const logits: BaseLogits = baseLogits(f, this.weights);
      const seen = f.light === undefined ? { logits, reference: f.reference } : { logits, reference: f.reference, light: f.light };
      return { id: f.id, ...seen, logit: calibratedLogit(seen, f.id, this.weights, cal, options.at) };
    });
    const observations = features.map((f) => ({ id: f.id, probability: applySensitivity(f.logit, sensitivity) }));
    const mode: EvidenceMode =
      features.length > 0 ? (features.every((f) => modeOf(f.logits) === 'full') ? 'full' : 'patch-only') : this.model && !options.patchOnly ? 'full' : 'patch-only';
    return { observations, mode, features };
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
  const features = f.light === undefined ? { logits: f.logits, reference: f.reference } : { logits: f.logits, reference: f.reference, light: f.light };
  return { slotId: f.id, occupied, at, frame, weightsId: weights.id, features };
}

/**
 * The corrections a confirmation of every slot as shown makes ("All slots right"): one per state `confirmable` keeps
 * whose slot has features, all on `frame` at `at`, so that undo takes them back as one step. The worker and eval's
 * `--taps wrong` both call it.
 */
export function makeConfirmation(
  cal: LotCalibration,
  states: readonly ConfirmedState[],
  features: ReadonlyMap<string, SlotEvidenceFeatures>,
  frame: string,
  weights: EvidenceWeights,
  at: number,
): Correction[] {
  return confirmable(cal, states, at).flatMap((s) => {
    const f = features.get(s.slotId);
    return f ? [makeCorrection(f, s.occupied, frame, weights, at)] : [];
  });
}
