// The COCO-SSD backbone as a feature extractor: slot tiles packed into 300x300 mosaics, one graph call per mosaic, the
// activations of one layer mean-pooled over each tile's cells. This module owns every tensor it makes.
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { RgbPatch } from './homography.ts';

export interface ProbeConfig {
  /** The layer whose activations are pooled. */
  readonly node: string;
  /** Side of one tile in pixels, and tiles per mosaic row: grid x tile <= 300. */
  readonly tile: number;
  readonly grid: number;
  /** Which pictures of each slot go through the backbone (tiles.ts). */
  readonly crops: readonly ProbeCrop[];
}

export type ProbeCrop = 'square' | 'rectified';

/**
 * expanded_conv_13's expansion (576 channels at stride 16) over the rectified slot, 75 px tiles 4x4 per mosaic.
 * Measured (docs/accuracy.md): 75 px tiles beat 48 and 60 on the close views; the square context crop adds nothing
 * once the rectified one is there, fails top-down, and costs as much again.
 */
export const DEFAULT_PROBE: ProbeConfig = {
  node: 'FeatureExtractor/MobilenetV2/expanded_conv_13/expand/Relu6',
  tile: 75,
  grid: 4,
  crops: ['rectified'],
};
/** The graph resizes any input to 300x300; mosaics are made at that size so nothing is resampled twice. */
export const MOSAIC_SIZE = 300;

/** Packs up to grid² tiles into one RGB mosaic (int32, zero padding). Pure. */
export function packMosaic(tiles: readonly RgbPatch[], cfg: ProbeConfig): Int32Array {
  const out = new Int32Array(MOSAIC_SIZE * MOSAIC_SIZE * 3);
  tiles.forEach((t, k) => {
    if (t.width !== cfg.tile || t.height !== cfg.tile) throw new Error(`tile ${k} is ${t.width}x${t.height}, expected ${cfg.tile}`);
    const ox = (k % cfg.grid) * cfg.tile;
    const oy = Math.floor(k / cfg.grid) * cfg.tile;
    for (let y = 0; y < cfg.tile; y++) {
      const row = ((oy + y) * MOSAIC_SIZE + ox) * 3;
      for (let i = 0; i < cfg.tile * 3; i++) out[row + i] = t.data[y * cfg.tile * 3 + i]!;
    }
  });
  return out;
}

/**
 * Mean of each channel over the activation cells whose centres fall inside each tile. `act` is [h, w, c] row-major at
 * the given stride (cell i's centre is at stride·i + stride/2 mosaic pixels). Pure.
 */
export function poolTiles(act: Float32Array, h: number, w: number, c: number, count: number, cfg: ProbeConfig): Float32Array[] {
  const stride = MOSAIC_SIZE / h;
  const cellsOf = (t: number, n: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const centre = stride * i + stride / 2;
      if (centre >= t * cfg.tile && centre < (t + 1) * cfg.tile) out.push(i);
    }
    return out;
  };
  const feats: Float32Array[] = [];
  for (let k = 0; k < count; k++) {
    const rows = cellsOf(Math.floor(k / cfg.grid), h);
    const cols = cellsOf(k % cfg.grid, w);
    const f = new Float32Array(c);
    for (const r of rows)
      for (const q of cols) {
        const base = (r * w + q) * c;
        for (let j = 0; j < c; j++) f[j] = f[j]! + act[base + j]!;
      }
    const n = rows.length * cols.length || 1;
    for (let j = 0; j < c; j++) f[j] = f[j]! / n;
    feats.push(f);
  }
  return feats;
}

export class BackboneProbe {
  constructor(
    private readonly graph: GraphModel,
    readonly config: ProbeConfig = DEFAULT_PROBE,
  ) {
    if (config.grid * config.tile > MOSAIC_SIZE) throw new Error('probe mosaic larger than 300x300');
  }

  /** One pooled feature vector per tile, in order. Every tensor made here is disposed before it returns or throws. */
  async features(tiles: readonly RgbPatch[]): Promise<Float32Array[]> {
    const per = this.config.grid * this.config.grid;
    const out: Float32Array[] = [];
    for (let start = 0; start < tiles.length; start += per) {
      const group = tiles.slice(start, start + per);
      const input = tf.tensor4d(packMosaic(group, this.config), [1, MOSAIC_SIZE, MOSAIC_SIZE, 3], 'int32');
      let act: tf.Tensor | undefined;
      try {
        // executeAsync because the graph has control flow; tf.tidy cannot wrap an await, so dispose by hand.
        const res = await this.graph.executeAsync(input, this.config.node);
        act = Array.isArray(res) ? res[0] : res;
        if (Array.isArray(res)) res.slice(1).forEach((t) => t.dispose());
        if (!act || act.rank !== 4) throw new Error(`probe node ${this.config.node} did not give a 4-D activation`);
        const [, h, w, c] = act.shape as [number, number, number, number];
        const data = (await act.data()) as Float32Array;
        out.push(...poolTiles(data, h, w, c, group.length, this.config));
      } finally {
        input.dispose();
        act?.dispose();
      }
    }
    return out;
  }
}
