// The tile CNN's section of weights.json (optional: without it the backbone probe makes the `rectified` features) and
// its validating reader. Float arrays travel as base64 of little-endian float32, so the JSON stays small. Pure: the
// TF.js side is tile-cnn.ts.
import type { SlotCnnLayer } from './slot-cnn.ts';

/**
 * How a tile's pixels are scaled before the network: `raw` as they are (only into the frozen stem, which has its own
 * preprocessing), `tile` by the tile's own mean and spread, `frame` by those of every slot patch of the frame.
 */
export type TileCnnNorm = 'raw' | 'tile' | 'frame';

export interface TileCnnWeights {
  /**
   * COCO-SSD's own MobileNetV2 (mobilenet.ts), frozen, runs first up to block expanded_conv_<stem>; null: the pixels go
   * straight into the trained convolutions.
   */
  readonly stem: number | null;
  /** The rectified tile in pixels (tiles.ts rectifiedTile). */
  readonly tile: { readonly width: number; readonly height: number };
  /** The slot polygon's enlargement before it is warped (tiles.ts RECTIFIED_SCALE is the probe's). */
  readonly enlarge: number;
  /**
   * The warp's supersampling step for the tile (warp.ts SUPERSAMPLE_STEP, the hand patch's, when absent): one more
   * sub-sample per axis each time the slot is this many times bigger than the tile.
   */
  readonly sampling?: number;
  readonly norm: TileCnnNorm;
  /**
   * A tile whose logit (the `rectified` head on its features) is nearer 0 than this also goes through the network
   * turned by 180°, and the two features are averaged (the mean of the two logits): test-time augmentation where the
   * slot is unsure only. Absent or 0: never.
   */
  readonly turnBelow?: number;
  /**
   * The trained 3x3 convolutions (batch norm folded in, ReLU), then a mean over the cells: the slot's features. The
   * linear head on them is the weights' `rectified` model, so the fusion and calibration stay as they are.
   */
  readonly layers: readonly SlotCnnLayer[];
}

export function encodeFloats(a: Float32Array): string {
  const bytes = new Uint8Array(a.length * 4);
  const view = new DataView(bytes.buffer);
  a.forEach((v, i) => view.setFloat32(i * 4, v, true));
  let s = '';
  // Chunks: String.fromCharCode takes its characters as arguments.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function decodeFloats(b64: unknown, what: string): Float32Array {
  if (typeof b64 !== 'string') throw new Error(`weights: ${what} is not a base64 string`);
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    throw new Error(`weights: ${what} is not valid base64`);
  }
  if (bin.length % 4 !== 0) throw new Error(`weights: ${what} is ${bin.length} bytes, not whole float32s`);
  const view = new DataView(Uint8Array.from(bin, (c) => c.charCodeAt(0)).buffer);
  const out = new Float32Array(bin.length / 4);
  for (let i = 0; i < out.length; i++) {
    out[i] = view.getFloat32(i * 4, true);
    if (!Number.isFinite(out[i])) throw new Error(`weights: ${what}[${i}] is not finite`);
  }
  return out;
}

const isInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/**
 * Checks the tile CNN section; `headLength` is the length of the weights' `rectified` model, which must read the last
 * layer's channels. Whether the stem's channels fit the first layer is checked when the graph is there (tile-cnn.ts).
 */
export function parseTileCnn(json: unknown, headLength: number): TileCnnWeights {
  const o = json as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') throw new Error('weights: tileCnn is not an object');
  const stem = o.stem ?? null;
  if (stem !== null && !isInt(stem, 0, 16)) throw new Error('weights: tileCnn.stem must be null or a MobileNetV2 block 0..16');
  const tile = o.tile as { width?: unknown; height?: unknown } | undefined;
  if (!tile || !isInt(tile.width, 1, 512) || !isInt(tile.height, 1, 512)) throw new Error('weights: tileCnn.tile needs integer width and height (1..512)');
  const enlarge = o.enlarge;
  if (typeof enlarge !== 'number' || !(enlarge >= 1 && enlarge <= 4)) throw new Error('weights: tileCnn.enlarge must be a number from 1 to 4');
  const sampling = o.sampling;
  if (sampling !== undefined && (typeof sampling !== 'number' || !(sampling >= 1 && sampling <= 8))) throw new Error('weights: tileCnn.sampling must be a number from 1 to 8');
  const turnBelow = o.turnBelow;
  if (turnBelow !== undefined && (typeof turnBelow !== 'number' || !(turnBelow >= 0 && turnBelow <= 50))) throw new Error('weights: tileCnn.turnBelow must be a number from 0 to 50');
  const norm = o.norm;
  if (norm !== 'raw' && norm !== 'tile' && norm !== 'frame') throw new Error('weights: tileCnn.norm must be raw, tile or frame');
  if (norm === 'raw' && stem === null) throw new Error('weights: tileCnn.norm raw needs a stem (raw pixels into the convolutions were never trained)');
  if (!Array.isArray(o.layers) || o.layers.length === 0) throw new Error('weights: tileCnn.layers must be a non-empty list');
  let channels = stem === null ? 3 : null;
  const layers = o.layers.map((l: unknown, i): SlotCnnLayer => {
    const L = l as Record<string, unknown> | null;
    const what = `tileCnn.layers[${i}]`;
    if (!L || (L.stride !== 1 && L.stride !== 2) || !isInt(L.inChannels, 1, 4096) || !isInt(L.outChannels, 1, 4096)) {
      throw new Error(`weights: ${what} needs stride 1 or 2 and integer inChannels and outChannels`);
    }
    if (channels !== null && L.inChannels !== channels) throw new Error(`weights: ${what} reads ${L.inChannels} channels, the layer before gives ${channels}`);
    channels = L.outChannels;
    const kernel = decodeFloats(L.kernel, `${what}.kernel`);
    const bias = decodeFloats(L.bias, `${what}.bias`);
    if (kernel.length !== 9 * L.inChannels * L.outChannels) throw new Error(`weights: ${what}.kernel needs 3x3x${L.inChannels}x${L.outChannels} floats, has ${kernel.length}`);
    if (bias.length !== L.outChannels) throw new Error(`weights: ${what}.bias needs ${L.outChannels} floats, has ${bias.length}`);
    return { stride: L.stride, inChannels: L.inChannels, outChannels: L.outChannels, kernel, bias };
  });
  if (channels !== headLength) throw new Error(`weights: the rectified head reads ${headLength} features, the tile CNN gives ${channels}`);
  return {
    stem,
    tile: { width: tile.width, height: tile.height },
    enlarge,
    ...(sampling === undefined ? {} : { sampling }),
    norm,
    ...(turnBelow === undefined ? {} : { turnBelow }),
    layers,
  };
}

/** The section as weights.json holds it (what `npm run train` writes). */
export function tileCnnJson(w: TileCnnWeights): Record<string, unknown> {
  return { ...w, layers: w.layers.map((l) => ({ ...l, kernel: encodeFloats(l.kernel), bias: encodeFloats(l.bias) })) };
}
