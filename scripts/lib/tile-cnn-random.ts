// Tile CNN weights of a chosen shape with random values: the cost does not depend on the values (bench:evidence
// --random-tile-cnn), and the mechanics tests (batching, tensors, change gating) need no training.
import type { TileCnnNorm, TileCnnWeights } from '../../src/evidence/tile-cnn-weights.ts';
import type { EvidenceWeights } from '../../src/evidence/weights.ts';

export interface TileCnnShape {
  readonly stem: number | null;
  /** The stem's output channels (expanded_conv_5: 32), or 3 without a stem. */
  readonly inChannels: number;
  readonly tile: { readonly width: number; readonly height: number };
  readonly enlarge: number;
  readonly norm: TileCnnNorm;
  readonly channels: readonly number[];
  readonly strides: readonly (1 | 2)[];
}

/** Variant C of /work/notes/tile.md: the best measured (session CV 0.9539), ~0.5x a detect() per 100 slots. */
export const MEASURED_SHAPE: TileCnnShape = { stem: 5, inChannels: 32, tile: { width: 32, height: 64 }, enlarge: 1.2, norm: 'frame', channels: [64, 64], strides: [1, 2] };

export function randomTileCnn(rnd: () => number, shape: TileCnnShape = MEASURED_SHAPE): TileCnnWeights {
  let cin = shape.inChannels;
  const layers = shape.channels.map((c, i) => {
    // He-uniform: activations keep their scale through the layers.
    const limit = Math.sqrt(6 / (9 * cin));
    const l = { stride: shape.strides[i]!, inChannels: cin, outChannels: c, kernel: Float32Array.from({ length: 9 * cin * c }, () => (2 * rnd() - 1) * limit), bias: Float32Array.from({ length: c }, () => (rnd() - 0.5) * 0.1) };
    cin = c;
    return l;
  });
  return { stem: shape.stem, tile: shape.tile, enlarge: shape.enlarge, norm: shape.norm, layers };
}

/** `weights` with `cnn` in place of the probe, and a random `rectified` head of the CNN's width. */
export function withTileCnn(weights: EvidenceWeights, cnn: TileCnnWeights, rnd: () => number): EvidenceWeights {
  const width = cnn.layers[cnn.layers.length - 1]!.outChannels;
  return { ...weights, id: `${weights.id}+random-tile-cnn`, tileCnn: cnn, rectified: { w: Array.from({ length: width }, () => (rnd() - 0.5) * 0.5), b: 0 } };
}

/** `cnn` with a random second opinion (tile-cnn-weights.ts TileCnnSecondOpinion) of the same layers' shape. */
export function withRandomSecondOpinion(cnn: TileCnnWeights, rnd: () => number, consultBelow: number, enlarge = 2): TileCnnWeights {
  const inChannels = cnn.layers[0]!.inChannels;
  const layers = randomTileCnn(rnd, { ...MEASURED_SHAPE, inChannels, channels: cnn.layers.map((l) => l.outChannels), strides: cnn.layers.map((l) => l.stride) }).layers;
  const w = Float32Array.from({ length: layers[layers.length - 1]!.outChannels }, () => (rnd() - 0.5) * 0.5);
  return { ...cnn, second: { enlarge, consultBelow, layers, head: { w, b: 0.05 } } };
}
