// Fits the evidence models from labelled slot features: three base logistic regressions and the fusion on top of their
// out-of-fold logits (so the fusion learns how far each base model is to be trusted on frames it has not seen).
import { baseLogits, fusionInputs } from '../../src/evidence/fusion.ts';
import { fitLogistic, type LinearModel } from '../../src/evidence/logistic.ts';
import type { ProbeConfig } from '../../src/evidence/probe.ts';
import type { EvidenceWeights } from '../../src/evidence/weights.ts';
import { groupedFolds, type Sample } from './dataset.ts';

export interface FitSettings {
  readonly l2Hand: number;
  readonly l2Probe: number;
  readonly l2Fusion: number;
  /** Folds of the inner grouped CV that makes out-of-fold logits for the fusion; 0 = plain sum of logits. */
  readonly innerFolds: number;
  /** Sample weighting across lots: 'none', or 'sqrt' (each lot weighs as the square root of its slot count). */
  readonly balance: 'none' | 'sqrt';
}

export const DEFAULT_FIT: FitSettings = { l2Hand: 1, l2Probe: 30, l2Fusion: 1, innerFolds: 3, balance: 'sqrt' };

export type Models = Pick<EvidenceWeights, 'hand' | 'square' | 'rectified' | 'fusion' | 'patchOnly'>;

function sampleWeights(samples: readonly Sample[], balance: FitSettings['balance']): number[] {
  if (balance === 'none') return samples.map(() => 1);
  const count = new Map<string, number>();
  for (const s of samples) count.set(s.lot, (count.get(s.lot) ?? 0) + 1);
  const raw = samples.map((s) => Math.sqrt(count.get(s.lot)!) / count.get(s.lot)!);
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  return raw.map((r) => r / mean);
}

function fitBase(samples: readonly Sample[], s: FitSettings): Pick<Models, 'hand' | 'square' | 'rectified'> {
  const weights = sampleWeights(samples, s.balance);
  const y = samples.map((x) => x.occupied);
  return {
    hand: fitLogistic(samples.map((x) => x.f.hand), y, { l2: s.l2Hand, weights }),
    square: samples[0]?.f.square ? fitLogistic(samples.map((x) => x.f.square!), y, { l2: s.l2Probe, weights }) : null,
    rectified: fitLogistic(samples.map((x) => x.f.rectified!), y, { l2: s.l2Probe, weights }),
  };
}

const probeStub: Pick<EvidenceWeights, 'probe'> = { probe: { node: '', tile: 0, grid: 0, crops: ['rectified'] } satisfies ProbeConfig };

export function fitModels(samples: readonly Sample[], s: FitSettings, log: (msg: string) => void = () => {}): Models {
  const base = fitBase(samples, s);
  const frameCount = new Set(samples.map((x) => x.frame)).size;
  // Out-of-fold logits need at least two frames; with one, the fusion is the plain sum of logits.
  if (s.innerFolds < 2 || frameCount < 2) {
    return { ...base, fusion: { w: [1, 1, 1, 0], b: 0 }, patchOnly: { w: [1], b: 0 } };
  }
  // Out-of-fold base logits over the training frames, grouped by frame.
  const frameIds = [...new Set(samples.map((x) => x.frame))];
  const frameLot = new Map(samples.map((x) => [x.frame, x.lot]));
  const inner = Math.min(s.innerFolds, frameCount);
  const folds = groupedFolds(frameIds.map((f) => ({ lot: frameLot.get(f)! })), inner);
  const foldOf = new Map(frameIds.map((f, i) => [f, folds[i]!]));
  const oof: number[][] = new Array(samples.length);
  for (let k = 0; k < inner; k++) {
    const train = samples.filter((x) => foldOf.get(x.frame) !== k);
    const test = samples.map((x, i) => [x, i] as const).filter(([x]) => foldOf.get(x.frame) === k);
    if (test.length === 0 || train.length === 0) continue;
    log(`  inner fold ${k + 1}/${inner}`);
    const m = fitBase(train, s);
    const w = { ...probeStub, ...m } as unknown as EvidenceWeights; // baseLogits reads only hand/square/rectified
    for (const [x, i] of test) oof[i] = fusionInputs(baseLogits(x.f, w));
  }
  const ok = samples.map((_, i) => i).filter((i) => oof[i]);
  const weights = sampleWeights(samples, s.balance);
  const y = ok.map((i) => samples[i]!.occupied);
  const wts = ok.map((i) => weights[i]!);
  const fusion: LinearModel = fitLogistic(ok.map((i) => oof[i]!), y, { l2: s.l2Fusion, weights: wts });
  const patchOnly: LinearModel = fitLogistic(ok.map((i) => [oof[i]![0]!]), y, { l2: s.l2Fusion, weights: wts });
  return { ...base, fusion, patchOnly };
}
