// Detector figures in headless Chromium: model load + warm-up, detect() per backend, the app's whole per-frame
// pipeline next to a bare detect() on the same frames, tensors after many frames, main-thread blocking.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fixture, fixturesAvailable, LOT_VIDEO } from '../../tests/support/fixtures.ts';
import type { BenchConfig } from '../../tests/bench/detector-bench.ts';
import { runBenchPage } from '../lib/browser.ts';
import { PROJECT_ROOT } from '../lib/node-tf.ts';
import { flag, numFlag } from './child.ts';
import { descendantCpuSeconds } from '../lib/process-cpu.ts';
import { DEFAULT_SETTINGS } from '../../src/settings/settings.ts';
import { loadavg } from 'node:os';
import { readLot, sha256File } from '../lib/lots.ts';

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
  const lotFrames = numFlag(args, '--lot-frames', 20);
  const cfg: BenchConfig = {
    frameUrls,
    // A backend given 0 frames is left out.
    backends: (
      [
        { name: 'wasm', frames: numFlag(args, '--frames', 100) },
        { name: 'webgl', frames: numFlag(args, '--webgl-frames', 20) },
        { name: 'cpu', frames: numFlag(args, '--cpu-frames', 3) },
      ] as const
    ).filter((b) => b.frames > 0),
    tensorFrames: numFlag(args, '--tensor-frames', 500),
    mainThreadFrames: numFlag(args, '--main-thread-frames', 20),
    steadyFrames: numFlag(args, '--steady-frames', 60),
    cpuSeconds: numFlag(args, '--cpu-seconds', 60),
    cadenceMs: DEFAULT_SETTINGS.cadenceMs,
    lot: lotFrames > 0 ? labelledLotConfig(flag(args, '--lot') ?? fixture('lots', 'pucpr'), lotFrames) : null,
  };

  const result = await runBenchPage<BenchConfig, DetectorBench>('/tests/bench/detector.html', cfg, { benchCpuSeconds: () => descendantCpuSeconds() });
  result.loadAverage = loadavg()[0]!;
  print(result);
  return result;
}

/**
 * bench:evidence's frames and slots (the lot's first 10 frames, each with its labelled slots), copied where the bench
 * page's server can reach them (it serves the project only). Null, said, when `dir` holds no labelled lot.
 */
function labelledLotConfig(dir: string, count: number): BenchConfig['lot'] {
  if (!existsSync(join(dir, 'labels'))) {
    console.log(`no labelled lot at ${dir}: the labelled-lot row is left out (--lot DIR)`);
    return null;
  }
  const lot = readLot(dir).slice(0, 10);
  const name = lot[0]!.lot;
  const folder = name.replace(/[^\w.-]/g, '_');
  const copies = join(PROJECT_ROOT, '.cache', 'bench-lot', folder);
  mkdirSync(copies, { recursive: true });
  return {
    name,
    frames: lot.map((f) => {
      const file = `${sha256File(f.imagePath).slice(0, 16)}${extname(f.imagePath)}`;
      if (!existsSync(join(copies, file))) copyFileSync(f.imagePath, join(copies, file));
      return { url: `/.cache/bench-lot/${folder}/${file}`, slots: f.slots.map(({ id, name: n, polygon }) => ({ id, name: n, polygon })) };
    }),
    count,
  };
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
  loadAverage: number;
  backends: Record<
    string,
    {
      skipped?: string;
      loadMs?: number;
      reason?: string;
      simd?: boolean;
      detect?: Stats;
      evidence?: Stats;
      motion?: Stats;
      pipeline?: Stats;
      plumbing?: Stats;
      overhead?: number;
      steady?: Stats & { worker: Stats; recomputedPerFrame: number; detectedShare: number };
      video?: Stats & { recomputedPerFrame: number };
      cpu?: Record<string, { cpuSecondsPerMinute: number; frames: number }>;
      lot?: { name: string; frameSize: string; slots: number; unplaced: number; detect: Stats; evidence: Stats; motion: Stats; plumbing: Stats; pipeline: Stats };
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
    const detectMedian = b.detect.median;
    const x = (v: number) => `${(v / detectMedian).toFixed(2)}x detect()`;
    console.log(`${''.padEnd(6)} every slot re-evaluated (full path): pipeline median ${x(b.pipeline.median)}, p95 ${x(b.pipeline.p95)}`);
    if (b.steady)
      console.log(
        `${''.padEnd(6)} steady (incremental, one frame + noise, ${b.steady.n} frames, SIMD ${b.simd}): median ${ms(b.steady.median)} = ${x(b.steady.median)}, ` +
          `p95 ${ms(b.steady.p95)} = ${x(b.steady.p95)}; ${b.steady.recomputedPerFrame.toFixed(1)} slots recomputed and detect() on ${(b.steady.detectedShare * 100).toFixed(0)}% of frames`,
      );
    if (b.video)
      console.log(
        `${''.padEnd(6)} incremental over the fixture video in order: median ${ms(b.video.median)} = ${x(b.video.median)}, p95 ${x(b.video.p95)}; ` +
          `${b.video.recomputedPerFrame.toFixed(1)} slots recomputed per frame`,
      );
    if (b.lot) {
      const l = b.lot;
      const lx = (v: number) => `${(v / l.detect.median).toFixed(2)}x detect()`;
      console.log(
        `${''.padEnd(6)} ${l.name}'s labelled slots (${l.frameSize}, ${Math.round(l.slots)} slots a frame, ${l.pipeline.n} frames${l.unplaced ? `, ${l.unplaced} more not placed by the camera-motion check and not timed` : ''}, full path): detect() median ${ms(l.detect.median)}, ` +
          `slot evidence median ${ms(l.evidence.median)} = ${lx(l.evidence.median)}, camera-motion estimate median ${ms(l.motion.median)}, ` +
          `plumbing median ${ms(l.plumbing.median)} = ${lx(l.plumbing.median)}; every slot re-evaluated: pipeline median ${lx(l.pipeline.median)}, p95 ${lx(l.pipeline.p95)}`,
      );
    }
    for (const [run, c] of Object.entries(b.cpu ?? {}))
      console.log(`${''.padEnd(6)} browser CPU at the default cadence, ${r.slots} slots, ${run}: ${c.cpuSecondsPerMinute.toFixed(1)} CPU s/min (${c.frames} frames)`);
  }
  console.log(`load average ${r.loadAverage.toFixed(1)}`);
  console.log(`tensors after frame 1: ${r.tensors.afterFirst}, after frame ${r.tensors.frames}: ${r.tensors.afterLast}`);
  const mt = r.mainThread;
  console.log(
    `main thread blocked (long tasks) over ${mt.frames} frames: worker ${ms(mt.worker.totalMs)} (longest ${ms(mt.worker.maxMs)}), ` +
      `detector in the page ${ms(mt.inPage.totalMs)} (longest ${ms(mt.inPage.maxMs)})`,
  );
}
