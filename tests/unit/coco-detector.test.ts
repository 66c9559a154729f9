// The real COCO-SSD weights on real photos, through the same detector module the app's worker uses (WASM backend).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

  // Hand labels (tests/unit/fixtures/photo-vehicles.json): what a person sees, not what the model said.
  const labels = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'photo-vehicles.json'), 'utf8')) as {
    photos: Record<string, { size: [number, number]; vehicles: { label: string; box: [number, number, number, number]; clear: boolean }[] }>;
  };
  const asBox = ([x, y, w, h]: [number, number, number, number]): Box => ({ x, y, w, h });
  /** Share of box a's area that lies inside box b. */
  const insideShare = (a: Box, b: Box) =>
    (Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y))) / (a.w * a.h);

  it.each(Object.keys(labels.photos))('%s: every clearly visible vehicle is found where it is, and nothing else', async (name) => {
    const photo = labels.photos[name]!;
    const frame = decodeImage(fixture('photos', name));
    expect([frame.width, frame.height]).toEqual(photo.size);
    const found = await detector.detect(frame);
    const px = (b: Box): Box => ({ x: b.x * frame.width, y: b.y * frame.height, w: b.w * frame.width, h: b.h * frame.height });
    for (const v of photo.vehicles.filter((v) => v.clear)) {
      const best = Math.max(0, ...found.map((d) => boxIoU(px(d.box), asBox(v.box))));
      expect(best, `${v.label} at ${v.box.join(',')}: ${JSON.stringify(found)}`).toBeGreaterThan(0.7);
    }
    // Confident detections lie on labelled vehicles (people, posts and buildings are not vehicles).
    for (const d of found.filter((d) => d.score >= 0.5)) {
      const on = Math.max(...photo.vehicles.map((v) => insideShare(px(d.box), asBox(v.box))));
      expect(on, `${d.label} ${d.score.toFixed(2)} at ${JSON.stringify(px(d.box))}`).toBeGreaterThan(0.5);
    }
  });

  it('reports vehicles only, in normalised coordinates', async () => {
    const frame = decodeImage(fixture('photos', 'Background_Subtraction_Tutorial_frame.jpg'));
    const found = await detector.detect(frame);
    // This street scene has five people, whom COCO-SSD finds, and two vehicles at the top right.
    expect(found.length).toBeGreaterThanOrEqual(2);
    for (const d of found) {
      expect(['car', 'truck', 'bus', 'motorcycle']).toContain(d.label);
      expect(d.box.x).toBeGreaterThanOrEqual(0);
      expect(d.box.x + d.box.w).toBeLessThanOrEqual(1);
      expect(d.box.y + d.box.h).toBeLessThanOrEqual(1);
    }
  });

  it('leaks no tensors: the count after 10 frames equals the count after the first', async () => {
    const frame = decodeImage(fixture('photos', 'motion_original.jpg'));
    await detector.detect(frame);
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) await detector.detect(frame);
    expect(tf.memory().numTensors).toBe(after1);
  });
});
