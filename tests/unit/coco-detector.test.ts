// The real COCO-SSD weights on real photos, through the same detector module the app's worker uses (WASM backend).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CocoDetector } from '../../src/detector/coco-detector.ts';
import { boxIoU } from '../../src/occupancy/geometry.ts';
import type { Box } from '../../src/occupancy/types.ts';
import { decodeImage } from '../../scripts/lib/decode-image.ts';
import { initTf, modelFromDir } from '../../scripts/lib/node-tf.ts';
import { fixture, fixturesAvailable } from '../support/fixtures.ts';

const haveFixtures = fixturesAvailable();

describe.skipIf(!haveFixtures)('CocoDetector on real photos (real weights, WASM)', () => {
  let detector: CocoDetector;
  beforeAll(async () => {
    await initTf('wasm');
    detector = await CocoDetector.load(modelFromDir());
  });
  afterAll(() => detector?.dispose());

  it('finds the bus and the car in the bus photo, where they are', async () => {
    const frame = decodeImage(fixture('photos', 'pexels_double_decker_bus.jpg'));
    const found = await detector.detect(frame);
    const px = (b: Box) => ({ x: b.x * frame.width, y: b.y * frame.height, w: b.w * frame.width, h: b.h * frame.height });
    const bus = found.find((d) => d.label === 'bus');
    expect(bus, JSON.stringify(found)).toBeDefined();
    // The double-decker fills the middle of the photo: left edge ~60 px, top ~120 px, ~420 px wide, ~270 px high.
    expect(boxIoU(px(bus!.box), { x: 60, y: 123, w: 424, h: 272 })).toBeGreaterThan(0.8);
    expect(bus!.score).toBeGreaterThan(0.8);
    // A small car at the lower left edge, partly cut off.
    const car = found.find((d) => d.label === 'car' && boxIoU(px(d.box), { x: 13, y: 286, w: 51, h: 43 }) > 0.6);
    expect(car, JSON.stringify(found)).toBeDefined();
  });

  it('reports vehicles only, in normalised coordinates', async () => {
    const frame = decodeImage(fixture('photos', 'Background_Subtraction_Tutorial_frame.jpg'));
    const found = await detector.detect(frame);
    // This street scene has people (which COCO-SSD finds) and two cars at the top right.
    expect(found.length).toBeGreaterThanOrEqual(2);
    for (const d of found) {
      expect(['car', 'truck', 'bus', 'motorcycle']).toContain(d.label);
      expect(d.box.x).toBeGreaterThanOrEqual(0);
      expect(d.box.x + d.box.w).toBeLessThanOrEqual(1);
      expect(d.box.y + d.box.h).toBeLessThanOrEqual(1);
    }
    expect(found.every((d) => d.box.x > 0.75 && d.box.y < 0.25)).toBe(true);
  });

  it('leaks no tensors: the count after 10 frames equals the count after the first', async () => {
    const frame = decodeImage(fixture('photos', 'motion_original.jpg'));
    await detector.detect(frame);
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) await detector.detect(frame);
    expect(tf.memory().numTensors).toBe(after1);
  });
});
