// Labelled slot features of whole lots, for training: features come from the product's own modules (via Runner),
// cached by image hash.
import { relative } from 'node:path';
import type { SlotFeatures } from '../../src/evidence/slot-features.ts';
import type { TrainedFrame } from '../../src/evidence/weights.ts';
import { readLot, loadAnalysisFrame, sha256File, type LotFrame } from './lots.ts';
import { FeatureCache, Runner } from './runner.ts';
import { runSkippingUnscorable, type Unscorable } from './unscorable.ts';

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
  /** Labelled slots whose features could not be computed (reported by the commands, left out of the samples). */
  readonly unscorable: readonly Unscorable[];
}

export async function loadDataset(
  lots: readonly string[] | readonly LotFrame[],
  runner: Runner,
  onProgress: (done: number, total: number, what: string) => void = () => {},
  cache = new FeatureCache(),
): Promise<Dataset> {
  const lotFrames = lots.flatMap((d) => (typeof d === 'string' ? readLot(d) : [d]));
  const frames: (TrainedFrame & { source: LotFrame })[] = [];
  const samples: Sample[] = [];
  const unscorable: Unscorable[] = [];
  for (const [i, lf] of lotFrames.entries()) {
    onProgress(i, lotFrames.length, relative(process.cwd(), lf.imagePath));
    const sha256 = sha256File(lf.imagePath);
    const key = cache.key(sha256, lf.slots, runner.probeConfig);
    // Cached per frame: the features of every slot, null for a slot that could not be computed.
    let feats: readonly (SlotFeatures | null)[] | null = cache.get(key);
    if (!feats) {
      const frame = loadAnalysisFrame(lf.imagePath);
      const detections = await runner.detect(frame);
      const r = await runSkippingUnscorable(lf.image, lf.slots, (ss) => runner.features(frame, ss, detections));
      const all: (SlotFeatures | null)[] = lf.slots.map(() => null);
      r.kept.forEach((k, j) => (all[k] = r.value![j]!));
      unscorable.push(...r.unscorable.map((u) => ({ ...u, frame: `${lf.lot}/${u.frame}` })));
      feats = all;
      if (r.unscorable.length === 0) cache.put(key, all as SlotFeatures[]);
    }
    frames.push({ lot: lf.lot, image: lf.image, sha256, source: lf });
    lf.slots.forEach((s, k) => {
      const f = feats[k];
      if (s.occupied === null || !f) return;
      samples.push({ frame: i, lot: lf.lot, slotId: s.id, occupied: s.occupied, f });
    });
  }
  onProgress(lotFrames.length, lotFrames.length, 'done');
  return { frames, samples, unscorable };
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

const numberIn = (name: string): number | null => {
  const m = /(\d+)(?!.*\d)/.exec(name.replace(/\.[a-z0-9]+$/i, ''));
  return m ? Number(m[1]) : null;
};

/**
 * Where a frame sits in its lot's recording order: the capture time when the label has one, else the last number in
 * the image's name (cameras number their files in order), else the file order.
 */
export function recordingOrder(frames: readonly { source: LotFrame }[]): number[] {
  return frames.map((f, i) => {
    const t = f.source.label.captured ? Date.parse(f.source.label.captured) : NaN;
    if (Number.isFinite(t)) return t;
    return numberIn(f.source.image) ?? i;
  });
}

/**
 * Folds grouped by recording session. Each lot's frames, in recording order, are cut into blocks of consecutive frames
 * that are never split between folds: by default k contiguous blocks, block b in fold b (neighbouring frames — one
 * session: the same lot, the same light, nearby viewpoints — stay together, and only k − 1 boundaries can split a
 * session); with `blockSize`, blocks of that many consecutive frames dealt round-robin to the folds (more boundaries,
 * but every fold holds every kind of light). A lot with fewer frames than k fills the first folds.
 */
export function sessionFolds(frames: readonly { lot: string; source: LotFrame }[], k: number, blockSize?: number): number[] {
  const order = recordingOrder(frames);
  const fold = new Array<number>(frames.length).fill(0);
  for (const lot of new Set(frames.map((f) => f.lot))) {
    const idx = frames.map((_, i) => i).filter((i) => frames[i]!.lot === lot);
    idx.sort((a, b) => order[a]! - order[b]! || a - b);
    idx.forEach((frame, rank) => (fold[frame] = blockSize ? Math.floor(rank / blockSize) % k : Math.floor((rank * k) / idx.length)));
  }
  return fold;
}

/** `--hold-out LOT:N` of train: which of a lot's recording sessions stay out of training. */
export interface HoldOut {
  readonly lot: string;
  readonly n: number;
}

export function parseHoldOut(text: string): HoldOut {
  const m = /^(.+):(\d+)$/.exec(text);
  const n = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(n) || n < 2) throw new Error(`--hold-out is LOT:N with N >= 2 (got ${text})`);
  return { lot: m[1]!, n };
}

/**
 * train's arguments without those that do not change the model (--out FILE, --json): the command weights.json records
 * as the one that reproduces it, free of the run's local paths.
 */
export function reproducingArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json' || a.startsWith('--out=')) continue;
    if (a === '--out') {
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/**
 * The frames a hold-out keeps out of training, chosen by position, never by score: the lot's frames (from every folder
 * naming that lot) in recording order, cut into blocks of N consecutive frames; every Nth block, starting with the
 * first, is held out (a fraction 1/N, in whole runs of neighbouring frames spread over the whole recording). Gives each
 * frame its held-out session (0, 1, … in recording order), or null when it is trained on.
 */
export function heldOutSessions(frames: readonly { lot: string; source: LotFrame }[], holdOut: HoldOut): (number | null)[] {
  const order = recordingOrder(frames);
  const idx = frames.map((_, i) => i).filter((i) => frames[i]!.lot === holdOut.lot);
  idx.sort((a, b) => order[a]! - order[b]! || a - b);
  const session: (number | null)[] = frames.map(() => null);
  idx.forEach((frame, rank) => {
    const block = Math.floor(rank / holdOut.n);
    if (block % holdOut.n === 0) session[frame] = block / holdOut.n;
  });
  return session;
}
