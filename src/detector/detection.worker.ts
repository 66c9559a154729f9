// The detection worker: owns TF.js and the model, so inference never blocks the page.
import * as tf from '@tensorflow/tfjs-core';
import type { RgbaFrame } from '../camera/frame.ts';
import { observeFromDetections } from '../occupancy/detection-evidence.ts';
import { planBackends } from './backend-choice.ts';
import { probeCapabilities } from './capabilities.ts';
import { CocoDetector } from './coco-detector.ts';
import { initBackend, watchWebglContext } from './tf-backends.ts';
import type { AnalyzeRequest, FromWorker, LoadRequest, ToWorker } from './worker-messages.ts';

interface WorkerScope {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}
// The project compiles against the DOM library; this is the part of DedicatedWorkerGlobalScope we use.
const scope = self as unknown as WorkerScope;

let detector: CocoDetector | null = null;
let canvas: OffscreenCanvas | null = null;

async function load(req: LoadRequest): Promise<void> {
  const started = performance.now();
  try {
    const info = await initBackend(planBackends(req.backend, probeCapabilities()));
    const source = tf.io.http(req.modelUrl, { onProgress: (fraction) => scope.postMessage({ type: 'progress', fraction }) });
    detector = await CocoDetector.load(source);
    watchWebglContext(() => scope.postMessage({ type: 'context-lost' }));
    scope.postMessage({ type: 'ready', loadMs: performance.now() - started, ...info });
  } catch (err) {
    scope.postMessage({ type: 'load-failed', message: err instanceof Error ? err.message : String(err) });
  }
}

function pixelsOf(bitmap: ImageBitmap): RgbaFrame {
  const { width, height } = bitmap;
  if (!canvas || canvas.width !== width || canvas.height !== height) canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('OffscreenCanvas 2D is not available');
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, width, height);
}

async function analyze(req: AnalyzeRequest): Promise<void> {
  const started = performance.now();
  try {
    if (!detector) throw new Error('The model is not loaded');
    const frame = pixelsOf(req.frame);
    const t0 = performance.now();
    const detections = await detector.detect(frame, req.options);
    const detectMs = performance.now() - t0;
    const observations = observeFromDetections(req.slots, detections);
    scope.postMessage({
      type: 'analysis',
      id: req.id,
      detections,
      observations,
      width: frame.width,
      height: frame.height,
      ms: performance.now() - started,
      detectMs,
      numTensors: tf.memory().numTensors,
    });
  } catch (err) {
    scope.postMessage({ type: 'analysis-failed', id: req.id, message: err instanceof Error ? err.message : String(err) });
  } finally {
    req.frame.close();
  }
}

scope.onmessage = (e) => {
  const msg = e.data;
  if (msg.type === 'load') void load(msg);
  else if (msg.type === 'analyze') void analyze(msg);
};
