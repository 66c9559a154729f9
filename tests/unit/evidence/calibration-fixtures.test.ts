// Corrections must never make a lot worse: taps on a few frames of a real lot, then frames from other days (other
// light), scored with and without the calibration those taps built. The app's own path: SlotEvidence on the real
// backbone and detections, every labelled slot of the correction frames tapped, applyCorrections as the app refits.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CocoDetector } from '../../../src/detector/coco-detector.ts';
import { applyCorrections, calibratedLogit, calibrationForSlots, emptyCalibration, type Correction } from '../../../src/evidence/calibration.ts';
import { makeCorrection, SlotEvidence, type SlotEvidenceFeatures } from '../../../src/evidence/slot-evidence.ts';
import { parseWeights } from '../../../src/evidence/weights.ts';
import { labelledSlotsOf, parseLabelledFrame } from '../../../src/layout/layout-format.ts';
import { initTf, modelFromDir } from '../../../scripts/lib/node-tf.ts';
import { loadAnalysisFrame, sha256File } from '../../../scripts/lib/lots.ts';
import { fixture, fixturesAvailable } from '../../support/fixtures.ts';
import { heldOutAcpdsTrain } from '../../support/held-out.ts';

const shipped = parseWeights(JSON.parse(readFileSync(new URL('../../../src/evidence/weights.json', import.meta.url), 'utf8')));

interface Seen {
  readonly lot: string;
  readonly name: string;
  readonly at: number;
  /** Full mode (backbone and detections), and patch-only (the app while the model loads or after it failed). */
  readonly features: SlotEvidenceFeatures[];
  readonly patchOnly: SlotEvidenceFeatures[];
  readonly truth: ReadonlyMap<string, boolean>;
}

// pucpr: one frame a day; the first three days are tapped, four frames from weeks later (morning, noon and evening
// light) are scored. acpds-train (sessions the shipped weights' training held out): the first three frames of the
// first session (dusk) are tapped, the first frame of each other session (other lots, day) scored; its slot ids differ
// per frame, so only the lot-wide refit carries over, which is exactly what must not go wrong.
const LOTS = {
  pucpr: (names: string[]) => ({ tapped: names.slice(0, 3), later: names.slice(-4) }),
  'acpds-train': () => {
    const [first, ...others] = fixturesAvailable() ? heldOutAcpdsTrain() : [];
    return { tapped: first?.slice(0, 3) ?? [], later: others.map((s) => s[0]!) };
  },
} as const;
type Lot = keyof typeof LOTS;
type Mode = 'features' | 'patchOnly';

describe.skipIf(!fixturesAvailable())('corrections never lower the score on later frames of a fixture lot', () => {
  let detector: CocoDetector;
  let evidence: SlotEvidence;
  const seen = new Map<Lot, { tapped: Seen[]; later: Seen[] }>();

  beforeAll(async () => {
    const trained = new Set(shipped.training.frames.map((f) => f.sha256));
    await initTf('wasm');
    detector = await CocoDetector.load(modelFromDir());
    evidence = new SlotEvidence(shipped, detector.graph);
    const look = async (lot: Lot, name: string, i: number): Promise<Seen> => {
      const json = JSON.parse(readFileSync(fixture('lots', lot, 'labels', name), 'utf8')) as { image: string; captured?: string | null };
      const read = parseLabelledFrame(json, lot);
      if (!read.ok) throw new Error(read.error);
      const slots = labelledSlotsOf(read.layout);
      // Scored as unseen: the shipped weights must not have been trained on it (pucpr's taps and later frames aside).
      if (lot === 'acpds-train') expect(trained.has(sha256File(fixture('lots', lot, json.image))), name).toBe(false);
      const frame = loadAnalysisFrame(fixture('lots', lot, json.image));
      const r = await evidence.observe(frame, slots, await detector.detect(frame));
      expect(r.mode).toBe('full');
      const p = await evidence.observe(frame, slots, [], null, { patchOnly: true });
      expect(p.mode).toBe('patch-only');
      const truth = new Map(slots.filter((s) => s.occupied !== null).map((s) => [s.id, s.occupied === true]));
      // acpds has no capture times: file order, a day apart.
      const at = json.captured ? Date.parse(json.captured) : Date.UTC(2020, 0, 1 + i);
      return { lot, name, at, features: r.features, patchOnly: p.features, truth };
    };
    for (const lot of Object.keys(LOTS) as Lot[]) {
      const names = readdirSync(fixture('lots', lot, 'labels')).sort();
      const pick = LOTS[lot](names);
      const tapped: Seen[] = [];
      const later: Seen[] = [];
      for (const n of pick.tapped) tapped.push(await look(lot, n, tapped.length));
      for (const n of pick.later) later.push(await look(lot, n, 100 + later.length));
      seen.set(lot, { tapped, later });
    }
  }, 300_000);
  afterAll(() => detector?.dispose());

  // As SlotEvidence.observe applies a calibration to a frame taken at s.at.
  const errors = (s: Seen, mode: Mode, lot: Parameters<typeof calibratedLogit>[3]) => {
    const cal = calibrationForSlots(lot, s[mode].map((f) => f.id));
    return s[mode].filter((f) => s.truth.has(f.id) && calibratedLogit(f, f.id, shipped, cal, s.at) >= 0 !== s.truth.get(f.id)).length;
  };

  const cases = (Object.keys(LOTS) as Lot[]).flatMap((lot) => (['features', 'patchOnly'] as const).flatMap((mode) => [1, 2, 3].map((n) => [lot, n, mode] as const)));
  it.each(cases)('%s: with %i frame(s) of taps, no more errors on the later frames than with none (%s)', (lot, n, mode) => {
    const { tapped, later } = seen.get(lot)!;
    const corrections: Correction[] = tapped
      .slice(0, n)
      .flatMap((s) => s[mode].filter((f) => s.truth.has(f.id)).map((f, i) => makeCorrection(f, s.truth.get(f.id)!, s.name, shipped, s.at + i)));
    expect(corrections.length).toBeGreaterThanOrEqual(10 * n);
    const cal = applyCorrections(emptyCalibration(), corrections, shipped);
    const none = later.reduce((a, s) => a + errors(s, mode, null), 0);
    const withTaps = later.reduce((a, s) => a + errors(s, mode, cal), 0);
    expect(withTaps, `errors on ${later.length} later frames: ${withTaps} with ${n} frame(s) of taps, ${none} without`).toBeLessThanOrEqual(none);
  });
});
