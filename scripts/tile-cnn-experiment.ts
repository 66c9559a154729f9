// Does a small CNN trained from scratch on rectified slot tiles beat today's evidence on close views, cheaply?
//
//   LOTWATCH_FIXTURES=../shared/fixtures npx tsx scripts/tile-cnn-experiment.ts [options]
//     --lot DIR (repeatable; default acpds + acpds-train)   lots to cross-validate and train on
//     --cv K (default 5)        folds grouped by recording session (dataset.ts sessionFolds: each lot's frames in
//                               recording order cut into K contiguous blocks; acpds and acpds-train are one lot)
//     --test-lot DIR            also train on every --lot frame and score this lot as never seen (e.g. pucpr)
//     --size WxH (32x64)        tile size (tiles.ts rectifiedTile: the polygon enlarged 1.2x, warped upright)
//     --enlarge X (1.2)         rectifiedTile's enlargement of the slot polygon (1: the hand features' own patch)
//     --crop rectified|square   the slot rectified upright (default), or tiles.ts squareTile: the image as it is around
//                               the slot's bounding box (CROP_CONTEXT), not rectified (--enlarge then does nothing)
//     --sampling X (1.5)        the warp's supersampling step (warp.ts SUPERSAMPLE_STEP): one more sub-sample per axis
//                               each time the slot is X times bigger than the tile
//     --channels 16,32,64,64 --strides 2,2,2,1   the 3x3 convolutions (batch norm + ReLU), then mean pooling + linear
//     --norm tile|frame         input scaling (slot-cnn.ts normaliseTiles)
//     --epochs N --batch N --lr X --wd X --dropout X --no-augment --seed N
//     --dark REGEX              frames scored as the dark subset (default: the 5 darkest acpds-train frames, mean grey < 60)
//     --bench                   only the cost: 100 tiles through the network vs a bare COCO-SSD detect() on 1280x720
//                               PUCPR frames, same process, WASM backend (single thread), with the load average
//     --stem N --copies N      instead of pixels, train on MobileNetV2's own frozen layers up to expanded_conv_N
//                               (src/evidence/mobilenet.ts, COCO-SSD's weights) run on each tile: N copies per slot
//                               cached (copy 0 as the app makes it, the others mirrored/shifted/relit before the stem)
//     --stem-input raw|tile|frame   the stem's pixels as they are, or rescaled to 128 ± 64 per spread of the tile's
//                               (or the frame's) own light
//     --resample P              (with --stem) the share of augmented copies seen at a lower resolution (a far slot's look)
//     --tta                     (with --stem) also score the mean logit of each tile and the tile turned by 180° (2x cost)
//     --save FILE               write the weights trained on all --lot frames (with --test-lot)
//     --dump FILE               (with --cv) write each labelled slot's out-of-fold logit (and turned one, with --tta), fold,
//                               frame, polygon and label as JSON lines: for second-stage experiments on the same folds
// Prints per fold the training time and balanced accuracy, then the pooled CV figures (balanced accuracy at logit 0,
// AUC, the dark subset), the test lot's figures, and the weights' size. Tiles are cached in .cache/tile-cnn/.
// No figure sees its own test frames: the class weights come from the training folds, the decision is at logit 0,
// and the normalisation uses only the tile (or its own frame's tiles, which the app has too), never labels.
import './lib/short-errors.ts';
import './lib/tf-gradients.ts';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { lightStats, SlotCnn, type SlotCnnWeights, type TileNorm } from '../src/evidence/slot-cnn.ts';
import { RECTIFIED_SCALE, rectifiedTile, squareTile } from '../src/evidence/tiles.ts';
import { SUPERSAMPLE_STEP } from '../src/evidence/warp.ts';
import type { RgbPatch } from '../src/evidence/warp.ts';
import { fixture } from '../tests/support/fixtures.ts';
import { seededRandom } from '../tests/support/seeded-random.ts';
import { sessionFolds } from './lib/dataset.ts';
import { loadAnalysisFrame, readLot, type LotFrame } from './lib/lots.ts';
import { confusion, median, rocAuc, scores } from './lib/metrics.ts';
import { initTf, PROJECT_ROOT } from './lib/node-tf.ts';
import { Runner } from './lib/runner.ts';
import * as tf from '@tensorflow/tfjs-core';
import { backboneWeights, FrozenBackbone, type WeightMap } from '../src/evidence/mobilenet.ts';
import { featureTrainInput, lightFor, tileInput, tileTrainInput, trainSlotCnn, type CnnTrainSettings, type TileSet, type TrainInput } from './lib/slot-cnn-train.ts';

const { values } = parseArgs({
  options: {
    lot: { type: 'string', multiple: true },
    cv: { type: 'string', default: '5' },
    'test-lot': { type: 'string' },
    size: { type: 'string', default: '32x64' },
    enlarge: { type: 'string', default: '1.2' },
    crop: { type: 'string', default: 'rectified' },
    sampling: { type: 'string', default: String(SUPERSAMPLE_STEP) },
    channels: { type: 'string', default: '16,32,64,64' },
    strides: { type: 'string', default: '2,2,2,1' },
    norm: { type: 'string', default: 'tile' },
    epochs: { type: 'string', default: '12' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.003' },
    wd: { type: 'string', default: '0.0001' },
    dropout: { type: 'string', default: '0.2' },
    'no-augment': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    dark: { type: 'string', default: 'GOPR0(094|099|101|103|112)\\.' },
    bench: { type: 'boolean', default: false },
    save: { type: 'string' },
    dump: { type: 'string' },
    stem: { type: 'string' },
    copies: { type: 'string', default: '4' },
    'stem-input': { type: 'string', default: 'raw' },
    tta: { type: 'boolean', default: false },
    resample: { type: 'string', default: '0' },
  },
});

const [tileW, tileH] = values.size.split('x').map(Number) as [number, number];
const enlarge = Number(values.enlarge);
if (!(enlarge > 0)) throw new Error('--enlarge needs a positive number');
const crop = values.crop;
if (crop !== 'rectified' && crop !== 'square') throw new Error('--crop is rectified or square');
const sampling = Number(values.sampling);
if (!(sampling >= 1)) throw new Error('--sampling needs a number of at least 1');
const channels = values.channels.split(',').map(Number);
const strides = values.strides.split(',').map(Number) as (1 | 2)[];
if (channels.length !== strides.length) throw new Error('--channels and --strides need as many entries');
const settings: CnnTrainSettings = {
  arch: { channels, strides },
  norm: values.norm as TileNorm,
  epochs: Number(values.epochs),
  batch: Number(values.batch),
  lr: Number(values.lr),
  weightDecay: Number(values.wd),
  dropout: Number(values.dropout),
  augment: !values['no-augment'],
  seed: Number(values.seed),
};
const log = (msg: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

interface LotTiles {
  readonly frames: { readonly source: LotFrame; readonly lot: string; readonly start: number; readonly count: number; readonly grey: number }[];
  readonly set: TileSet;
}

/** Every labelled slot's tile of a lot, cached on disk (keyed by the labels' contents, the tile size, the crop and the enlargement). */
function lotTiles(dir: string, scale = enlarge, step = sampling, square = crop === 'square'): LotTiles {
  const lotFrames = readLot(dir);
  const hash = createHash('sha256');
  for (const f of lotFrames) hash.update(readFileSync(f.labelPath));
  const key = `${basename(dir)}-${tileW}x${tileH}${square ? '-square' : ''}${scale === RECTIFIED_SCALE ? '' : `-e${scale}`}${step === SUPERSAMPLE_STEP ? '' : `-s${step}`}-${hash.digest('hex').slice(0, 12)}`;
  const cacheDir = join(PROJECT_ROOT, '.cache', 'tile-cnn');
  const metaPath = join(cacheDir, `${key}.json`);
  const binPath = join(cacheDir, `${key}.bin`);
  const size = tileW * tileH * 3;
  type Meta = { frames: { start: number; count: number; grey: number; light: number[] }[]; labels: number[] };
  let meta: Meta;
  let pixels: Uint8Array;
  if (existsSync(metaPath) && existsSync(binPath)) {
    meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Meta;
    pixels = new Uint8Array(readFileSync(binPath));
  } else {
    const chunks: Uint8Array[] = [];
    meta = { frames: [], labels: [] };
    let start = 0;
    lotFrames.forEach((lf, i) => {
      if (i % 25 === 0) log(`tiles of ${basename(dir)}: frame ${i + 1}/${lotFrames.length}`);
      const frame = loadAnalysisFrame(lf.imagePath);
      let grey = 0;
      for (let p = 0; p < frame.data.length; p += 4) grey += 0.299 * frame.data[p]! + 0.587 * frame.data[p + 1]! + 0.114 * frame.data[p + 2]!;
      grey /= frame.data.length / 4;
      const all: RgbPatch[] = [];
      const labelled: RgbPatch[] = [];
      for (const s of lf.slots) {
        const t = square ? squareTile(frame, s.polygon, tileW, tileH) : rectifiedTile(frame, s.polygon, tileW, tileH, scale, step);
        all.push(t);
        if (s.occupied === null) continue;
        labelled.push(t);
        meta.labels.push(s.occupied ? 1 : 0);
      }
      // The frame's light over all its slots, as the app would see it.
      const l = lightStats(all);
      meta.frames.push({ start, count: labelled.length, grey, light: [...l.mean, l.spread] });
      for (const t of labelled) chunks.push(t.data);
      start += labelled.length;
    });
    pixels = new Uint8Array(start * size);
    chunks.forEach((c, i) => pixels.set(c, i * size));
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(binPath, pixels);
    writeFileSync(metaPath, JSON.stringify(meta));
  }
  const n = meta.labels.length;
  const frameLight = new Float32Array(n * 4);
  meta.frames.forEach((f) => {
    for (let k = f.start; k < f.start + f.count; k++) frameLight.set(f.light, k * 4);
  });
  return {
    frames: meta.frames.map((f, i) => ({ source: lotFrames[i]!, lot: lotFrames[i]!.lot, start: f.start, count: f.count, grey: f.grey })),
    set: { width: tileW, height: tileH, pixels, labels: Uint8Array.from(meta.labels), frameLight },
  };
}

/** Several lots' tiles as one set (frame starts shifted). */
function concatLots(lots: LotTiles[]): LotTiles {
  const size = tileW * tileH * 3;
  const n = lots.reduce((a, l) => a + l.set.labels.length, 0);
  const pixels = new Uint8Array(n * size);
  const labels = new Uint8Array(n);
  const frameLight = new Float32Array(n * 4);
  const frames: LotTiles['frames'] = [];
  let at = 0;
  for (const l of lots) {
    pixels.set(l.set.pixels, at * size);
    labels.set(l.set.labels, at);
    frameLight.set(l.set.frameLight, at * 4);
    frames.push(...l.frames.map((f) => ({ ...f, start: f.start + at })));
    at += l.set.labels.length;
  }
  return { frames, set: { width: tileW, height: tileH, pixels, labels, frameLight } };
}

/** Logits of the given frames' samples through trained weights; `fill` writes sample k's input as the app makes it. */
function predict(weights: SlotCnnWeights, data: LotTiles, frameIdx: readonly number[], fill: (k: number, out: Float32Array, offset: number) => void): { sample: number; logit: number }[] {
  const cnn = new SlotCnn(weights);
  const out: { sample: number; logit: number }[] = [];
  const dim = weights.tile.width * weights.tile.height * weights.layers[0]!.inChannels;
  for (const fi of frameIdx) {
    const f = data.frames[fi]!;
    if (f.count === 0) continue;
    const input = new Float32Array(f.count * dim);
    for (let j = 0; j < f.count; j++) fill(f.start + j, input, j * dim);
    const logits = cnn.logitsOf(input, f.count);
    logits.forEach((logit, j) => out.push({ sample: f.start + j, logit }));
  }
  cnn.dispose();
  return out;
}

/** The frozen stem's activations of every tile of `set`: `copies` per tile (copy 0 plain, the others augmented). */
function stemFeatures(stem: FrozenBackbone, set: TileSet, copies: number, seed: number, rotated = false): Float32Array {
  const n = set.labels.length;
  const size = set.width * set.height * 3;
  const dim = (set.width / stem.stride) * (set.height / stem.stride) * stem.channels;
  const x = new Float32Array(n * copies * dim);
  // Augmented pixels: tileInput with a 'frame' light of mean 0 and spread 1 leaves pixel values, relit and moved.
  const raw: TileSet = { ...set, frameLight: Float32Array.from({ length: n * 4 }, (_, i) => (i % 4 === 3 ? 1 : 0)) };
  const rnd = seededRandom(seed);
  const batch = 256;
  const px = new Float32Array(batch * size);
  const jobs = Array.from({ length: n * copies }, (_, j) => j);
  for (let b = 0; b < jobs.length; b += batch) {
    const idx = jobs.slice(b, b + batch);
    idx.forEach((j, i) => {
      const k = Math.floor(j / copies);
      // Copy 0: the tile as the app makes it (or turned by 180°, for --tta).
      if (j % copies === 0) for (let p = 0; p < size; p++) px[i * size + p] = set.pixels[k * size + (rotated ? size - 3 - (p - (p % 3)) + (p % 3) : p)]!;
      else tileInput(raw, k, 'frame', px, i * size, rnd, Number(values.resample));
      const mode = values['stem-input'];
      if (mode === 'raw') return;
      const at = px.subarray(i * size, (i + 1) * size);
      const { mean, spread } = lightFor(set, k, mode as TileNorm, at);
      for (let p = 0; p < size; p++) at[p] = 128 + (64 * (at[p]! - mean[p % 3]!)) / spread;
    });
    const a = stem.run(tf.tensor4d(px.subarray(0, idx.length * size), [idx.length, set.height, set.width, 3]));
    x.set(a.dataSync() as Float32Array, b * dim);
    a.dispose();
    if (b % (batch * 20) === 0) log(`stem features ${b}/${jobs.length}`);
  }
  return x;
}

function tileInputPlain(set: TileSet, k: number, norm: TileNorm, out: Float32Array, offset: number): void {
  const size = set.width * set.height * 3;
  const src = set.pixels.subarray(k * size, (k + 1) * size);
  const { mean, spread } = lightFor(set, k, norm, src);
  for (let i = 0; i < size; i++) out[offset + i] = (src[i]! - mean[i % 3]!) / spread;
}

function report(name: string, set: TileSet, preds: readonly { sample: number; logit: number }[]): string {
  const pairs = preds.map((p) => ({ truth: set.labels[p.sample] === 1, predicted: p.logit > 0, score: p.logit }));
  const s = scores(confusion(pairs));
  const c = s.confusion;
  return `${name}: balanced ${s.balancedAccuracy.toFixed(4)}, AUC ${rocAuc(pairs).toFixed(4)}, ${s.slots} slots (FP ${c.fp}, FN ${c.fn})`;
}

const weightBytes = (w: SlotCnnWeights) => 4 * (w.layers.reduce((a, l) => a + l.kernel.length + l.bias.length, 0) + w.head.w.length + 1);

async function bench(): Promise<void> {
  const runner = await Runner.create();
  const lot = readLot(fixture('lots', 'pucpr')).slice(0, 5);
  const frames = lot.map((f) => ({ frame: loadAnalysisFrame(f.imagePath), slots: f.slots }));
  const rnd = seededRandom(settings.seed);
  // Cost does not depend on the weights' values: random ones of the chosen shape.
  let cin = 3;
  const weights: SlotCnnWeights = {
    tile: { width: tileW, height: tileH },
    norm: settings.norm,
    layers: channels.map((c, i) => {
      const l = { stride: strides[i]!, inChannels: cin, outChannels: c, kernel: Float32Array.from({ length: 9 * cin * c }, () => (rnd() - 0.5) * 0.2), bias: new Float32Array(c) };
      cin = c;
      return l;
    }),
    head: { w: Float32Array.from({ length: cin }, () => rnd() - 0.5), b: 0 },
  };
  const stem = values.stem ? new FrozenBackbone(backboneWeights(runner.detector.graph.weights as WeightMap), Number(values.stem)) : null;
  if (stem) {
    const fw = tileW / stem.stride;
    const fh = tileH / stem.stride;
    cin = stem.channels;
    Object.assign(weights, {
      tile: { width: fw, height: fh },
      layers: weights.layers.map((l, i) => {
        const inChannels = i === 0 ? stem.channels : l.inChannels;
        return { ...l, inChannels, kernel: Float32Array.from({ length: 9 * inChannels * l.outChannels }, () => (rnd() - 0.5) * 0.2) };
      }),
    });
  }
  const cnn = new SlotCnn(weights);
  const run = (tiles: RgbPatch[]) => {
    if (!stem) return cnn.logits(tiles);
    const px = new Float32Array(tiles.length * tileW * tileH * 3);
    tiles.forEach((t, i) => px.set(t.data, i * t.data.length));
    const a = stem.run(tf.tensor4d(px, [tiles.length, tileH, tileW, 3]));
    const x = a.dataSync() as Float32Array;
    a.dispose();
    return cnn.logitsOf(x, tiles.length);
  };
  const tilesOf = (f: (typeof frames)[number]) => {
    const t: RgbPatch[] = [];
    for (let i = 0; i < 100; i++) t.push(rectifiedTile(f.frame, f.slots[i % f.slots.length]!.polygon, tileW, tileH, enlarge, sampling));
    return t;
  };
  await runner.detect(frames[0]!.frame);
  run(tilesOf(frames[0]!));
  const t = { detect: [] as number[], warp: [] as number[], cnn: [] as number[] };
  const loadBefore = load();
  for (let rep = 0; rep < 4; rep++)
    for (const f of frames) {
      let t0 = performance.now();
      await runner.detect(f.frame);
      t.detect.push(performance.now() - t0);
      t0 = performance.now();
      const tiles = tilesOf(f);
      t.warp.push(performance.now() - t0);
      t0 = performance.now();
      run(tiles);
      t.cnn.push(performance.now() - t0);
    }
  const d = median(t.detect);
  console.log(`cost (WASM, one thread, 20 runs on 5 PUCPR 1280x720 frames; load ${loadBefore} → ${load()}):`);
  console.log(`  bare detect(): median ${d.toFixed(1)} ms`);
  console.log(`  100 tiles ${tileW}x${tileH} warped (pure JS): median ${median(t.warp).toFixed(1)} ms = ${(median(t.warp) / d).toFixed(3)}x detect`);
  console.log(`  100 tiles through ${stem ? `MobileNetV2 to expanded_conv_${values.stem} (frozen) + ` : ''}the CNN (${channels.join('-')}, strides ${strides.join('')}), ${stem ? 'raw pixels (frame scaling, one affine per pixel in JS, not included)' : 'normalisation included'}: median ${median(t.cnn).toFixed(1)} ms = ${(median(t.cnn) / d).toFixed(3)}x detect`);
  console.log(`  weights: ${weightBytes(weights)} bytes as float32`);
  cnn.dispose();
  stem?.dispose();
  runner.dispose();
}

if (values.bench) {
  await bench();
  process.exit(0);
}

await initTf('wasm');
const lotDirs = values.lot ?? [fixture('lots', 'acpds'), fixture('lots', 'acpds-train')];
log(`settings ${JSON.stringify(settings)}, tiles ${tileW}x${tileH}; load ${load()}`);
const data = concatLots(lotDirs.map((d) => lotTiles(d)));
const { set } = data;
const stem = values.stem ? new FrozenBackbone(backboneWeights((await Runner.create()).detector.graph.weights as WeightMap), Number(values.stem)) : null;
const copies = Number(values.copies);
let input: TrainInput;
let rotatedFill: ((k: number, out: Float32Array, offset: number) => void) | null = null;
let fill: (k: number, out: Float32Array, offset: number) => void;
if (stem) {
  const t0 = performance.now();
  const x = stemFeatures(stem, set, copies, settings.seed);
  const shape = [tileH / stem.stride, tileW / stem.stride, stem.channels] as const;
  input = featureTrainInput(x, copies, shape, set.labels);
  fill = (k, out, offset) => input.fill(k, out, offset, null);
  if (values.tta) {
    const r = stemFeatures(stem, set, 1, settings.seed, true);
    const dim = r.length / set.labels.length;
    rotatedFill = (k, out, offset) => out.set(r.subarray(k * dim, (k + 1) * dim), offset);
  }
  log(`stem to expanded_conv_${values.stem}: ${shape.join('x')} per tile, ${copies} copies, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
} else {
  input = tileTrainInput(set, settings.norm);
  fill = (k, out, offset) => tileInputPlain(set, k, settings.norm, out, offset);
}
log(`${data.frames.length} frames, ${set.labels.length} labelled slots (${set.labels.reduce((a, b) => a + b, 0)} occupied)`);
const dark = new RegExp(values.dark);
const darkFrames = data.frames.map((f, i) => (dark.test(f.source.image) ? i : -1)).filter((i) => i >= 0);
log(`dark subset: ${darkFrames.map((i) => `${basename(data.frames[i]!.source.image)} (grey ${data.frames[i]!.grey.toFixed(0)})`).join(', ')}`);

const samplesOf = (frameIdx: readonly number[]) => frameIdx.flatMap((fi) => Array.from({ length: data.frames[fi]!.count }, (_, j) => data.frames[fi]!.start + j));
const k = Number(values.cv);
if (k > 1) {
  const folds = sessionFolds(data.frames, k);
  const all: { sample: number; logit: number }[] = [];
  const allTta: { sample: number; logit: number }[] = [];
  const t0 = performance.now();
  for (let f = 0; f < k; f++) {
    const trainFrames = data.frames.map((_, i) => i).filter((i) => folds[i] !== f);
    const testFrames = data.frames.map((_, i) => i).filter((i) => folds[i] === f);
    const tf0 = performance.now();
    log(`fold ${f + 1}/${k}: ${trainFrames.length} training frames, ${testFrames.length} held out (${basename(data.frames[testFrames[0]!]!.source.image)}…${basename(data.frames[testFrames[testFrames.length - 1]!]!.source.image)}); load ${load()}`);
    const w = trainSlotCnn(input, samplesOf(trainFrames), { ...settings, seed: settings.seed * 100 + f }, log);
    const preds = predict(w, data, testFrames, fill);
    all.push(...preds);
    if (rotatedFill) {
      const turned = predict(w, data, testFrames, rotatedFill);
      allTta.push(...preds.map((p, i) => ({ sample: p.sample, logit: (p.logit + turned[i]!.logit) / 2 })));
    }
    log(`${report(`fold ${f + 1}`, set, preds)}; trained in ${((performance.now() - tf0) / 1000).toFixed(0)} s`);
  }
  if (values.dump) {
    const plain = new Map(all.map((p) => [p.sample, p.logit]));
    const turned = new Map(allTta.map((p) => [p.sample, p.logit]));
    const lines = data.frames.flatMap((f, fi) =>
      f.source.slots
        .filter((s) => s.occupied !== null)
        .map((s, j) => {
          const sample = f.start + j;
          return JSON.stringify({ frame: f.source.image, fold: folds[fi], slot: s.id, polygon: s.polygon, label: set.labels[sample], logit: plain.get(sample), turned: turned.get(sample) });
        }),
    );
    writeFileSync(values.dump, lines.join('\n') + '\n');
  }
  const darkSet = new Set(samplesOf(darkFrames));
  // docs/accuracy.md's night row: frames whose slots' median grey is under 60 (here: the median of the tiles' mean grey,
  // always of the 1.2x tiles at the default sampling, so that the subset is the same frames whatever --enlarge and --sampling).
  const size = tileW * tileH * 3;
  const greyPixels =
    enlarge === RECTIFIED_SCALE && sampling === SUPERSAMPLE_STEP && crop === 'rectified' ? set.pixels : concatLots(lotDirs.map((d) => lotTiles(d, RECTIFIED_SCALE, SUPERSAMPLE_STEP, false))).set.pixels;
  const tileGrey = (k: number) => {
    let g = 0;
    for (let i = k * size; i < (k + 1) * size; i += 3) g += 0.299 * greyPixels[i]! + 0.587 * greyPixels[i + 1]! + 0.114 * greyPixels[i + 2]!;
    return g / (size / 3);
  };
  const nightFrames = data.frames.map((f, i) => (f.count > 0 && median(Array.from({ length: f.count }, (_, j) => tileGrey(f.start + j))) < 60 ? i : -1)).filter((i) => i >= 0);
  const nightSet = new Set(samplesOf(nightFrames));
  console.log(`${k}-fold CV grouped by recording session (contiguous blocks of each lot's frames in recording order), decision at logit 0, ${stem ? `frozen MobileNetV2 to expanded_conv_${values.stem} (${copies} copies, ${values['stem-input']} pixels) + ` : ''}${settings.arch.channels.join('-')} strides ${settings.arch.strides.join('')}, ${tileW}x${tileH}, norm ${settings.norm}, ${settings.epochs} epochs:`);
  console.log(`  ${report('all', set, all)}`);
  console.log(`  ${report('dark frames (the 5 darkest of acpds-train)', set, all.filter((p) => darkSet.has(p.sample)))}`);
  console.log(`  ${report(`night frames (${nightFrames.length} frames, slots' median grey < 60)`, set, all.filter((p) => nightSet.has(p.sample)))}`);
  if (allTta.length) {
    console.log(`  ${report('all, mean logit with the tile turned by 180°', set, allTta)}`);
    console.log(`  ${report('  dark frames', set, allTta.filter((p) => darkSet.has(p.sample)))}`);
    console.log(`  ${report('  night frames', set, allTta.filter((p) => nightSet.has(p.sample)))}`);
    // Turned only where the plain logit is unsure (|logit| < T): most of the gain for a fraction of the second pass.
    const tta = new Map(allTta.map((p) => [p.sample, p.logit]));
    for (const t of [1, 2, 3]) {
      const picked = all.map((p) => (Math.abs(p.logit) < t ? { sample: p.sample, logit: tta.get(p.sample)! } : p));
      const share = all.filter((p) => Math.abs(p.logit) < t).length / all.length;
      console.log(`  ${report(`turned where |logit| < ${t} (${(share * 100).toFixed(1)} % of slots)`, set, picked)}; night ${report('', set, picked.filter((p) => nightSet.has(p.sample)))}`);
    }
  }
  console.log(`  training: ${((performance.now() - t0) / 1000 / 60).toFixed(1)} min for ${k} folds; load ${load()}`);
}

if (values['test-lot']) {
  const tf0 = performance.now();
  const w = trainSlotCnn(input, samplesOf(data.frames.map((_, i) => i)), settings, log);
  const test = lotTiles(values['test-lot']);
  let testFill = (k: number, out: Float32Array, offset: number) => tileInputPlain(test.set, k, settings.norm, out, offset);
  if (stem) {
    const x = stemFeatures(stem, test.set, 1, settings.seed);
    const dim = x.length / test.set.labels.length;
    testFill = (k, out, offset) => out.set(x.subarray(k * dim, (k + 1) * dim), offset);
  }
  const preds = predict(w, test, test.frames.map((_, i) => i), testFill);
  console.log(`  trained on all ${data.frames.length} frames in ${((performance.now() - tf0) / 1000 / 60).toFixed(1)} min; ${report(`${basename(values['test-lot'])} as a new lot`, test.set, preds)}`);
  console.log(`  weights: ${weightBytes(w)} bytes as float32`);
  if (values.save) {
    const b64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    writeFileSync(values.save, JSON.stringify({ ...w, layers: w.layers.map((l) => ({ ...l, kernel: b64(l.kernel), bias: b64(l.bias) })), head: { w: b64(w.head.w), b: w.head.b } }));
  }
}
