import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../../scripts/lib/node-tf.ts';
import { lightStats, MIN_SPREAD, normaliseTiles, SlotCnn, type SlotCnnWeights } from '../../../src/evidence/slot-cnn.ts';
import type { RgbPatch } from '../../../src/evidence/warp.ts';
import { seededRandom } from '../../support/seeded-random.ts';

const W = 8;
const H = 16;
const tile = (rnd: () => number, base: number, amp: number): RgbPatch => ({
  width: W,
  height: H,
  data: Uint8Array.from({ length: W * H * 3 }, () => Math.max(0, Math.min(255, Math.round(base + (rnd() - 0.5) * amp)))),
});

function randomWeights(rnd: () => number, norm: 'tile' | 'frame'): SlotCnnWeights {
  const shape = [
    [3, 4, 2],
    [4, 6, 1],
  ] as const;
  return {
    tile: { width: W, height: H },
    norm,
    layers: shape.map(([inChannels, outChannels, stride]) => ({
      stride,
      inChannels,
      outChannels,
      kernel: Float32Array.from({ length: 9 * inChannels * outChannels }, () => rnd() - 0.5),
      bias: Float32Array.from({ length: outChannels }, () => (rnd() - 0.5) * 0.1),
    })),
    head: { w: Float32Array.from({ length: 6 }, () => rnd() - 0.5), b: 0.1 },
  };
}

describe('slot-cnn', () => {
  beforeAll(async () => {
    await initTf('wasm');
  });

  it('scales a tile by its own light, and a flat tile no more than MIN_SPREAD', () => {
    const rnd = seededRandom(3);
    const t = tile(rnd, 100, 60);
    const x = normaliseTiles([t], 'tile');
    const m = [0, 0, 0];
    x.forEach((v, i) => (m[i % 3]! += v));
    for (const c of m) expect(Math.abs(c / (W * H))).toBeLessThan(1e-4);
    const flat = normaliseTiles([tile(rnd, 90, 2)], 'tile');
    expect(Math.max(...flat.map(Math.abs))).toBeLessThanOrEqual(2 / MIN_SPREAD) // ±1 grey level, not stretched to ±1;
    expect(lightStats([]).spread).toBe(MIN_SPREAD);
  });

  it('with frame scaling, keeps a dark slot darker than the lot', () => {
    const rnd = seededRandom(4);
    const x = normaliseTiles([tile(rnd, 60, 20), tile(rnd, 140, 20)], 'frame');
    const n = W * H * 3;
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(x.subarray(0, n))).toBeLessThan(-0.5);
    expect(mean(x.subarray(n))).toBeGreaterThan(0.5);
  });

  it('gives every tile the logit it gets alone (any subset of slots can be recomputed), and matches a hand-computed net', () => {
    const rnd = seededRandom(5);
    const cnn = new SlotCnn(randomWeights(rnd, 'tile'));
    const tiles = Array.from({ length: 5 }, (_, i) => tile(rnd, 50 + 30 * i, 80));
    const before = tf.memory().numTensors;
    const together = cnn.logits(tiles);
    const alone = tiles.map((t) => cnn.logits([t])[0]!);
    expect(tf.memory().numTensors).toBe(before);
    alone.forEach((v, i) => expect(together[i]).toBeCloseTo(v, 4));
    expect(new Set(together).size).toBe(5);
    cnn.dispose();

    // Zero kernels: every position holds ReLU(bias), so the logit is head · ReLU(last bias) + b.
    const zero: SlotCnnWeights = {
      tile: { width: W, height: H },
      norm: 'tile',
      layers: [{ stride: 2, inChannels: 3, outChannels: 2, kernel: new Float32Array(54), bias: Float32Array.of(0.5, -1) }],
      head: { w: Float32Array.of(2, 3), b: 0.25 },
    };
    const z = new SlotCnn(zero);
    expect(z.logits([tiles[0]!])[0]).toBeCloseTo(1.25, 5);
    expect(z.logits([]).length).toBe(0);
    z.dispose();
  });
});
