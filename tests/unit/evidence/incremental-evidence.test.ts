// Change gating on a real lot frame with the real weights (WASM): a slot that changes between two consecutive frames is
// re-evaluated on that very frame, identically to the full path; still frames reuse everything and skip detect();
// 500 incremental frames leave the tensor count where it was.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbaFrame } from '../../../src/camera/frame.ts';
import { CocoDetector } from '../../../src/detector/coco-detector.ts';
import { DEFAULT_GATE } from '../../../src/evidence/change-gate.ts';
import { IncrementalEvidence, type IncrementalResult } from '../../../src/evidence/incremental-evidence.ts';
import { SlotEvidence } from '../../../src/evidence/slot-evidence.ts';
import { parseWeights } from '../../../src/evidence/weights.ts';
import { boundingBox } from '../../../src/occupancy/geometry.ts';
import type { Detection, Slot } from '../../../src/occupancy/types.ts';
import { loadAnalysisFrame, readLot } from '../../../scripts/lib/lots.ts';
import { initTf, modelFromDir } from '../../../scripts/lib/node-tf.ts';
import { carArrives, withLight } from '../../../scripts/lib/sequence.ts';
import { fixture, fixturesAvailable } from '../../support/fixtures.ts';
import { seededRandom } from '../../support/seeded-random.ts';

const haveFixtures = fixturesAvailable();
const weights = parseWeights(JSON.parse(readFileSync(new URL('../../../src/evidence/weights.json', import.meta.url), 'utf8')));

describe.skipIf(!haveFixtures)('IncrementalEvidence on a real pucpr frame (real weights, WASM)', { timeout: 300_000 }, () => {
  let detector: CocoDetector;
  let evidence: SlotEvidence;
  let frame: RgbaFrame;
  let slots: Slot[];
  let truth: (boolean | null)[];
  let stills: RgbaFrame[];
  /** The lot's next frame (another day: other cars, other light), with the same slots. */
  let nextDay: RgbaFrame;
  beforeAll(async () => {
    await initTf('wasm');
    detector = await CocoDetector.load(modelFromDir());
    evidence = new SlotEvidence(weights, detector.graph);
    const frames = readLot(fixture('lots', 'pucpr'));
    const f = frames[7]!;
    frame = loadAnalysisFrame(f.imagePath);
    nextDay = loadAnalysisFrame(frames[8]!.imagePath);
    // 32 slots (two backbone mosaics) keep the test quick: the first run of them with a free slot next to a parked car.
    const all = f.slots.map(({ id, name, polygon }) => ({ id, name, polygon }));
    const start = [0, 32, 64].find((k) => carArrives(frame, all.slice(k, k + 32), f.slots.slice(k, k + 32).map((s) => s.occupied), 0))!;
    slots = all.slice(start, start + 32);
    truth = f.slots.slice(start, start + 32).map((s) => s.occupied);
    const random = seededRandom(7);
    stills = [0, 1, 2, 3].map(() => withLight(frame, 1, 2, random));
  }, 120_000);
  afterAll(() => detector?.dispose());

  /** An observe() that counts its detect() calls. */
  function counted(inc: IncrementalEvidence) {
    let calls = 0;
    return {
      calls: () => calls,
      observe: (f: RgbaFrame, s: readonly Slot[] = slots): Promise<IncrementalResult> =>
        inc.observe(f, s, (): Promise<Detection[]> => (calls++, detector.detect(f))),
    };
  }

  it('a car arriving in one slot is re-evaluated on that frame, whatever the refresh is doing, as the full path would', async () => {
    const arrived = carArrives(stills[0]!, slots, truth, 3)!;
    expect(arrived).not.toBeNull();
    const target = arrived.slot;
    const group = evidence.groups(slots.length).find((g) => g.includes(target))!;
    // The refresh at every phase: with a refresh every 3 frames per group, the car arrives after 0, 1 or 2 still frames.
    for (let before = 0; before < 3; before++) {
      const inc = counted(new IncrementalEvidence(evidence, { ...DEFAULT_GATE, refreshFrames: 3 }));
      expect((await inc.observe(frame)).reasons.every((r) => r === 'new')).toBe(true);
      for (let i = 0; i < before; i++) await inc.observe(stills[i]!);
      const calls = inc.calls();
      const res = await inc.observe(arrived.frame);
      expect(res.reasons[target]).toBe('changed');
      expect(inc.calls()).toBe(calls + (res.detected ? 1 : 0));
      for (const i of group) expect(res.reasons[i]).not.toBe('kept');
      // Recomputed with its own mosaic group, exactly as the full path computes the same frame; with fresh detections,
      // or without them when they could not change a decision: then the decision is the full path's all the same.
      const full = await evidence.observe(arrived.frame, slots, await detector.detect(arrived.frame));
      const { detection: _a, ...mine } = res.features[target]!.logits;
      const { detection: _b, ...theirs } = full.features[target]!.logits;
      expect(mine).toEqual(theirs);
      if (res.detected) expect(res.observations[target]!.probability).toBe(full.observations[target]!.probability);
      const decide = (p: number) => [p < 0.45, p < 0.5, p < 0.55];
      for (const i of group) expect(decide(res.observations[i]!.probability)).toEqual(decide(full.observations[i]!.probability));
      // And the car leaves on the next frame: re-evaluated again.
      const left = await inc.observe(stills[0]!);
      expect(left.reasons[target]).toBe('changed');
    }
  });

  it("a slot that looks the same on the next day's frame is recomputed when that frame's light scales it otherwise", async () => {
    const inc = counted(new IncrementalEvidence(evidence));
    await inc.observe(frame);
    const res = await inc.observe(nextDay);
    // The frame's light statistics moved with the other cars and the weather: kept pictures would be scaled otherwise.
    expect(res.reasons.filter((r) => r === 'light').length).toBeGreaterThan(0);
    const full = await evidence.observe(nextDay, slots, await detector.detect(nextDay));
    const decide = (p: number) => [p < 0.45, p < 0.5, p < 0.55];
    res.reasons.forEach((r, i) => {
      // Recomputed slots (for light or else) are the full path's; kept ones decide as it does.
      if (r !== 'kept') expect(res.features[i]!.logits.rectified).toBe(full.features[i]!.logits.rectified);
      expect(decide(res.observations[i]!.probability)).toEqual(decide(full.observations[i]!.probability));
    });
  });

  it('still frames keep every slot but the slow refresh, and skip detect()', async () => {
    const inc = counted(new IncrementalEvidence(evidence));
    await inc.observe(frame);
    const first = inc.calls();
    const results: IncrementalResult[] = [];
    for (const s of stills) results.push(await inc.observe(s));
    expect(results.every((r) => r.reasons.every((x) => x === 'kept' || x === 'refresh') && !r.detected)).toBe(true);
    // The refresh earns groups / refreshFrames groups a frame: with a per-tile model, ~one slot in four frames here.
    const groups = evidence.groups(slots.length);
    const refreshed = results.flatMap((r) => r.reasons).filter((x) => x === 'refresh').length;
    expect(refreshed).toBeLessThanOrEqual(Math.ceil((stills.length * groups.length) / DEFAULT_GATE.refreshFrames) * Math.max(...groups.map((g) => g.length)));
    expect(inc.calls()).toBe(first);
    // A slot redrawn by the user is new, and only its group is recomputed.
    const moved = slots.map((s, i) => (i === 20 ? { ...s, polygon: s.polygon.map(([x, y]) => [x + 0.01, y] as const) } : s));
    const res = await inc.observe(stills[1]!, moved);
    expect(res.reasons[20]).toBe('new');
    expect(res.reasons.filter((r) => r !== 'kept')).toHaveLength(evidence.groups(slots.length).find((g) => g.includes(20))!.length);
  });

  it('runs detect() on every frame while the lot has no slots: the vehicles are all the screen shows then', async () => {
    const inc = counted(new IncrementalEvidence(evidence));
    for (const s of stills.slice(0, 2)) expect((await inc.observe(s, [])).detected).toBe(true);
    expect(inc.calls()).toBe(2);
  });

  it("stops detecting for decisions once the lot's latest detections landed on no slot, and goes on while they do", async () => {
    // Eight days of the lot in turn: most slots change every frame. detect() is a stand-in: vehicles that land on no
    // slot (a far view, where COCO-SSD finds few cars), or one over every slot. The fusion here gives the footprints 10
    // logits, so that nearly any decision could hinge on them (the shipped weights are too sure of pucpr's slots for a
    // test to count on one that does).
    const frames = readLot(fixture('lots', 'pucpr'));
    const lot = frames[7]!.slots.map(({ id, name, polygon }) => ({ id, name, polygon }));
    const days = frames.slice(7, 15).map((f) => loadAnalysisFrame(f.imagePath));
    const heavy = new SlotEvidence({ ...weights, fusion: { ...weights.fusion, w: [...weights.fusion.w.slice(0, 3), 10] } }, detector.graph);
    const nowhere: Detection[] = [{ label: 'car', score: 0.9, box: { x: 0, y: 0, w: 0.01, h: 0.01 } }];
    const everywhere: Detection[] = lot.map((s) => ({ label: 'car', score: 0.9, box: boundingBox(s.polygon) }));
    try {
      const run = async (found: Detection[]) => {
        const inc = new IncrementalEvidence(heavy, { ...DEFAULT_GATE, detectionMemory: 1 });
        const detected: boolean[] = [];
        for (let round = 0; round < 2; round++) for (const d of days) detected.push((await inc.observe(d, lot, () => Promise.resolve(found))).detected);
        return { inc, detected };
      };
      const quiet = await run(nowhere);
      // The first frame's call (due: none yet) fills the memory of one; after it only a due call (none in 16 frames)
      // would come.
      expect(quiet.detected.filter(Boolean).length).toBe(1);
      // Footprints on every slot keep detect() running wherever they could change a decision: every new day.
      expect((await run(everywhere)).detected.filter(Boolean).length).toBeGreaterThan(8);
      // Slots drawn anew (the camera pointed elsewhere) are judged as if anything could be found: the quiet lot's low
      // ceiling does not keep detect() from running for them.
      const redrawn = lot.map((s) => ({ ...s, id: `${s.id}-new` }));
      expect((await quiet.inc.observe(days[3]!, redrawn, () => Promise.resolve(nowhere))).detected).toBe(true);
    } finally {
      heavy.dispose();
    }
  });

  it('leaves the tensor count unchanged after 500 incremental frames', async () => {
    // A car comes and goes every 50 frames, every slot is recomputed every 250: the probe runs ~30 times.
    const arrived = carArrives(stills[0]!, slots, truth, 1)!;
    const inc = new IncrementalEvidence(evidence);
    const step = (f: RgbaFrame, full = false) => inc.observe(f, slots, () => detector.detect(f), null, { full });
    await step(frame);
    const before = tf.memory().numTensors;
    let detected = 0;
    for (let i = 1; i <= 500; i++) {
      const f = i % 50 === 0 ? arrived.frame : stills[i % stills.length]!;
      detected += (await step(f, i % 250 === 0)).detected ? 1 : 0;
    }
    expect(tf.memory().numTensors).toBe(before);
    // The cars, their leaving and the full frames ran the probe; most frames did not.
    // The two full frames detect; a car arriving or leaving detects when its decision could depend on it.
    expect(detected).toBeGreaterThanOrEqual(2);
    expect(detected).toBeLessThan(60);
  });
});
