// Runs in headless Chromium, driven by scripts/bench.ts: times the app's own analysis worker on real frames.
import type { BackendName } from '../../src/detector/backend-choice.ts';
import { CocoDetector, DEFAULT_DETECT } from '../../src/detector/coco-detector.ts';
import type { AnalyzeOptions } from '../../src/analysis/messages.ts';
import { AnalysisClient } from '../../src/analysis/analysis-client.ts';
import { initBackend } from '../../src/detector/tf-backends.ts';
import { analysisSize } from '../../src/camera/frame.ts';
import { stepLot } from '../../src/occupancy/lot-state.ts';
import { DEFAULT_HYSTERESIS } from '../../src/occupancy/hysteresis.ts';
import type { LotState, Slot } from '../../src/occupancy/types.ts';

export interface BenchConfig {
  frameUrls: string[];
  backends: { name: BackendName; frames: number }[];
  tensorFrames: number;
  mainThreadFrames: number;
}

const OPTIONS: AnalyzeOptions = { ...DEFAULT_DETECT, sensitivity: 0 };
const MODEL_URL = new URL('/models/coco-ssd/model.json', location.href).href;

/** A 10x10 grid of slots over the lower two thirds of the frame: a 100-slot lot. */
function gridSlots(): Slot[] {
  const slots: Slot[] = [];
  for (let r = 0; r < 10; r++)
    for (let c = 0; c < 10; c++) {
      const x = c / 10;
      const y = 1 / 3 + (r * 2) / 30;
      slots.push({ id: String(r * 10 + c + 1), name: '', polygon: [[x, y], [x + 0.1, y], [x + 0.1, y + 1 / 15], [x, y + 1 / 15]] });
    }
  return slots;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { median: q(0.5), p95: q(0.95), n: s.length };
};

async function grab(src: ImageBitmap): Promise<ImageBitmap> {
  const size = analysisSize(src.width, src.height);
  return createImageBitmap(src, { resizeWidth: size.width, resizeHeight: size.height, resizeQuality: 'medium' });
}

/** Total and longest main-thread long task (>50 ms) while `work` runs. */
async function longTasks(work: () => Promise<void>): Promise<{ totalMs: number; maxMs: number }> {
  const entries: PerformanceEntry[] = [];
  const obs = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  obs.observe({ type: 'longtask', buffered: false });
  await work();
  await new Promise((r) => setTimeout(r, 100));
  obs.disconnect();
  return { totalMs: entries.reduce((s, e) => s + e.duration, 0), maxMs: Math.max(0, ...entries.map((e) => e.duration)) };
}

async function run(cfg: BenchConfig) {
  const frames = await Promise.all(cfg.frameUrls.map(async (u) => createImageBitmap(await (await fetch(u)).blob())));
  const slots = gridSlots();
  const backends: Record<string, unknown> = {};

  for (const { name, frames: n } of cfg.backends) {
    const client = new AnalysisClient();
    const t0 = performance.now();
    const info = await client.load(MODEL_URL, name);
    const loadMs = performance.now() - t0;
    if (info.backend !== name) {
      backends[name] = { skipped: `not available (${info.reason})` };
      client.terminate();
      continue;
    }
    const detect: number[] = [];
    const evidence: number[] = [];
    const motion: number[] = [];
    const plumbing: number[] = [];
    const pipeline: number[] = [];
    let lot: LotState | null = null;
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const bmp = await grab(frames[i % frames.length]!);
      const a = await client.analyze(bmp, slots, OPTIONS);
      lot = stepLot(lot, slots, a.observations, Date.now(), DEFAULT_HYSTERESIS);
      const total = performance.now() - t;
      pipeline.push(total);
      detect.push(a.detectMs);
      evidence.push(a.evidenceMs);
      motion.push(a.motionMs);
      // Everything that is neither the model, the evidence nor the camera-motion estimate: grabbing, transfer, pixels,
      // messages, hysteresis.
      plumbing.push(total - a.detectMs - a.evidenceMs - a.motionMs);
    }
    const d = stats(detect.slice(1));
    const p = stats(pipeline.slice(1));
    const pl = stats(plumbing.slice(1));
    backends[name] = {
      loadMs,
      reason: info.reason,
      simd: info.simd,
      detect: d,
      evidence: stats(evidence.slice(1)),
      motion: stats(motion.slice(1)),
      pipeline: p,
      plumbing: pl,
      overhead: pl.median / d.median,
    };
    client.terminate();
  }

  // Tensor count: flat across frames when nothing leaks.
  const client = new AnalysisClient();
  await client.load(MODEL_URL, 'wasm');
  const counts: number[] = [];
  for (let i = 0; i < cfg.tensorFrames; i++) {
    const a = await client.analyze(await grab(frames[i % frames.length]!), slots, OPTIONS);
    counts.push(a.numTensors);
  }
  // Main-thread blocking: the worker vs running the same detector in the page.
  // Both loops yield to the event loop between frames, as the app's loop does.
  const nextTask = () => new Promise((r) => setTimeout(r, 0));
  const viaWorker = await longTasks(async () => {
    for (let i = 0; i < cfg.mainThreadFrames; i++) {
      await client.analyze(await grab(frames[i % frames.length]!), slots, OPTIONS);
      await nextTask();
    }
  });
  client.terminate();
  await initBackend({ order: ['wasm'], reason: 'bench' });
  const inPage = await CocoDetector.load(MODEL_URL);
  const canvas = new OffscreenCanvas(1, 1);
  const inPageTasks = await longTasks(async () => {
    for (let i = 0; i < cfg.mainThreadFrames; i++) {
      const bmp = await grab(frames[i % frames.length]!);
      canvas.width = bmp.width;
      canvas.height = bmp.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bmp, 0, 0);
      await inPage.detect(ctx.getImageData(0, 0, bmp.width, bmp.height));
      await nextTask();
    }
  });
  inPage.dispose();

  return {
    userAgent: navigator.userAgent,
    frameSize: `${frames[0]!.width}x${frames[0]!.height}`,
    slots: slots.length,
    backends,
    tensors: { afterFirst: counts[0], afterLast: counts[counts.length - 1], frames: counts.length },
    mainThread: { frames: cfg.mainThreadFrames, worker: viaWorker, inPage: inPageTasks },
  };
}

(window as unknown as { runBench: typeof run }).runBench = run;
document.getElementById('status')!.textContent = 'ready';
