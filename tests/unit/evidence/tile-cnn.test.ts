// The tile CNN in the `rectified` role (tile-cnn.ts): its weights section, its tensors, a slot's features independent of
// its batch mates, and the change gate recomputing only the slot that changed, as the full path would. Random weights of
// the measured shape (scripts/lib/tile-cnn-random.ts): these are mechanics, not accuracy; the stem is the real graph's.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CocoDetector } from '../../../src/detector/coco-detector.ts';
import { IncrementalEvidence } from '../../../src/evidence/incremental-evidence.ts';
import { SlotEvidence } from '../../../src/evidence/slot-evidence.ts';
import { framePatches } from '../../../src/evidence/slot-features.ts';
import { decodeFloats, encodeFloats, tileCnnJson } from '../../../src/evidence/tile-cnn-weights.ts';
import { TileCnn, turnHalf } from '../../../src/evidence/tile-cnn.ts';
import { predictLogit } from '../../../src/evidence/logistic.ts';
import { backboneWeights, FrozenBackbone } from '../../../src/evidence/mobilenet.ts';
import { lightStats, SlotCnn } from '../../../src/evidence/slot-cnn.ts';
import { fromExperiment } from '../../../scripts/lib/tile-cnn-import.ts';
import { rectifiedTile } from '../../../src/evidence/tiles.ts';
import type { RgbPatch } from '../../../src/evidence/warp.ts';
import { parseWeights, type EvidenceWeights } from '../../../src/evidence/weights.ts';
import type { WeightMap } from '../../../src/evidence/mobilenet.ts';
import type { Detection } from '../../../src/occupancy/types.ts';
import { loadAnalysisFrame, readLot } from '../../../scripts/lib/lots.ts';
import { initTf, modelFromDir } from '../../../scripts/lib/node-tf.ts';
import { carArrives, withLight } from '../../../scripts/lib/sequence.ts';
import { MEASURED_SHAPE, randomTileCnn, withRandomSecondOpinion, withTileCnn } from '../../../scripts/lib/tile-cnn-random.ts';
import { fixture, fixturesAvailable } from '../../support/fixtures.ts';
import { seededRandom } from '../../support/seeded-random.ts';
import { addNoise, paintFrame } from './synthetic.ts';

const shipped = parseWeights(JSON.parse(readFileSync(new URL('../../../src/evidence/weights.json', import.meta.url), 'utf8')));
/** What weights.json would hold: the CNN section encoded. */
const asJson = (w: EvidenceWeights): unknown => JSON.parse(JSON.stringify({ ...w, tileCnn: w.tileCnn && tileCnnJson(w.tileCnn) }));

describe('tile CNN weights section', () => {
  const w = withTileCnn(shipped, randomTileCnn(seededRandom(1)), seededRandom(2));

  it('round-trips through JSON as base64 float32, and weights without it stay as they were', () => {
    expect(parseWeights(asJson(w))).toEqual(w);
    // Weights without the section (the probe's) parse without one.
    const { tileCnn: _, ...probeOnly } = w;
    expect('tileCnn' in parseWeights(asJson(probeOnly as EvidenceWeights))).toBe(false);
    // A supersampling step of its own round-trips; without one the tile is warped as the hand patch is.
    const sampled = { ...w, tileCnn: { ...w.tileCnn!, sampling: 2, turnBelow: 3 } };
    expect(parseWeights(asJson(sampled))).toEqual(sampled);
    expect('sampling' in parseWeights(asJson(w)).tileCnn!).toBe(false);
    // A second opinion round-trips with its own layers and head.
    const seconded = { ...w, tileCnn: withRandomSecondOpinion(w.tileCnn!, seededRandom(4), 2) };
    expect(parseWeights(asJson(seconded))).toEqual(seconded);
    expect('second' in parseWeights(asJson(w)).tileCnn!).toBe(false);
    const a = Float32Array.of(1.5, -0, 3.4028234663852886e38, 1e-45);
    expect(decodeFloats(encodeFloats(a), 'a')).toEqual(a);
  });

  it('says what is wrong with a bad section', () => {
    const json = asJson(w) as { tileCnn: { layers: Record<string, unknown>[] } & Record<string, unknown> } & Record<string, unknown>;
    const bad = (patch: (j: typeof json) => void) => {
      const j = structuredClone(json);
      patch(j);
      return () => parseWeights(j);
    };
    expect(bad((j) => (j.tileCnn.layers[1]!.kernel = encodeFloats(new Float32Array(10))))).toThrow(/layers\[1\]\.kernel needs 3x3x64x64 floats, has 10/);
    expect(bad((j) => (j.tileCnn.layers[1]!.inChannels = 32))).toThrow(/layers\[1\] reads 32 channels, the layer before gives 64/);
    expect(bad((j) => (j.tileCnn.layers[0]!.bias = 'not base64!'))).toThrow(/bias is not valid base64/);
    expect(bad((j) => (j.tileCnn.layers[0]!.bias = 'AAA='))).toThrow(/not whole float32s/);
    expect(bad((j) => (j.rectified = { w: [1, 2], b: 0 }))).toThrow(/rectified head reads 2 features, the tile CNN gives 64/);
    expect(bad((j) => Object.assign(j.tileCnn, { stem: null, norm: 'raw' }))).toThrow(/raw needs a stem/);
    expect(bad((j) => (j.tileCnn.tile = { width: 0, height: 64 }))).toThrow(/tile needs integer/);
    expect(bad((j) => (j.tileCnn.sampling = 0.5))).toThrow(/sampling must be a number from 1 to 8/);
    expect(bad((j) => (j.tileCnn.sampling = '2'))).toThrow(/sampling must be a number from 1 to 8/);
    expect(bad((j) => (j.tileCnn.turnBelow = -1))).toThrow(/turnBelow must be a number from 0 to 50/);
    expect(bad((j) => (j.probe = { ...shipped.probe, crops: ['square', 'rectified'] }))).toThrow(/probe crops must be \[rectified\]/);
    // The second opinion's section.
    const seconded = asJson({ ...w, tileCnn: withRandomSecondOpinion(w.tileCnn!, seededRandom(4), 2) }) as typeof json;
    const badSecond = (patch: (second: Record<string, unknown> & { layers: Record<string, unknown>[]; head: Record<string, unknown> }) => void) => {
      const j = structuredClone(seconded) as unknown as { tileCnn: { second: Parameters<typeof patch>[0] } };
      patch(j.tileCnn.second);
      return () => parseWeights(j);
    };
    expect(badSecond((s) => (s.layers[0]!.inChannels = 16))).toThrow(/second\.layers\[0\] reads 16 channels, the layer before gives 32/);
    expect(badSecond((s) => (s.head.w = encodeFloats(new Float32Array(3))))).toThrow(/second\.head reads 3 features, its last layer gives 64/);
    expect(badSecond((s) => (s.consultBelow = -1))).toThrow(/consultBelow must be a number from 0 to 50/);
    expect(badSecond((s) => (s.enlarge = 9))).toThrow(/second\.enlarge must be a number from 1 to 4/);
    expect(badSecond((s) => (s.head.b = 'x'))).toThrow(/second\.head needs w and a finite b/);
  });
});

describe('tile CNN on the real stem (WASM)', { timeout: 300_000 }, () => {
  let detector: CocoDetector;
  let cnn: TileCnn;
  const rnd = seededRandom(3);
  const weights = withTileCnn(shipped, randomTileCnn(rnd), rnd);
  const { width, height } = MEASURED_SHAPE.tile;
  const tiles: RgbPatch[] = Array.from({ length: 100 }, (_, k) => ({
    width,
    height,
    data: Uint8Array.from({ length: width * height * 3 }, () => Math.floor(40 + k + rnd() * 120)),
  }));
  const light = lightStats(tiles);
  beforeAll(async () => {
    await initTf('wasm');
    detector = await CocoDetector.load(modelFromDir());
    cnn = new TileCnn(weights.tileCnn!, weights.rectified, detector.graph.weights as WeightMap);
  }, 120_000);
  afterAll(() => {
    cnn?.dispose();
    detector?.dispose();
  });

  it("gives a slot the same features, to the bit, alone and in a batch of 100 (the change gate's premise)", async () => {
    const all = await cnn.features(tiles, light);
    expect(all).toHaveLength(100);
    expect(all[0]).toHaveLength(64);
    for (const k of [0, 37, 99]) expect(Array.from((await cnn.features([tiles[k]!], light))[0]!)).toEqual(Array.from(all[k]!));
    // The features do depend on the frame's light (norm 'frame'), and are not all alike.
    const darker = await cnn.features([tiles[37]!], { ...light, mean: [light.mean[0] + 30, light.mean[1] + 30, light.mean[2] + 30] });
    expect(Array.from(darker[0]!)).not.toEqual(Array.from(all[37]!));
    expect(Array.from(all[1]!)).not.toEqual(Array.from(all[0]!));
  });

  it('turns the tiles it is unsure of by 180° and averages the two, and only those', async () => {
    const plain = await cnn.features(tiles, light);
    const logits = plain.map((f) => predictLogit(weights.rectified, f));
    // Half the tiles under the threshold: the median |logit|.
    const below = [...logits.map(Math.abs)].sort((a, b) => a - b)[50]!;
    const turning = new TileCnn({ ...weights.tileCnn!, turnBelow: below }, weights.rectified, detector.graph.weights as WeightMap);
    try {
      const mixed = await turning.features(tiles, light);
      const turned = await cnn.features(tiles.map(turnHalf), light);
      let unsure = 0;
      mixed.forEach((f, k) => {
        if (Math.abs(logits[k]!) < below) {
          unsure++;
          f.forEach((v, i) => expect(v).toBeCloseTo((plain[k]![i]! + turned[k]![i]!) / 2, 6));
        } else expect(Array.from(f)).toEqual(Array.from(plain[k]!));
      });
      expect(unsure).toBe(50);
      // Turning changes what it touches, and a turned slot is the same alone and in the batch.
      const k = logits.findIndex((l) => Math.abs(l) < below);
      expect(Array.from(mixed[k]!)).not.toEqual(Array.from(plain[k]!));
      expect(Array.from((await turning.features([tiles[k]!], light))[0]!)).toEqual(Array.from(mixed[k]!));
      expect(turnHalf(turnHalf(tiles[k]!))).toEqual(tiles[k]);
    } finally {
      turning.dispose();
    }
  });

  it('asks the second network about the slots still unsure only, and gives them the mean of the two logits', async () => {
    const plain = await cnn.features(tiles, light);
    const logits = plain.map((f) => predictLogit(weights.rectified, f));
    const below = [...logits.map(Math.abs)].sort((a, b) => a - b)[50]!;
    const withSecond = withRandomSecondOpinion(weights.tileCnn!, seededRandom(9), below);
    const second = withSecond.second!;
    const graph = detector.graph.weights as WeightMap;
    const seconded = new TileCnn(withSecond, weights.rectified, graph);
    // The second network alone: its own layers as a first network, its own head.
    const secondHead = { w: Array.from(second.head.w), b: second.head.b };
    const alone = new TileCnn({ ...weights.tileCnn!, layers: second.layers }, secondHead, graph);
    // Wide tiles: other pictures of the same slots.
    const wideTiles = tiles.map((t, k) => ({ ...t, data: t.data.map((v, i) => (v + 37 * k + i) % 256) }));
    try {
      const asked: number[] = [];
      const mixed = await seconded.features(tiles, light, (ks) => {
        asked.push(...ks);
        return ks.map((k) => wideTiles[k]!);
      });
      const opinions = (await alone.features(wideTiles, light)).map((f) => predictLogit(secondHead, f));
      expect(asked).toEqual(logits.flatMap((z, k) => (Math.abs(z) < below ? [k] : [])));
      expect(asked).toHaveLength(50);
      mixed.forEach((f, k) => {
        if (asked.includes(k)) expect(predictLogit(weights.rectified, f)).toBeCloseTo((logits[k]! + opinions[k]!) / 2, 4);
        else expect(Array.from(f)).toEqual(Array.from(plain[k]!));
      });
      // It moved the slots it asked about, and a slot asked about alone gets what it got in the batch.
      const k = asked[0]!;
      expect(Math.abs(predictLogit(weights.rectified, mixed[k]!) - logits[k]!)).toBeGreaterThan(1e-3);
      expect(Array.from((await seconded.features([tiles[k]!], light, () => [wideTiles[k]!]))[0]!)).toEqual(Array.from(mixed[k]!));
      await expect(seconded.features(tiles, light)).rejects.toThrow(/needs the slots' wide tiles/);
      await expect(seconded.features(tiles, light, () => [])).rejects.toThrow(/needs 50 wide tiles of 32x64/);
    } finally {
      seconded.dispose();
      alone.dispose();
    }
  });

  it('leaves the tensor count flat over many calls, and says why it refuses a bad call', async () => {
    await cnn.features(tiles.slice(0, 10), light);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) await cnn.features(tiles.slice(0, 1 + ((i * 37) % 100)), light);
    await expect(cnn.features([{ width: 8, height: 8, data: new Uint8Array(192) }], light)).rejects.toThrow(/expected 32x64/);
    await expect(cnn.features(tiles.slice(0, 2))).rejects.toThrow(/frame's light/);
    expect(tf.memory().numTensors).toBe(before);
    // A stem whose channels do not fit the first layer: a clear error, and no tensor left behind.
    const wrong = randomTileCnn(rnd, { ...MEASURED_SHAPE, stem: 9, inChannels: 32 });
    expect(() => new TileCnn(wrong, weights.rectified, detector.graph.weights as WeightMap)).toThrow(/reads 32 channels, expanded_conv_9 gives 64/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("gives the logits of the experiment that trained it (tile-cnn-experiment.ts --save, its stem input and SlotCnn.logitsOf)", async () => {
    const r = seededRandom(8);
    const layers = randomTileCnn(r).layers;
    const head = Float32Array.from({ length: 64 }, () => r() - 0.5);
    // What --save writes: Node's Buffer base64 of the float32 arrays, the stem's output size as the tile.
    const b64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    const saved = JSON.parse(JSON.stringify({ tile: { width: 4, height: 8 }, norm: 'frame', layers: layers.map((l) => ({ ...l, kernel: b64(l.kernel), bias: b64(l.bias) })), head: { w: b64(head), b: 0.3 } }));
    const { tileCnn, rectified } = fromExperiment(saved, { stem: 5, tile: { width, height }, enlarge: 1.2, norm: 'frame' });
    const ours = new TileCnn(tileCnn, rectified, detector.graph.weights as WeightMap);
    const batch = tiles.slice(0, 10);
    const feats = await ours.features(batch, light);
    // The experiment: stem on 128 + 64·(p − frame mean)/frame spread (stemFeatures), then SlotCnn.logitsOf.
    const px = Float32Array.from(batch.flatMap((t) => Array.from(t.data, (p, i) => 128 + (64 * (p - light.mean[i % 3]!)) / light.spread)));
    const stem = new FrozenBackbone(backboneWeights(detector.graph.weights as WeightMap), 5);
    const x = tf.tidy(() => stem.run(tf.tensor4d(px, [batch.length, height, width, 3])).dataSync() as Float32Array);
    const theirs = new SlotCnn({ tile: { width: 4, height: 8 }, norm: 'frame', layers, head: { w: head, b: 0.3 } });
    const expected = theirs.logitsOf(x, batch.length);
    feats.forEach((f, k) => expect(predictLogit(rectified, f)).toBeCloseTo(expected[k]!, 4));
    [ours, stem, theirs].forEach((m) => m.dispose());
  });

  it('takes the hand patch itself as its tile when that is the same picture (enlarge 1, 32x64)', () => {
    const frame = addNoise(paintFrame(320, 240, [90, 90, 90], [{ x: 100, y: 60, w: 50, h: 90, c: [200, 40, 40] }]), 20);
    const polygon = [
      [0.3, 0.2],
      [0.5, 0.25],
      [0.48, 0.7],
      [0.28, 0.65],
    ] as const;
    const fp = framePatches(frame, [{ id: 'a', name: 'a', polygon }]);
    expect(rectifiedTile(frame, polygon, 32, 64, 1)).toEqual(fp.patches[0]);
  });
});

describe.skipIf(!fixturesAvailable())('IncrementalEvidence with the tile CNN on a real pucpr frame (WASM)', { timeout: 300_000 }, () => {
  let detector: CocoDetector;
  let evidence: SlotEvidence;
  afterAll(() => {
    evidence?.dispose();
    detector?.dispose();
  });

  it('recomputes only the slot a car arrived in, on that frame, with the features the full path gives it', async () => {
    await initTf('wasm');
    detector = await CocoDetector.load(modelFromDir());
    const rnd = seededRandom(5);
    // A second opinion consulted on every slot (consultBelow 50): each slot's wide tile goes through the gate's path too.
    evidence = new SlotEvidence(withTileCnn(shipped, withRandomSecondOpinion(randomTileCnn(rnd), rnd, 50), rnd), detector.graph);
    const f = readLot(fixture('lots', 'pucpr'))[7]!;
    const frame = loadAnalysisFrame(f.imagePath);
    const slots = f.slots.map(({ id, name, polygon }) => ({ id, name, polygon }));
    const still = withLight(frame, 1, 2, rnd);
    const arrived = carArrives(still, slots, f.slots.map((s) => s.occupied), 0)!;
    expect(arrived).not.toBeNull();
    expect(evidence.groups(slots.length)).toEqual(slots.map((_, i) => [i]));
    const inc = new IncrementalEvidence(evidence);
    const detect = (): Promise<Detection[]> => Promise.resolve([]);
    await inc.observe(frame, slots, detect);
    const before = tf.memory().numTensors;
    expect((await inc.observe(still, slots, detect)).reasons.filter((r) => r !== 'kept' && r !== 'refresh')).toEqual([]);
    const res = await inc.observe(arrived.frame, slots, detect);
    expect(res.reasons[arrived.slot]).toBe('changed');
    // Singleton groups: no slot is recomputed for a group mate ('group'), only those whose own picture changed (the
    // pasted car reaches into a neighbour or two) and the slow refresh's one slot; with the probe it would be 16. Slots
    // whose picture kept may be recomputed for light: one car moves the frame's light statistics, and on this
    // low-contrast frame (spread ~22) enough to rescale most tiles beyond the gate's light threshold.
    expect(res.reasons.filter((r) => r === 'group' || r === 'new')).toEqual([]);
    expect(res.reasons.filter((r) => r === 'changed' || r === 'refresh').length).toBeLessThanOrEqual(4);
    // The full path on the same frame: the same rectified features, to the bit, and so the same logits.
    const fp = framePatches(arrived.frame, slots);
    const full = (await evidence.featuresAt(arrived.frame, slots, fp, [])).features;
    const alone = (await evidence.featuresAt(arrived.frame, slots, fp, [], {}, [[arrived.slot]])).features;
    expect(Array.from(alone[0]!.rectified!)).toEqual(Array.from(full[arrived.slot]!.rectified!));
    const fullResult = await evidence.observe(arrived.frame, slots, []);
    expect(res.features[arrived.slot]!.logits).toEqual(fullResult.features[arrived.slot]!.logits);
    // Every slot recomputed, for light or else, gets the full path's logits too.
    res.reasons.forEach((r, i) => r !== 'kept' && expect(res.features[i]!.logits).toEqual(fullResult.features[i]!.logits));
    expect(tf.memory().numTensors).toBe(before);
  });
});
