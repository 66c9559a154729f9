// The MobileNetV2 backbone inside COCO-SSD (lite_mobilenet_v2), rebuilt from the loaded graph's own weights as plain
// TF.js ops. Unlike the graph (which resizes every input to 300x300 and runs one image at a time), this runs a batch of
// small slot tiles at their own size, stops at any block, and can start from cached activations of an earlier block.
// The graph folded each batch norm into its convolution's weights and a bias ("merged_input" and "batchnorm/sub"); the
// depthwise convolutions keep a separate scale ("batchnorm/mul"), folded here once.
import * as tf from '@tensorflow/tfjs-core';

const PREFIX = 'FeatureExtractor/MobilenetV2/';

/** A convolution: weights [kh, kw, in, out] (depthwise: [kh, kw, channels, 1]) and a bias, as plain arrays. */
export interface ConvWeights {
  readonly shape: readonly [number, number, number, number];
  readonly w: Float32Array;
  readonly b: Float32Array;
}

/** One inverted-residual block: 1x1 expansion (absent in the first), 3x3 depthwise, 1x1 linear projection. */
export interface BlockWeights {
  readonly name: string;
  readonly stride: 1 | 2;
  readonly expand: ConvWeights | null;
  readonly depthwise: ConvWeights;
  readonly project: ConvWeights;
}

export interface BackboneWeights {
  /** Pixel scaling of the graph's preprocessor: x · mul − sub maps 0..255 to −1..1. */
  readonly mul: number;
  readonly sub: number;
  /** The stem: 3x3 stride-2 convolution, 3 → 32 channels. */
  readonly stem: ConvWeights;
  readonly blocks: readonly BlockWeights[];
}

/** The strides of expanded_conv, expanded_conv_1 … expanded_conv_16 (MobileNetV2). */
const STRIDES: readonly (1 | 2)[] = [1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1];
export const BLOCK_COUNT = STRIDES.length;
export const blockName = (i: number): string => (i === 0 ? 'expanded_conv' : `expanded_conv_${i}`);

/** Anything that holds named weight tensors: a GraphModel's `weights`. */
export type WeightMap = Record<string, readonly tf.Tensor[]>;

/** Reads the backbone's weights out of the loaded COCO-SSD graph (copies: the graph keeps its own). */
export function backboneWeights(weights: WeightMap): BackboneWeights {
  const get = (name: string): tf.Tensor => {
    const t = weights[name]?.[0];
    if (!t) throw new Error(`the model has no weight ${name}`);
    return t;
  };
  const data = (name: string) => Float32Array.from(get(name).dataSync() as Float32Array);
  const conv = (path: string): ConvWeights => {
    const w = get(`${PREFIX}${path}/Conv2D/merged_input`);
    return { shape: w.shape as [number, number, number, number], w: data(`${PREFIX}${path}/Conv2D/merged_input`), b: data(`${PREFIX}${path}/BatchNorm/batchnorm/sub`) };
  };
  const depthwise = (path: string): ConvWeights => {
    const name = `${PREFIX}${path}/depthwise_weights`;
    const shape = get(name).shape as [number, number, number, number];
    const w = data(name);
    const scale = data(`${PREFIX}${path}/BatchNorm/batchnorm/mul`);
    // [kh, kw, c, 1]: channel is the fastest-varying index.
    for (let i = 0; i < w.length; i++) w[i] = w[i]! * scale[i % shape[2]]!;
    return { shape, w, b: data(`${PREFIX}${path}/BatchNorm/batchnorm/sub`) };
  };
  const blocks = STRIDES.map((stride, i): BlockWeights => {
    const n = blockName(i);
    return { name: n, stride, expand: i === 0 ? null : conv(`${n}/expand`), depthwise: depthwise(`${n}/depthwise`), project: conv(`${n}/project`) };
  });
  return {
    mul: get('Preprocessor/mul/x').dataSync()[0]!,
    sub: get('Preprocessor/sub/y').dataSync()[0]!,
    stem: conv('Conv'),
    blocks,
  };
}

/** The channels a block outputs. */
export const blockChannels = (b: BlockWeights): number => b.project.shape[3];

/** Tensors of one block's weights on the current backend. */
export interface BlockTensors {
  readonly stride: 1 | 2;
  readonly expand: { w: tf.Tensor4D; b: tf.Tensor1D } | null;
  readonly depthwise: { w: tf.Tensor4D; b: tf.Tensor1D };
  readonly project: { w: tf.Tensor4D; b: tf.Tensor1D };
  readonly residual: boolean;
}

export function blockTensors(b: BlockWeights, make: (c: ConvWeights) => { w: tf.Tensor4D; b: tf.Tensor1D } = convTensors): BlockTensors {
  const inChannels = b.expand ? b.expand.shape[2] : b.depthwise.shape[2];
  return {
    stride: b.stride,
    expand: b.expand ? make(b.expand) : null,
    depthwise: make(b.depthwise),
    project: make(b.project),
    residual: b.stride === 1 && inChannels === blockChannels(b),
  };
}

export function convTensors(c: ConvWeights): { w: tf.Tensor4D; b: tf.Tensor1D } {
  return { w: tf.tensor4d(c.w, [...c.shape]), b: tf.tensor1d(c.b) };
}

export function disposeBlock(b: BlockTensors): void {
  for (const c of [b.expand, b.depthwise, b.project]) if (c) tf.dispose([c.w, c.b]);
}

/** One inverted-residual block, forward. Differentiable (the training uses it with variables). Call inside tidy. */
export function runBlock(x: tf.Tensor4D, b: BlockTensors): tf.Tensor4D {
  let h = x;
  if (b.expand) h = tf.fused.conv2d({ x: h, filter: b.expand.w, strides: 1, pad: 'same', bias: b.expand.b, activation: 'relu6' });
  h = tf.fused.depthwiseConv2d({ x: h, filter: b.depthwise.w, strides: b.stride, pad: 'same', bias: b.depthwise.b, activation: 'relu6' });
  h = tf.fused.conv2d({ x: h, filter: b.project.w, strides: 1, pad: 'same', bias: b.project.b });
  return b.residual ? tf.add(h, x) : h;
}

/**
 * The frozen part of the backbone on the current backend: pixels (0..255, [n, h, w, 3]) → the output of block `upTo`
 * (inclusive). Owns its weight tensors: dispose() when done.
 */
export class FrozenBackbone {
  private readonly stem: { w: tf.Tensor4D; b: tf.Tensor1D };
  private readonly blocks: BlockTensors[];

  constructor(
    private readonly weights: BackboneWeights,
    readonly upTo: number,
  ) {
    if (!(upTo >= 0 && upTo < BLOCK_COUNT)) throw new Error(`no backbone block ${upTo}`);
    this.stem = convTensors(weights.stem);
    this.blocks = weights.blocks.slice(0, upTo + 1).map((b) => blockTensors(b));
  }

  /** Channels of the output. */
  get channels(): number {
    return blockChannels(this.weights.blocks[this.upTo]!);
  }

  /** Total stride of the output. */
  get stride(): number {
    return 2 * this.weights.blocks.slice(0, this.upTo + 1).reduce((s, b) => s * b.stride, 1);
  }

  /** Pixels → activations of block `upTo`. The caller owns the result; everything else is disposed. */
  run(pixels: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      // Float pixels go in as they are: a cast to their own dtype would only copy them.
      const x = pixels.dtype === 'float32' ? pixels : tf.cast(pixels, 'float32');
      let h = tf.sub(tf.mul(x, this.weights.mul), this.weights.sub) as tf.Tensor4D;
      h = tf.fused.conv2d({ x: h, filter: this.stem.w, strides: 2, pad: 'same', bias: this.stem.b, activation: 'relu6' });
      for (const b of this.blocks) h = runBlock(h, b);
      return h;
    });
  }

  dispose(): void {
    tf.dispose([this.stem.w, this.stem.b]);
    this.blocks.forEach(disposeBlock);
  }
}
