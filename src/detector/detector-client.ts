import type { Slot } from '../occupancy/types.ts';
import type { BackendPreference } from './backend-choice.ts';
import type { DetectOptions } from './coco-detector.ts';
import type { Analysis, BackendInfo, FromWorker, ToWorker } from './worker-messages.ts';

export interface ReadyInfo extends BackendInfo {
  readonly loadMs: number;
}

/** The page's side of the detection worker: one request in flight per frame, promises instead of messages. */
export class DetectorClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (a: Analysis) => void; reject: (e: Error) => void }>();
  private loading: { resolve: (r: ReadyInfo) => void; reject: (e: Error) => void } | null = null;

  constructor(
    private readonly onProgress: (fraction: number) => void = () => {},
    /** The worker's WebGL context was lost: it cannot detect any more and must be replaced. */
    private readonly onContextLost: () => void = () => {},
  ) {
    this.worker = new Worker(new URL('./detection.worker.ts', import.meta.url), { type: 'module', name: 'lotwatch-detector' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    this.worker.onerror = (e) => this.failAll(new Error(e.message || 'The detection worker could not start'));
  }

  load(modelUrl: string, backend: BackendPreference): Promise<ReadyInfo> {
    return new Promise((resolve, reject) => {
      this.loading = { resolve, reject };
      this.post({ type: 'load', modelUrl, backend });
    });
  }

  analyze(frame: ImageBitmap, slots: readonly Slot[], options: DetectOptions): Promise<Analysis> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ type: 'analyze', id, frame, slots, options }, [frame]);
    });
  }

  terminate(): void {
    this.worker.terminate();
    this.failAll(new Error('The detector was stopped'));
  }

  private post(msg: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
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
        this.pending.get(id)?.resolve(analysis);
        this.pending.delete(id);
        break;
      }
      case 'analysis-failed':
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
