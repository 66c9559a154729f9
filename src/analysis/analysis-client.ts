import type { LotCalibration } from '../evidence/calibration.ts';
import type { SceneReference } from '../motion/scene.ts';
import type { Slot } from '../occupancy/types.ts';
import type { BackendPreference } from '../detector/backend-choice.ts';
import type { Analysis, AnalyzeOptions, BackendInfo, CalibrationChange, FromWorker, ToWorker } from './messages.ts';

export interface ReadyInfo extends BackendInfo {
  readonly loadMs: number;
}

type Pending = { resolve: (v: never) => void; reject: (e: Error) => void };

/** The page's side of the analysis worker: promises instead of messages. */
export class AnalysisClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private loading: { resolve: (r: ReadyInfo) => void; reject: (e: Error) => void } | null = null;

  constructor(
    private readonly onProgress: (fraction: number) => void = () => {},
    /** The worker's WebGL context was lost: it cannot detect any more and must be replaced. */
    private readonly onContextLost: () => void = () => {},
  ) {
    this.worker = new Worker(new URL('./analysis.worker.ts', import.meta.url), { type: 'module', name: 'lotwatch-analysis' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    this.worker.onerror = (e) => this.failAll(new Error(e.message || 'The analysis worker could not start'));
  }

  /** Loads the model; frames are analysed on patch evidence alone until it is ready. */
  load(modelUrl: string, backend: BackendPreference): Promise<ReadyInfo> {
    return new Promise((resolve, reject) => {
      this.loading = { resolve, reject };
      this.post({ type: 'load', modelUrl, backend });
    });
  }

  analyze(frame: ImageBitmap, slots: readonly Slot[], options: AnalyzeOptions): Promise<Analysis> {
    return this.request<Analysis>((id) => ({ type: 'analyze', id, frame, slots, options }), [frame]);
  }

  /** Changes the lot's calibration in the worker; resolves to the new calibration (to be stored). */
  calibrate(change: CalibrationChange): Promise<LotCalibration> {
    return this.request<LotCalibration>((id) => ({ type: 'calibrate', id, change }));
  }

  /** The lot's scene reference for the motion estimate; null: the next frame with slots becomes it. */
  setScene(scene: SceneReference | null): void {
    this.post({ type: 'scene', scene });
  }

  terminate(): void {
    this.worker.terminate();
    this.failAll(new Error('The detector was stopped'));
  }

  private request<T>(make: (id: number) => ToWorker, transfer: Transferable[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: never) => void, reject });
      this.worker.postMessage(make(id), transfer);
    });
  }

  private post(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  private settle(id: number, value: unknown): void {
    (this.pending.get(id)?.resolve as ((v: unknown) => void) | undefined)?.(value);
    this.pending.delete(id);
  }

  private receive(msg: FromWorker): void {
    switch (msg.type) {
      case 'progress':
        this.onProgress(msg.fraction);
        break;
      case 'ready': {
        const { type: _type, ...info } = msg;
        this.loading?.resolve(info);
        this.loading = null;
        break;
      }
      case 'load-failed':
        this.loading?.reject(new Error(msg.message));
        this.loading = null;
        break;
      case 'analysis': {
        const { type: _type, id, ...analysis } = msg;
        this.settle(id, analysis);
        break;
      }
      case 'calibrated':
        this.settle(msg.id, msg.calibration);
        break;
      case 'failed':
        this.pending.get(msg.id)?.reject(new Error(msg.message));
        this.pending.delete(msg.id);
        break;
      case 'context-lost':
        this.onContextLost();
        break;
    }
  }

  private failAll(err: Error): void {
    this.loading?.reject(err);
    this.loading = null;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
