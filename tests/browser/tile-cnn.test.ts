// The tile CNN as the worker would run it, in real Chromium on WASM: weights.json with a tileCnn section and a second
// opinion (base64 read with the browser's atob), SlotEvidence on a 100-slot frame in full mode, a slot's features the
// same alone and in the frame's batch, and no tensor left behind. Random CNN values of the measured shape: mechanics,
// not accuracy. Prints (does not assert) its cost next to a bare detect(), the shipped weights' and patch-only
// evidence's.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import weightsJson from '../../src/evidence/weights.json';
import { CocoDetector } from '../../src/detector/coco-detector.ts';
import { initBackend } from '../../src/detector/tf-backends.ts';
import { SlotEvidence } from '../../src/evidence/slot-evidence.ts';
import { framePatches } from '../../src/evidence/slot-features.ts';
import { tileCnnJson } from '../../src/evidence/tile-cnn-weights.ts';
import { parseWeights } from '../../src/evidence/weights.ts';
import { randomTileCnn, withRandomSecondOpinion, withTileCnn } from '../../scripts/lib/tile-cnn-random.ts';
import { seededRandom } from '../support/seeded-random.ts';
import { addNoise, paintFrame, rectPoly } from '../unit/evidence/synthetic.ts';

let detector: CocoDetector;
let evidence: SlotEvidence;
beforeAll(async () => {
  await initBackend({ order: ['wasm'], reason: 'test' });
  detector = await CocoDetector.load(new URL('/models/coco-ssd/model.json', location.href).href);
  const rnd = seededRandom(4);
  // A second opinion asked about every slot (consultBelow 50): the wide tiles' path, and the worst case's cost.
  const w = withTileCnn(parseWeights(weightsJson), withRandomSecondOpinion(randomTileCnn(rnd), rnd, 50), rnd);
  // Through JSON as weights.json would carry it: the browser decodes the base64.
  evidence = new SlotEvidence(parseWeights(JSON.parse(JSON.stringify({ ...w, tileCnn: tileCnnJson(w.tileCnn!) }))), detector.graph);
}, 120_000);
afterAll(() => {
  evidence?.dispose();
  detector?.dispose();
});

it('runs the tile CNN in full mode on 100 slots, batch-independent, with a flat tensor count', async () => {
  // A 10x10 grid of slots on a 1280x720 frame, some with a "car" painted in.
  const rects = Array.from({ length: 100 }, (_, k) => ({ x: 40 + (k % 10) * 120, y: 20 + Math.floor(k / 10) * 68, w: 100, h: 60 }));
  const frame = addNoise(paintFrame(1280, 720, [110, 110, 105], rects.filter((_, k) => k % 3 === 0).map((r) => ({ x: r.x + 10, y: r.y + 8, w: 80, h: 44, c: [30, 40, 160] as const }))), 12);
  const slots = rects.map((r, k) => ({ id: `s${k}`, name: `${k}`, polygon: rectPoly(r.x / 1280, r.y / 720, r.w / 1280, r.h / 720) }));
  expect(evidence.mode).toBe('full');
  const first = await evidence.observe(frame, slots, []);
  expect(first.mode).toBe('full');
  expect(first.fallbackReason).toBeUndefined();
  expect(first.observations.every((o) => Number.isFinite(o.probability))).toBe(true);

  const fp = framePatches(frame, slots);
  const all = (await evidence.featuresAt(frame, slots, fp, [])).features;
  const alone = (await evidence.featuresAt(frame, slots, fp, [], {}, [[42]])).features[0]!;
  expect(Array.from(alone.rectified!)).toEqual(Array.from(all[42]!.rectified!));

  const before = tf.memory().numTensors;
  // Next to the shipped weights and a bare detect(), interleaved so that load on the machine hits all alike.
  const shipped = new SlotEvidence(parseWeights(weightsJson), detector.graph);
  const patchOnly = new SlotEvidence(parseWeights(weightsJson));
  const times = { detect: [] as number[], cnn: [] as number[], shipped: [] as number[], patchOnly: [] as number[] };
  const time = async (k: keyof typeof times, fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    times[k].push(performance.now() - t0);
  };
  for (let i = 0; i < 3; i++) {
    await time('detect', () => detector.detect(frame));
    await time('cnn', () => evidence.observe(frame, slots, []));
    await time('shipped', () => shipped.observe(frame, slots, []));
    await time('patchOnly', () => patchOnly.observe(frame, slots, []));
  }
  // Only the shipped weights' own model is left (its tensors), and it goes with dispose().
  shipped.dispose();
  expect(tf.memory().numTensors).toBe(before);
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const d = median(times.detect);
  console.log(
    `Chromium, ${tf.getBackend()}: detect() ${d.toFixed(0)} ms; full evidence of 100 slots with the tile CNN asking its second opinion on every slot ` +
      `${(median(times.cnn) / d).toFixed(2)}x detect, with the shipped weights ${(median(times.shipped) / d).toFixed(2)}x, patch-only (hand features) ` +
      `${(median(times.patchOnly) / d).toFixed(2)}x (median of 3; a printout, not a target)`,
  );
});
