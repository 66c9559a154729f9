import type { ConfirmedState, LotCalibration } from '../evidence/calibration.ts';
import type { EvidenceMode } from '../evidence/fusion.ts';
import type { Detection, Slot, SlotObservation } from '../occupancy/types.ts';
import type { BackendPreference } from '../detector/backend-choice.ts';
import type { DetectOptions } from '../detector/coco-detector.ts';
import type { BackendInfo } from '../detector/tf-backends.ts';
import type { CameraWatch } from '../motion/camera-watch.ts';
import type { SceneReference } from '../motion/scene.ts';

export type { BackendInfo };

export interface LoadRequest {
  readonly type: 'load';
  readonly modelUrl: string;
  readonly backend: BackendPreference;
}

export interface AnalyzeOptions extends DetectOptions {
  /** Logit offset of the slot evidence: above 0 calls more slots occupied. */
  readonly sensitivity: number;
  /**
   * 'incremental' (default): slots keep their evidence until they change. 'full': every slot recomputed on this frame,
   * as before change gating (benches compare the two).
   */
  readonly evidence?: 'incremental' | 'full';
}

export interface AnalyzeRequest {
  readonly type: 'analyze';
  readonly id: number;
  /** The frame, already scaled to the analysis size; transferred, and closed by the worker. */
  readonly frame: ImageBitmap;
  readonly slots: readonly Slot[];
  readonly options: AnalyzeOptions;
}

/** What the user taught the counter about this lot, and what to do with it. */
export type CalibrationChange =
  | { readonly kind: 'set'; readonly calibration: LotCalibration }
  | { readonly kind: 'correct'; readonly slotId: string; readonly occupied: boolean }
  /** Every slot is right as shown: these states, learned as one step (calibration.ts confirmable). */
  | { readonly kind: 'confirm'; readonly states: readonly ConfirmedState[] }
  | { readonly kind: 'undo' }
  | { readonly kind: 'clear' }
  | { readonly kind: 'prune'; readonly slotIds: readonly string[] };

export interface CalibrateRequest {
  readonly type: 'calibrate';
  readonly id: number;
  readonly change: CalibrationChange;
}

/** The lot's scene reference (null: take it again: the next frame with slots becomes it). */
export interface SceneRequest {
  readonly type: 'scene';
  readonly scene: SceneReference | null;
}

export type ToWorker = LoadRequest | AnalyzeRequest | CalibrateRequest | SceneRequest;

export interface Analysis {
  /** This frame's vehicles, or the last ones found when no slot needed detect() on this frame (`detected` false). */
  readonly detections: Detection[];
  readonly detected: boolean;
  /** How many slots' evidence was recomputed on this frame (the others kept theirs: nothing changed there). */
  readonly recomputed: number;
  readonly observations: SlotObservation[];
  /** 'full' once the model is loaded; 'patch-only' before, or if it failed, or when the backbone failed this frame. */
  readonly mode: EvidenceMode;
  readonly fallbackReason?: string;
  readonly width: number;
  readonly height: number;
  /** Time inside the worker for this frame, and for the detector alone (0 when it did not run). */
  readonly ms: number;
  readonly detectMs: number;
  /** Time of the slot evidence (patch features, backbone probe, fusion) for this frame. */
  readonly evidenceMs: number;
  /** tf.memory().numTensors after the frame: flat across frames when nothing leaks. */
  readonly numTensors: number;
  /**
   * Where the camera is against the scene reference (null: no slots, nothing to place). When `camera.placed` is
   * false the slots could not be placed on this frame and `observations` is empty, so the counts hold.
   */
  readonly camera: CameraWatch | null;
  /** Time of the motion estimate (grey picture included). */
  readonly motionMs: number;
  /** The scene reference this frame became (there was none): for the page to keep with the layout. */
  readonly scene?: SceneReference;
}

export type FromWorker =
  | { readonly type: 'progress'; readonly fraction: number }
  | ({ readonly type: 'ready'; readonly loadMs: number } & BackendInfo)
  | { readonly type: 'load-failed'; readonly message: string }
  | ({ readonly type: 'analysis'; readonly id: number } & Analysis)
  | { readonly type: 'calibrated'; readonly id: number; readonly calibration: LotCalibration }
  | { readonly type: 'failed'; readonly id: number; readonly message: string }
  /** The WebGL context the model runs on was lost (GPU reset, too many contexts): the worker is unusable. */
  | { readonly type: 'context-lost' };
