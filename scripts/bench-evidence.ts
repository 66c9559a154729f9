// npm run bench:evidence [-- --lot <dir>] [--frames N] [--steady N] [--json] [--weights FILE] [--random-tile-cnn]
// Median and p95 ms per frame of the evidence on 1280x720 PUCPR frames (~100 slots), WASM backend: detection alone,
// the hand features, patch-only and full evidence, and the per-frame pipeline three ways, each also as a ratio to the
// bare detect() of the same run:
// - pipeline: every slot re-evaluated (detection + full evidence: the worst case, all cars changed);
// - changed: the incremental path on the next day's frame (nearly every slot re-evaluated), after the lot has been
//   watched once through: detect() runs only where it pays (change-gate.ts detectionCeiling), as in the app;
// - steady: the incremental path (change gating) on the same frame shown again with sensor noise only;
// - oneCar: the incremental path on the frame where a car arrives in one slot.
// Timings on a shared machine are noisy: compare ratios from one run, and the CPU time next to the wall time.
// --weights: another weights file (default src/evidence/weights.json); --random-tile-cnn: those weights with a tile CNN
// of the measured shape (scripts/lib/tile-cnn-random.ts) and random values in the probe's place: its cost, not its
// accuracy.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RgbaFrame } from '../src/camera/frame.ts';
import { IncrementalEvidence, type IncrementalResult } from '../src/evidence/incremental-evidence.ts';
import { SlotEvidence } from '../src/evidence/slot-evidence.ts';
import { patchFeatures } from '../src/evidence/slot-features.ts';
import { parseWeights } from '../src/evidence/weights.ts';
import { fixture } from '../tests/support/fixtures.ts';
import { seededRandom } from '../tests/support/seeded-random.ts';
import { readLot, loadAnalysisFrame } from './lib/lots.ts';
import { median, percentile } from './lib/metrics.ts';
import { PROJECT_ROOT } from './lib/node-tf.ts';
import { Runner } from './lib/runner.ts';
import { carArrives, NOISE_SIGMA, withLight } from './lib/sequence.ts';
import { randomTileCnn, withTileCnn } from './lib/tile-cnn-random.ts';

const { values } = parseArgs({
  options: {
    lot: { type: 'string', default: fixture('lots', 'pucpr') },
    frames: { type: 'string', default: '10' },
    steady: { type: 'string', default: '12' },
    json: { type: 'boolean', default: false },
    weights: { type: 'string', default: resolve(PROJECT_ROOT, 'src', 'evidence', 'weights.json') },
    'random-tile-cnn': { type: 'boolean', default: false },
  },
});
const read = parseWeights(JSON.parse(readFileSync(values.weights, 'utf8')));
const weights = values['random-tile-cnn'] ? withTileCnn(read, randomTileCnn(seededRandom(2)), seededRandom(3)) : read;
const frames = readLot(values.lot).slice(0, Number(values.frames));
const steadyFrames = Number(values.steady);
const runner = await Runner.create(weights.probe);
const full = new SlotEvidence(weights, runner.detector.graph);
const patchOnly = new SlotEvidence(weights, null);
const incremental = new IncrementalEvidence(full);
const random = seededRandom(1);
const loaded = frames.map((f) => {
  const frame = loadAnalysisFrame(f.imagePath);
  const slots = f.slots.map(({ id, name, polygon }) => ({ id, name, polygon }));
  const truth = f.slots.map((s) => s.occupied);
  // Made before timing: the same frame as a camera shows it again and again (noise only), and with one car more.
  const still = Array.from({ length: steadyFrames }, () => withLight(frame, 1, NOISE_SIGMA, random));
  const arrived = carArrives(still[still.length - 1]!, slots, truth, 0);
  return { frame, slots, still, arrived: arrived?.frame ?? null };
});
// Warm-up: the first graph calls compile kernels.
await full.observe(loaded[0]!.frame, loaded[0]!.slots, await runner.detect(loaded[0]!.frame));

const keys = ['detection', 'handFeatures', 'patchOnly', 'full', 'pipeline', 'changed', 'steady', 'oneCar'] as const;
type Key = (typeof keys)[number];
const t = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<Key, number[]>;
const cpu = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<Key, number[]>;
// Wall time suffers from whatever else runs on the machine; this process's CPU time (the WASM backend runs on one
// thread) is what the same work costs on an idle core.
const time = async <T>(key: Key, fn: () => T | Promise<T>): Promise<T> => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await fn();
  t[key].push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu[key].push((c.user + c.system) / 1000);
  return out;
};
const gated = { frames: 0, recomputed: 0, detected: 0 };
const changedGate = { frames: 0, recomputed: 0, detected: 0 };
const observe = (frame: RgbaFrame, slots: (typeof loaded)[number]['slots']) => incremental.observe(frame, slots, () => runner.detect(frame));
const count = (r: IncrementalResult, into = gated) => {
  into.frames++;
  into.recomputed += r.reasons.filter((x) => x !== 'kept').length;
  into.detected += r.detected ? 1 : 0;
};
// The lot watched once through first, untimed: the gate knows its slots and what its detections give them.
for (const { frame, slots } of loaded) await observe(frame, slots);
for (const { frame, slots, still, arrived } of loaded) {
  const detections = await runner.detect(frame);
  await time('detection', () => runner.detect(frame));
  await time('handFeatures', () => patchFeatures(frame, slots));
  await time('patchOnly', () => patchOnly.observe(frame, slots, detections));
  await time('full', () => full.observe(frame, slots, detections));
  await time('pipeline', async () => full.observe(frame, slots, await runner.detect(frame)));
  // The incremental path: this frame first (another day than the previous one: most slots change), then stills.
  count(await time('changed', () => observe(frame, slots)), changedGate);
  for (const s of still) count(await time('steady', () => observe(s, slots)));
  if (arrived) await time('oneCar', () => observe(arrived, slots));
}
full.dispose();
runner.dispose();
const slotsPerFrame = loaded.reduce((s, f) => s + f.slots.length, 0) / loaded.length;
const out = Object.fromEntries(
  keys.map((k) => [
    k,
    { msMedian: Math.round(median(t[k])), msP95: Math.round(percentile(t[k], 95)), cpuMsMedian: Math.round(median(cpu[k])), cpuMsP95: Math.round(percentile(cpu[k], 95)), n: t[k].length },
  ]),
) as Record<Key, { msMedian: number; msP95: number; cpuMsMedian: number; cpuMsP95: number; n: number }>;
const ratio = (k: Key) => ({
  median: +(out[k].msMedian / out.detection.msMedian).toFixed(2),
  p95: +(out[k].msP95 / out.detection.msMedian).toFixed(2),
  cpuMedian: +(out[k].cpuMsMedian / out.detection.cpuMsMedian).toFixed(2),
});
const ratios = { pipeline: ratio('pipeline'), changed: ratio('changed'), steady: ratio('steady'), oneCar: ratio('oneCar') };
const load = loadavg()[0]!;
console.log(
  `evidence on ${loaded.length} frames ${loaded[0]!.frame.width}x${loaded[0]!.frame.height}, ${slotsPerFrame.toFixed(0)} slots each, WASM backend, ` +
    `${weights.tileCnn ? `tile CNN (stem to expanded_conv_${weights.tileCnn.stem}, ${weights.tileCnn.tile.width}x${weights.tileCnn.tile.height}, ${weights.tileCnn.layers.map((l) => l.outChannels).join('-')})` : 'backbone probe'}; ` +
    `load average ${load.toFixed(1)} on ${cpus().length} cores`,
);
console.log('               wall: median     p95 | CPU time: median     p95 | ratio to detect(): wall median  p95  CPU median');
for (const k of keys) {
  const v = out[k];
  const r = ratio(k);
  console.log(
    `${k.padEnd(13)} ${String(v.msMedian).padStart(9)} ms ${String(v.msP95).padStart(5)} ms | ${String(v.cpuMsMedian).padStart(13)} ms ${String(v.cpuMsP95).padStart(5)} ms |` +
      ` ${r.median.toFixed(2).padStart(24)}x ${r.p95.toFixed(2).padStart(5)}x ${r.cpuMedian.toFixed(2).padStart(9)}x`,
  );
}
console.log(
  `changed: ${(changedGate.recomputed / changedGate.frames).toFixed(1)} slots recomputed per frame, detect() on ${((changedGate.detected / changedGate.frames) * 100).toFixed(0)}% of frames`,
);
console.log(
  `steady: ${(gated.recomputed / gated.frames).toFixed(1)} slots recomputed per frame (the slow refresh), detect() on ${((gated.detected / gated.frames) * 100).toFixed(0)}% of frames`,
);
const model = weights.tileCnn ? 'tile-cnn' : 'probe';
if (values.json) console.log(JSON.stringify({ frames: loaded.length, slotsPerFrame, model, ...out, ratios, changedGate, steadyGate: gated, loadAverage: load }));
