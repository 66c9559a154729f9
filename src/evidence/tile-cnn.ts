// The tile CNN as a tile model (tiles.ts TileFeatureExtractor): each slot's rectified tile, scaled by its own or the
// frame's light, through COCO-SSD's own MobileNetV2 stem (frozen, mobilenet.ts) and the trained small convolutions
// (slot-cnn.ts), mean-pooled. Its features are the `rectified` features; the head is the weights' `rectified` model.
// One batch per call (more for the unsure tiles: turned by 180°, and the second opinion's wide tiles) and no mosaic,
// so a slot's features depend on its own tiles and the frame's light only: the change gate recomputes just the slots
// that changed. Owns its weight tensors (dispose()) and frees every other tensor it makes.
import * as tf from '@tensorflow/tfjs-core';
import { predictLogit, type LinearModel } from './logistic.ts';
import { backboneWeights, FrozenBackbone, type WeightMap } from './mobilenet.ts';
import { lightStats, scalePixels, SlotCnn, type LightStats } from './slot-cnn.ts';
import type { TileCnnNorm, TileCnnWeights } from './tile-cnn-weights.ts';
import type { TileFeatureExtractor, TileShape } from './tiles.ts';
import { SUPERSAMPLE_STEP, type RgbPatch } from './warp.ts';

/** Light-scaled pixels into the stem sit at 128 ± 64 per spread: inside the 0..255 its preprocessing expects. */
export const STEM_CENTRE = 128;
export const STEM_GAIN = 64;

/**
 * The network's input for `tiles` (n * height * width * 3 floats). `tile`/`frame`: (p − mean) / spread per channel
 * mean, by the tile's own light or the frame's; into a stem that is then mapped to 128 ± 64. `raw`: the pixels.
 */
export function tileCnnInput(tiles: readonly RgbPatch[], norm: TileCnnNorm, stem: boolean, frame?: LightStats): Float32Array {
  // Never the light of `tiles` themselves: they may be the few slots being recomputed, not the frame.
  if (norm === 'frame' && !frame) throw new Error("the tile CNN scales by the frame's light: pass it");
  const out = new Float32Array(tiles.reduce((n, t) => n + t.data.length, 0));
  const [centre, gain] = norm === 'raw' ? [0, 1] : stem ? [STEM_CENTRE, STEM_GAIN] : [0, 1];
  const raw: LightStats = { mean: [0, 0, 0], spread: 1 };
  let o = 0;
  for (const t of tiles) {
    scalePixels(t.data, norm === 'raw' ? raw : norm === 'frame' ? frame! : lightStats([t]), out, o, centre, gain);
    o += t.data.length;
  }
  return out;
}

/** The patch turned by 180°: its pixels in reverse order, each pixel's channels kept. */
export function turnHalf(p: RgbPatch): RgbPatch {
  const n = p.width * p.height;
  const out = new Uint8Array(p.data.length);
  for (let i = 0, j = (n - 1) * 3; i < n * 3; i += 3, j -= 3) {
    out[j] = p.data[i]!;
    out[j + 1] = p.data[i + 1]!;
    out[j + 2] = p.data[i + 2]!;
  }
  return { width: p.width, height: p.height, data: out };
}

export class TileCnn implements TileFeatureExtractor {
  readonly crops = ['rectified'] as const;
  readonly mosaic = null;
  readonly tile: { readonly width: number; readonly height: number };
  readonly enlarge: number;
  readonly sampling: number;
  readonly needsFrameLight: boolean;
  readonly wide: TileShape | null;
  private readonly stem: FrozenBackbone | null;
  private readonly cnn: SlotCnn;
  /** The second opinion (weights.second): its network, its own head, and below which first logit it is asked. */
  private readonly second: { readonly cnn: SlotCnn; readonly head: LinearModel; readonly consultBelow: number } | null;

  /** `graphWeights`: the loaded COCO-SSD graph's weights (the stem is copied out of them). */
  constructor(
    readonly weights: TileCnnWeights,
    private readonly head: LinearModel,
    graphWeights: WeightMap,
  ) {
    this.tile = weights.tile;
    this.enlarge = weights.enlarge;
    this.sampling = weights.sampling ?? SUPERSAMPLE_STEP;
    this.needsFrameLight = weights.norm === 'frame';
    const second = weights.second;
    this.wide = second ? { tile: weights.tile, enlarge: second.enlarge, sampling: second.sampling ?? SUPERSAMPLE_STEP } : null;
    this.stem = weights.stem === null ? null : new FrozenBackbone(backboneWeights(graphWeights), weights.stem);
    const inChannels = weights.layers[0]!.inChannels;
    if (this.stem && this.stem.channels !== inChannels) {
      const got = this.stem.channels;
      this.stem.dispose();
      throw new Error(`weights: tileCnn.layers[0] reads ${inChannels} channels, expanded_conv_${weights.stem} gives ${got}`);
    }
    // SlotCnn's tile and norm serve its own logits(); here it only runs the convolutions on what the stem gives.
    this.cnn = new SlotCnn({ tile: weights.tile, norm: 'tile', layers: weights.layers, head: { w: Float32Array.from(head.w), b: head.b } });
    this.second = second
      ? {
          cnn: new SlotCnn({ tile: weights.tile, norm: 'tile', layers: second.layers, head: second.head }),
          head: { w: Array.from(second.head.w), b: second.head.b },
          consultBelow: second.consultBelow,
        }
      : null;
  }

  /**
   * Each tile's features; a tile the head is unsure of (|logit| < weights.turnBelow) gets the mean of its features and
   * those of the tile turned by 180°. With a second opinion, a tile still unsure (|logit| < second.consultBelow) has
   * its slot's wide tile (`wide`) judged by the second network, and its features are moved along the head's weights
   * until the head gives the mean of the two logits (the fusion and calibration read the head's logit only). Each
   * tile's features depend on that tile, its wide tile and the frame's light only.
   */
  async features(tiles: readonly RgbPatch[], frameLight?: LightStats, wide?: (ks: readonly number[]) => RgbPatch[]): Promise<Float32Array[]> {
    if (tiles.length === 0) return [];
    const { width, height } = this.tile;
    for (const [k, t] of tiles.entries()) if (t.width !== width || t.height !== height) throw new Error(`tile ${k} is ${t.width}x${t.height}, expected ${width}x${height}`);
    const head = this.head;
    const feats = await this.turnedWhereUnsure(this.cnn, head, tiles, frameLight);
    const second = this.second;
    if (!second) return feats;
    const logits = feats.map((f) => predictLogit(head, f));
    const consulted = logits.flatMap((z, k) => (Math.abs(z) < second.consultBelow ? [k] : []));
    if (consulted.length === 0) return feats;
    if (!wide) throw new Error("the tile CNN's second opinion needs the slots' wide tiles");
    const wideTiles = wide(consulted);
    if (wideTiles.length !== consulted.length || wideTiles.some((t) => t.width !== width || t.height !== height)) throw new Error(`the second opinion needs ${consulted.length} wide tiles of ${width}x${height}`);
    const opinions = await this.turnedWhereUnsure(second.cnn, second.head, wideTiles, frameLight);
    const norm2 = head.w.reduce((s, w) => s + w * w, 0);
    consulted.forEach((k, j) => {
      const shift = (predictLogit(second.head, opinions[j]!) - logits[k]!) / 2 / norm2;
      const f = feats[k]!;
      for (let i = 0; i < f.length; i++) f[i] = f[i]! + shift * head.w[i]!;
    });
    return feats;
  }

  /** `cnn`'s features of `tiles`, each unsure one (its `head` logit nearer 0 than turnBelow) averaged with its turned tile's. */
  private async turnedWhereUnsure(cnn: SlotCnn, head: LinearModel, tiles: readonly RgbPatch[], frameLight?: LightStats): Promise<Float32Array[]> {
    const feats = await this.pooled(cnn, tiles, frameLight);
    const below = this.weights.turnBelow ?? 0;
    const unsure = below > 0 ? feats.flatMap((f, k) => (Math.abs(predictLogit(head, f)) < below ? [k] : [])) : [];
    if (unsure.length === 0) return feats;
    const turned = await this.pooled(cnn, unsure.map((k) => turnHalf(tiles[k]!)), frameLight);
    unsure.forEach((k, j) => {
      const f = feats[k]!;
      const g = turned[j]!;
      for (let i = 0; i < f.length; i++) f[i] = (f[i]! + g[i]!) / 2;
    });
    return feats;
  }

  /** `cnn`'s pooled features of `tiles`, one batch. */
  private async pooled(cnn: SlotCnn, tiles: readonly RgbPatch[], frameLight?: LightStats): Promise<Float32Array[]> {
    const { width, height } = this.tile;
    const input = tileCnnInput(tiles, this.weights.norm, this.stem !== null, frameLight);
    const pooled = tf.tidy(() => {
      const x = tf.tensor4d(input, [tiles.length, height, width, 3]);
      return cnn.pooled(this.stem ? this.stem.run(x) : x);
    });
    try {
      const data = (await pooled.data()) as Float32Array;
      const c = pooled.shape[1];
      return tiles.map((_, k) => data.slice(k * c, (k + 1) * c));
    } finally {
      pooled.dispose();
    }
  }

  dispose(): void {
    this.stem?.dispose();
    this.cnn.dispose();
    this.second?.cnn.dispose();
  }
}
