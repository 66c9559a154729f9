// Trains src/evidence/slot-cnn.ts from scratch on the WASM backend. WASM has no Conv2DBackpropFilter kernel, so the
// convolution's filter gradient is computed as another (dilated) convolution of the input by the output gradient:
// ~8x faster than tf.conv3d's gradient here and ~100x faster than the pure-JS CPU backend. Batch norm is trained with
// batch statistics and folded into the kernels for inference. Deterministic from the seed.
import * as tf from '@tensorflow/tfjs-core';
import { MIN_SPREAD, type SlotCnnWeights, type TileNorm } from '../../src/evidence/slot-cnn.ts';
import { seededRandom } from '../../tests/support/seeded-random.ts';

/** 3x3 'same' convolution whose filter gradient WASM can compute. */
export function trainableConv(x: tf.Tensor4D, w: tf.Tensor4D, stride: 1 | 2): tf.Tensor4D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([x, w]);
    return {
      value: tf.conv2d(x, w, stride, 'same'),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dx = tf.conv2dTranspose(dy, ws, xs.shape, stride, 'same');
        const [, h, wd, c] = xs.shape;
        const [, ho, wo, co] = dy.shape;
        // 'same' pads (out − 1)·stride + 3 − in in total, the smaller half before.
        const ph = Math.max((ho - 1) * stride + 3 - h, 0);
        const pw = Math.max((wo - 1) * stride + 3 - wd, 0);
        const xp = tf.pad(xs, [[0, 0], [Math.floor(ph / 2), ph - Math.floor(ph / 2)], [Math.floor(pw / 2), pw - Math.floor(pw / 2)], [0, 0]]);
        // dW[ky,kx,ci,co] = Σ_n,y,x xp[n, ky + y·s, kx + x·s, ci] · dy[n,y,x,co]: a convolution with the batch as channels.
        const dw = tf.conv2d(tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid', 'NHWC', stride);
        return [dx, tf.transpose(tf.slice(dw, [0, 0, 0, 0], [c, 3, 3, co]), [1, 2, 0, 3])];
      },
    };
  });
  return f(x, w) as tf.Tensor4D;
}

export interface CnnArch {
  readonly channels: readonly number[];
  readonly strides: readonly (1 | 2)[];
}

export interface CnnTrainSettings {
  readonly arch: CnnArch;
  readonly norm: TileNorm;
  readonly epochs: number;
  readonly batch: number;
  /** Peak learning rate (Adam), short warm-up, cosine decay to 2% of it. */
  readonly lr: number;
  readonly weightDecay: number;
  readonly dropout: number;
  readonly augment: boolean;
  readonly seed: number;
}

/** What the network is trained on: `labels.length` inputs of height x width x channels, filled on demand. */
export interface TrainInput {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly labels: Uint8Array;
  /** Writes input k at out[offset…], augmented when `rnd` is given. */
  fill(k: number, out: Float32Array, offset: number, rnd: (() => number) | null): void;
}

/** Slot tiles as training input, scaled as the app scales them (slot-cnn.ts normaliseTiles). */
export function tileTrainInput(set: TileSet, norm: TileNorm): TrainInput {
  return { width: set.width, height: set.height, channels: 3, labels: set.labels, fill: (k, out, offset, rnd) => tileInput(set, k, norm, out, offset, rnd) };
}

/** Cached activations as training input: `copies` per sample (copy 0 as the app computes it, the others augmented). */
export function featureTrainInput(x: Float32Array, copies: number, shape: readonly [number, number, number], labels: Uint8Array): TrainInput {
  const [height, width, channels] = shape;
  const dim = height * width * channels;
  return {
    width,
    height,
    channels,
    labels,
    fill: (k, out, offset, rnd) => {
      const copy = rnd ? Math.floor(rnd() * copies) : 0;
      out.set(x.subarray((k * copies + copy) * dim, (k * copies + copy + 1) * dim), offset);
    },
  };
}

/** Tiles of a training set: `n` uint8 RGB tiles of height x width, each with its frame's light (frame norm). */
export interface TileSet {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  /** Per tile: its frame's mean R, G, B and spread (lightStats of the frame's tiles). */
  readonly frameLight: Float32Array;
}

const BN_EPS = 1e-3;
const BN_MOMENTUM = 0.9;

/**
 * One tile as the network reads it, optionally augmented: mirrored left-right and/or top-bottom (a rectified slot has
 * no fixed entry side), shifted by up to 2 px (a user never draws a slot twice the same), gamma, tint and (frame norm)
 * its light relative to the frame changed a little; with `resample` > 0, that share of tiles also seen at a lower
 * resolution (resampleTile: scripts/tile-cnn-experiment.ts --resample; measured, not used by npm run train).
 */
export function tileInput(set: TileSet, k: number, norm: TileNorm, out: Float32Array, offset: number, rnd: (() => number) | null, resample = 0): void {
  const { width: w, height: h } = set;
  const size = w * h * 3;
  const src = set.pixels.subarray(k * size, (k + 1) * size);
  const u = () => (rnd ? rnd() * 2 - 1 : 0);
  const hflip = rnd ? rnd() < 0.5 : false;
  const vflip = rnd ? rnd() < 0.5 : false;
  const dx = Math.round(u() * 2);
  const dy = Math.round(u() * 2);
  const gamma = Math.exp(u() * 0.35);
  const tint = [1 + u() * 0.06, 1 + u() * 0.06, 1 + u() * 0.06];
  const gain = 1 + u() * 0.15;
  const shift = u() * 0.15;
  // The photometric change as one lookup table per channel.
  const lut = [0, 1, 2].map((c) => Float32Array.from({ length: 256 }, (_, v) => photometric(v, gamma, tint[c]!)));
  const relit = new Float32Array(size);
  for (let i = 0; i < size; i++) relit[i] = lut[i % 3]![src[i]!]!;
  // At 0 no random number is drawn for it, so the copies stay those of the shipped training.
  if (rnd && resample > 0 && rnd() < resample) resampleTile(relit, w, h, 1 + rnd(), 1 + 1.5 * rnd());
  // In tile norm, the tile's own light after the photometric change (so that it cancels, as it does in the app).
  const { mean, spread } = lightFor(set, k, norm, relit);
  let o = offset;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(h - 1, Math.max(0, (vflip ? h - 1 - y : y) + dy));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(w - 1, Math.max(0, (hflip ? w - 1 - x : x) + dx));
      const i = (sy * w + sx) * 3;
      for (let c = 0; c < 3; c++) {
        const v = (relit[i + c]! - mean[c]!) / spread;
        out[o++] = norm === 'frame' ? v * gain + shift : v;
      }
    }
  }
}

/**
 * The tile as if its slot had been 1/fx as wide and 1/fy as tall in the frame, in place: area-averaged down to that
 * size, then stretched back bilinearly as the warp stretches a small slot.
 */
export function resampleTile(px: Float32Array, w: number, h: number, fx: number, fy: number): void {
  const sw = Math.max(2, Math.round(w / fx));
  const sh = Math.max(2, Math.round(h / fy));
  const small = new Float32Array(sw * sh * 3);
  const count = new Float32Array(sw * sh);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / h));
    for (let x = 0; x < w; x++) {
      const j = sy * sw + Math.min(sw - 1, Math.floor(((x + 0.5) * sw) / w));
      count[j]!++;
      for (let c = 0; c < 3; c++) small[j * 3 + c]! += px[(y * w + x) * 3 + c]!;
    }
  }
  for (let j = 0; j < sw * sh; j++) for (let c = 0; c < 3; c++) small[j * 3 + c]! /= count[j]!;
  for (let y = 0; y < h; y++) {
    const fyy = Math.min(sh - 1, Math.max(0, ((y + 0.5) * sh) / h - 0.5));
    const y0 = Math.floor(fyy);
    const y1 = Math.min(sh - 1, y0 + 1);
    const ty = fyy - y0;
    for (let x = 0; x < w; x++) {
      const fxx = Math.min(sw - 1, Math.max(0, ((x + 0.5) * sw) / w - 0.5));
      const x0 = Math.floor(fxx);
      const x1 = Math.min(sw - 1, x0 + 1);
      const tx = fxx - x0;
      for (let c = 0; c < 3; c++) {
        const a = small[(y0 * sw + x0) * 3 + c]! * (1 - tx) + small[(y0 * sw + x1) * 3 + c]! * tx;
        const b = small[(y1 * sw + x0) * 3 + c]! * (1 - tx) + small[(y1 * sw + x1) * 3 + c]! * tx;
        px[(y * w + x) * 3 + c] = a * (1 - ty) + b * ty;
      }
    }
  }
}

/** The light input k is scaled by: its frame's (kept with the set) in frame norm, else that of `pixels` (RGB values). */
export function lightFor(set: TileSet, k: number, norm: TileNorm, pixels: ArrayLike<number>): { readonly mean: readonly number[]; readonly spread: number } {
  if (norm === 'frame') return { mean: Array.from(set.frameLight.subarray(k * 4, k * 4 + 3)), spread: set.frameLight[k * 4 + 3]! };
  const s = [0, 0, 0];
  let sq = 0;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]!;
    s[i % 3]! += v;
    sq += v * v;
  }
  const all = (s[0]! + s[1]! + s[2]!) / pixels.length;
  return { mean: s.map((v) => (3 * v) / pixels.length), spread: Math.max(MIN_SPREAD, Math.sqrt(Math.max(0, sq / pixels.length - all * all))) };
}

function photometric(v: number, gamma: number, tint: number): number {
  return gamma === 1 && tint === 1 ? v : 255 * Math.pow(v / 255, gamma) * tint;
}

interface Params {
  kernels: tf.Variable[];
  gammas: tf.Variable[];
  betas: tf.Variable[];
  headW: tf.Variable;
  headB: tf.Variable;
  runMean: Float32Array[];
  runVar: Float32Array[];
}

function initParams(arch: CnnArch, inChannels: number, seed: number): Params {
  let cin = inChannels;
  const kernels: tf.Variable[] = [];
  arch.channels.forEach((c, i) => {
    // He initialisation.
    kernels.push(tf.variable(tf.randomNormal([3, 3, cin, c], 0, Math.sqrt(2 / (9 * cin)), 'float32', seed + i)));
    cin = c;
  });
  return {
    kernels,
    gammas: arch.channels.map((c) => tf.variable(tf.ones([c]))),
    betas: arch.channels.map((c) => tf.variable(tf.zeros([c]))),
    headW: tf.variable(tf.randomNormal([cin, 1], 0, Math.sqrt(1 / cin), 'float32', seed + 100)),
    headB: tf.variable(tf.zeros([1])),
    runMean: arch.channels.map((c) => new Float32Array(c)),
    runVar: arch.channels.map((c) => new Float32Array(c).fill(1)),
  };
}

/** Trains on the given tiles; returns inference weights (batch norm folded). */
export function trainSlotCnn(set: TrainInput, samples: readonly number[], s: CnnTrainSettings, log: (msg: string) => void = () => {}): SlotCnnWeights {
  const p = initParams(s.arch, set.channels, s.seed);
  const vars = [...p.kernels, ...p.gammas, ...p.betas, p.headW, p.headB];
  const opt = tf.train.adam(s.lr);
  const rnd = seededRandom(s.seed);
  const { width, height, channels } = set;
  const size = width * height * channels;
  // Class balance: each class weighs half of the loss.
  const pos = samples.filter((k) => set.labels[k] === 1).length;
  const wPos = samples.length / (2 * Math.max(1, pos));
  const wNeg = samples.length / (2 * Math.max(1, samples.length - pos));
  const order = [...samples];
  const steps = s.epochs * Math.ceil(order.length / s.batch);
  const xb = new Float32Array(s.batch * size);
  let step = 0;
  for (let epoch = 0; epoch < s.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const t0 = performance.now();
    let lossSum = 0;
    let batches = 0;
    for (let b = 0; b + s.batch <= order.length; b += s.batch) {
      const idx = order.slice(b, b + s.batch);
      const yb = new Float32Array(s.batch);
      const wb = new Float32Array(s.batch);
      idx.forEach((k, i) => {
        set.fill(k, xb, i * size, s.augment ? rnd : null);
        yb[i] = set.labels[k]!;
        wb[i] = set.labels[k] ? wPos : wNeg;
      });
      const progress = step / steps;
      const warm = Math.min(1, (step + 1) / Math.max(1, steps * 0.03));
      (opt as unknown as { learningRate: number }).learningRate = s.lr * warm * (0.02 + 0.98 * 0.5 * (1 + Math.cos(Math.PI * progress)));
      const moments: tf.Tensor[] = [];
      const dropSeed = s.seed * 7919 + step;
      const loss = opt.minimize(
        () =>
          tf.tidy(() => {
            let h: tf.Tensor4D = tf.tensor4d(xb, [s.batch, height, width, channels]);
            p.kernels.forEach((k, i) => {
              const c = trainableConv(h, k as tf.Variable<tf.Rank.R4> as unknown as tf.Tensor4D, s.arch.strides[i]!);
              const m = tf.moments(c, [0, 1, 2]);
              moments.push(tf.keep(m.mean), tf.keep(m.variance));
              h = tf.relu(tf.batchNorm<tf.Rank.R4>(c, m.mean as tf.Tensor4D, m.variance as tf.Tensor4D, p.betas[i] as tf.Tensor1D, p.gammas[i] as tf.Tensor1D, BN_EPS));
            });
            let pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
            if (s.dropout > 0) pooled = tf.dropout(pooled, s.dropout, undefined, dropSeed) as tf.Tensor2D;
            const logits = tf.reshape(tf.add(tf.matMul(pooled, p.headW as tf.Tensor2D), p.headB), [s.batch]);
            const y = tf.tensor1d(yb);
            const ce = tf.sub(tf.add(tf.relu(logits), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))), tf.mul(logits, y));
            let l = tf.div(tf.sum(tf.mul(ce, tf.tensor1d(wb))), s.batch);
            if (s.weightDecay > 0) l = tf.add(l, tf.mul(s.weightDecay, tf.addN(p.kernels.map((k) => tf.sum(tf.square(k))))));
            return l as tf.Scalar;
          }),
        true,
        vars,
      );
      lossSum += loss!.dataSync()[0]!;
      loss!.dispose();
      // Running batch-norm statistics for inference.
      for (let i = 0; i < p.kernels.length; i++) {
        const m = moments[2 * i]!.dataSync();
        const v = moments[2 * i + 1]!.dataSync();
        for (let c = 0; c < m.length; c++) {
          p.runMean[i]![c] = BN_MOMENTUM * p.runMean[i]![c]! + (1 - BN_MOMENTUM) * m[c]!;
          p.runVar[i]![c] = BN_MOMENTUM * p.runVar[i]![c]! + (1 - BN_MOMENTUM) * v[c]!;
        }
      }
      tf.dispose(moments);
      batches++;
      step++;
    }
    log(`  epoch ${epoch + 1}/${s.epochs}: loss ${(lossSum / batches).toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const weights = fold(p, s, width, height, channels);
  tf.dispose(vars);
  opt.dispose();
  return weights;
}

/** Batch norm folded into each convolution: kernel·γ/σ, bias β − μ·γ/σ. */
function fold(p: Params, s: CnnTrainSettings, width: number, height: number, inChannels: number): SlotCnnWeights {
  let cin = inChannels;
  const layers = s.arch.channels.map((c, i) => {
    const k = Float32Array.from(p.kernels[i]!.dataSync() as Float32Array);
    const g = p.gammas[i]!.dataSync();
    const be = p.betas[i]!.dataSync();
    const scale = new Float32Array(c);
    const bias = new Float32Array(c);
    for (let o = 0; o < c; o++) {
      scale[o] = g[o]! / Math.sqrt(p.runVar[i]![o]! + BN_EPS);
      bias[o] = be[o]! - p.runMean[i]![o]! * scale[o]!;
    }
    for (let j = 0; j < k.length; j++) k[j]! *= scale[j % c]!;
    const layer = { stride: s.arch.strides[i]!, inChannels: cin, outChannels: c, kernel: k, bias };
    cin = c;
    return layer;
  });
  return { tile: { width, height }, norm: s.norm, layers, head: { w: Float32Array.from(p.headW.dataSync() as Float32Array), b: p.headB.dataSync()[0]! } };
}
