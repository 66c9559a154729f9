import { Task, TaskStatus } from '@lit/task';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { FrameSource } from '../camera/frame-source.ts';
import type { BackendPreference } from '../detector/backend-choice.ts';
import { AnalysisClient, type ReadyInfo } from '../analysis/analysis-client.ts';
import type { Analysis, CalibrationChange } from '../analysis/messages.ts';
import type { LotCalibration } from '../evidence/calibration.ts';
import type { EvidenceMode } from '../evidence/fusion.ts';
import type { CameraWatch } from '../motion/camera-watch.ts';
import type { SceneReference } from '../motion/scene.ts';
import type { Slot } from '../occupancy/types.ts';
import type { Settings } from '../settings/settings.ts';

export type ModelStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface AnalysisInputs {
  source(): FrameSource | null;
  slots(): readonly Slot[];
  settings(): Settings;
  onAnalysis(analysis: Analysis, at: number): void;
  /** Waited for before the model is fetched (on a first visit, until the service worker has stored it). */
  beforeModel?(signal: AbortSignal): Promise<void>;
  /** The worker took a new scene reference (there was none): keep it with the layout. */
  onScene(scene: SceneReference): void;
}

/**
 * Owns the analysis worker for an element: counts from the first frame on patch evidence while the model loads
 * (with progress), and with the full evidence once it is ready; one frame at a time while a source is live and the
 * page is visible. The worker keeps TF.js off the page's thread. It also holds the lot's calibration.
 *
 * Loading the model is a `Task` (@lit/task): initial, pending, complete or error, with an AbortSignal, so a restart
 * (a backend change, a lost WebGL context, a retry) supersedes a load still under way instead of racing it.
 */
export class AnalysisController implements ReactiveController {
  progress = 0;
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
  /** The lot's scene reference (null: none yet); sent to every new worker, like the calibration. */
  scene: SceneReference | null = null;
  /** Where the camera is against the scene reference, as of the last frame (null: no slots). */
  camera: CameraWatch | null = null;
  /** Bumped by setScene: a frame sent before it tells nothing about the camera against the new reference. */
  private sceneGeneration = 0;
  private backend: BackendPreference = 'auto';
  private client: AnalysisClient | null = null;
  private running = false;
  private wake: (() => void) | null = null;
  private frameTimes: number[] = [];
  private readonly model: Task<readonly [AnalysisClient, BackendPreference], ReadyInfo>;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly inputs: AnalysisInputs,
    private readonly modelUrl: string,
  ) {
    host.addController(this);
    this.model = new Task(host, {
      autoRun: false,
      task: async ([client, backend], { signal }) => {
        await this.inputs.beforeModel?.(signal);
        signal.throwIfAborted();
        return client.load(this.modelUrl, backend);
      },
      onComplete: () => (this.restarting = false),
      // Counting goes on with patch evidence; the UI offers a retry.
      onError: () => (this.restarting = false),
    });
  }

  /** The model: not asked for, loading, ready, or failed (counting goes on with patch evidence). */
  get status(): ModelStatus {
    if (!this.client) return 'idle';
    return ({ [TaskStatus.INITIAL]: 'idle', [TaskStatus.PENDING]: 'loading', [TaskStatus.COMPLETE]: 'ready', [TaskStatus.ERROR]: 'error' } as const)[
      this.model.status
    ];
  }

  /** The backend the model runs on, once it is ready. */
  get info(): ReadyInfo | null {
    return this.status === 'ready' ? (this.model.value ?? null) : null;
  }

  get error(): string | null {
    if (this.status !== 'error') return null;
    const e = this.model.error;
    return e instanceof Error ? e.message : String(e);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.stopLoop();
    this.model.abort();
    this.client?.terminate();
    this.client = null;
  }

  /**
   * Starts counting in a fresh worker (or again after a failure, a lost WebGL context or a backend change) and loads
   * the model; resolves when the load is over, one way or the other.
   */
  async start(backend: BackendPreference): Promise<void> {
    this.backend = backend;
    this.stopLoop();
    this.client?.terminate();
    this.progress = 0;
    this.mode = null;
    const client = new AnalysisClient(
      (fraction) => {
        this.progress = fraction;
        this.host.requestUpdate();
      },
      () => this.onContextLost(client),
    );
    this.client = client;
    if (this.calibration) void client.calibrate({ kind: 'set', calibration: this.calibration }).catch(() => {});
    client.setScene(this.scene);
    this.running = true;
    void this.loop(client);
    await this.model.run([client, backend]);
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

  /**
   * A new scene reference: the one stored with the layout, or null when the user marked or confirmed the slots on
   * this view (the next frame becomes it). The camera is then taken as steady.
   */
  setScene(scene: SceneReference | null): void {
    this.scene = scene;
    this.camera = null;
    this.sceneGeneration++;
    this.client?.setScene(scene);
    this.host.requestUpdate();
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
        const generation = this.sceneGeneration;
        const frame = await source.grab();
        const s = this.inputs.settings();
        const analysis = await client.analyze(frame, this.inputs.slots(), {
          maxBoxes: s.maxBoxes,
          minScore: s.minScore,
          sensitivity: s.sensitivity,
        });
        if (this.client !== client || this.inputs.source() !== source) continue;
        this.tick(analysis, generation === this.sceneGeneration);
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

  private tick(analysis: Analysis, sameScene: boolean): void {
    const now = performance.now();
    this.frameTimes = [...this.frameTimes.filter((t) => now - t < 5000), now];
    const span = (now - this.frameTimes[0]!) / 1000;
    this.fps = span > 0 ? (this.frameTimes.length - 1) / span : 0;
    this.msPerFrame = analysis.ms;
    this.mode = analysis.mode;
    this.fallbackReason = analysis.fallbackReason ?? null;
    if (!sameScene) return;
    this.camera = analysis.camera;
    if (analysis.scene) {
      this.scene = analysis.scene;
      this.inputs.onScene(analysis.scene);
    }
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
