// Weights saved by `scripts/tile-cnn-experiment.ts --save FILE` → the weights' tileCnn section and its `rectified` head.
// The experiment's file holds the trained convolutions and head only; what it was run with (--stem, --size, the 1.2x
// rectified tiles, --stem-input) is given here.
import type { LinearModel } from '../../src/evidence/logistic.ts';
import { decodeFloats, parseTileCnn, type TileCnnWeights } from '../../src/evidence/tile-cnn-weights.ts';

export function fromExperiment(saved: unknown, run: Omit<TileCnnWeights, 'layers'>): { tileCnn: TileCnnWeights; rectified: LinearModel } {
  const o = saved as { layers?: unknown; head?: { w?: unknown; b?: unknown } } | null;
  if (!o?.head || typeof o.head.b !== 'number') throw new Error('not a tile-cnn-experiment --save file: no head');
  const w = Array.from(decodeFloats(o.head.w, 'head.w'));
  return { tileCnn: parseTileCnn({ ...run, layers: o.layers }, w.length), rectified: { w, b: o.head.b } };
}
