import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Analysis, CalibrationChange } from '../analysis/messages.ts';
import type { SourceKind } from '../camera/frame-source.ts';
import type { BackendPreference } from '../detector/backend-choice.ts';
import { countingStatus, sameStatus, toStatusMetadata, type CountingStatus, type StatusMetadata } from '../occupancy/counting-status.ts';
import { stepLot } from '../occupancy/lot-state.ts';
import { breakdown, toMetadata, type Breakdown } from '../share/metadata.ts';
import type { Detection, LotState, Slot, SlotState } from '../occupancy/types.ts';
import { followMove, type CameraMove } from '../motion/camera-move.ts';
import type { SceneReference } from '../motion/scene.ts';
import { hysteresisOf, type Settings } from '../settings/settings.ts';
import { lockCounter, type CounterLock } from '../share/counter-lock.ts';
import type { PublishedState } from '../share/protocol.ts';
import { toPublishedState } from '../share/published-state.ts';
import { AnalysisController } from './analysis-controller.ts';
import { CameraRecoveryController } from './camera-recovery-controller.ts';
import type { HistoryController } from './history-controller.ts';
import type { LotStoreController } from './lot-store-controller.ts';
import { PageVisibilityController } from './page-visibility-controller.ts';
import type { SharingController } from './sharing-controller.ts';
import { SourceController } from './source-controller.ts';

/**
 * The counter shares the same state again at least this often while frames come in, even when nothing changed: a relay
 * ends a lot's counting span after `--offline-after` seconds (30 by default) without a state.
 */
export const SHARE_HEARTBEAT_MS = 10_000;

export interface CounterOptions {
  readonly store: LotStoreController;
  readonly sharing: SharingController;
  readonly history: HistoryController;
  readonly modelUrl: string;
  /** `?backend=wasm` overrides the stored setting for this visit. */
  readonly backendOverride: BackendPreference | null;
  /** Resolves once the model may be fetched (first visit: the service worker has stored it). */
  readonly whenModelMayLoad: () => Promise<void>;
  /** The counting status changed (the shell keeps the screen on, asks for persistent storage…). */
  readonly statusChanged?: (status: CountingStatus) => void;
}

/**
 * The counting pipeline for an element: the source, the analysis worker, camera recovery, page visibility and the
 * one-counter-per-lot lock; the lot's state after each frame (the occupancy decision, with the settings' hysteresis);
 * the counting status. It hands every result to history and shares the state (other tabs, relay) when it changes.
 * The shell renders what this holds and calls its methods; it decides nothing itself.
 */
export class CounterController implements ReactiveController {
  /** The lot after the last processed frame, or null before the first one. */
  lot: LotState | null = null;
  detections: readonly Detection[] = [];
  /** Set when another tab counts this lot (or took it over from this one). */
  lockProblem: 'held-elsewhere' | 'taken-over' | null = null;
  /** First visit: the model waits until the service worker has stored it (model-wait-policy.ts). */
  waitingForOfflineCopy = false;
  readonly source: SourceController;
  readonly analysis: AnalysisController;
  readonly recovery: CameraRecoveryController;
  private readonly visibility: PageVisibilityController;
  private status: CountingStatus = { state: 'stopped', reason: null };
  private statusSince = Date.now();
  private lock: CounterLock | null = null;
  /** What was shared last (without per-frame noise) and when, to share only changes and a heartbeat. */
  private shared: { key: string; at: number; state: PublishedState } | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & EventTarget,
    private readonly o: CounterOptions,
  ) {
    host.addController(this);
    // The parts report their changes through this host, so the status follows them at once, not on a render.
    const parts: ReactiveControllerHost = {
      addController: (c) => host.addController(c),
      removeController: (c) => host.removeController(c),
      requestUpdate: () => {
        this.refreshStatus();
        host.requestUpdate();
      },
      get updateComplete() {
        return host.updateComplete;
      },
    };
    this.source = new SourceController(parts, () => this.recovery.start());
    this.visibility = new PageVisibilityController(parts);
    this.recovery = new CameraRecoveryController(parts, async () => {
      await this.startSource('camera');
      return this.source.status === 'live';
    });
    this.analysis = new AnalysisController(
      parts,
      {
        source: () => this.source.source,
        slots: () => o.store.slots,
        settings: () => o.store.settings,
        onAnalysis: (a, at) => this.onAnalysis(a, at),
        onScene: (scene) => void o.store.saveScene(scene).catch((err: unknown) => console.warn('lotwatch: scene reference not stored:', err)),
        beforeModel: () => this.waitForOfflineCopy(),
      },
      o.modelUrl,
    );
  }

  hostConnected(): void {
    // The "Start counting" shortcut of the installed app opens `/?start=camera`.
    if (new URLSearchParams(location.search).get('start') === 'camera') void this.open('camera');
    else void this.autoStartCamera();
  }

  hostDisconnected(): void {
    this.lock?.release();
    this.lock = null;
  }

  /** A source is open: the app is counting, or about to (model loading), or paused in the background. */
  get counting(): boolean {
    return Boolean(this.source.source);
  }

  get countingStatus(): CountingStatus {
    return this.status;
  }

  /** Whether the counts are current, and since when (as published). */
  get statusMetadata(): StatusMetadata {
    return toStatusMetadata(this.status, this.statusSince);
  }

  /** Counts per zone and per kind of bay of the lot as it is now, and the slots left out (closed); null before a frame. */
  get breakdown(): Breakdown | null {
    return this.lot ? breakdown(toMetadata(this.lot, this.o.store.slots).slots) : null;
  }

  get states(): ReadonlyMap<string, SlotState> {
    return new Map(this.lot?.slots.map((s) => [s.id, s]) ?? []);
  }

  /**
   * The current numbers as the original API's JSON, plus per-slot detail, the layout, the counting status and
   * `camera_moved: true` while the camera moved too far for the slots to follow; null before the first frame.
   */
  get published(): PublishedState | null {
    const s = this.source.source;
    if (!this.lot) return null;
    const state = toPublishedState(this.lot, this.o.store.slots, s ? { width: s.width, height: s.height } : undefined);
    return { ...state, ...this.cameraMovedFlag, status: this.statusMetadata };
  }

  /** The relay's camera_moved alert and MQTT event read this (issue 17); it goes with the status, so it ends with it. */
  private get cameraMovedFlag(): { camera_moved?: true } {
    return this.status.reason === 'camera-moved' ? { camera_moved: true } : {};
  }

  /** The user picked a source: that ends any automatic camera recovery. `takeOver`: count here instead of another tab. */
  async open(kind: SourceKind, file?: File, takeOver = false): Promise<void> {
    this.recovery.cancel();
    if (!(await this.holdLock(takeOver))) return;
    await this.startSource(kind, file);
  }

  stop(): void {
    this.recovery.cancel();
    this.source.stop();
    this.stopped();
    this.host.requestUpdate();
  }

  /** Starts (or restarts) the worker with the lot's stored calibration, and loads the model (see `beforeModel`). */
  async startAnalysis(): Promise<void> {
    if (!this.analysis.calibration) {
      const stored = await this.o.store.loadCalibration().catch(() => null);
      this.analysis.calibration ??= stored;
    }
    // Before the first frame: a frame analysed without the stored scene reference would become the reference.
    if (!this.analysis.scene) {
      const scene = await this.o.store.loadScene().catch(() => null);
      this.analysis.scene ??= scene;
    }
    await this.analysis.start(this.o.backendOverride ?? this.o.store.settings.backend);
    this.pruneCalibration();
  }

  /** Stores new settings; a new backend restarts the detector (unless the URL chose one for this visit). */
  async applySettings(next: Settings): Promise<void> {
    const backendChanged = next.backend !== this.o.store.settings.backend;
    await this.o.store.saveSettings(next);
    if (backendChanged && this.analysis.status !== 'idle' && !this.o.backendOverride) void this.startAnalysis();
  }

  /** The user says what a slot holds (or undoes, or forgets): the counter learns from it and stores what it learned. */
  async correct(change: CalibrationChange): Promise<void> {
    const calibration = await this.analysis.calibrate(change);
    await this.o.store.saveCalibration(calibration);
  }

  /** The layout changed: corrections of slots that were deleted must not steer the others. */
  slotsChanged(): void {
    this.pruneCalibration();
  }

  // --- The camera moved (issue 12): the slots follow a small move; a large one waits for the user -----------------

  /** The frame's height over its width (moves are in width units), or null without a source. */
  private get aspect(): number | null {
    const s = this.source.source;
    return s ? s.height / s.width : null;
  }

  /** The slots where the counter looks now: moved with the camera while it follows a small move. */
  get placedSlots(): readonly Slot[] {
    const c = this.analysis.camera;
    const aspect = this.aspect;
    return c?.state === 'following' && aspect ? followMove(this.o.store.slots, c.move, aspect) : this.o.store.slots;
  }

  /** The slots, moved by `move`, become the layout; the reference is taken again from the view they now fit. */
  moveSlotsWithCamera(move: CameraMove): void {
    const aspect = this.aspect;
    if (!aspect) return;
    void this.o.store.replaceSlots(followMove(this.o.store.slots, move, aspect));
    this.analysis.setScene(null);
  }

  /** "The slots are right": the reference is taken again from the view as it is now. */
  confirmSlots(): void {
    this.analysis.setScene(null);
  }

  /** Before editing: a small move the counter follows becomes part of the layout, so editing starts where the slots are seen. */
  settleFollowedMove(): void {
    const c = this.analysis.camera;
    if (c?.state === 'following') this.moveSlotsWithCamera(c.move);
  }

  /** A layout file that carries the scene it was marked on: the camera is checked against it from the next frame. */
  adoptScene(scene: SceneReference): void {
    this.analysis.setScene(scene);
    void this.o.store.saveScene(scene).catch((err: unknown) => console.warn('lotwatch: scene reference not stored:', err));
  }

  private pruneCalibration(): void {
    const ids = new Set(this.o.store.slots.map((x) => x.id));
    if (this.analysis.status === 'idle' || !this.analysis.calibration?.corrections.some((c) => !ids.has(c.slotId))) return;
    void this.correct({ kind: 'prune', slotIds: [...ids] }).catch((err: unknown) => console.warn('lotwatch: corrections not pruned:', err));
  }

  private async startSource(kind: SourceKind, file?: File): Promise<void> {
    const before = this.source.source;
    await this.source.open(kind, file);
    // A source that could not be opened leaves the one counting, and its lot, as they were.
    if (this.source.source === before) return;
    this.lot = null;
    this.detections = [];
    if (this.source.source && this.analysis.status === 'idle') void this.startAnalysis();
    this.analysis.poke();
  }

  /** On a device already allowed to use the camera (a phone left on a pole), start counting without a tap. */
  private async autoStartCamera(): Promise<void> {
    try {
      const status = await navigator.permissions?.query({ name: 'camera' as PermissionName });
      if (status?.state === 'granted' && this.source.status === 'idle') await this.open('camera');
    } catch {
      // Browsers without a "camera" permission name: the user taps "Use camera".
    }
  }

  private async waitForOfflineCopy(): Promise<void> {
    this.waitingForOfflineCopy = true;
    this.host.requestUpdate();
    try {
      await this.o.whenModelMayLoad();
    } finally {
      this.waitingForOfflineCopy = false;
      this.host.requestUpdate();
    }
  }

  /** One counter per lot on this device: a second tab says so instead of fighting the first. */
  private async holdLock(takeOver: boolean): Promise<boolean> {
    if (this.lock) return true;
    const lock = await lockCounter(this.o.store.lotId, takeOver);
    if (!lock) {
      this.lockProblem = 'held-elsewhere';
      this.host.requestUpdate();
      return false;
    }
    this.lock = lock;
    this.lockProblem = null;
    void lock.lost.then(() => {
      if (this.lock !== lock) return;
      this.lock = null;
      this.source.stop();
      this.stopped();
      this.lockProblem = 'taken-over';
      this.host.requestUpdate();
    });
    return true;
  }

  /** Counting ended (stopped, or taken over by another tab): viewers are told, with the last numbers, within moments. */
  private stopped(): void {
    this.lot = null;
    this.detections = [];
    this.refreshStatus();
    this.shared = null;
  }

  /** One processed frame: the occupancy decision, then history (a camera that is where the slots were marked) and sharing. */
  private onAnalysis(a: Analysis, at: number): void {
    const placed = a.camera?.placed !== false;
    // A frame whose slots could not be placed says nothing about them: the counts are held, and a source that has none
    // yet gets none (not every slot free).
    if (placed || this.lot) this.lot = stepLot(this.lot, this.o.store.slots, a.observations, at, hysteresisOf(this.o.store.settings));
    this.detections = a.detections;
    // History is the lot's as it is now: a video file or a photo is not, nor are counts held while the camera moved (a
    // few minutes of that are a gap in the history, as when the counter was off).
    if (this.lot && placed && this.source.source?.kind === 'camera') this.o.history.observe(this.lot, at);
    // The camera's state came with this frame: the status follows it before the state is shared.
    this.refreshStatus();
    this.share(at);
    this.host.requestUpdate();
  }

  private refreshStatus(): void {
    const next = countingStatus({
      sourceOpen: this.counting,
      cameraRecovering: this.recovery?.recovering ?? false,
      detector: this.analysis?.status ?? 'idle',
      detectorRestarting: this.analysis?.restarting ?? false,
      pageHidden: this.visibility?.hidden ?? document.hidden,
      cameraMoved: this.analysis?.camera?.state === 'moved',
    });
    if (sameStatus(next, this.status)) return;
    this.status = next;
    this.statusSince = Date.now();
    this.host.dispatchEvent(new CustomEvent('counting-status-changed', { detail: this.statusMetadata }));
    this.o.statusChanged?.(next);
    this.share(Date.now(), true);
  }

  /**
   * Shares the current state when it differs from the last one shared (probabilities aside), or a heartbeat is due;
   * `always` on a status change, which is shared with the last numbers even when there is no lot any more (stopped),
   * as is the heartbeat while the camera moved before this source gave any counts.
   */
  private share(now: number, always = false): void {
    const last = this.shared && (always || this.cameraMovedFlag.camera_moved) ? this.shared.state : null;
    const state = this.published ?? (last ? { ...withoutCameraMoved(last), ...this.cameraMovedFlag, status: this.statusMetadata } : null);
    if (!state) return;
    const key = JSON.stringify({ ...state, slots: state.slots.map((s) => [s.id, s.occupied, s.since]) });
    if (!always && this.shared?.key === key && now - this.shared.at < SHARE_HEARTBEAT_MS) return;
    this.shared = { key, at: now, state };
    this.o.sharing.update(state, this.status.state === 'counting');
  }
}

function withoutCameraMoved(state: PublishedState): PublishedState {
  const { camera_moved: _moved, ...rest } = state;
  return rest;
}
