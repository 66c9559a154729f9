// Detector figures in headless Chromium: model load + warm-up, detect() per backend, the app's whole per-frame
// pipeline next to a bare detect() on the same frames, tensors after many frames, main-thread blocking.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesAvailable, LOT_VIDEO } from '../../tests/support/fixtures.ts';
import type { BenchConfig } from '../../tests/bench/detector-bench.ts';
import { runBenchPage } from '../lib/browser.ts';
import { PROJECT_ROOT } from '../lib/node-tf.ts';
import { numFlag } from './child.ts';

const ms = (v: number) => `${v.toFixed(1)} ms`;

export async function benchDetector(args: string[]): Promise<unknown> {
  if (!fixturesAvailable()) return { skipped: 'fixtures not found' };
  const framesDir = join(PROJECT_ROOT, '.cache', 'bench-frames');
  if (!existsSync(join(framesDir, 'f24.png'))) {
    mkdirSync(framesDir, { recursive: true });
    const video = LOT_VIDEO;
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', video, '-vf', 'fps=1.2', '-frames:v', '24', join(framesDir, 'f%02d.png')]);
  }
  const frameUrls = readdirSync(framesDir).sort().map((f) => `/.cache/bench-frames/${f}`);
  const cfg: BenchConfig = {
    frameUrls,
    backends: [
      { name: 'wasm', frames: numFlag(args, '--frames', 100) },
      { name: 'webgl', frames: numFlag(args, '--webgl-frames', 20) },
      { name: 'cpu', frames: numFlag(args, '--cpu-frames', 3) },
    ],
    tensorFrames: numFlag(args, '--tensor-frames', 500),
    mainThreadFrames: numFlag(args, '--main-thread-frames', 20),
  };

  const result = await runBenchPage<BenchConfig, DetectorBench>('/tests/bench/detector.html', cfg);
  print(result);
  return result;
}

interface Stats {
  median: number;
  p95: number;
  n: number;
}
interface DetectorBench {
  userAgent: string;
  frameSize: string;
  slots: number;
  backends: Record<
    string,
    {
      skipped?: string;
      loadMs?: number;
      reason?: string;
      detect?: Stats;
      evidence?: Stats;
      motion?: Stats;
      pipeline?: Stats;
      plumbing?: Stats;
      overhead?: number;
    }
  >;
  tensors: { afterFirst: number; afterLast: number; frames: number };
  mainThread: { frames: number; worker: { totalMs: number; maxMs: number }; inPage: { totalMs: number; maxMs: number } };
}

function print(r: DetectorBench): void {
  console.log(`${r.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium'}, frames ${r.frameSize} (fixture video), ${r.slots} slots`);
  for (const [name, b] of Object.entries(r.backends)) {
    if (b.skipped || !b.detect || !b.pipeline) {
      console.log(`${name.padEnd(6)} skipped: ${b.skipped}`);
      continue;
    }
    console.log(
      `${name.padEnd(6)} load+warm-up ${ms(b.loadMs!)} | detect() median ${ms(b.detect.median)} p95 ${ms(b.detect.p95)} | ` +
        `slot evidence median ${ms(b.evidence!.median)} | camera-motion estimate median ${ms(b.motion!.median)} p95 ${ms(b.motion!.p95)} | whole pipeline median ${ms(b.pipeline.median)} p95 ${ms(b.pipeline.p95)} | ` +
        `plumbing (grab, transfer, pixels, messages, hysteresis) median ${ms(b.plumbing!.median)} = ${(b.overhead! * 100).toFixed(1)}% of detect() (${b.detect.n} frames)`,
    );
  }
  console.log(`tensors after frame 1: ${r.tensors.afterFirst}, after frame ${r.tensors.frames}: ${r.tensors.afterLast}`);
  const mt = r.mainThread;
  console.log(
    `main thread blocked (long tasks) over ${mt.frames} frames: worker ${ms(mt.worker.totalMs)} (longest ${ms(mt.worker.maxMs)}), ` +
      `detector in the page ${ms(mt.inPage.totalMs)} (longest ${ms(mt.inPage.maxMs)})`,
  );
}
