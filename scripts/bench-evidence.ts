// npm run bench:evidence [-- --lot <dir>] [--frames N] [--json]
// Median and p95 ms per frame of the evidence on 1280x720 PUCPR frames (~100 slots), WASM backend: detection alone,
// patch-only evidence, full evidence, and the whole per-frame pipeline (detection + full evidence). Timings on a
// shared machine are noisy: compare medians.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SlotEvidence } from '../src/evidence/slot-evidence.ts';
import { patchFeatures } from '../src/evidence/slot-features.ts';
import { parseWeights } from '../src/evidence/weights.ts';
import { readLot, loadAnalysisFrame } from './lib/lots.ts';
import { median, percentile } from './lib/metrics.ts';
import { PROJECT_ROOT } from './lib/node-tf.ts';
import { Runner } from './lib/runner.ts';

const { values } = parseArgs({
  options: {
    lot: { type: 'string', default: resolve(PROJECT_ROOT, '..', 'shared', 'fixtures', 'lots', 'pucpr') },
    frames: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
});
const weights = parseWeights(JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'src', 'evidence', 'weights.json'), 'utf8')));
const frames = readLot(values.lot).slice(0, Number(values.frames));
const runner = await Runner.create(weights.probe);
const full = new SlotEvidence(weights, runner.detector.graph);
const patchOnly = new SlotEvidence(weights, null);
const loaded = frames.map((f) => ({ frame: loadAnalysisFrame(f.imagePath), slots: f.slots.map(({ id, name, polygon }) => ({ id, name, polygon })) }));
// Warm-up: the first graph calls compile kernels.
await full.observe(loaded[0]!.frame, loaded[0]!.slots, await runner.detect(loaded[0]!.frame));

const keys = ['detection', 'handFeatures', 'patchOnly', 'full', 'pipeline'] as const;
const t: Record<string, number[]> = Object.fromEntries(keys.map((k) => [k, []]));
const cpu: Record<string, number[]> = Object.fromEntries(keys.map((k) => [k, []]));
// Wall time suffers from whatever else runs on the machine; this process's CPU time (the WASM backend runs on one
// thread) is what the same work costs on an idle core.
const time = async (key: string, fn: () => unknown) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  t[key]!.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu[key]!.push((c.user + c.system) / 1000);
};
for (const { frame, slots } of loaded) {
  const detections = await runner.detect(frame);
  await time('detection', () => runner.detect(frame));
  await time('handFeatures', () => patchFeatures(frame, slots));
  await time('patchOnly', () => patchOnly.observe(frame, slots, detections));
  await time('full', () => full.observe(frame, slots, detections));
  await time('pipeline', async () => full.observe(frame, slots, await runner.detect(frame)));
}
runner.dispose();
const slotsPerFrame = loaded.reduce((s, f) => s + f.slots.length, 0) / loaded.length;
const out = Object.fromEntries(
  keys.map((k) => [
    k,
    { msMedian: Math.round(median(t[k]!)), msP95: Math.round(percentile(t[k]!, 95)), cpuMsMedian: Math.round(median(cpu[k]!)), cpuMsP95: Math.round(percentile(cpu[k]!, 95)) },
  ]),
);
const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
console.log(`evidence on ${loaded.length} frames ${loaded[0]!.frame.width}x${loaded[0]!.frame.height}, ${slotsPerFrame.toFixed(0)} slots each, WASM backend; load average ${load} on ${(await import('node:os')).cpus().length} cores`);
console.log('               wall: median     p95 | CPU time: median     p95');
for (const [k, v] of Object.entries(out)) {
  console.log(`${k.padEnd(13)} ${String(v.msMedian).padStart(9)} ms ${String(v.msP95).padStart(5)} ms | ${String(v.cpuMsMedian).padStart(13)} ms ${String(v.cpuMsP95).padStart(5)} ms`);
}
if (values.json) console.log(JSON.stringify({ frames: loaded.length, slotsPerFrame, ...out }));
