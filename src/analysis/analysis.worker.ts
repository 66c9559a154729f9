// The analysis worker: owns TF.js, the model and the slot evidence, so analysis never blocks the page.
// It counts from the first frame on patch evidence alone, and with the full evidence once the model is loaded.
import * as tf from '@tensorflow/tfjs-core';
import type { RgbaFrame } from '../camera/frame.ts';
import {
  applyCorrection,
  applyCorrections,
  clearCorrections,
  emptyCalibration,
  parseCalibration,
  pruneCorrections,
  undoCorrection,
  type LotCalibration,
} from '../evidence/calibration.ts';
import { IncrementalEvidence, type IncrementalResult } from '../evidence/incremental-evidence.ts';
import { makeConfirmation, makeCorrection, SlotEvidence, type SlotEvidenceFeatures } from '../evidence/slot-evidence.ts';
import { parseWeights } from '../evidence/weights.ts';
import weightsJson from '../evidence/weights.json';
import { planBackends } from '../detector/backend-choice.ts';
import { probeCapabilities } from '../detector/capabilities.ts';
import { CocoDetector } from '../detector/coco-detector.ts';
import { initBackend, watchWebglContext } from '../detector/tf-backends.ts';
import { SlotPlacer } from '../motion/slot-placer.ts';
import type { AnalyzeRequest, CalibrateRequest, CalibrationChange, FromWorker, LoadRequest, ToWorker } from './messages.ts';

/** Every message out of the worker goes through here, so each is checked against the protocol. */
const post = (message: FromWorker, transfer: Transferable[] = []): void => self.postMessage(message, transfer);

const weights = parseWeights(weightsJson);
let detector: CocoDetector | null = null;
/** Each slot keeps its evidence until the change gate sees it change (incremental-evidence.ts). */
let evidence = new IncrementalEvidence(new SlotEvidence(weights));
let calibration: LotCalibration = emptyCalibration();
/** The latest features of each slot and the frame they came from: what a correction records. */
let latest = { frame: '', features: new Map<string, SlotEvidenceFeatures>(), placed: true };
let canvas: OffscreenCanvas | null = null;
/** Where the slots are on each frame, against the lot's scene reference (the camera may have moved). */
const placer = new SlotPlacer();

async function load(req: LoadRequest): Promise<void> {
  const started = performance.now();
  try {
    const info = await initBackend(planBackends(req.backend, probeCapabilities()));
    const source = tf.io.http(req.modelUrl, { onProgress: (fraction) => post({ type: 'progress', fraction }) });
    detector?.dispose();
    detector = await CocoDetector.load(source);
    // A reload replaces the evidence: free the tile CNN's weight tensors of the last one (the probe holds none).
    evidence.evidence.dispose();
    evidence = new IncrementalEvidence(new SlotEvidence(weights, detector.graph));
    watchWebglContext(() => post({ type: 'context-lost' }));
    post({ type: 'ready', loadMs: performance.now() - started, ...info });
  } catch (err) {
    post({ type: 'load-failed', message: err instanceof Error ? err.message : String(err) });
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
    const frame = pixelsOf(req.frame);
    const tm = performance.now();
    const now = Date.now();
    const placed = placer.place(frame, req.slots, now);
    const motionMs = performance.now() - tm;
    const t0 = performance.now();
    let detectMs = 0;
    // detect() runs only when some slot's evidence is recomputed on this frame (or the lot has no slots yet).
    const detect = async () => {
      const d0 = performance.now();
      const found = detector ? await detector.detect(frame, req.options) : [];
      detectMs = performance.now() - d0;
      return found;
    };
    // Slots that cannot be placed give no evidence at all: the counts hold rather than count the wrong ground. The
    // vehicles are still found, to show what the camera sees now.
    const result: IncrementalResult =
      placed.camera?.placed === false
        ? { observations: [], features: [], mode: evidence.evidence.mode, detections: await detect(), detected: true, reasons: [] }
        : await evidence.observe(frame, placed.slots, detect, calibration, {
            sensitivity: req.options.sensitivity,
            full: req.options.evidence === 'full',
            at: now,
          });
    const evidenceMs = performance.now() - t0 - detectMs;
    latest = { frame: `frame-${req.id}-${Date.now()}`, features: new Map(result.features.map((f) => [f.id, f])), placed: placed.camera?.placed !== false };
    post({
      type: 'analysis',
      id: req.id,
      detections: [...result.detections],
      detected: result.detected,
      recomputed: result.reasons.filter((r) => r !== 'kept').length,
      observations: result.observations,
      mode: result.mode,
      ...(result.fallbackReason ? { fallbackReason: result.fallbackReason } : {}),
      width: frame.width,
      height: frame.height,
      ms: performance.now() - started,
      detectMs,
      evidenceMs,
      numTensors: tf.memory().numTensors,
      camera: placed.camera,
      motionMs,
      ...(placed.scene ? { scene: placed.scene } : {}),
    });
  } catch (err) {
    post({ type: 'failed', id: req.id, message: err instanceof Error ? err.message : String(err) });
  } finally {
    req.frame.close();
  }
}

function calibrated(change: CalibrationChange): LotCalibration {
  switch (change.kind) {
    case 'set':
      return parseCalibration(change.calibration);
    case 'correct': {
      const f = latest.features.get(change.slotId);
      if (!f && !latest.placed) throw new Error('The camera moved: check the slots before correcting one');
      if (!f) throw new Error(`Slot ${change.slotId} has not been seen in a frame yet; wait a moment and tap again`);
      return applyCorrection(calibration, makeCorrection(f, change.occupied, latest.frame, weights, Date.now()), weights);
    }
    case 'confirm': {
      if (!latest.placed) throw new Error('The camera moved: check the slots before confirming them');
      const made = makeConfirmation(calibration, change.states, latest.features, latest.frame, weights, Date.now());
      if (!made.length) throw new Error('No slot has been seen in a frame yet; wait a moment and confirm again');
      return applyCorrections(calibration, made, weights);
    }
    case 'undo':
      return undoCorrection(calibration, weights);
    case 'clear':
      return clearCorrections();
    case 'prune':
      return pruneCorrections(calibration, change.slotIds, weights);
  }
}

function calibrate(req: CalibrateRequest): void {
  try {
    calibration = calibrated(req.change);
    post({ type: 'calibrated', id: req.id, calibration });
  } catch (err) {
    post({ type: 'failed', id: req.id, message: err instanceof Error ? err.message : String(err) });
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.type === 'load') void load(msg);
  else if (msg.type === 'analyze') void analyze(msg);
  else if (msg.type === 'scene') placer.setScene(msg.scene);
  else calibrate(msg);
};
