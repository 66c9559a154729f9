import type { Detection, Slot, SlotObservation } from '../occupancy/types.ts';
import type { BackendName, BackendPreference } from './backend-choice.ts';
import type { DetectOptions } from './coco-detector.ts';

export interface BackendInfo {
  readonly backend: BackendName;
  /** Why this backend, in words for the UI. */
  readonly reason: string;
  /** WASM only: whether SIMD and threads are in use. */
  readonly simd?: boolean;
  readonly threads?: boolean;
}

export interface LoadRequest {
  readonly type: 'load';
  readonly modelUrl: string;
  readonly backend: BackendPreference;
}

export interface AnalyzeRequest {
  readonly type: 'analyze';
  readonly id: number;
  /** The frame, already scaled to the analysis size; transferred, and closed by the worker. */
  readonly frame: ImageBitmap;
  readonly slots: readonly Slot[];
  readonly options: DetectOptions;
}

export type ToWorker = LoadRequest | AnalyzeRequest;

export interface Analysis {
  readonly detections: Detection[];
  readonly observations: SlotObservation[];
  readonly width: number;
  readonly height: number;
  /** Time inside the worker for this frame, and for the detector alone. */
  readonly ms: number;
  readonly detectMs: number;
  /** tf.memory().numTensors after the frame: flat across frames when nothing leaks. */
  readonly numTensors: number;
}

export type FromWorker =
  | { readonly type: 'progress'; readonly fraction: number }
  | ({ readonly type: 'ready'; readonly loadMs: number } & BackendInfo)
  | { readonly type: 'load-failed'; readonly message: string }
  | ({ readonly type: 'analysis'; readonly id: number } & Analysis)
  | { readonly type: 'analysis-failed'; readonly id: number; readonly message: string }
  /** The WebGL context the model runs on was lost (GPU reset, too many contexts): the worker is unusable. */
  | { readonly type: 'context-lost' };
