// `npm run eval -- --sequence`: a lot's frames in time order through the incremental path (change gating,
// src/evidence/incremental-evidence.ts), one IncrementalEvidence for the whole run, and every step also through the
// full path on the same pixels. Each real frame is followed by what a camera on a pole shows between two of them:
// sensor noise, a cloud over the whole lot, one car arriving in one slot and leaving again, the light coming back.
// Each step is scored both ways; the report says how often the two agree and what gating costs in accuracy.
import type { RgbaFrame } from '../../src/camera/frame.ts';
import { IncrementalEvidence } from '../../src/evidence/incremental-evidence.ts';
import type { LotCalibration } from '../../src/evidence/calibration.ts';
import type { GateReason } from '../../src/evidence/change-gate.ts';
import type { SlotEvidence } from '../../src/evidence/slot-evidence.ts';
import { area, boundingBox, centroid, toPixels } from '../../src/occupancy/geometry.ts';
import { DEFAULT_HYSTERESIS } from '../../src/occupancy/hysteresis.ts';
import { stepLot } from '../../src/occupancy/lot-state.ts';
import type { Detection, Slot } from '../../src/occupancy/types.ts';
import { seededRandom } from '../../tests/support/seeded-random.ts';
import { confusion, median, scores, type Scores } from './metrics.ts';

export type StepKind = 'frame' | 'still' | 'cloud' | 'car-arrives' | 'car-leaves' | 'light-back';

/** What follows each real frame, in order (see sequenceSteps). */
export const STEP_KINDS: readonly StepKind[] = ['frame', 'still', 'cloud', 'car-arrives', 'car-leaves', 'light-back'];
/** Sensor noise (grey levels, σ) on every step after the real frame; the cloud dims the whole lot by this factor. */
export const NOISE_SIGMA = 2;
export const CLOUD_GAIN = 0.85;

/** The frame scaled by `gain` with Gaussian noise of σ `sigma` on every channel (seeded: the run repeats exactly). */
export function withLight(frame: RgbaFrame, gain: number, sigma: number, random: () => number): RgbaFrame {
  const data = new Uint8ClampedArray(frame.data.length);
  for (let i = 0; i < data.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const g = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      data[i + c] = frame.data[i + c]! * gain + sigma * g;
    }
    data[i + 3] = 255;
  }
  return { width: frame.width, height: frame.height, data };
}

/**
 * "A car arrives in one slot": a free slot gets the picture of its nearest occupied neighbour of a similar size,
 * moved by the offset between their centres (the ground around it comes along, 1.3x the slot's box). Returns the
 * new frame and the slot that changed, or null when the frame has no such pair.
 */
export function carArrives(frame: RgbaFrame, slots: readonly Slot[], truth: readonly (boolean | null)[], pick: number): { frame: RgbaFrame; slot: number } | null {
  const px = slots.map((s) => toPixels(s.polygon, frame.width, frame.height));
  const centres = px.map((p) => centroid(p));
  const areas = px.map((p) => area(p));
  const pairs: [number, number][] = [];
  truth.forEach((t, i) => {
    if (t !== false) return;
    let best = -1;
    let bestD = Infinity;
    truth.forEach((u, j) => {
      if (u !== true || areas[j]! < 0.7 * areas[i]! || areas[j]! > 1.4 * areas[i]!) return;
      const d = Math.hypot(centres[j]![0] - centres[i]![0], centres[j]![1] - centres[i]![1]);
      if (d < bestD) [best, bestD] = [j, d];
    });
    if (best >= 0) pairs.push([i, best]);
  });
  if (pairs.length === 0) return null;
  const [target, source] = pairs[pick % pairs.length]!;
  const b = boundingBox(px[source]!);
  const grow = 0.15;
  const x0 = Math.max(0, Math.floor(b.x - b.w * grow));
  const y0 = Math.max(0, Math.floor(b.y - b.h * grow));
  const x1 = Math.min(frame.width, Math.ceil(b.x + b.w * (1 + grow)));
  const y1 = Math.min(frame.height, Math.ceil(b.y + b.h * (1 + grow)));
  const dx = Math.round(centres[target]![0] - centres[source]![0]);
  const dy = Math.round(centres[target]![1] - centres[source]![1]);
  const data = new Uint8ClampedArray(frame.data);
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const tx = x + dx;
      const ty = y + dy;
      if (tx < 0 || ty < 0 || tx >= frame.width || ty >= frame.height) continue;
      const s = (y * frame.width + x) * 4;
      const t = (ty * frame.width + tx) * 4;
      for (let c = 0; c < 4; c++) data[t + c] = frame.data[s + c]!;
    }
  return { frame: { width: frame.width, height: frame.height, data }, slot: target };
}

export interface Step {
  readonly kind: StepKind;
  readonly frame: RgbaFrame;
  /** The slot whose picture alone changed since the previous step (car-arrives, car-leaves). */
  readonly changedSlot?: number;
}

/**
 * The steps shown for one real frame: the frame; the same with sensor noise; a cloud over the whole lot; in the
 * clouded frame a car arrives in one slot; it leaves (the clouded frame again, exactly: only that slot changed); the
 * light comes back. Without a free slot next to a similar occupied one, the car steps are left out.
 */
export function sequenceSteps(frame: RgbaFrame, slots: readonly Slot[], truth: readonly (boolean | null)[], seed: number): Step[] {
  const random = seededRandom(seed);
  const cloud = withLight(frame, CLOUD_GAIN, NOISE_SIGMA, random);
  const arrived = carArrives(cloud, slots, truth, seed);
  return [
    { kind: 'frame', frame },
    { kind: 'still', frame: withLight(frame, 1, NOISE_SIGMA, random) },
    { kind: 'cloud', frame: cloud },
    ...(arrived
      ? [
          { kind: 'car-arrives', frame: arrived.frame, changedSlot: arrived.slot } as const,
          { kind: 'car-leaves', frame: cloud, changedSlot: arrived.slot } as const,
        ]
      : []),
    { kind: 'light-back', frame: withLight(frame, 1, NOISE_SIGMA, random) },
  ];
}

export interface SequenceInput {
  readonly frames: readonly { slots: Slot[]; truth: (boolean | null)[]; load(): RgbaFrame; at: number }[];
  readonly evidence: SlotEvidence;
  readonly detect: (frame: RgbaFrame) => Promise<Detection[]>;
  readonly calibration: LotCalibration | null;
  readonly sensitivity: number;
  readonly onStep?: (done: number, total: number) => void;
}

interface KindFigures {
  steps: number;
  slots: number;
  agree: number;
  /** Full path on this step vs full path on the real frame it came from: the full path's own noise. */
  selfAgree: number;
  recomputed: number;
  refreshed: number;
  relit: number;
  detected: number;
  cpuMs: number[];
  fullPairs: { truth: boolean; predicted: boolean }[];
  incPairs: { truth: boolean; predicted: boolean }[];
}

export interface SequenceReport {
  readonly steps: number;
  readonly slotDecisions: number;
  /** Share of slot decisions on which the incremental path agrees with the full path. */
  readonly agreement: number;
  /**
   * The same, not counting decisions where the full path changed its mind from its own decision on the real frame the
   * step came from while the incremental path kept it (sensor noise or light flipping a slot the full path is unsure
   * of): what is left is what gating itself got wrong.
   */
  readonly agreementBeyondNoise: number;
  readonly full: Scores;
  readonly incremental: Scores;
  /** full − incremental balanced accuracy (positive: gating lost accuracy). */
  readonly balancedAccuracyLoss: number;
  /** Per kind of step: how many, agreement, share of slots recomputed, share of steps that ran detect(), CPU ms. */
  readonly byKind: Record<
    string,
    {
      steps: number;
      agreement: number;
      fullSelfAgreement: number;
      recomputedShare: number;
      /** Of those, the slow round-robin refresh alone (gate reason 'refresh'): not a change the gate saw. */
      refreshedShare: number;
      /** Of those, slots that looked the same but this step's light statistics scale differently (gate reason 'light'). */
      lightShare: number;
      /** Balanced accuracy of the full and the incremental path on this kind of step alone. */
      balancedAccuracy: { full: number; incremental: number };
      detectedShare: number;
      incrementalCpuMsMedian: number;
    }
  >;
  /**
   * The one-slot changes: how many, on how many the changed slot was re-evaluated on that very step, and on how many
   * its decision is the full path's.
   */
  readonly oneSlotChanges: { readonly steps: number; readonly reevaluated: number; readonly sameDecision: number };
  /**
   * For slots recomputed on a step: the largest |difference| between the two paths' base logits other than the
   * detection support (0: computed exactly as the full path computes them; the support may be the last detections'
   * when fresh ones could not change the decision).
   */
  readonly recomputedEvidenceDiff: number;
  readonly fullCpuMsMedian: number;
}

const cpuMs = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

export async function runSequence(input: SequenceInput): Promise<SequenceReport> {
  const inc = new IncrementalEvidence(input.evidence);
  const decide = (slots: Slot[], obs: Parameters<typeof stepLot>[2], at: number) => stepLot(null, slots, obs, at, DEFAULT_HYSTERESIS).slots.map((s) => s.occupied);
  const fullPairs: { truth: boolean; predicted: boolean }[] = [];
  const incPairs: { truth: boolean; predicted: boolean }[] = [];
  const kinds = new Map<StepKind, KindFigures>();
  const fullCpu: number[] = [];
  let decisions = 0;
  let agree = 0;
  let noiseOnly = 0;
  let changes = 0;
  let reevaluated = 0;
  let sameDecision = 0;
  let steps = 0;
  let evidenceDiff = 0;
  const total = input.frames.length * STEP_KINDS.length;
  for (const [n, f] of input.frames.entries()) {
    const frame = f.load();
    const opts = { sensitivity: input.sensitivity, at: f.at };
    let atFrame: boolean[] = [];
    for (const step of sequenceSteps(frame, f.slots, f.truth, n + 1)) {
      input.onStep?.(steps, total);
      steps++;
      let c0 = process.cpuUsage();
      const detections = await input.detect(step.frame);
      const detectCpu = cpuMs(c0);
      c0 = process.cpuUsage();
      const full = await input.evidence.observe(step.frame, f.slots, detections, input.calibration, opts);
      fullCpu.push(detectCpu + cpuMs(c0));
      c0 = process.cpuUsage();
      const res = await inc.observe(step.frame, f.slots, () => Promise.resolve(detections), input.calibration, opts);
      const incCpu = cpuMs(c0) + (res.detected ? detectCpu : 0);
      const a = decide(f.slots, full.observations, f.at);
      const b = decide(f.slots, res.observations, f.at);
      if (step.kind === 'frame') atFrame = a;
      const k = kinds.get(step.kind) ?? { steps: 0, slots: 0, agree: 0, selfAgree: 0, recomputed: 0, refreshed: 0, relit: 0, detected: 0, cpuMs: [], fullPairs: [], incPairs: [] };
      kinds.set(step.kind, k);
      k.steps++;
      k.detected += res.detected ? 1 : 0;
      k.cpuMs.push(incCpu);
      a.forEach((occ, i) => {
        decisions++;
        k.slots++;
        const same = occ === b[i];
        agree += same ? 1 : 0;
        noiseOnly += !same && occ !== atFrame[i] && b[i] === atFrame[i] ? 1 : 0;
        k.agree += same ? 1 : 0;
        k.selfAgree += occ === atFrame[i] ? 1 : 0;
        k.recomputed += res.reasons[i] === 'kept' ? 0 : 1;
        k.refreshed += res.reasons[i] === 'refresh' ? 1 : 0;
        k.relit += res.reasons[i] === 'light' ? 1 : 0;
        if (res.reasons[i] !== 'kept') {
          const x = res.features[i]!.logits;
          const y = full.features[i]!.logits;
          evidenceDiff = Math.max(evidenceDiff, Math.abs(x.hand - y.hand), Math.abs((x.rectified ?? 0) - (y.rectified ?? 0)));
        }
        const t = f.truth[i];
        // The slot a car was pasted into has no label to score against on that step.
        if (t === null || t === undefined || (step.kind === 'car-arrives' && i === step.changedSlot)) return;
        fullPairs.push({ truth: t, predicted: occ });
        incPairs.push({ truth: t, predicted: b[i]! });
        k.fullPairs.push({ truth: t, predicted: occ });
        k.incPairs.push({ truth: t, predicted: b[i]! });
      });
      if (step.changedSlot !== undefined) {
        changes++;
        reevaluated += (res.reasons[step.changedSlot] as GateReason) === 'kept' ? 0 : 1;
        sameDecision += a[step.changedSlot] === b[step.changedSlot] ? 1 : 0;
      }
    }
  }
  input.onStep?.(total, total);
  const full = scores(confusion(fullPairs));
  const incremental = scores(confusion(incPairs));
  return {
    steps,
    slotDecisions: decisions,
    agreement: decisions ? agree / decisions : 1,
    agreementBeyondNoise: decisions ? (agree + noiseOnly) / decisions : 1,
    full,
    incremental,
    balancedAccuracyLoss: full.balancedAccuracy - incremental.balancedAccuracy,
    byKind: Object.fromEntries(
      [...kinds].map(([kind, k]) => [
        kind,
        {
          steps: k.steps,
          agreement: k.slots ? k.agree / k.slots : 1,
          fullSelfAgreement: k.slots ? k.selfAgree / k.slots : 1,
          recomputedShare: k.slots ? k.recomputed / k.slots : 0,
          refreshedShare: k.slots ? k.refreshed / k.slots : 0,
          lightShare: k.slots ? k.relit / k.slots : 0,
          balancedAccuracy: { full: scores(confusion(k.fullPairs)).balancedAccuracy, incremental: scores(confusion(k.incPairs)).balancedAccuracy },
          detectedShare: k.steps ? k.detected / k.steps : 0,
          incrementalCpuMsMedian: median(k.cpuMs),
        },
      ]),
    ),
    oneSlotChanges: { steps: changes, reevaluated, sameDecision },
    recomputedEvidenceDiff: evidenceDiff,
    fullCpuMsMedian: median(fullCpu),
  };
}

/** The report as lines for the terminal. */
export function describeSequence(r: SequenceReport): string[] {
  const f4 = (x: number) => x.toFixed(4);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `sequence: ${r.steps} steps (${STEP_KINDS.join(', ')} per frame), ${r.slotDecisions} slot decisions`,
    `incremental agrees with the full path on ${f4(r.agreement)} of slot decisions (${f4(r.agreementBeyondNoise)} not counting the full path's own flips under noise and light)`,
    `balanced accuracy: full ${f4(r.full.balancedAccuracy)} · incremental ${f4(r.incremental.balancedAccuracy)} · loss ${f4(r.balancedAccuracyLoss)}`,
    `one-slot changes re-evaluated on their own step: ${r.oneSlotChanges.reevaluated} of ${r.oneSlotChanges.steps} (same decision as the full path: ${r.oneSlotChanges.sameDecision})`,
    `recomputed slots: largest |difference| from the full path's hand and probe logits ${r.recomputedEvidenceDiff.toFixed(4)} (0: computed exactly as the full path does)`,
    'step          steps  agree   full vs its frame  recomputed  (for light)  detect()  incremental CPU ms (median)  balanced accuracy full / incremental',
    ...Object.entries(r.byKind).map(
      ([k, v]) =>
        `${k.padEnd(13)} ${String(v.steps).padStart(5)}  ${f4(v.agreement)}  ${f4(v.fullSelfAgreement).padStart(17)}  ${pct(v.recomputedShare).padStart(9)}  ${pct(v.lightShare).padStart(11)}  ${pct(v.detectedShare).padStart(8)}  ${v.incrementalCpuMsMedian.toFixed(0).padStart(6)}  ${' '.repeat(20)}${f4(v.balancedAccuracy.full)} / ${f4(v.balancedAccuracy.incremental)}`,
    ),
    `full path CPU ms per step (detect + evidence), median ${r.fullCpuMsMedian.toFixed(0)}`,
  ];
}
