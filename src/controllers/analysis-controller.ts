import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { FrameSource } from '../camera/frame-source.ts';
import type { BackendPreference } from '../detector/backend-choice.ts';
import { AnalysisClient, type ReadyInfo } from '../analysis/analysis-client.ts';
import type { Analysis, CalibrationChange } from '../analysis/messages.ts';
import type { LotCalibration } from '../evidence/calibration.ts';
import type { EvidenceMode } from '../evidence/fusion.ts';
import type { Slot } from '../occupancy/types.ts';
import type { Settings } from '../settings/settings.ts';

export type ModelStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface AnalysisInputs {
  source(): FrameSource | null;
  slots(): readonly Slot[];
  settings(): Settings;
  onAnalysis(analysis: Analysis, at: number): void;
}

/**
 * Owns the analysis worker for an element: counts from the first frame on patch evidence while the model loads
 * (with progress), and with the full evidence once it is ready; one frame at a time while a source is live and the
 * page is visible. The worker keeps TF.js off the page's thread. It also holds the lot's calibration.
 */
export class AnalysisController implements ReactiveController {
  status: ModelStatus = 'idle';
  progress = 0;
  info: ReadyInfo | null = null;
  error: string | null = null;
  /** Which evidence the last frame used. */
  mode: EvidenceMode | null = null;
  fallbackReason: string | null = null;
  /** Frames per second and worker ms per frame, over the last frames. */
  fps = 0;
  msPerFrame = 0;
  /** What the user taught the counter about this lot; sent to every new worker. */
  calibration: LotCalibration | null = null;
  /** Times the detector was reloaded by itself after its WebGL context was lost; `restarting` while it reloads. */
  restarts = 0;
  restarting = false;
  private backend: BackendPreference = 'auto';
  private client: AnalysisClient | null = null;
  private running = false;
  private wake: (() => void) | null = null;
  private frameTimes: number[] = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly inputs: AnalysisInputs,
    private readonly modelUrl: string,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.stopLoop();
    this.client?.terminate();
    this.client = null;
    this.status = 'idle';
  }

  /** Starts counting in a fresh worker (or again after a failure, a lost WebGL context or a backend change) and loads the model. */
  async start(backend: BackendPreference, beforeModel: () => Promise<void> = async () => {}): Promise<void> {
    this.backend = backend;
    this.stopLoop();
    this.client?.terminate();
    this.status = 'loading';
    this.progress = 0;
    this.error = null;
    this.info = null;
    this.mode = null;
    this.host.requestUpdate();
    const client = new AnalysisClient(
      (fraction) => {
        this.progress = fraction;
        this.host.requestUpdate();
      },
      () => this.onContextLost(client),
    );
    this.client = client;
    if (this.calibration) void client.calibrate({ kind: 'set', calibration: this.calibration }).catch(() => {});
    this.running = true;
    void this.loop(client);
    try {
      await beforeModel();
      if (this.client !== client) return;
      this.info = await client.load(this.modelUrl, backend);
      if (this.client !== client) return;
      this.status = 'ready';
      this.restarting = false;
    } catch (err) {
      if (this.client !== client) return;
      // Counting goes on with patch evidence; the UI offers a retry.
      this.status = 'error';
      this.restarting = false;
      this.error = err instanceof Error ? err.message : String(err);
    }
    this.host.requestUpdate();
  }

  /** Changes the calibration (a correction, undo, clear…); resolves to the new one, to be stored by the caller. */
  async calibrate(change: CalibrationChange): Promise<LotCalibration> {
    if (change.kind === 'set') this.calibration = change.calibration;
    if (!this.client) {
      if (change.kind !== 'set') throw new Error('Start counting first');
      return change.calibration;
    }
    this.calibration = await this.client.calibrate(change);
    this.host.requestUpdate();
    return this.calibration;
  }

  /** The GPU took the model's WebGL context away (driver reset, too many contexts): load the model again, unasked. */
  private onContextLost(client: AnalysisClient): void {
    if (this.client !== client) return;
    console.warn('lotwatch: the detector lost its WebGL context; reloading the model');
    this.restarts++;
    this.restarting = true;
    void this.start(this.backend);
  }

  /** Call when a source becomes available, so a waiting loop resumes at once. */
  poke(): void {
    this.wake?.();
  }

  private stopLoop(): void {
    this.running = false;
    this.wake?.();
  }

  private async loop(client: AnalysisClient): Promise<void> {
    while (this.running && this.client === client) {
      const source = this.inputs.source();
      if (!source || document.hidden || !source.width) {
        await this.idle(1000);
        continue;
      }
      const started = performance.now();
      try {
        const frame = await source.grab();
        const s = this.inputs.settings();
        const analysis = await client.analyze(frame, this.inputs.slots(), {
          maxBoxes: s.maxBoxes,
          minScore: s.minScore,
          sensitivity: s.sensitivity,
        });
        if (this.client !== client || this.inputs.source() !== source) continue;
        this.tick(analysis);
        this.inputs.onAnalysis(analysis, Date.now());
      } catch (err) {
        if (this.client !== client) return;
        // A frame can fail while a source changes; report and keep going rather than stop counting.
        console.warn('lotwatch: frame skipped:', err);
        await this.idle(500);
      }
      const cadence = this.inputs.settings().cadenceMs;
      const wait = cadence - (performance.now() - started);
      await (wait > 0 ? this.idle(wait) : nextTask());
    }
  }

  private tick(analysis: Analysis): void {
    const now = performance.now();
    this.frameTimes = [...this.frameTimes.filter((t) => now - t < 5000), now];
    const span = (now - this.frameTimes[0]!) / 1000;
    this.fps = span > 0 ? (this.frameTimes.length - 1) / span : 0;
    this.msPerFrame = analysis.ms;
    this.mode = analysis.mode;
    this.fallbackReason = analysis.fallbackReason ?? null;
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(t);
        if (self.wake === done) self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  private onVisibility = (): void => {
    if (!document.hidden) this.wake?.();
  };
}

function nextTask(): Promise<void> {
  // requestAnimationFrame does not run in hidden tabs; a zero timeout keeps the loop turning there.
  return new Promise((resolve) => setTimeout(resolve, 0));
}
