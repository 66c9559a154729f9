import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTf, modelFromDir } from '../../../scripts/lib/node-tf.ts';
import { CocoDetector } from '../../../src/detector/coco-detector.ts';
import { backboneWeights, FrozenBackbone, type WeightMap } from '../../../src/evidence/mobilenet.ts';
import { seededRandom } from '../../support/seeded-random.ts';

describe('mobilenet (the backbone rebuilt from the graph)', () => {
  let detector: CocoDetector;
  beforeAll(async () => {
    await initTf('wasm');
    detector = await CocoDetector.load(modelFromDir());
  });
  afterAll(() => detector.dispose());

  it("gives the graph's own activations of expanded_conv_5 on a batch of small tiles", () => {
    const rnd = seededRandom(9);
    const pixels = tf.tensor4d(Float32Array.from({ length: 2 * 64 * 32 * 3 }, () => Math.floor(rnd() * 256)), [2, 64, 32, 3]);
    const stem = new FrozenBackbone(backboneWeights(detector.graph.weights as WeightMap), 5);
    expect([stem.stride, stem.channels]).toEqual([8, 32]);
    const ours = stem.run(pixels);
    // The graph fed after its preprocessor (which would resize to 300x300), at the same block's output.
    const scaled = tf.sub(tf.mul(pixels, 2 / 255), 1);
    const graph = detector.graph.execute({ 'Preprocessor/sub': scaled }, 'FeatureExtractor/MobilenetV2/expanded_conv_5/ArithmeticOptimizer/AddOpsRewrite_add') as tf.Tensor;
    expect(ours.shape).toEqual([2, 8, 4, 32]);
    expect(graph.shape).toEqual(ours.shape);
    const diff = tf.max(tf.abs(tf.sub(ours, graph))).dataSync()[0]!;
    const scale = tf.max(tf.abs(graph)).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-3 * scale);
    tf.dispose([pixels, ours, scaled, graph]);
    stem.dispose();
  });
});
