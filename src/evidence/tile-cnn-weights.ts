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
  /** A second network consulted where this one is unsure (absent: never). */
  readonly second?: TileCnnSecondOpinion;
}

/**
 * A second network on a wider view of the slot (more of its surroundings: the neighbours' wheels, the lane), with the
 * same stem, tile size and light scaling. Where the first network's logit (turned, as above) is nearer 0 than
 * `consultBelow`, the slot's rectified logit is the mean of the two networks' logits; its own logit turns unsure tiles
 * as the first does (`turnBelow`). Session CV of the CNN alone: 0.9576 → 0.9639 (docs/accuracy.md).
 */
export interface TileCnnSecondOpinion {
  /** The slot polygon's enlargement before it is warped (the first network's is `enlarge`). */
  readonly enlarge: number;
  /** The warp's supersampling step (warp.ts SUPERSAMPLE_STEP when absent). */
  readonly sampling?: number;
  readonly consultBelow: number;
  readonly layers: readonly SlotCnnLayer[];
  /** Its own linear head on its pooled last layer. */
  readonly head: { readonly w: Float32Array; readonly b: number };
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
  const layers = parseLayers(o.layers, stem === null ? 3 : null, 'tileCnn.layers');
  const channels = layers[layers.length - 1]!.outChannels;
  if (channels !== headLength) throw new Error(`weights: the rectified head reads ${headLength} features, the tile CNN gives ${channels}`);
  return {
    stem,
    tile: { width: tile.width, height: tile.height },
    enlarge,
    ...(sampling === undefined ? {} : { sampling }),
    norm,
    ...(turnBelow === undefined ? {} : { turnBelow }),
    layers,
    ...(o.second === undefined || o.second === null ? {} : { second: parseSecond(o.second, layers[0]!.inChannels) }),
  };
}

/** A list of 3x3 layers, each reading what the one before gives; `inChannels` of the first when it is known. */
function parseLayers(list: unknown, inChannels: number | null, what: string): SlotCnnLayer[] {
  if (!Array.isArray(list) || list.length === 0) throw new Error(`weights: ${what} must be a non-empty list`);
  let channels = inChannels;
  return list.map((l: unknown, i): SlotCnnLayer => {
    const L = l as Record<string, unknown> | null;
    const at = `${what}[${i}]`;
    if (!L || (L.stride !== 1 && L.stride !== 2) || !isInt(L.inChannels, 1, 4096) || !isInt(L.outChannels, 1, 4096)) {
      throw new Error(`weights: ${at} needs stride 1 or 2 and integer inChannels and outChannels`);
    }
    if (channels !== null && L.inChannels !== channels) throw new Error(`weights: ${at} reads ${L.inChannels} channels, the layer before gives ${channels}`);
    channels = L.outChannels;
    const kernel = decodeFloats(L.kernel, `${at}.kernel`);
    const bias = decodeFloats(L.bias, `${at}.bias`);
    if (kernel.length !== 9 * L.inChannels * L.outChannels) throw new Error(`weights: ${at}.kernel needs 3x3x${L.inChannels}x${L.outChannels} floats, has ${kernel.length}`);
    if (bias.length !== L.outChannels) throw new Error(`weights: ${at}.bias needs ${L.outChannels} floats, has ${bias.length}`);
    return { stride: L.stride, inChannels: L.inChannels, outChannels: L.outChannels, kernel, bias };
  });
}

/** The second opinion: it reads what the first network's first layer reads (the same stem, or pixels). */
function parseSecond(json: unknown, inChannels: number): TileCnnSecondOpinion {
  const o = json as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') throw new Error('weights: tileCnn.second is not an object');
  const { enlarge, sampling, consultBelow } = o;
  if (typeof enlarge !== 'number' || !(enlarge >= 1 && enlarge <= 4)) throw new Error('weights: tileCnn.second.enlarge must be a number from 1 to 4');
  if (sampling !== undefined && (typeof sampling !== 'number' || !(sampling >= 1 && sampling <= 8))) throw new Error('weights: tileCnn.second.sampling must be a number from 1 to 8');
  if (typeof consultBelow !== 'number' || !(consultBelow >= 0 && consultBelow <= 50)) throw new Error('weights: tileCnn.second.consultBelow must be a number from 0 to 50');
  const layers = parseLayers(o.layers, inChannels, 'tileCnn.second.layers');
  const head = o.head as { w?: unknown; b?: unknown } | null;
  if (!head || typeof head !== 'object' || typeof head.b !== 'number' || !Number.isFinite(head.b)) throw new Error('weights: tileCnn.second.head needs w and a finite b');
  const w = decodeFloats(head.w, 'tileCnn.second.head.w');
  const last = layers[layers.length - 1]!.outChannels;
  if (w.length !== last) throw new Error(`weights: tileCnn.second.head reads ${w.length} features, its last layer gives ${last}`);
  return { enlarge, ...(sampling === undefined ? {} : { sampling }), consultBelow, layers, head: { w, b: head.b } };
}

/** The section as weights.json holds it (what `npm run train` writes). */
export function tileCnnJson(w: TileCnnWeights): Record<string, unknown> {
  const layers = (ls: readonly SlotCnnLayer[]) => ls.map((l) => ({ ...l, kernel: encodeFloats(l.kernel), bias: encodeFloats(l.bias) }));
  const { second, ...first } = w;
  return {
    ...first,
    layers: layers(w.layers),
    ...(second ? { second: { ...second, layers: layers(second.layers), head: { w: encodeFloats(second.head.w), b: second.head.b } } } : {}),
  };
}
