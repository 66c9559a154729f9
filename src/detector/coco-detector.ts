import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { load, type ObjectDetection } from '@tensorflow-models/coco-ssd';
import type { RgbaFrame } from '../camera/frame.ts';
import type { Detection, VehicleClass } from '../occupancy/types.ts';
import { toVehicleDetections, type CocoObject } from './vehicles.ts';

export interface DetectOptions {
  /** A full lot has far more than COCO-SSD's default of 20 boxes. */
  readonly maxBoxes: number;
  /** Parked cars seen from above score low: 0.3 keeps most of them and few false ones (measured on the fixture video). */
  readonly minScore: number;
  /**
   * Boxes of one class that overlap more than this suppress each other (non-maximum suppression; default DEFAULT_IOU).
   * coco-ssd's own detect() passes minScore here, so at 0.3 two neighbouring parked cars whose boxes overlap by a third
   * lose one.
   */
  readonly iou?: number;
}

/** Suppression overlap when the options do not say: boxes of two parked neighbours overlap less than this. */
export const DEFAULT_IOU = 0.5;
export const DEFAULT_DETECT: DetectOptions = { maxBoxes: 100, minScore: 0.3, iou: DEFAULT_IOU };

/** The vehicle classes' columns in the graph's score output (COCO ids minus one). */
const VEHICLE_COLUMNS: readonly (readonly [VehicleClass, number])[] = [
  ['car', 2],
  ['motorcycle', 3],
  ['bus', 5],
  ['truck', 7],
];
/** The same vehicle is often a car and a truck at once: across classes, only near-duplicates are merged. */
const CROSS_CLASS_IOU = 0.7;

/** Where the weights come from: a URL on the app's own origin, or any TF.js IOHandler (files on disk in Node). */
export type ModelSource = string | tf.io.IOHandler;

/** Turns RGBA pixels into the int32 RGB tensor COCO-SSD takes; the caller owns (and disposes) it. */
export function frameToTensor(frame: RgbaFrame): tf.Tensor3D {
  const data = frame.data instanceof Uint8Array ? frame.data : new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
  return tf.browser.fromPixels({ data, width: frame.width, height: frame.height }, 3);
}

/** COCO-SSD lite_mobilenet_v2, loaded from our own weights, reporting vehicles only. Owns its tensors. */
export class CocoDetector {
  private constructor(private readonly model: ObjectDetection) {}

  /** Loads and warms up the model (coco-ssd runs one zero frame through it). */
  static async load(source: ModelSource): Promise<CocoDetector> {
    // coco-ssd types modelUrl as a string but hands it straight to loadGraphModel, which also takes an IOHandler:
    // that is how we report download progress in the browser and read files from disk in Node.
    const model = await load({ base: 'lite_mobilenet_v2', modelUrl: source as unknown as string });
    return new CocoDetector(model);
  }

  /**
   * Vehicles in the frame. Runs the graph itself and suppresses per class at `options.iou` (coco-ssd's detect() would
   * suppress at minScore), keeping each box's own score.
   */
  async detect(frame: RgbaFrame, options: DetectOptions = DEFAULT_DETECT): Promise<Detection[]> {
    const input = tf.tidy(() => tf.expandDims(frameToTensor(frame)));
    let outputs: tf.Tensor[] = [];
    try {
      // [1, boxes, classes] scores after the sigmoid, [1, boxes, 1, 4] boxes as (top, left, bottom, right) in 0..1.
      outputs = (await this.graph.executeAsync(input)) as tf.Tensor[];
      const [scores, boxes] = outputs as [tf.Tensor3D, tf.Tensor4D];
      // Only the vehicle classes' scores leave the backend (the graph scores 90 classes for each of ~1900 boxes).
      const vehicleScores = tf.tidy(() => tf.gather(tf.squeeze(scores, [0]), VEHICLE_COLUMNS.map(([, c]) => c), 1));
      const [s, b] = await Promise.all([vehicleScores.data(), boxes.data()]).finally(() => vehicleScores.dispose());
      return toVehicleDetections(suppressBoxes(b, s, frame.width, frame.height, options), frame.width, frame.height);
    } finally {
      input.dispose();
      tf.dispose(outputs);
    }
  }

  /** The graph inside coco-ssd, for evidence that reads the backbone's activations. */
  get graph(): GraphModel {
    // coco-ssd keeps its GraphModel in a private field; the backbone features (slot evidence) need it.
    return (this.model as unknown as { model: GraphModel }).model;
  }

  dispose(): void {
    this.model.dispose();
  }
}

/**
 * Per-class greedy non-maximum suppression, then near-duplicates across classes (CROSS_CLASS_IOU). `boxes` holds
 * (top, left, bottom, right) per box in 0..1; `scores[k]` the k-th VEHICLE_COLUMNS class's score per box. Pure.
 */
export function suppressBoxes(boxes: ArrayLike<number>, scores: ArrayLike<number>, width: number, height: number, o: DetectOptions): CocoObject[] {
  const classes = VEHICLE_COLUMNS.length;
  const count = boxes.length / 4;
  const iou = o.iou ?? DEFAULT_IOU;
  const kept: { box: number; score: number; label: VehicleClass }[] = [];
  VEHICLE_COLUMNS.forEach(([label], k) => {
    const candidates: number[] = [];
    for (let b = 0; b < count; b++) if (scores[b * classes + k]! >= o.minScore) candidates.push(b);
    candidates.sort((a, b) => scores[b * classes + k]! - scores[a * classes + k]!);
    const mine: number[] = [];
    for (const b of candidates) {
      if (mine.length >= o.maxBoxes) break;
      if (mine.some((m) => iouOf(boxes, m, b) > iou)) continue;
      mine.push(b);
      kept.push({ box: b, score: scores[b * classes + k]!, label });
    }
  });
  kept.sort((a, b) => b.score - a.score);
  const out: CocoObject[] = [];
  const taken: number[] = [];
  for (const c of kept) {
    if (out.length >= o.maxBoxes) break;
    if (taken.some((t) => iouOf(boxes, t, c.box) > CROSS_CLASS_IOU)) continue;
    taken.push(c.box);
    const [top, left, bottom, right] = [boxes[c.box * 4]!, boxes[c.box * 4 + 1]!, boxes[c.box * 4 + 2]!, boxes[c.box * 4 + 3]!];
    out.push({ bbox: [left * width, top * height, (right - left) * width, (bottom - top) * height], class: c.label, score: c.score });
  }
  return out;
}

function iouOf(c: ArrayLike<number>, a: number, b: number): number {
  const [at, al, ab, ar] = [c[a * 4]!, c[a * 4 + 1]!, c[a * 4 + 2]!, c[a * 4 + 3]!];
  const [bt, bl, bb, br] = [c[b * 4]!, c[b * 4 + 1]!, c[b * 4 + 2]!, c[b * 4 + 3]!];
  const iw = Math.max(0, Math.min(ar, br) - Math.max(al, bl));
  const ih = Math.max(0, Math.min(ab, bb) - Math.max(at, bt));
  const inter = iw * ih;
  const union = (ar - al) * (ab - at) + (br - bl) * (bb - bt) - inter;
  return union > 0 ? inter / union : 0;
}
