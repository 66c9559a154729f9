// The tile CNN's training input and its fitting, for `npm run train`: each labelled slot's tile made exactly as the app
// makes it (slot-features.ts perTileFeatures, tile-cnn.ts tileCnnInput: the frame's light from every slot's hand patch),
// run once through the frozen stem in `copies` versions (copy 0 as the app computes it, the others mirrored, shifted and
// relit before the stem) and cached per frame; then the small convolutions trained on those activations
// (slot-cnn-train.ts). Measured as variant C of scripts/tile-cnn-experiment.ts (docs/accuracy.md). Copy 0 turned by
// 180° is cached too: the network's logit of a slot is what the app gives it, turning unsure tiles included, so the
// fusion learns from the logits the app has and the CV scores what the app does.
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATCH_HEIGHT, PATCH_WIDTH } from '../../src/evidence/hand-features.ts';
import { backboneWeights, FrozenBackbone, type WeightMap } from '../../src/evidence/mobilenet.ts';
import { scalePixels, SlotCnn, type SlotCnnWeights } from '../../src/evidence/slot-cnn.ts';
import { framePatches, slotTiles } from '../../src/evidence/slot-features.ts';
import { STEM_CENTRE, STEM_GAIN, tileCnnInput, turnHalf } from '../../src/evidence/tile-cnn.ts';
import type { TileCnnWeights } from '../../src/evidence/tile-cnn-weights.ts';
import { SUPERSAMPLE_STEP } from '../../src/evidence/warp.ts';
import type { RgbaFrame } from '../../src/camera/frame.ts';
import type { LightStats } from '../../src/evidence/slot-cnn.ts';
import type { RgbPatch } from '../../src/evidence/warp.ts';
import type { Slot } from '../../src/occupancy/types.ts';
import { seededRandom } from '../../tests/support/seeded-random.ts';
import type { Dataset, Sample } from './dataset.ts';
import { loadAnalysisFrame } from './lots.ts';
import { PROJECT_ROOT } from './node-tf.ts';
import { tileInput, trainSlotCnn, featureTrainInput, type CnnTrainSettings, type TileSet } from './slot-cnn-train.ts';

export interface TileCnnSettings {
  /** The frozen stem: COCO-SSD's MobileNetV2 up to expanded_conv_<stem>. */
  readonly stem: number;
  readonly tile: { readonly width: number; readonly height: number };
  readonly enlarge: number;
  /** The warp's supersampling step for the tiles (warp.ts SUPERSAMPLE_STEP). */
  readonly sampling: number;
  /**
   * The app's test-time turning of unsure tiles (tile-cnn-weights.ts turnBelow): training never turns a tile, but the
   * logits the fusion learns from and the CV scores are turned where the app turns them.
   */
  readonly turnBelow: number;
  /** Versions of each slot's stem activations kept for training (copy 0 plain, the others augmented). */
  readonly copies: number;
  readonly train: CnnTrainSettings;
  /**
   * The second opinion (tile-cnn-weights.ts TileCnnSecondOpinion): the same network trained on tiles of this wider
   * enlargement, consulted where the first's logit is nearer 0 than `consultBelow`; null: none.
   */
  readonly second: { readonly enlarge: number; readonly consultBelow: number } | null;
}

/** Variant C of the experiment (docs/accuracy.md): the best of those measured on close views, at ~0.45x detect(). */
export const DEFAULT_TILE_CNN: TileCnnSettings = {
  stem: 5,
  tile: { width: PATCH_WIDTH, height: PATCH_HEIGHT },
  enlarge: 1.2,
  sampling: SUPERSAMPLE_STEP,
  // Session CV of the CNN alone: turning the 14 % of tiles with |logit| < 3 gives what turning all gives (0.9539 →
  // 0.9585).
  turnBelow: 3,
  copies: 4,
  train: {
    arch: { channels: [64, 64], strides: [1, 2] },
    norm: 'frame',
    epochs: 12,
    batch: 64,
    lr: 0.003,
    weightDecay: 0.0001,
    dropout: 0.2,
    augment: true,
    seed: 1,
  },
  // Session CV of the CNN alone (each fold's two networks' out-of-fold logits): 0.9576 → 0.9639, every fold better,
  // the 8.9 % of slots with |logit| < 2 consulted (docs/accuracy.md).
  second: { enlarge: 2, consultBelow: 2 },
};

/** The settings of the second opinion's tiles (its inputs: tileCnnInputs with these), or null without one. */
export function secondOpinionSettings(s: TileCnnSettings): TileCnnSettings | null {
  return s.second ? { ...s, enlarge: s.second.enlarge, second: null } : null;
}

/** Bump when the cached stem activations change. */
const CACHE_VERSION = 1;

/** Every sample's stem activations: `copies` per sample, in the order of `Dataset.samples`. */
export interface TileCnnInputs {
  readonly x: Float32Array;
  readonly shape: readonly [number, number, number];
  readonly copies: number;
  readonly labels: Uint8Array;
  readonly index: ReadonlyMap<Sample, number>;
  /** Copy 0 turned by 180° (tile-cnn.ts turnHalf), one per sample; null when the settings never turn. */
  readonly turned: Float32Array | null;
}

/**
 * The stem's activations of every labelled slot of `data`, in `s.copies` versions each, made once per frame and cached
 * in `dir` (keyed by the image's hash, the layout and the settings; a file that does not fit is made again).
 */
export async function tileCnnInputs(
  data: Dataset,
  graphWeights: WeightMap,
  s: TileCnnSettings,
  onProgress: (done: number, total: number, what: string) => void = () => {},
  dir = join(PROJECT_ROOT, '.cache', 'tile-cnn-inputs'),
): Promise<TileCnnInputs> {
  const stem = new FrozenBackbone(backboneWeights(graphWeights), s.stem);
  const { width, height } = s.tile;
  const shape = [height / stem.stride, width / stem.stride, stem.channels] as const;
  const dim = shape[0] * shape[1] * shape[2];
  const per = s.copies * dim;
  const x = new Float32Array(data.samples.length * per);
  const turned = s.turnBelow > 0 ? new Float32Array(data.samples.length * dim) : null;
  const labels = Uint8Array.from(data.samples, (sample) => (sample.occupied ? 1 : 0));
  const index = new Map(data.samples.map((sample, i) => [sample, i]));
  const byFrame = new Map<number, Sample[]>();
  for (const sample of data.samples) {
    const list = byFrame.get(sample.frame);
    if (list) list.push(sample);
    else byFrame.set(sample.frame, [sample]);
  }
  mkdirSync(dir, { recursive: true });
  try {
    for (const [fi, f] of data.frames.entries()) {
      onProgress(fi, data.frames.length, f.image);
      const samples = byFrame.get(fi) ?? [];
      if (samples.length === 0) continue;
      const lf = f.source;
      const cacheFile = (what: Record<string, unknown>) => {
        const key = createHash('sha256')
          .update(
            JSON.stringify({
              v: CACHE_VERSION,
              sha: f.sha256,
              stem: s.stem,
              tile: s.tile,
              enlarge: s.enlarge,
              // Absent at the default, so the activations cached before it existed stay valid.
              ...(s.sampling === SUPERSAMPLE_STEP ? {} : { sampling: s.sampling }),
              ...what,
              slots: lf.slots.map((l) => [l.id, l.polygon]),
              picked: samples.map((sample) => sample.slotId),
            }),
          )
          .digest('hex')
          .slice(0, 24);
        return join(dir, `${key}.bin`);
      };
      const path = cacheFile({ copies: s.copies, seed: s.train.seed });
      const turnedPath = turned ? cacheFile({ turned: true }) : null;
      let acts = readCached(path, samples.length * per);
      let turnedActs = turnedPath ? readCached(turnedPath, samples.length * dim) : null;
      if (!acts || (turnedPath && !turnedActs)) {
        const picked = samples.map((sample) => lf.slots.findIndex((l) => l.id === sample.slotId));
        const { tiles, light } = frameTiles(loadAnalysisFrame(lf.imagePath), lf.slots, picked, s);
        if (!acts) {
          acts = runStem(stem, copiesPixels(tiles, light, s, f.sha256), s);
          writeFileSync(path, acts);
        }
        if (turnedPath && !turnedActs) {
          turnedActs = runStem(stem, tileCnnInput(tiles.map(turnHalf), 'frame', true, light), s);
          writeFileSync(turnedPath, turnedActs);
        }
      }
      const versions = acts;
      samples.forEach((sample, j) => x.set(versions.subarray(j * per, (j + 1) * per), index.get(sample)! * per));
      if (turned && turnedActs) {
        const t = turnedActs;
        samples.forEach((sample, j) => turned.set(t.subarray(j * dim, (j + 1) * dim), index.get(sample)! * dim));
      }
    }
  } finally {
    stem.dispose();
  }
  onProgress(data.frames.length, data.frames.length, 'done');
  return { x, shape, copies: s.copies, labels, index, turned };
}

/** A cached file's activations, or null when it is missing or cut short (a run stopped while writing it). */
function readCached(path: string, length: number): Float32Array | null {
  if (!existsSync(path)) return null;
  const buf = readFileSync(path);
  const acts = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return acts.length === length ? acts : null;
}

/** The tiles of the slots `picked` (indices into `slots`) as the app makes them, and the frame's light it scales them by. */
function frameTiles(frame: RgbaFrame, slots: readonly Slot[], picked: readonly number[], s: TileCnnSettings): { tiles: RgbPatch[]; light: LightStats } {
  const fp = framePatches(frame, slots);
  return { tiles: slotTiles(frame, slots, fp, s, picked), light: fp.stats };
}

/**
 * The stem's input for `tiles` in `s.copies` versions each: copy 0 is what TileCnn.features computes in the app, the
 * others are augmented pixels scaled by the same frame light.
 */
function copiesPixels(tiles: readonly RgbPatch[], light: LightStats, s: TileCnnSettings, sha: string): Float32Array {
  const { width, height } = s.tile;
  const size = width * height * 3;
  const px = new Float32Array(tiles.length * s.copies * size);
  const rnd = seededRandom(parseInt(sha.slice(0, 8), 16) ^ s.train.seed);
  tiles.forEach((t, j) => {
    px.set(tileCnnInput([t], 'frame', true, light), j * s.copies * size);
    // Augmented pixels: tileInput with a light of mean 0 and spread 1 leaves pixel values, relit and moved.
    const raw: TileSet = { width, height, pixels: t.data, labels: new Uint8Array(1), frameLight: Float32Array.of(0, 0, 0, 1) };
    for (let c = 1; c < s.copies; c++) {
      const at = px.subarray((j * s.copies + c) * size, (j * s.copies + c + 1) * size);
      tileInput(raw, 0, 'frame', at, 0, rnd);
      // Into the stem as tileCnnInput scales the app's tiles (in place: each value is read before it is written).
      scalePixels(at, light, at, 0, STEM_CENTRE, STEM_GAIN);
    }
  });
  return px;
}

/** The stem's activations of stem-ready pixels (tiles of `s.tile`, one after another), in batches. */
function runStem(stem: FrozenBackbone, px: Float32Array, s: TileCnnSettings): Float32Array {
  const { width, height } = s.tile;
  const size = width * height * 3;
  const count = px.length / size;
  const dim = (height / stem.stride) * (width / stem.stride) * stem.channels;
  const out = new Float32Array(count * dim);
  const batch = 256;
  for (let b = 0; b < count; b += batch) {
    const n = Math.min(batch, count - b);
    const a = tf.tidy(() => stem.run(tf.tensor4d(px.subarray(b * size, (b + n) * size), [n, height, width, 3])));
    out.set(a.dataSync() as Float32Array, b * dim);
    a.dispose();
  }
  return out;
}

/**
 * A trained tile CNN: its weights, its second opinion's when it has one, and its logit for any sample of the inputs (as
 * the app computes it: tileCnnLogits, withSecondOpinion).
 */
export interface TrainedTileCnn {
  readonly weights: SlotCnnWeights;
  readonly second: SlotCnnWeights | null;
  logits(samples: readonly Sample[]): Float32Array;
}

/**
 * Trains the small convolutions on `samples` (their augmented copies), the seed making each fit repeatable. With `wide`
 * (the second opinion's inputs, secondOpinionSettings) the second network is trained on the same samples too.
 */
export function fitTileCnn(
  inputs: TileCnnInputs,
  samples: readonly Sample[],
  s: TileCnnSettings,
  seed: number,
  log: (msg: string) => void = () => {},
  wide: TileCnnInputs | null = null,
): TrainedTileCnn {
  const train = (from: TileCnnInputs, what: string) => {
    const t0 = performance.now();
    const input = featureTrainInput(from.x, from.copies, from.shape, from.labels);
    const weights = trainSlotCnn(input, samples.map((x) => from.index.get(x)!), { ...s.train, seed }, log);
    log(`  ${what} trained on ${samples.length} slots in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return weights;
  };
  const weights = train(inputs, 'tile CNN');
  const opinion = wide && s.second ? { wide, net: train(wide, `second opinion (enlargement ${s.second.enlarge})`), consultBelow: s.second.consultBelow } : null;
  return {
    weights,
    second: opinion?.net ?? null,
    logits: (of) => {
      const first = tileCnnLogits(inputs, weights, of, s.turnBelow);
      return opinion ? withSecondOpinion(first, opinion.wide, opinion.net, of, opinion.consultBelow, s.turnBelow) : first;
    },
  };
}

/**
 * `first` (the first network's logits of `samples`) with the second opinion where it is nearer 0 than `consultBelow`:
 * the mean of it and the second network's logit of the wide tile (itself turned where unsure), as TileCnn.features
 * gives the app.
 */
export function withSecondOpinion(first: Float32Array, wide: TileCnnInputs, second: SlotCnnWeights, samples: readonly Sample[], consultBelow: number, turnBelow: number): Float32Array {
  const out = Float32Array.from(first);
  const consulted = samples.flatMap((_, i) => (Math.abs(first[i]!) < consultBelow ? [i] : []));
  const opinions = tileCnnLogits(wide, second, consulted.map((i) => samples[i]!), turnBelow);
  consulted.forEach((i, j) => (out[i] = (first[i]! + opinions[j]!) / 2));
  return out;
}

/**
 * The network's logit for each of `samples` as the app computes it: on copy 0 of its inputs, and, where that is nearer
 * 0 than `turnBelow`, the mean of it and the logit of the tile turned by 180° (TileCnn.features averages the pooled
 * features; the head is linear, so the logit is the mean of the two).
 */
export function tileCnnLogits(inputs: TileCnnInputs, weights: SlotCnnWeights, samples: readonly Sample[], turnBelow = 0): Float32Array {
  const dim = inputs.shape[0] * inputs.shape[1] * inputs.shape[2];
  const cnn = new SlotCnn(weights);
  const logitsOf = (x: Float32Array, per: number, of: readonly Sample[]) => {
    const out = new Float32Array(of.length);
    const batch = 512;
    const buf = new Float32Array(batch * dim);
    for (let b = 0; b < of.length; b += batch) {
      const n = Math.min(batch, of.length - b);
      for (let j = 0; j < n; j++) {
        const at = inputs.index.get(of[b + j]!)! * per * dim;
        buf.set(x.subarray(at, at + dim), j * dim);
      }
      out.set(cnn.logitsOf(buf, n), b);
    }
    return out;
  };
  try {
    const out = logitsOf(inputs.x, inputs.copies, samples);
    const turned = inputs.turned;
    if (!(turnBelow > 0)) return out;
    if (!turned) throw new Error('tileCnnLogits: turning needs the turned tiles (settings with turnBelow > 0)');
    const unsure = samples.flatMap((_, i) => (Math.abs(out[i]!) < turnBelow ? [i] : []));
    const second = logitsOf(turned, 1, unsure.map((i) => samples[i]!));
    unsure.forEach((i, j) => (out[i] = (out[i]! + second[j]!) / 2));
    return out;
  } finally {
    cnn.dispose();
  }
}

/** The weights file's tileCnn section and rectified head for a trained network (and its second opinion's). */
export function tileCnnSection(trained: SlotCnnWeights, s: TileCnnSettings, second: SlotCnnWeights | null = null): { tileCnn: TileCnnWeights; rectified: { w: number[]; b: number } } {
  if (second && !s.second) throw new Error('tileCnnSection: a second network needs settings with a second opinion');
  return {
    tileCnn: {
      stem: s.stem,
      tile: s.tile,
      enlarge: s.enlarge,
      ...(s.sampling === SUPERSAMPLE_STEP ? {} : { sampling: s.sampling }),
      norm: 'frame',
      ...(s.turnBelow > 0 ? { turnBelow: s.turnBelow } : {}),
      layers: trained.layers,
      ...(second && s.second
        ? {
            second: {
              enlarge: s.second.enlarge,
              ...(s.sampling === SUPERSAMPLE_STEP ? {} : { sampling: s.sampling }),
              consultBelow: s.second.consultBelow,
              layers: second.layers,
              head: second.head,
            },
          }
        : {}),
    },
    rectified: { w: Array.from(trained.head.w), b: trained.head.b },
  };
}
