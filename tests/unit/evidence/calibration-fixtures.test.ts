// Corrections must never make a lot worse: taps on a few frames of a real lot, then frames from other days (other
// light), scored with and without the calibration those taps built. The app's own path: SlotEvidence on the real
// backbone and detections, every labelled slot of the correction frames tapped, applyCorrections as the app refits.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CocoDetector } from '../../../src/detector/coco-detector.ts';
import { applyCorrections, calibratedLogit, emptyCalibration, type Correction } from '../../../src/evidence/calibration.ts';
import { makeCorrection, SlotEvidence, type SlotEvidenceFeatures } from '../../../src/evidence/slot-evidence.ts';
import { parseWeights } from '../../../src/evidence/weights.ts';
import { labelledSlotsOf, parseLabelledFrame } from '../../../src/layout/layout-format.ts';
import { initTf, modelFromDir } from '../../../scripts/lib/node-tf.ts';
import { loadAnalysisFrame } from '../../../scripts/lib/lots.ts';
import { fixture, fixturesAvailable } from '../../support/fixtures.ts';

const shipped = parseWeights(JSON.parse(readFileSync(new URL('../../../src/evidence/weights.json', import.meta.url), 'utf8')));

interface Seen {
  readonly name: string;
  readonly at: number;
  /** Full mode (backbone and detections), and patch-only (the app while the model loads or after it failed). */
  readonly features: SlotEvidenceFeatures[];
  readonly patchOnly: SlotEvidenceFeatures[];
  readonly truth: ReadonlyMap<string, boolean>;
}

describe.skipIf(!fixturesAvailable())('corrections never lower the score on later frames of a fixture lot', () => {
  let detector: CocoDetector;
  let evidence: SlotEvidence;
  const seen: Seen[] = [];
  // pucpr: one frame a day. The first three days are tapped; four frames from weeks later (morning, noon and evening
  // light) are scored.
  const names = readdirSync(fixture('lots', 'pucpr', 'labels')).sort();
  const tapped = names.slice(0, 3);
  const later = names.slice(-4);

  beforeAll(async () => {
    await initTf('wasm');
    detector = await CocoDetector.load(modelFromDir());
    evidence = new SlotEvidence(shipped, detector.graph);
    for (const name of [...tapped, ...later]) {
      const json = JSON.parse(readFileSync(fixture('lots', 'pucpr', 'labels', name), 'utf8')) as { image: string; captured: string };
      const read = parseLabelledFrame(json, 'pucpr');
      if (!read.ok) throw new Error(read.error);
      const slots = labelledSlotsOf(read.layout);
      const frame = loadAnalysisFrame(fixture('lots', 'pucpr', json.image));
      const r = await evidence.observe(frame, slots, await detector.detect(frame));
      expect(r.mode).toBe('full');
      const p = await evidence.observe(frame, slots, [], null, { patchOnly: true });
      expect(p.mode).toBe('patch-only');
      const truth = new Map(slots.filter((s) => s.occupied !== null).map((s) => [s.id, s.occupied === true]));
      seen.push({ name, at: Date.parse(json.captured), features: r.features, patchOnly: p.features, truth });
    }
  }, 180_000);
  afterAll(() => detector?.dispose());

  type Mode = 'features' | 'patchOnly';
  const errors = (s: Seen, mode: Mode, cal: Parameters<typeof calibratedLogit>[3]) =>
    s[mode].filter((f) => s.truth.has(f.id) && calibratedLogit(f, f.id, shipped, cal) >= 0 !== s.truth.get(f.id)).length;

  it.each([
    [1, 'features'],
    [2, 'features'],
    [3, 'features'],
    [1, 'patchOnly'],
    [2, 'patchOnly'],
    [3, 'patchOnly'],
  ] as const)('with %i day(s) of taps, no more errors on the later days than with none (%s)', (n, mode) => {
    const corrections: Correction[] = seen
      .slice(0, n)
      .flatMap((s) => s[mode].filter((f) => s.truth.has(f.id)).map((f, i) => makeCorrection(f, s.truth.get(f.id)!, s.name, shipped, s.at + i)));
    expect(corrections.length).toBeGreaterThanOrEqual(100 * n);
    const cal = applyCorrections(emptyCalibration(), corrections, shipped);
    const scored = seen.slice(tapped.length);
    const none = scored.reduce((a, s) => a + errors(s, mode, null), 0);
    const withTaps = scored.reduce((a, s) => a + errors(s, mode, cal), 0);
    expect(withTaps, `errors on ${later.length} later frames: ${withTaps} with ${n} day(s) of taps, ${none} without`).toBeLessThanOrEqual(none);
  });
});
