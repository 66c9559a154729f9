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
import { seededRandom } from '../support/seeded-random.ts';

export interface BenchConfig {
  frameUrls: string[];
  backends: { name: BackendName; frames: number }[];
  tensorFrames: number;
  mainThreadFrames: number;
  /** Frames of the incremental path on one frame repeated with sensor noise only (WASM). */
  steadyFrames: number;
  /** Seconds of counting at the default cadence for the CPU-per-minute figure, per evidence mode (0: skip). */
  cpuSeconds: number;
  cadenceMs: number;
  /**
   * A labelled lot's frames with its own slots (WASM, full path): the ratios of bench:evidence on the same frames and
   * slots, in the browser. The video's grid is no lot anyone marks: its boxes straddle cars and lanes, so the tile
   * CNN is unsure of many and turns them or asks its second opinion far more often than on marked slots.
   */
  lot: { name: string; frames: { url: string; slots: Slot[] }[]; count: number } | null;
}

/** CPU seconds used so far by the browser's whole process tree (exposed by scripts/bench/detector.ts). */
declare function benchCpuSeconds(): Promise<number>;

const OPTIONS: AnalyzeOptions = { ...DEFAULT_DETECT, sensitivity: 0 };
const FULL: AnalyzeOptions = { ...OPTIONS, evidence: 'full' };
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

/** The frame with Gaussian sensor noise (σ 2 grey levels): a still lot as a camera sees it, never twice the same pixels. */
function noisy(src: ImageBitmap, seed: number): ImageData {
  const size = analysisSize(src.width, src.height);
  const canvas = new OffscreenCanvas(size.width, size.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(src, 0, 0, size.width, size.height);
  const img = ctx.getImageData(0, 0, size.width, size.height);
  const random = seededRandom(seed);
  for (let i = 0; i < img.data.length; i++) if (i % 4 !== 3) img.data[i] = img.data[i]! + 2 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return img;
}

/**
 * The incremental path (WASM): on one frame repeated with noise only (steady), and over the video's frames in order;
 * then CPU seconds per minute of counting at the default cadence, full and incremental.
 */
async function incremental(client: AnalysisClient, frames: ImageBitmap[], slots: Slot[], cfg: BenchConfig) {
  const variants = [0, 1, 2, 3].map((k) => noisy(frames[0]!, k + 1));
  const steady: number[] = [];
  const steadyWorker: number[] = [];
  let recomputed = 0;
  let detected = 0;
  // The first frame recomputes every slot (nothing cached): not part of the steady state.
  await client.analyze(await createImageBitmap(variants[0]!), slots, OPTIONS);
  for (let i = 0; i < cfg.steadyFrames; i++) {
    const t = performance.now();
    const a = await client.analyze(await createImageBitmap(variants[(i + 1) % variants.length]!), slots, OPTIONS);
    steady.push(performance.now() - t);
    steadyWorker.push(a.ms);
    recomputed += a.recomputed;
    detected += a.detected ? 1 : 0;
  }
  const video: number[] = [];
  let videoRecomputed = 0;
  for (let i = 0; i < frames.length * 2; i++) {
    const t = performance.now();
    const a = await client.analyze(await grab(frames[i % frames.length]!), slots, OPTIONS);
    video.push(performance.now() - t);
    videoRecomputed += a.recomputed;
  }
  const cpu: Record<string, { cpuSecondsPerMinute: number; frames: number }> = {};
  const runs: [string, 'full' | 'incremental', (n: number) => Promise<ImageBitmap>][] = [
    ['full path, the video', 'full', (n) => grab(frames[n % frames.length]!)],
    ['incremental, the video', 'incremental', (n) => grab(frames[n % frames.length]!)],
    ['incremental, a still lot (one frame + noise)', 'incremental', (n) => createImageBitmap(variants[n % variants.length]!)],
  ];
  for (const [label, mode, frameAt] of cfg.cpuSeconds > 0 ? runs : []) {
    const options: AnalyzeOptions = { ...OPTIONS, evidence: mode };
    const c0 = await benchCpuSeconds();
    const t0 = performance.now();
    let n = 0;
    // The app's loop: a frame, then wait out the rest of the cadence (src/controllers/analysis-controller.ts).
    while (performance.now() - t0 < cfg.cpuSeconds * 1000) {
      const started = performance.now();
      await client.analyze(await frameAt(n++), slots, options);
      const wait = cfg.cadenceMs - (performance.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const wall = (performance.now() - t0) / 1000;
    cpu[label] = { cpuSecondsPerMinute: (((await benchCpuSeconds()) - c0) / wall) * 60, frames: n };
  }
  return {
    steady: { ...stats(steady), worker: stats(steadyWorker), recomputedPerFrame: recomputed / cfg.steadyFrames, detectedShare: detected / cfg.steadyFrames },
    video: { ...stats(video.slice(1)), recomputedPerFrame: videoRecomputed / video.length },
    cpu,
  };
}

/**
 * A full-path frame's times, split as the worker reports them: the model, the evidence, the camera-motion estimate,
 * and the plumbing (everything else: grabbing, transfer, pixels, messages, hysteresis).
 */
class FullPathTimes {
  readonly detect: number[] = [];
  readonly evidence: number[] = [];
  readonly motion: number[] = [];
  readonly plumbing: number[] = [];
  readonly pipeline: number[] = [];

  add(total: number, a: { detectMs: number; evidenceMs: number; motionMs: number }): void {
    this.pipeline.push(total);
    this.detect.push(a.detectMs);
    this.evidence.push(a.evidenceMs);
    this.motion.push(a.motionMs);
    this.plumbing.push(total - a.detectMs - a.evidenceMs - a.motionMs);
  }

  /** Each part's statistics, the first `skip` frames (warm-up) left out. */
  stats(skip = 0) {
    const of = (xs: number[]) => stats(xs.slice(skip));
    return { detect: of(this.detect), evidence: of(this.evidence), motion: of(this.motion), plumbing: of(this.plumbing), pipeline: of(this.pipeline) };
  }
}

/** The full path on a labelled lot's frames: detect(), the slot evidence and the whole pipeline per frame. */
async function labelledLot(client: AnalysisClient, lot: NonNullable<BenchConfig['lot']>) {
  const frames = await Promise.all(lot.frames.map(async (f) => createImageBitmap(await (await fetch(f.url)).blob())));
  const times = new FullPathTimes();
  let slotCount = 0;
  let unplaced = 0;
  // One more frame than measured: the first is a warm-up (new frame size, new slots).
  for (let i = 0; i <= lot.count; i++) {
    const { slots } = lot.frames[i % frames.length]!;
    const t = performance.now();
    const a = await client.analyze(await grab(frames[i % frames.length]!), slots, FULL);
    if (i === 0) continue;
    // A frame the camera-motion check would not place gives no evidence: it would time nothing. Counted, not timed.
    if (a.observations.length !== slots.length) {
      unplaced++;
      continue;
    }
    slotCount += slots.length;
    times.add(performance.now() - t, a);
  }
  const size = analysisSize(frames[0]!.width, frames[0]!.height);
  return { name: lot.name, frameSize: `${size.width}x${size.height}`, slots: slotCount / Math.max(1, times.pipeline.length), unplaced, ...times.stats() };
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
    const times = new FullPathTimes();
    let lot: LotState | null = null;
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const bmp = await grab(frames[i % frames.length]!);
      const a = await client.analyze(bmp, slots, FULL);
      lot = stepLot(lot, slots, a.observations, Date.now(), DEFAULT_HYSTERESIS);
      times.add(performance.now() - t, a);
    }
    const split = times.stats(1);
    backends[name] = {
      loadMs,
      reason: info.reason,
      simd: info.simd,
      ...split,
      overhead: split.plumbing.median / split.detect.median,
      ...(name === 'wasm' ? await incremental(client, frames, slots, cfg) : {}),
      ...(name === 'wasm' && cfg.lot ? { lot: await labelledLot(client, cfg.lot) } : {}),
    };
    client.terminate();
  }

  // Tensor count: flat across frames when nothing leaks.
  const client = new AnalysisClient();
  await client.load(MODEL_URL, 'wasm');
  const counts: number[] = [];
  for (let i = 0; i < cfg.tensorFrames; i++) {
    // Every 10th frame recomputes every slot, so the probe's tensors are exercised as well as the gate's.
    const a = await client.analyze(await grab(frames[i % frames.length]!), slots, i % 10 ? OPTIONS : FULL);
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
