// A small convolutional network on each slot's rectified tile (tiles.ts rectifiedTile): a few 3x3 convolutions
// (batch norm folded into them), global average pooling and a linear head, one logit per slot. Each slot's logit depends
// on its own tile only (and, with `norm: 'frame'`, on the frame's light), so any subset of slots can be recomputed.
// Measured against the frozen-backbone probe in scripts/tile-cnn-experiment.ts (/work/notes/tile.md).
import * as tf from '@tensorflow/tfjs-core';
import type { RgbPatch } from './warp.ts';

export interface SlotCnnLayer {
  readonly stride: 1 | 2;
  readonly inChannels: number;
  readonly outChannels: number;
  /** 3x3 kernel, HWIO order (3 * 3 * inChannels * outChannels floats), batch norm folded in. */
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
}

/**
 * How a tile's pixels are scaled before the network: `tile` by the tile's own mean grey and spread, `frame` by those of
 * all the frame's slot tiles together (keeps a slot's light and contrast relative to the rest of the lot).
 */
export type TileNorm = 'tile' | 'frame';

export interface SlotCnnWeights {
  readonly tile: { readonly width: number; readonly height: number };
  readonly norm: TileNorm;
  readonly layers: readonly SlotCnnLayer[];
  readonly head: { readonly w: Float32Array; readonly b: number };
}

/** The spread below which a tile's or frame's grey is not stretched further (grey levels): flat asphalt stays flat. */
export const MIN_SPREAD = 8;

export interface LightStats {
  readonly mean: readonly [number, number, number];
  readonly spread: number;
}

/** Mean per channel and the standard deviation of all channels' values of the given tiles together. */
export function lightStats(tiles: readonly RgbPatch[]): LightStats {
  // Integer sums (at most 255² per value): exact below 2^53 whatever the order, so the channels are summed side by side.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let sq = 0;
  let n = 0;
  for (const t of tiles) {
    const d = t.data;
    for (let i = 0; i < d.length; i += 3) {
      const r = d[i]!;
      const g = d[i + 1]!;
      const b = d[i + 2]!;
      s0 += r;
      s1 += g;
      s2 += b;
      sq += r * r + g * g + b * b;
    }
    n += Math.ceil(d.length / 3);
  }
  if (n === 0) return { mean: [128, 128, 128], spread: MIN_SPREAD };
  const mean = [s0 / n, s1 / n, s2 / n] as const;
  const all = (s0 + s1 + s2) / (3 * n);
  const variance = Math.max(0, sq / (3 * n) - all * all);
  return { mean, spread: Math.max(MIN_SPREAD, Math.sqrt(variance)) };
}

/**
 * RGB values scaled by a light: out[offset + i] = centre + gain·(p − mean of p's channel)/spread. The one scaling every
 * tile input goes through (normaliseTiles, tile-cnn.ts tileCnnInput, train's augmented copies).
 */
export function scalePixels(data: ArrayLike<number>, light: LightStats, out: Float32Array, offset = 0, centre = 0, gain = 1): void {
  const [m0, m1, m2] = light.mean;
  const spread = light.spread;
  let o = offset;
  for (let i = 0; i < data.length; i += 3) {
    out[o++] = centre + (gain * (data[i]! - m0)) / spread;
    out[o++] = centre + (gain * (data[i + 1]! - m1)) / spread;
    out[o++] = centre + (gain * (data[i + 2]! - m2)) / spread;
  }
}

/** The network's input for `tiles` (n * height * width * 3 floats), each scaled as `norm` says. */
export function normaliseTiles(tiles: readonly RgbPatch[], norm: TileNorm, out = new Float32Array(tiles.length * (tiles[0]?.data.length ?? 0))): Float32Array {
  const frame = norm === 'frame' ? lightStats(tiles) : null;
  let o = 0;
  for (const t of tiles) {
    scalePixels(t.data, frame ?? lightStats([t]), out, o);
    o += t.data.length;
  }
  return out;
}

/** The network with its weights on the current TF.js backend. dispose() frees them. */
export class SlotCnn {
  private readonly kernels: tf.Tensor4D[];
  private readonly biases: tf.Tensor1D[];
  private readonly headW: tf.Tensor2D;
  private readonly headB: tf.Scalar;

  constructor(readonly weights: SlotCnnWeights) {
    this.kernels = weights.layers.map((l) => tf.tensor4d(l.kernel, [3, 3, l.inChannels, l.outChannels]));
    this.biases = weights.layers.map((l) => tf.tensor1d(l.bias));
    const last = weights.layers[weights.layers.length - 1]!.outChannels;
    this.headW = tf.tensor2d(weights.head.w, [last, 1]);
    this.headB = tf.scalar(weights.head.b);
  }

  /** Logits of normalised input (normaliseTiles; or a frozen backbone's activations of that size), one per tile. */
  logitsOf(input: Float32Array, count: number): Float32Array {
    if (count === 0) return new Float32Array(0);
    const { width, height } = this.weights.tile;
    const out = tf.tidy(() => {
      const channels = this.weights.layers[0]!.inChannels;
      const h = tf.tensor4d(input.subarray(0, count * width * height * channels), [count, height, width, channels]);
      return tf.reshape(tf.add(tf.matMul(this.pooled(h), this.headW), this.headB), [count]);
    });
    const logits = out.dataSync() as Float32Array;
    out.dispose();
    return Float32Array.from(logits);
  }

  /** The convolutions and the mean over the cells: [n, channels], what the head reads. Call inside tf.tidy. */
  pooled(input: tf.Tensor4D): tf.Tensor2D {
    let h = input;
    this.kernels.forEach((k, i) => {
      h = tf.fused.conv2d({ x: h, filter: k, strides: this.weights.layers[i]!.stride, pad: 'same', bias: this.biases[i], activation: 'relu' });
    });
    return tf.mean(h, [1, 2]);
  }

  /** One logit per tile; with `norm: 'frame'`, pass all the frame's slot tiles together. */
  logits(tiles: readonly RgbPatch[]): Float32Array {
    return this.logitsOf(normaliseTiles(tiles, this.weights.norm), tiles.length);
  }

  dispose(): void {
    tf.dispose([...this.kernels, ...this.biases, this.headW, this.headB]);
  }
}
