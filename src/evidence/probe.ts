// The COCO-SSD backbone as a feature extractor: slot tiles packed into 300x300 mosaics, one graph call per mosaic, the
// activations of one layer mean-pooled over each tile's cells. This module owns every tensor it makes.
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { RECTIFIED_SCALE, type TileCrop, type TileFeatureExtractor } from './tiles.ts';
import { SUPERSAMPLE_STEP, type RgbPatch } from './warp.ts';

export interface ProbeConfig {
  /** The layer whose activations are pooled. */
  readonly node: string;
  /** Width of one tile in pixels, and tiles per mosaic row: grid x tile <= 300. */
  readonly tile: number;
  readonly grid: number;
  /** Height of a tile and rows per mosaic, when tiles are not square (default: tile and grid). */
  readonly tileHeight?: number;
  readonly rows?: number;
  /** Which pictures of each slot go through the backbone (tiles.ts). */
  readonly crops: readonly ProbeCrop[];
}

export type ProbeCrop = TileCrop;

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

/** Tile size and layout of a probe configuration. */
export function tileLayout(cfg: ProbeConfig): { width: number; height: number; cols: number; rows: number; perMosaic: number } {
  const height = cfg.tileHeight ?? cfg.tile;
  const rows = cfg.rows ?? cfg.grid;
  return { width: cfg.tile, height, cols: cfg.grid, rows, perMosaic: cfg.grid * rows };
}

/** Packs up to cols x rows tiles into one RGB mosaic (int32, zero padding). Pure. */
export function packMosaic(tiles: readonly RgbPatch[], cfg: ProbeConfig): Int32Array {
  const out = new Int32Array(MOSAIC_SIZE * MOSAIC_SIZE * 3);
  const L = tileLayout(cfg);
  tiles.forEach((t, k) => {
    if (t.width !== L.width || t.height !== L.height) throw new Error(`tile ${k} is ${t.width}x${t.height}, expected ${L.width}x${L.height}`);
    const ox = (k % L.cols) * L.width;
    const oy = Math.floor(k / L.cols) * L.height;
    for (let y = 0; y < L.height; y++) {
      const row = ((oy + y) * MOSAIC_SIZE + ox) * 3;
      for (let i = 0; i < L.width * 3; i++) out[row + i] = t.data[y * L.width * 3 + i]!;
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
  const L = tileLayout(cfg);
  const cellsOf = (t: number, size: number, n: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const centre = stride * i + stride / 2;
      if (centre >= t * size && centre < (t + 1) * size) out.push(i);
    }
    return out;
  };
  const feats: Float32Array[] = [];
  for (let k = 0; k < count; k++) {
    const rows = cellsOf(Math.floor(k / L.cols), L.height, h);
    const cols = cellsOf(k % L.cols, L.width, w);
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

export class BackboneProbe implements TileFeatureExtractor {
  readonly tile: { readonly width: number; readonly height: number };
  readonly mosaic: number;
  readonly enlarge = RECTIFIED_SCALE;
  readonly sampling = SUPERSAMPLE_STEP;
  readonly needsFrameLight = false;
  readonly wide = null;

  constructor(
    private readonly graph: GraphModel,
    readonly config: ProbeConfig = DEFAULT_PROBE,
  ) {
    const L = tileLayout(config);
    if (L.cols * L.width > MOSAIC_SIZE || L.rows * L.height > MOSAIC_SIZE) throw new Error('probe mosaic larger than 300x300');
    this.tile = { width: L.width, height: L.height };
    this.mosaic = L.perMosaic;
  }

  get crops(): readonly ProbeCrop[] {
    return this.config.crops;
  }

  /** Nothing to free: the graph is the detector's, and features() disposes what it makes. */
  dispose(): void {}

  /** One pooled feature vector per tile, in order. Every tensor made here is disposed before it returns or throws. */
  async features(tiles: readonly RgbPatch[]): Promise<Float32Array[]> {
    const per = tileLayout(this.config).perMosaic;
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
