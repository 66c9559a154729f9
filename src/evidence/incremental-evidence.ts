// The evidence of a lot watched frame after frame: each slot keeps the expensive evidence it had when it last looked
// this way, and only slots the change gate (change-gate.ts) flags are recomputed, together with a slow refresh.
// detect() runs only where it pays: when a slot is new or changed and its detections could change its decision (with
// footprint support up to what this lot's latest detections gave: detectionCeiling), or when the last detections have
// grown old. A frame where nothing moved costs the slot patches and the gate, a frame that only refreshes adds one
// group's evidence. What the expensive evidence is (SlotEvidence.featuresAt: the hand features, the tile model's
// features and the detection footprints) does not matter here.
import type { RgbaFrame } from '../camera/frame.ts';
import { observeFromDetections } from '../occupancy/detection-evidence.ts';
import { centroid } from '../occupancy/geometry.ts';
import type { Detection, Point, Slot } from '../occupancy/types.ts';
import type { LotCalibration } from './calibration.ts';
import { changeScores, DEFAULT_GATE, frameLight, INITIAL_GATE_STATE, detectionCeiling, detectionDue, detectionMatters, lightShifts, planFrame, samePlace, signatureOf, type Anchor, type GateConfig, type GateReason, type GateState } from './change-gate.ts';
import type { EvidenceMode } from './fusion.ts';
import type { EvidenceResult, ObserveOptions, SlotEvidence } from './slot-evidence.ts';
import { framePatches, type SlotFeatures } from './slot-features.ts';

export interface IncrementalOptions extends ObserveOptions {
  /** Recompute every slot on this frame (the full path: what the app did before gating; benches and eval compare it). */
  readonly full?: boolean;
}

export interface IncrementalResult extends EvidenceResult {
  /** This frame's detections, or the last ones computed when nothing needed them (`detected` false). */
  readonly detections: readonly Detection[];
  readonly detected: boolean;
  /** Per slot, in the order of `slots`: why its evidence was recomputed, or 'kept'. */
  readonly reasons: readonly GateReason[];
}

interface Entry {
  /** Where the slot was when its evidence was computed. */
  readonly polygon: readonly Point[];
  readonly mode: EvidenceMode;
  /** The ids of the slots it was computed with (its group): other mosaic neighbours would give other features. */
  readonly group: string;
  /**
   * The slot's signature and the frame's light (gain and light statistics) when its features were computed: what later
   * frames are compared with.
   */
  readonly anchor: Anchor;
  /** The frame number its features were computed on. */
  readonly at: number;
  features: SlotFeatures;
}

/** Which slots a group holds: evidence computed with other mosaic neighbours is not reused. */
const groupKey = (slots: readonly Slot[], group: readonly number[]) => group.map((i) => slots[i]!.id).join('\n');

export class IncrementalEvidence {
  private cache = new Map<string, Entry>();
  private gate: GateState = INITIAL_GATE_STATE;
  private frameNo = 0;
  private lastDetections: readonly Detection[] = [];
  /** The frame number of the last detect(), null before the first. */
  private detectedAt: number | null = null;
  /** The most footprint support each of the latest detect() calls gave a slot, oldest first (detectionCeiling). */
  private supportSeen: number[] = [];

  constructor(
    readonly evidence: SlotEvidence,
    readonly config: GateConfig = DEFAULT_GATE,
  ) {}

  /**
   * Whether detections could change the decision of a slot in `indices`: the lot fused with their footprint support
   * at 0 and at `ceiling` (the fusion and the calibration are linear in it). Every entry is filled by then.
   */
  private detectionCouldMatter(entries: readonly Entry[], indices: readonly number[], calibration: LotCalibration | null | undefined, options: ObserveOptions, ceiling: number): boolean {
    const set = new Set(indices);
    const at = (d: number) => {
      const feats = entries.map((e, i) => (set.has(i) ? { ...e.features, detection: d } : e.features));
      const probs = this.evidence.fuse(feats, calibration, options).observations;
      return indices.map((i) => probs[i]!.probability);
    };
    return detectionMatters(at(0), at(ceiling));
  }

  /** Forget every slot's evidence: the next frame recomputes them all. */
  reset(): void {
    this.cache.clear();
    this.gate = INITIAL_GATE_STATE;
    this.lastDetections = [];
    this.detectedAt = null;
    this.supportSeen = [];
  }

  /**
   * Evidence for every slot of this frame, recomputing only what the gate asks for. `detect` gives this frame's
   * detections; it is called at most once: when detections are due (detectionDue), or when a slot is new or changed
   * and what they find could change its decision (detectionMatters).
   */
  async observe(
    frame: RgbaFrame,
    slots: readonly Slot[],
    detect: () => Promise<readonly Detection[]>,
    calibration?: LotCalibration | null,
    options: IncrementalOptions = {},
  ): Promise<IncrementalResult> {
    const frameNo = ++this.frameNo;
    const fp = framePatches(frame, slots);
    const signatures = fp.patches.map(signatureOf);
    const light = frameLight(signatures);
    // The statistics the tile CNN scales every tile by.
    const stats = fp.stats;
    const mode: EvidenceMode = options.patchOnly ? 'patch-only' : this.evidence.mode;
    const groups = this.evidence.groups(slots.length, options);
    const entries: (Entry | null)[] = slots.map(() => null);
    for (const g of groups) {
      const key = groupKey(slots, g);
      for (const i of g) {
        const e = this.cache.get(slots[i]!.id);
        if (e && e.mode === mode && e.group === key && samePlace(e.polygon, slots[i]!.polygon, this.config.polygonTolerance)) entries[i] = e;
      }
    }
    let reasons: GateReason[];
    let recompute: boolean[];
    if (options.full) {
      reasons = slots.map(() => 'new');
      recompute = groups.map(() => true);
    } else {
      const anchors = entries.map((e) => e?.anchor ?? null);
      const scores = changeScores(signatures, anchors, light, slots.map((s) => centroid(s.polygon)), this.config.neighbours);
      const shifts = lightShifts(anchors, stats, light);
      const units = groups.map((g) => ({ scores: g.map((i) => scores[i]!), shifts: g.map((i) => shifts[i]!), age: Math.max(...g.map((i) => (entries[i] ? frameNo - entries[i].at : 0))) }));
      const plan = planFrame(this.gate, units, this.config);
      this.gate = plan.state;
      recompute = plan.recompute;
      reasons = slots.map(() => 'kept');
      groups.forEach((g, k) => g.forEach((i, j) => (reasons[i] = plan.reasons[k]![j]!)));
    }
    const picked = groups.filter((_, k) => recompute[k]);
    let detected = false;
    let fallbackReason: string | undefined;
    if (picked.length > 0) {
      // The expensive evidence first, with the detections known so far; then detect() if it is due, or if what it
      // finds could change a decision of the slots just recomputed (detectionMatters).
      const fresh = await this.evidence.featuresAt(frame, slots, fp, this.lastDetections, options, picked);
      fallbackReason = fresh.fallbackReason;
      // After a probe failure the slots computed without it carry patch-only features: they are retried next frame.
      const freshMode: EvidenceMode = fallbackReason === undefined ? mode : 'patch-only';
      let k = 0;
      for (const g of picked) {
        const group = groupKey(slots, g);
        for (const i of g) entries[i] = { polygon: slots[i]!.polygon, mode: freshMode, group, anchor: { signature: signatures[i]!, light, stats }, at: frameNo, features: fresh.features[k++]! };
      }
      const since = this.detectedAt === null ? null : frameNo - this.detectedAt;
      const moved = reasons.some((r) => r === 'new' || r === 'changed');
      // What the lot's latest detections gave says nothing about slots just drawn or moved (a camera pointed elsewhere).
      const ceiling = reasons.includes('new') ? 1 : detectionCeiling(this.supportSeen, this.config);
      if (options.full || detectionDue(reasons, since, this.config) || (moved && this.detectionCouldMatter(entries as Entry[], picked.flat(), calibration, options, ceiling))) {
        this.lastDetections = await detect();
        this.detectedAt = frameNo;
        detected = true;
        // Every slot's footprint support follows the fresh detections (geometry only, cheap).
        const support = observeFromDetections(slots, this.lastDetections);
        this.supportSeen = [...this.supportSeen, Math.max(0, ...support.map((s) => s.probability))].slice(-Math.max(1, this.config.detectionMemory));
        entries.forEach((e, i) => {
          if (e && e.features.detection !== support[i]!.probability) e.features = { ...e.features, detection: support[i]!.probability };
        });
      }
    }
    if (slots.length === 0) {
      // No slots yet (the lot is being set up): the vehicles found are all the screen has to show, and detect() is the
      // frame's whole cost, as it was before gating.
      this.lastDetections = await detect();
      this.detectedAt = frameNo;
      detected = true;
    }
    this.cache = new Map(slots.map((s, i) => [s.id, entries[i]!]));
    const result = this.evidence.fuse(entries.map((e) => e!.features), calibration, options);
    return { ...result, ...(fallbackReason === undefined ? {} : { fallbackReason }), detections: this.lastDetections, detected, reasons };
  }
}
