// Fits the evidence models from labelled slot features: three base logistic regressions and the fusion on top of their
// out-of-fold logits (so the fusion learns how far each base model is to be trusted on frames it has not seen).
import { baseLogits, fusionInputs, type BaseLogits } from '../../src/evidence/fusion.ts';
import { fitLogistic, type LinearModel } from '../../src/evidence/logistic.ts';
import type { ProbeConfig } from '../../src/evidence/probe.ts';
import type { EvidenceWeights } from '../../src/evidence/weights.ts';
import { groupedFolds, type Sample } from './dataset.ts';
import type { TrainedTileCnn } from './tile-cnn-data.ts';

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

export type Models = Pick<EvidenceWeights, 'hand' | 'square' | 'rectified' | 'fusion' | 'patchOnly'> & {
  /** With a tile CNN: the network whose head is `rectified` (its features are not in the samples). */
  readonly cnn?: TrainedTileCnn;
};

/**
 * Trains a tile CNN on some samples (`fit` is called once per inner fold and once on all of them, `seed` telling the
 * fits apart). `final`: the fit on all of them, whose logits are the model's (with its second opinion, when the
 * settings have one); an inner fold's network only makes the first network's out-of-fold logits for the fusion, so
 * the second network is trained 1 time per fit instead of 4. Without a fitter, the `rectified` model is a logistic
 * regression on the samples' probe features.
 */
export type TileCnnFitter = (samples: readonly Sample[], seed: number, final: boolean) => TrainedTileCnn;

function sampleWeights(samples: readonly Sample[], balance: FitSettings['balance']): number[] {
  if (balance === 'none') return samples.map(() => 1);
  const count = new Map<string, number>();
  for (const s of samples) count.set(s.lot, (count.get(s.lot) ?? 0) + 1);
  const raw = samples.map((s) => Math.sqrt(count.get(s.lot)!) / count.get(s.lot)!);
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  return raw.map((r) => r / mean);
}

function fitBase(samples: readonly Sample[], s: FitSettings, cnn?: TileCnnFitter, seed = 0, final = true): Pick<Models, 'hand' | 'square' | 'rectified' | 'cnn'> {
  const weights = sampleWeights(samples, s.balance);
  const y = samples.map((x) => x.occupied);
  const hand = fitLogistic(samples.map((x) => x.f.hand), y, { l2: s.l2Hand, weights });
  if (cnn) {
    const trained = cnn(samples, seed, final);
    return { hand, square: null, rectified: { w: Array.from(trained.weights.head.w), b: trained.weights.head.b }, cnn: trained };
  }
  return {
    hand,
    square: samples[0]?.f.square ? fitLogistic(samples.map((x) => x.f.square!), y, { l2: s.l2Probe, weights }) : null,
    rectified: fitLogistic(samples.map((x) => x.f.rectified!), y, { l2: s.l2Probe, weights }),
  };
}

const probeStub: Pick<EvidenceWeights, 'probe'> = { probe: { node: '', tile: 0, grid: 0, crops: ['rectified'] } satisfies ProbeConfig };

/** Each base model's logit for the samples: the rectified one from the tile CNN when there is one. */
export function sampleLogits(samples: readonly Sample[], m: Pick<Models, 'hand' | 'square' | 'rectified' | 'cnn'>): BaseLogits[] {
  const w = { ...probeStub, ...m } as unknown as EvidenceWeights; // baseLogits reads only hand/square/rectified
  const cnn = m.cnn?.logits(samples);
  return samples.map((x, i) => {
    const b = baseLogits(cnn ? { ...x.f, rectified: null } : x.f, w);
    return cnn ? { ...b, rectified: cnn[i]! } : b;
  });
}

export interface FitOptions {
  readonly log?: (msg: string) => void;
  readonly cnn?: TileCnnFitter;
  /** Tells this fit's tile CNNs apart from other fits' (seeds). */
  readonly seed?: number;
  /**
   * The inner folds of the given frames (Sample.frame values): the same session grouping as the outer CV, so that a
   * frame's out-of-fold logit never comes from a model trained on its neighbours. Default: frames dealt round-robin.
   */
  readonly innerFolds?: (frames: readonly number[], k: number) => number[];
}

/**
 * The base models and the fusion. With `cnn`, the rectified model is a tile CNN trained here, once on all samples and
 * once per inner fold, so that the fusion learns from its out-of-fold logits as it does from the others'.
 */
export function fitModels(samples: readonly Sample[], s: FitSettings, { log = () => {}, cnn, seed = 1, innerFolds }: FitOptions = {}): Models {
  const base = fitBase(samples, s, cnn, seed * 10);
  const frameCount = new Set(samples.map((x) => x.frame)).size;
  // Out-of-fold logits need at least two frames; with one, the fusion is the plain sum of logits.
  if (s.innerFolds < 2 || frameCount < 2) {
    return { ...base, fusion: { w: [1, 1, 1, 0], b: 0 }, patchOnly: { w: [1], b: 0 } };
  }
  // Out-of-fold base logits over the training frames, grouped by frame (or by session).
  const frameIds = [...new Set(samples.map((x) => x.frame))];
  const frameLot = new Map(samples.map((x) => [x.frame, x.lot]));
  const inner = Math.min(s.innerFolds, frameCount);
  const folds = innerFolds ? innerFolds(frameIds, inner) : groupedFolds(frameIds.map((f) => ({ lot: frameLot.get(f)! })), inner);
  const foldOf = new Map(frameIds.map((f, i) => [f, folds[i]!]));
  const oof: number[][] = new Array(samples.length);
  for (let k = 0; k < inner; k++) {
    const train = samples.filter((x) => foldOf.get(x.frame) !== k);
    const test = samples.map((x, i) => [x, i] as const).filter(([x]) => foldOf.get(x.frame) === k);
    if (test.length === 0 || train.length === 0) continue;
    log(`  inner fold ${k + 1}/${inner}`);
    const m = fitBase(train, s, cnn, seed * 10 + k + 1, false);
    const logits = sampleLogits(test.map(([x]) => x), m);
    test.forEach(([, i], j) => (oof[i] = fusionInputs(logits[j]!)));
  }
  const ok = samples.map((_, i) => i).filter((i) => oof[i]);
  const weights = sampleWeights(samples, s.balance);
  const y = ok.map((i) => samples[i]!.occupied);
  const wts = ok.map((i) => weights[i]!);
  const fusion: LinearModel = fitLogistic(ok.map((i) => oof[i]!), y, { l2: s.l2Fusion, weights: wts });
  const patchOnly: LinearModel = fitLogistic(ok.map((i) => [oof[i]![0]!]), y, { l2: s.l2Fusion, weights: wts });
  return { ...base, fusion, patchOnly };
}
