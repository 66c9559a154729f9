// Labelled slot features of whole lots, for training: features come from the product's own modules (via Runner),
// cached by image hash.
import { relative } from 'node:path';
import type { SlotFeatures } from '../../src/evidence/slot-features.ts';
import type { TrainedFrame } from '../../src/evidence/weights.ts';
import { readLot, loadAnalysisFrame, sha256File, type LotFrame } from './lots.ts';
import { FeatureCache, Runner } from './runner.ts';

export interface Sample {
  readonly frame: number;
  readonly lot: string;
  readonly slotId: string;
  readonly occupied: boolean;
  readonly f: SlotFeatures;
}

export interface Dataset {
  readonly frames: readonly (TrainedFrame & { readonly source: LotFrame })[];
  readonly samples: readonly Sample[];
}

export async function loadDataset(
  lotDirs: readonly string[],
  runner: Runner,
  onProgress: (done: number, total: number, what: string) => void = () => {},
  cache = new FeatureCache(),
): Promise<Dataset> {
  const lotFrames = lotDirs.flatMap((d) => readLot(d));
  const frames: (TrainedFrame & { source: LotFrame })[] = [];
  const samples: Sample[] = [];
  for (const [i, lf] of lotFrames.entries()) {
    onProgress(i, lotFrames.length, relative(process.cwd(), lf.imagePath));
    const sha256 = sha256File(lf.imagePath);
    const key = cache.key(sha256, lf.slots, runner.probeConfig);
    let feats = cache.get(key);
    if (!feats) {
      const frame = loadAnalysisFrame(lf.imagePath);
      const detections = await runner.detect(frame);
      feats = await runner.features(frame, lf.slots, detections);
      cache.put(key, feats);
    }
    frames.push({ lot: lf.lot, image: lf.image, sha256, source: lf });
    lf.slots.forEach((s, k) => {
      if (s.occupied === null) return;
      samples.push({ frame: i, lot: lf.lot, slotId: s.id, occupied: s.occupied, f: feats[k]! });
    });
  }
  onProgress(lotFrames.length, lotFrames.length, 'done');
  return { frames, samples };
}

/**
 * Grouped folds: whole frames, never slots of one frame split. Each lot's frames are dealt round-robin in file order,
 * continuing where the previous lot stopped, so every fold holds a share of every lot.
 */
export function groupedFolds(frames: readonly { lot: string }[], k: number): number[] {
  const fold = new Array<number>(frames.length).fill(0);
  let next = 0;
  const lots = [...new Set(frames.map((f) => f.lot))];
  for (const lot of lots) {
    frames.forEach((f, i) => {
      if (f.lot !== lot) return;
      fold[i] = next % k;
      next++;
    });
  }
  return fold;
}
