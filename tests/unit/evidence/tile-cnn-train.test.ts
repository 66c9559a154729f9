// `npm run train`'s tile CNN learns from what the app computes: for every labelled slot, the logit of the training path
// (stem activations cached per frame, copy 0, and copy 0 turned for the unsure tiles) equals the logit of the app's
// TileCnn on the same frame, with the same network. Random network values: the test is about the inputs (tile, enlargement, the frame's light, the stem), which
// a trained network would hide behind its own errors.
import { mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictLogit } from '../../../src/evidence/logistic.ts';
import type { WeightMap } from '../../../src/evidence/mobilenet.ts';
import type { SlotCnnWeights } from '../../../src/evidence/slot-cnn.ts';
import { extractFeatures } from '../../../src/evidence/slot-features.ts';
import { TileCnn } from '../../../src/evidence/tile-cnn.ts';
import { SUPERSAMPLE_STEP } from '../../../src/evidence/warp.ts';
import { loadDataset, type Dataset } from '../../../scripts/lib/dataset.ts';
import { loadAnalysisFrame, readLot } from '../../../scripts/lib/lots.ts';
import { FeatureCache, Runner } from '../../../scripts/lib/runner.ts';
import { DEFAULT_TILE_CNN, secondOpinionSettings, tileCnnInputs, tileCnnLogits, tileCnnSection, withSecondOpinion } from '../../../scripts/lib/tile-cnn-data.ts';
import { MEASURED_SHAPE, randomTileCnn } from '../../../scripts/lib/tile-cnn-random.ts';
import { fixture, fixturesAvailable } from '../../support/fixtures.ts';
import { seededRandom } from '../../support/seeded-random.ts';

describe.skipIf(!fixturesAvailable())('tile CNN training inputs (real stem, acpds frames)', { timeout: 120_000 }, () => {
  let runner: Runner;
  let dir: string;
  let data: Dataset;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lotwatch-tile-cnn-'));
    runner = await Runner.create(null);
    // Two close views of different lots.
    const frames = readLot(fixture('lots', 'acpds'));
    data = await loadDataset([frames[0]!, frames[frames.length - 1]!], runner, () => {}, new FeatureCache(join(dir, 'features')));
    // Loading the model and two frames' features: seconds on an idle machine, more on a busy one.
  }, 120_000);
  afterAll(() => {
    runner?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Sampling 2: these close views' slots are 2–7x their tile, so the tiles differ from the default step's. Turning:
  // the unsure tiles (here the half of the slots nearest 0) also go through the network turned, in both paths. Second
  // opinion: a second network on enlargement-2 tiles, asked about the half of the slots nearest 0 after turning.
  it.each([
    [1.2, SUPERSAMPLE_STEP, false, false],
    [1, SUPERSAMPLE_STEP, false, false],
    [1.2, 2, false, false],
    [1.2, SUPERSAMPLE_STEP, true, false],
    [1.2, SUPERSAMPLE_STEP, true, true],
  ])('with enlargement %s and supersampling step %s (turning: %s, second opinion: %s), gives each slot the logit the app gives it', async (enlarge, sampling, turning, seconded) => {
    expect(data.samples.length).toBeGreaterThan(20);
    const graph = runner.detector.graph.weights as WeightMap;
    const cacheDir = join(dir, `inputs-${enlarge}-${sampling}`);
    const rnd = seededRandom(7);
    const cnn = randomTileCnn(rnd, { ...MEASURED_SHAPE, enlarge });
    const head = { w: Float32Array.from({ length: 64 }, () => rnd() - 0.5), b: 0.1 };
    const plainSettings = { ...DEFAULT_TILE_CNN, enlarge, sampling, turnBelow: 0, second: null };
    const plainInputs = await tileCnnInputs(data, graph, plainSettings, () => {}, cacheDir);
    const trained: SlotCnnWeights = { tile: { width: plainInputs.shape[1], height: plainInputs.shape[0] }, norm: 'frame', layers: cnn.layers, head };
    // The threshold halfway between two slots' |logit| around the median, so no slot sits on it.
    const plain = tileCnnLogits(plainInputs, trained, data.samples);
    const sorted = Array.from(plain, Math.abs).sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    const turnBelow = turning ? (sorted[mid - 1]! + sorted[mid]!) / 2 : 0;
    const turnedSettings = { ...plainSettings, turnBelow };
    const inputs = await tileCnnInputs(data, graph, turnedSettings, () => {}, cacheDir);
    expect(inputs.turned !== null).toBe(turning);
    const firstLogits = tileCnnLogits(inputs, trained, data.samples, turnBelow);
    const firstSorted = Array.from(firstLogits, Math.abs).sort((a, b) => a - b);
    const consultBelow = (firstSorted[mid - 1]! + firstSorted[mid]!) / 2;
    const settings = seconded ? { ...turnedSettings, second: { enlarge: 2, consultBelow } } : turnedSettings;
    const secondNet: SlotCnnWeights | null = seconded ? { ...trained, layers: randomTileCnn(rnd).layers, head: { w: head.w.map((v) => -v), b: -0.2 } } : null;
    const wideInputs = seconded ? await tileCnnInputs(data, graph, secondOpinionSettings(settings)!, () => {}, join(dir, 'inputs-wide')) : null;
    const logits = secondNet && wideInputs ? withSecondOpinion(firstLogits, wideInputs, secondNet, data.samples, consultBelow, turnBelow) : firstLogits;
    if (seconded) {
      // Half the slots asked, and only those moved.
      const moved = Array.from(logits).filter((l, i) => Math.abs(l - firstLogits[i]!) > 1e-3).length;
      expect(moved).toBeGreaterThan(data.samples.length / 4);
      expect(moved).toBeLessThanOrEqual(mid);
    }
    if (turning) {
      // Half the slots turned, and turning moved their logits.
      const moved = Array.from(firstLogits).filter((l, i) => Math.abs(l - plain[i]!) > 1e-3).length;
      expect(moved).toBeGreaterThan(data.samples.length / 4);
      expect(moved).toBeLessThanOrEqual(mid);
    }

    const section = tileCnnSection(trained, settings, secondNet);
    expect(section.tileCnn.second !== undefined).toBe(seconded);
    const app = new TileCnn(section.tileCnn, section.rectified, graph);
    try {
      let worst = 0;
      for (const [fi, f] of data.frames.entries()) {
        const frame = loadAnalysisFrame(f.source.imagePath);
        const slots = f.source.slots.map(({ id, name, polygon }) => ({ id, name, polygon }));
        const feats = await extractFeatures(frame, slots, [], app);
        data.samples.forEach((s, i) => {
          if (s.frame !== fi) return;
          const mine = predictLogit(section.rectified, feats.slots.find((x) => x.id === s.slotId)!.rectified!);
          worst = Math.max(worst, Math.abs(mine - logits[i]!));
        });
      }
      // Float32 through the same ops in another batch order: equal to rounding.
      expect(worst).toBeLessThan(1e-3);
    } finally {
      app.dispose();
    }
    // The spread of the logits shows the check is not between constants.
    expect(Math.max(...logits) - Math.min(...logits)).toBeGreaterThan(0.5);

    // The augmented copies differ from copy 0; the cache gives back the same inputs.
    const dim = inputs.shape[0] * inputs.shape[1] * inputs.shape[2];
    const copy = (k: number) => inputs.x.subarray(k * dim, (k + 1) * dim);
    expect(copy(1)).not.toEqual(copy(0));
    const again = await tileCnnInputs(data, graph, settings, () => {}, cacheDir);
    expect(again.x).toEqual(inputs.x);
    // A cached file cut short (a run stopped while writing it) is made again, the same.
    for (const name of readdirSync(cacheDir)) truncateSync(join(cacheDir, name), 100);
    const remade = await tileCnnInputs(data, graph, settings, () => {}, cacheDir);
    expect(remade.x).toEqual(inputs.x);
    expect(remade.turned).toEqual(inputs.turned);
  });
});
