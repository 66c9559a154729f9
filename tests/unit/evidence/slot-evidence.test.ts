import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CocoDetector } from '../../../src/detector/coco-detector.ts';
import { applyCorrection, emptyCalibration } from '../../../src/evidence/calibration.ts';
import { labelledSlotsOf, parseLabelledFrame } from '../../../src/layout/layout-format.ts';
import { makeCorrection, SlotEvidence } from '../../../src/evidence/slot-evidence.ts';
import { parseWeights } from '../../../src/evidence/weights.ts';
import { normalisePolygon } from '../../../src/occupancy/geometry.ts';
import type { Slot } from '../../../src/occupancy/types.ts';
import { initTf, modelFromDir } from '../../../scripts/lib/node-tf.ts';
import { loadAnalysisFrame } from '../../../scripts/lib/lots.ts';
import { fixture, fixturesAvailable } from '../../support/fixtures.ts';
import { addNoise, paintFrame, rectPoly } from './synthetic.ts';

const shipped = parseWeights(JSON.parse(readFileSync(new URL('../../../src/evidence/weights.json', import.meta.url), 'utf8')));

describe('SlotEvidence without the model (patch-only fallback)', () => {
  // Six 40x80 bays on asphalt; bays 1 and 4 hold a dark car with a light roof.
  const cars = [1, 4];
  const bays = [0, 1, 2, 3, 4, 5].map((i) => ({ x: 20 + i * 50, y: 40, w: 40, h: 80 }));
  const frame = addNoise(
    paintFrame(340, 160, [110, 110, 105], cars.flatMap((i) => [
      { ...bays[i]!, x: bays[i]!.x + 4, w: 32, y: 46, h: 68, c: [35, 35, 45] as const },
      { x: bays[i]!.x + 8, y: 66, w: 24, h: 24, c: [190, 190, 200] as const },
    ])),
    6,
  );
  const slots: Slot[] = bays.map((b, i) => ({ id: `s${i}`, name: `S${i}`, polygon: normalisePolygon(rectPoly(b.x, b.y, b.w, b.h), 340, 160) }));
  const ev = new SlotEvidence(shipped);

  it('tells cars from asphalt with the shipped patch-only weights', async () => {
    const r = await ev.observe(frame, slots, []);
    expect(r.mode).toBe('patch-only');
    expect(ev.mode).toBe('patch-only');
    const occupied = r.observations.filter((o) => o.probability >= 0.5).map((o) => o.id);
    expect(occupied).toEqual(cars.map((i) => `s${i}`));
    expect(r.features.map((f) => f.id)).toEqual(slots.map((s) => s.id));
    for (const f of r.features) expect(f.logits.rectified).toBeNull();
  });
  it('sensitivity shifts every probability the same way', async () => {
    const lo = await ev.observe(frame, slots, [], null, { sensitivity: -2 });
    const hi = await ev.observe(frame, slots, [], null, { sensitivity: 2 });
    lo.observations.forEach((o, i) => expect(hi.observations[i]!.probability).toBeGreaterThan(o.probability));
  });
  it('a correction changes the next frame: "occupied" on a slot the model calls free', async () => {
    const r = await ev.observe(frame, slots, []);
    // The user says bay 2 holds something the model misses (and confirms the rest as they are).
    let cal = emptyCalibration();
    for (const f of r.features) {
      const occupied = f.id === 's2' || r.observations.find((o) => o.id === f.id)!.probability >= 0.5;
      cal = applyCorrection(cal, makeCorrection(f, occupied, 'frame-1', shipped, 1000), shipped);
    }
    const after = await ev.observe(frame, slots, [], cal);
    expect(after.observations.find((o) => o.id === 's2')!.probability).toBeGreaterThan(r.observations.find((o) => o.id === 's2')!.probability);
  });
});

const haveFixtures = fixturesAvailable();

describe.skipIf(!haveFixtures)('SlotEvidence with the real backbone (WASM)', () => {
  let detector: CocoDetector;
  beforeAll(async () => {
    await initTf('wasm');
    detector = await CocoDetector.load(modelFromDir());
  });
  afterAll(() => detector?.dispose());

  const label = () => {
    const read = parseLabelledFrame(JSON.parse(readFileSync(fixture('lots', 'pucpr', 'labels', '2012-09-13_17_00_33.json'), 'utf8')), 'pucpr');
    if (!read.ok) throw new Error(read.error);
    return read.layout;
  };

  it('leaks no tensors: the count after 50 frames of evidence equals the count after the first', async () => {
    const frame = loadAnalysisFrame(fixture('lots', 'pucpr', 'images', '2012-09-13_17_00_33.jpg'));
    // 20 slots: two mosaics per frame, one of them partly empty, keeps 50 frames quick.
    const slots = labelledSlotsOf(label()).slice(0, 20);
    const ev = new SlotEvidence(shipped, detector.graph);
    const first = await ev.observe(frame, slots, []);
    expect(first.mode).toBe('full');
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 49; i++) await ev.observe(frame, slots, []);
    expect(tf.memory().numTensors).toBe(after1);
  });

  it.each(['probe', 'tile CNN'] as const)('falls back to patch-only for a frame when the %s fails, says why, and leaks nothing', async (kind) => {
    const frame = loadAnalysisFrame(fixture('lots', 'pucpr', 'images', '2012-09-13_17_00_33.jpg'));
    let ev: SlotEvidence;
    if (kind === 'probe') {
      const broken = { executeAsync: () => Promise.reject(new Error('graph lost')) } as unknown as GraphModel;
      const { tileCnn: _, ...probeWeights } = shipped;
      ev = new SlotEvidence(probeWeights, broken);
    } else {
      // Its weight tensors gone: every run of the network throws.
      ev = new SlotEvidence(shipped, detector.graph);
      ev.dispose();
    }
    const before = tf.memory().numTensors;
    const r = await ev.observe(frame, labelledSlotsOf(label()).slice(0, 5), []);
    expect(r.mode).toBe('patch-only');
    expect(r.fallbackReason).toMatch(kind === 'probe' ? /graph lost/ : /./);
    expect(tf.memory().numTensors).toBe(before);
  });
});
