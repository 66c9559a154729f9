// The real COCO-SSD weights on real photos, through the same detector module the app's worker uses (WASM backend).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CocoDetector, DEFAULT_DETECT, suppressBoxes } from '../../src/detector/coco-detector.ts';
import { toVehicleDetections } from '../../src/detector/vehicles.ts';
import { loadAnalysisFrame } from '../../scripts/lib/lots.ts';
import { boxIoU } from '../../src/occupancy/geometry.ts';
import type { Box } from '../../src/occupancy/types.ts';
import { decodeImage } from '../../scripts/lib/decode-image.ts';
import { initTf, modelFromDir } from '../../scripts/lib/node-tf.ts';
import { fixture, fixturesAvailable } from '../support/fixtures.ts';

const haveFixtures = fixturesAvailable();

describe('suppressBoxes (non-maximum suppression per vehicle class)', () => {
  // Boxes as (top, left, bottom, right); scores per box for car, motorcycle, bus, truck.
  const box = (left: number, width: number) => [0.1, left, 0.3, left + width];
  const opts = { ...DEFAULT_DETECT, maxBoxes: 10 };
  it('keeps two neighbouring cars whose boxes overlap by 0.4 (coco-ssd suppresses at minScore = 0.3), with their scores', () => {
    // Two 0.2-wide boxes 0.085 apart overlap by IoU 0.4.
    const boxes = [...box(0.1, 0.2), ...box(0.185, 0.2)];
    const scores = [0.9, 0, 0, 0, 0.6, 0, 0, 0];
    const found = suppressBoxes(boxes, scores, 1000, 500, opts);
    expect(found.map((o) => [o.class, o.score])).toEqual([['car', 0.9], ['car', 0.6]]);
    expect(found[0]!.bbox[0]).toBeCloseTo(100);
    expect(found[0]!.bbox[2]).toBeCloseTo(200);
    expect(found[0]!.bbox[1]).toBeCloseTo(50);
    // At an overlap above the threshold the weaker one goes.
    expect(suppressBoxes([...box(0.1, 0.2), ...box(0.12, 0.2)], scores, 1000, 500, opts)).toHaveLength(1);
  });
  it('drops boxes under minScore, merges a car and a truck on the same vehicle, keeps maxBoxes', () => {
    const boxes = [...box(0.1, 0.2), ...box(0.101, 0.2), ...box(0.6, 0.2)];
    const scores = [0.8, 0, 0, 0.5, 0, 0, 0, 0.7, 0.2, 0, 0, 0];
    expect(suppressBoxes(boxes, scores, 1, 1, opts).map((o) => [o.class, o.score])).toEqual([['car', 0.8]]);
    const many = Array.from({ length: 20 }, (_, i) => box(i * 0.05, 0.01)).flat();
    const all = Array.from({ length: 20 }, () => [0.9, 0, 0, 0]).flat();
    expect(suppressBoxes(many, all, 1, 1, { ...opts, maxBoxes: 7 })).toHaveLength(7);
  });
});

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

  it('keeps neighbouring parked cars in a close view that coco-ssd\'s detect() suppresses', async () => {
    const frame = loadAnalysisFrame(fixture('lots', 'acpds-train', 'images', 'GOPR6617.jpg'));
    const found = await detector.detect(frame);
    const model = (detector as unknown as { model: { detect: (t: tf.Tensor3D, n: number, s: number) => Promise<never[]> } }).model;
    const input = tf.browser.fromPixels({ data: new Uint8Array(frame.data.buffer), width: frame.width, height: frame.height }, 3);
    const theirs = toVehicleDetections(await model.detect(input, DEFAULT_DETECT.maxBoxes, DEFAULT_DETECT.minScore), frame.width, frame.height);
    input.dispose();
    const overlapping = found.flatMap((a, i) => found.slice(i + 1).filter((b) => a.label === b.label && boxIoU(a.box, b.box) > 0.3));
    expect(overlapping.length, JSON.stringify(found)).toBeGreaterThan(0);
    expect(found.length).toBeGreaterThan(theirs.length);
  });

  it('leaks no tensors: the count after 10 frames equals the count after the first', async () => {
    const frame = decodeImage(fixture('photos', 'motion_original.jpg'));
    await detector.detect(frame);
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) await detector.detect(frame);
    expect(tf.memory().numTensors).toBe(after1);
  });
});
