// The trained weights the app ships (weights.json, written by `npm run train`) and a validating reader for them.
import type { LinearModel } from './logistic.ts';
import { HAND_FEATURE_COUNT } from './hand-features.ts';
import type { ProbeConfig } from './probe.ts';
import { parseTileCnn, type TileCnnWeights } from './tile-cnn-weights.ts';

/** The inputs of the fusion model, in order: the three base logits and the detections' footprint support. */
export const FUSION_INPUTS = ['hand', 'square', 'rectified', 'detection'] as const;

export interface TrainedFrame {
  readonly lot: string;
  /** The image's path relative to its lot folder, as in its label file. */
  readonly image: string;
  readonly sha256: string;
}

export interface EvidenceWeights {
  readonly format: 'lotwatch-evidence-weights';
  readonly version: 1;
  /** A short content hash: calibrations fitted on logits of other weights are not reused. */
  readonly id: string;
  readonly probe: ProbeConfig;
  /** Hand features → logit. Also the whole of the no-model fallback's base evidence. */
  readonly hand: LinearModel;
  /** Backbone probe on the square context crop (null when the probe config does not use it), and on the rectified slot. */
  readonly square: LinearModel | null;
  readonly rectified: LinearModel;
  /**
   * When present, the tile CNN (tile-cnn.ts) makes the `rectified` features instead of the backbone probe, and
   * `rectified` is its linear head; `probe` is then unused.
   */
  readonly tileCnn?: TileCnnWeights;
  /** Over FUSION_INPUTS. */
  readonly fusion: LinearModel;
  /** Over [hand logit]: the no-model fallback. */
  readonly patchOnly: LinearModel;
  readonly training: {
    readonly command: string;
    readonly date: string;
    readonly frames: readonly TrainedFrame[];
    readonly options: Readonly<Record<string, number | string | boolean>>;
  };
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function linear(v: unknown, length: number, what: string): LinearModel {
  const o = v as { w?: unknown; b?: unknown } | null;
  if (!o || typeof o !== 'object' || !Array.isArray(o.w) || !isNum(o.b)) throw new Error(`weights: ${what} is not a linear model`);
  if (o.w.length !== length || !o.w.every(isNum)) throw new Error(`weights: ${what} needs ${length} finite weights, has ${o.w.length}`);
  return { w: o.w as number[], b: o.b };
}

/** Checks a parsed weights file; throws with the reason when it is not one. */
export function parseWeights(json: unknown): EvidenceWeights {
  const o = json as Record<string, unknown> | null;
  if (!o || o.format !== 'lotwatch-evidence-weights' || o.version !== 1) throw new Error('weights: not a lotwatch-evidence-weights v1 file');
  if (typeof o.id !== 'string') throw new Error('weights: missing id');
  const probe = o.probe as Partial<ProbeConfig> | undefined;
  if (!probe || typeof probe.node !== 'string' || !isNum(probe.tile) || !isNum(probe.grid)) throw new Error('weights: bad probe config');
  const crops = Array.isArray(probe.crops) ? probe.crops : [];
  if (!crops.includes('rectified') || !crops.every((c) => c === 'square' || c === 'rectified')) throw new Error('weights: probe crops must include rectified');
  const channels = (o.rectified as { w?: unknown[] } | undefined)?.w?.length ?? 0;
  const tileCnn = o.tileCnn === undefined || o.tileCnn === null ? undefined : parseTileCnn(o.tileCnn, channels);
  // The tile CNN looks at the rectified slot only: a square head would have no features to read.
  if (tileCnn && crops.includes('square')) throw new Error('weights: with a tileCnn, probe crops must be [rectified]');
  const training = o.training as EvidenceWeights['training'] | undefined;
  if (!training || !Array.isArray(training.frames)) throw new Error('weights: missing the list of training frames');
  for (const f of training.frames) {
    if (typeof f?.lot !== 'string' || typeof f.image !== 'string' || typeof f.sha256 !== 'string') throw new Error('weights: bad training frame entry');
  }
  return {
    format: 'lotwatch-evidence-weights',
    version: 1,
    id: o.id,
    probe: {
      node: probe.node,
      tile: probe.tile,
      grid: probe.grid,
      ...(isNum(probe.tileHeight) ? { tileHeight: probe.tileHeight } : {}),
      ...(isNum(probe.rows) ? { rows: probe.rows } : {}),
      crops,
    },
    hand: linear(o.hand, HAND_FEATURE_COUNT, 'hand'),
    square: crops.includes('square') ? linear(o.square, channels, 'square') : null,
    rectified: linear(o.rectified, channels, 'rectified'),
    ...(tileCnn ? { tileCnn } : {}),
    fusion: linear(o.fusion, FUSION_INPUTS.length, 'fusion'),
    patchOnly: linear(o.patchOnly, 1, 'patchOnly'),
    training,
  };
}
