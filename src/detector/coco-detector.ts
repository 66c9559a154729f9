import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { load, type ObjectDetection } from '@tensorflow-models/coco-ssd';
import type { RgbaFrame } from '../camera/frame.ts';
import type { Detection } from '../occupancy/types.ts';
import { toVehicleDetections } from './vehicles.ts';

export interface DetectOptions {
  /** A full lot has far more than COCO-SSD's default of 20 boxes. */
  readonly maxBoxes: number;
  /** Parked cars seen from above score low: 0.3 keeps most of them and few false ones (measured on the fixture video). */
  readonly minScore: number;
}

export const DEFAULT_DETECT: DetectOptions = { maxBoxes: 100, minScore: 0.3 };

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

  async detect(frame: RgbaFrame, options: DetectOptions = DEFAULT_DETECT): Promise<Detection[]> {
    const input = frameToTensor(frame);
    try {
      const objects = await this.model.detect(input, options.maxBoxes, options.minScore);
      return toVehicleDetections(objects, frame.width, frame.height);
    } finally {
      input.dispose();
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
