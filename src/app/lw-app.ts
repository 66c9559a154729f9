import { LitElement, css, html, nothing } from 'lit';
import type { SourceKind } from '../camera/frame-source.ts';
import { backendFromQuery } from '../detector/backend-choice.ts';
import type { Analysis } from '../detector/worker-messages.ts';
import { AnalysisController } from '../controllers/analysis-controller.ts';
import { LotStoreController } from '../controllers/lot-store-controller.ts';
import { SourceController } from '../controllers/source-controller.ts';
import { stepLot } from '../occupancy/lot-state.ts';
import type { Detection, LotState, SlotState } from '../occupancy/types.ts';
import type { Settings } from '../settings/settings.ts';
import type { DrawTool } from '../components/lw-slot-overlay.ts';
import { controlStyles } from '../components/shared-styles.ts';
import '../components/lw-notice.ts';
import '../components/lw-settings-panel.ts';
import '../components/lw-slot-list.ts';
import '../components/lw-slot-overlay.ts';
import '../components/lw-source-picker.ts';
import '../components/lw-status-bar.ts';
// PWA (docs/pwa.md): offline copy, updates, wake lock, storage, camera recovery, monitor mode.
import { CameraRecoveryController } from '../controllers/camera-recovery-controller.ts';
import { PageVisibilityController } from '../controllers/page-visibility-controller.ts';
import { countingStatus, PAUSE_REASON_TEXT, sameStatus, toStatusMetadata, type CountingStatus, type StatusMetadata } from '../occupancy/counting-status.ts';
import { progressFraction } from '../pwa/precache-progress.ts';
import { PwaController } from '../pwa/pwa-controller.ts';
import { StorageController } from '../pwa/storage-controller.ts';
import { formatBytes } from '../pwa/storage-summary.ts';
import { serviceWorkerBridge } from '../pwa/sw-bridge.ts';
import { WakeLockController } from '../pwa/wake-lock-controller.ts';
import '../components/lw-monitor-view.ts';
import '../components/lw-offline-status.ts';
import '../components/lw-storage-panel.ts';
import '../components/lw-update-prompt.ts';

const MODEL_URL = new URL(`${import.meta.env.BASE_URL}models/coco-ssd/model.json`, location.href).href;

/** The counting app: wires the source, the detector, the slot store and the occupancy engine to the components. */
export class LwApp extends LitElement {
  static override properties = {
    lot: { state: true },
    detections: { state: true },
    selectedId: { state: true },
    editing: { state: true },
    tool: { state: true },
    monitor: { state: true },
    waitingForOfflineCopy: { state: true },
  };

  declare lot: LotState | null;
  declare detections: readonly Detection[];
  declare selectedId: string | null;
  declare editing: boolean;
  declare tool: DrawTool;
  /** Monitor mode: the screen shows only the counts, on black; counting goes on. */
  declare monitor: boolean;
  /** First visit: the model waits until the service worker has stored it (model-wait-policy.ts). */
  declare waitingForOfflineCopy: boolean;

  private readonly store = new LotStoreController(this);
  private readonly sourceCtl = new SourceController(this, () => this.recovery.start());
  private readonly analysis = new AnalysisController(
    this,
    {
      source: () => this.sourceCtl.source,
      slots: () => this.store.slots,
      settings: () => this.store.settings,
      onAnalysis: (a, at) => this.onAnalysis(a, at),
    },
    MODEL_URL,
  );
  /** `?backend=wasm` overrides the stored setting for this visit. */
  private readonly backendOverride = backendFromQuery(location.search);

  // --- PWA: controllers (docs/pwa.md) ---
  private readonly pwa = new PwaController(this, serviceWorkerBridge, () => this.counting);
  private readonly wakeLock = new WakeLockController(this);
  private readonly storage = new StorageController(this);
  private readonly visibility = new PageVisibilityController(this);
  private readonly recovery = new CameraRecoveryController(this, async () => {
    await this.startSource('camera');
    return this.sourceCtl.status === 'live';
  });
  private status: CountingStatus = { state: 'stopped', reason: null };
  private statusSince = Date.now();

  /** Whether the counts are current, and since when: what the sharing work publishes next to `toMetadata()`. */
  get statusMetadata(): StatusMetadata {
    return toStatusMetadata(this.status, this.statusSince);
  }

  /** A source is open: the app is counting, or about to (model loading), or paused in the background. */
  private get counting(): boolean {
    return Boolean(this.sourceCtl.source);
  }
  // --- end PWA ---

  constructor() {
    super();
    this.lot = null;
    this.detections = [];
    this.selectedId = null;
    this.editing = false;
    this.tool = 'rect';
    this.monitor = false;
    this.waitingForOfflineCopy = false;
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
        min-height: 100dvh;
        background: #020617;
        color: #e2e8f0;
        font: 16px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: 8px;
        padding: 8px 12px;
        border-bottom: 1px solid #1e293b;
      }
      .brand {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px;
      }
      h1 {
        font-size: 1.25rem;
        margin: 0;
        letter-spacing: 0.02em;
      }
      main {
        display: grid;
        gap: 12px;
        padding: 12px;
        grid-template-columns: minmax(0, 1fr);
      }
      @media (min-width: 900px) {
        main {
          grid-template-columns: minmax(0, 1fr) 340px;
          align-items: start;
        }
      }
      .stage {
        position: relative;
        width: 100%;
        max-height: 70vh;
        margin: 0 auto;
        background: #000;
        border-radius: 12px;
        overflow: hidden;
      }
      .stage > video,
      .stage > img {
        position: absolute;
        inset: 0;
        width: 100%;
        height: 100%;
        object-fit: fill;
        display: block;
      }
      .placeholder {
        display: grid;
        place-items: center;
        min-height: 200px;
        aspect-ratio: 16 / 9;
        background: #0f172a;
        border-radius: 12px;
        color: #94a3b8;
        text-align: center;
        padding: 16px;
      }
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        margin-top: 8px;
        align-items: center;
      }
      .hint {
        color: #94a3b8;
        font-size: 0.9rem;
      }
      .model {
        margin-top: 8px;
        font-size: 0.9rem;
        color: #94a3b8;
      }
      progress {
        width: 100%;
        height: 10px;
      }
      aside {
        display: grid;
        gap: 12px;
      }
      details {
        background: #0f172a;
        border-radius: 12px;
        padding: 8px 12px;
      }
      summary {
        min-height: 44px;
        display: flex;
        align-items: center;
        cursor: pointer;
        font-weight: 600;
      }
      h2 {
        font-size: 1rem;
        margin: 0 0 8px;
      }
      section.panel {
        background: #0f172a;
        border-radius: 12px;
        padding: 10px 12px;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    // The "Start counting" shortcut of the installed app opens `/?start=camera`.
    if (new URLSearchParams(location.search).get('start') === 'camera') void this.openSource('camera');
    else void this.autoStartCamera();
  }

  // --- PWA: status, wake lock and storage follow what the app does ---
  protected override willUpdate(): void {
    const next = countingStatus({
      sourceOpen: this.counting,
      cameraRecovering: this.recovery.recovering,
      detector: this.analysis.status,
      detectorRestarting: this.analysis.restarting,
      pageHidden: this.visibility.hidden,
    });
    if (!sameStatus(next, this.status)) {
      this.status = next;
      this.statusSince = Date.now();
      this.dispatchEvent(new CustomEvent('counting-status-changed', { detail: this.statusMetadata }));
    }
    this.wakeLock.setWanted(this.counting);
    if (this.counting) void this.storage.requestPersistence();
    if (!this.counting) this.monitor = false;
  }
  // --- end PWA ---

  /** On a device already allowed to use the camera (a phone left on a pole), start counting without a tap. */
  private async autoStartCamera(): Promise<void> {
    try {
      const status = await navigator.permissions?.query({ name: 'camera' as PermissionName });
      if (status?.state === 'granted' && this.sourceCtl.status === 'idle') await this.openSource('camera');
    } catch {
      // Browsers without a "camera" permission name: the user taps "Use camera".
    }
  }

  private get settings(): Settings {
    return this.store.settings;
  }

  /** The user picked a source: that ends any automatic camera recovery. */
  private async openSource(kind: SourceKind, file?: File): Promise<void> {
    this.recovery.cancel();
    await this.startSource(kind, file);
  }

  private async startSource(kind: SourceKind, file?: File): Promise<void> {
    await this.sourceCtl.open(kind, file);
    this.lot = null;
    this.detections = [];
    if (this.sourceCtl.source && this.analysis.status === 'idle' && !this.waitingForOfflineCopy) void this.loadModel();
    this.analysis.poke();
  }

  private stopCounting(): void {
    this.recovery.cancel();
    this.sourceCtl.stop();
    this.lot = null;
    this.detections = [];
    this.editing = false;
    this.requestUpdate();
  }

  private async loadModel(): Promise<void> {
    // First visit: the service worker is storing the model; loading it alongside would fetch 18 MB twice.
    this.waitingForOfflineCopy = true;
    await serviceWorkerBridge.whenReadyForModel();
    this.waitingForOfflineCopy = false;
    return this.analysis.load(this.backendOverride ?? this.settings.backend);
  }

  private onAnalysis(a: Analysis, at: number): void {
    const s = this.settings;
    this.lot = stepLot(this.lot, this.store.slots, a.observations, at, {
      threshold: s.threshold,
      band: 0.05,
      holdFrames: s.holdFrames,
      holdMs: s.holdMs,
    });
    this.detections = a.detections;
  }

  private get states(): ReadonlyMap<string, SlotState> {
    return new Map(this.lot?.slots.map((s) => [s.id, s]) ?? []);
  }

  override render() {
    const source = this.sourceCtl.source;
    const states = this.states;
    return html`<lw-update-prompt
        .action=${this.pwa.update}
        .counting=${this.counting}
        @update-accepted=${() => this.pwa.acceptUpdate()}
        @update-postponed=${() => this.pwa.postponeUpdate()}
      ></lw-update-prompt>
      <header>
        <div class="brand">
          <h1>lotwatch</h1>
          <lw-offline-status .state=${this.pwa.bridge.offline} .progress=${this.pwa.bridge.progress} .online=${this.pwa.online}></lw-offline-status>
        </div>
        <lw-source-picker
          .active=${source?.kind ?? ''}
          @source-requested=${(e: CustomEvent<{ kind: SourceKind; file?: File }>) => this.openSource(e.detail.kind, e.detail.file)}
        ></lw-source-picker>
      </header>
      <main>
        <section aria-label="Lot view">
          ${this.renderNotices()}
          ${source
            ? html`<div class="stage" style="aspect-ratio: ${source.width} / ${source.height}; max-width: calc(70vh * ${source.width / source.height})">
                ${source.element}
                <lw-slot-overlay
                  .slots=${this.store.slots}
                  .states=${states}
                  .detections=${this.detections}
                  .showDetections=${this.settings.showDetections}
                  .selectedId=${this.selectedId}
                  .editing=${this.editing}
                  .tool=${this.tool}
                  .frameWidth=${source.width}
                  .frameHeight=${source.height}
                  @slot-drawn=${this.onSlotDrawn}
                  @slot-changed=${this.onSlotChanged}
                  @slot-selected=${this.onSlotSelected}
                  @slot-deleted=${this.onSlotDeleted}
                ></lw-slot-overlay>
              </div>`
            : html`<div class="placeholder">
                ${this.sourceCtl.status === 'opening'
                  ? 'Opening…'
                  : 'Aim the phone at the lot and choose “Use camera” — or open a video or photo of a lot.'}
              </div>`}
          ${this.renderToolbar()} ${this.renderModelStatus()}
        </section>
        <aside>
          <lw-status-bar
            .counts=${this.lot?.counts ?? null}
            .lastChanged=${this.lot?.lastChanged ?? null}
            .live=${this.status.state === 'counting'}
            .pausedReason=${this.status.reason ? PAUSE_REASON_TEXT[this.status.reason] : ''}
            .detail=${this.statusDetail()}
          ></lw-status-bar>
          <section class="panel" aria-labelledby="slots-heading">
            <h2 id="slots-heading">Slots (${this.store.slots.length})</h2>
            <lw-slot-list
              .slots=${this.store.slots}
              .states=${states}
              .selectedId=${this.selectedId}
              .editing=${this.editing}
              @slot-selected=${this.onSlotSelected}
              @slot-deleted=${this.onSlotDeleted}
              @slot-renamed=${(e: CustomEvent<{ id: string; name: string }>) => this.store.updateSlot(e.detail.id, { name: e.detail.name })}
            ></lw-slot-list>
          </section>
          <details>
            <summary>Settings</summary>
            <lw-settings-panel
              .settings=${this.settings}
              backend-note=${this.analysis.info ? `Now: ${this.analysis.info.backend} — ${this.analysis.info.reason}` : ''}
              .frameMs=${this.analysis.msPerFrame}
              @settings-changed=${this.onSettingsChanged}
            ></lw-settings-panel>
          </details>
          <details @toggle=${(e: Event) => (e.target as HTMLDetailsElement).open && this.storage.refresh()}>
            <summary>Offline &amp; storage</summary>
            <lw-storage-panel
              .facts=${this.storage.facts}
              .offline=${this.pwa.bridge.offline}
              .wakeLock=${this.wakeLock.state}
              .version=${__LOTWATCH_VERSION__}
              .error=${this.pwa.bridge.error ?? ''}
              @persistence-requested=${() => this.storage.requestPersistence(true)}
              @update-check-requested=${() => this.pwa.checkNow()}
            ></lw-storage-panel>
          </details>
        </aside>
      </main>
      ${this.monitor
        ? html`<lw-monitor-view
            .counts=${this.lot?.counts ?? null}
            .status=${this.status.reason ? `Paused: ${PAUSE_REASON_TEXT[this.status.reason]}` : this.status.state === 'counting' ? 'Counting' : ''}
            @monitor-exited=${() => (this.monitor = false)}
          ></lw-monitor-view>`
        : nothing}`;
  }

  private renderNotices() {
    const notices = [];
    const p = this.sourceCtl.problem;
    if (p) {
      const retry = this.recovery.recovering && this.recovery.nextTryAt !== null;
      notices.push(html`<lw-notice
        data-problem=${p.code}
        ?data-recovering=${retry}
        .heading=${p.title}
        .message=${retry
          ? `${p.message} lotwatch tries again by itself (next try at ${new Date(this.recovery.nextTryAt!).toLocaleTimeString()}).`
          : p.message}
        action=${p.code === 'insecure' || p.code === 'unsupported' ? '' : 'Try the camera again'}
        @notice-action=${() => this.openSource('camera')}
      ></lw-notice>`);
    }
    if (this.analysis.status === 'error') {
      notices.push(html`<lw-notice
        data-problem="model"
        heading="The vehicle detector could not be loaded"
        .message=${`${this.analysis.error ?? ''} — check the connection for the first visit, then retry.`}
        action="Retry"
        @notice-action=${() => this.loadModel()}
      ></lw-notice>`);
    }
    if (this.store.error) {
      notices.push(html`<lw-notice data-problem="storage" heading="Storage problem" .message=${this.store.error}></lw-notice>`);
    }
    return notices.length ? html`<div style="display:grid;gap:8px;margin-bottom:8px">${notices}</div>` : nothing;
  }

  private renderToolbar() {
    if (!this.sourceCtl.source) return nothing;
    return html`<div class="toolbar">
      <button aria-pressed=${this.editing ? 'true' : 'false'} @click=${() => (this.editing = !this.editing)}>
        ${this.editing ? 'Done editing' : 'Edit slots'}
      </button>
      ${this.editing
        ? nothing
        : html`<button @click=${() => (this.monitor = true)}>Monitor mode</button>
            <button class="danger" @click=${() => this.stopCounting()}>Stop counting</button>`}
      ${this.editing
        ? html`<button aria-pressed=${this.tool === 'rect' ? 'true' : 'false'} @click=${() => (this.tool = 'rect')}>Rectangle</button>
            <button aria-pressed=${this.tool === 'quad' ? 'true' : 'false'} @click=${() => (this.tool = 'quad')}>4 corners</button>
            ${this.selectedId
              ? html`<button class="danger" @click=${() => this.selectedId && this.deleteSlot(this.selectedId)}>Delete slot</button>`
              : nothing}
            <span class="hint">${this.tool === 'rect' ? 'Drag on the picture to mark a slot.' : 'Tap the four corners of a slot.'}</span>`
        : nothing}
    </div>`;
  }

  private renderModelStatus() {
    const a = this.analysis;
    const copy = this.pwa.bridge.progress;
    if (this.waitingForOfflineCopy && this.pwa.bridge.offline === 'caching') {
      const pct = copy ? Math.floor(progressFraction(copy) * 100) : 0;
      return html`<div class="model" role="status">
        <label for="offline-progress"
          >Downloading the vehicle detector and saving the app for offline use… ${pct}%
          ${copy ? `(${formatBytes(copy.bytesDone)} of ${formatBytes(copy.bytesTotal)})` : ''}</label
        >
        <progress id="offline-progress" max="100" value=${pct}></progress>
      </div>`;
    }
    if (a.status === 'loading') {
      const pct = Math.round(a.progress * 100);
      return html`<div class="model" role="status">
        <label for="model-progress">Loading the vehicle detector… ${pct}%</label>
        <progress id="model-progress" max="100" value=${pct}></progress>
      </div>`;
    }
    if (a.status === 'ready' && a.info) {
      return html`<div class="model" data-backend=${a.info.backend} data-restarts=${a.restarts}>
        Detector: ${backendLabel(a.info)} — ${a.info.reason}${a.restarts
          ? ` · restarted ${a.restarts === 1 ? 'once' : `${a.restarts} times`} after the graphics context was lost`
          : ''}
      </div>`;
    }
    return nothing;
  }

  private statusDetail(): string {
    const a = this.analysis;
    if (a.status !== 'ready' || !a.info) return '';
    return `${backendLabel(a.info)} · ${a.fps.toFixed(1)} fps · ${Math.round(a.msPerFrame)} ms/frame`;
  }

  private onSlotDrawn = (e: CustomEvent<{ polygon: [number, number][] }>): void => {
    // The new slot is not selected: its corner handles would catch the next drag, and rows of slots are drawn side by side.
    this.selectedId = null;
    void this.store.addSlot(e.detail.polygon);
  };

  private onSlotChanged = (e: CustomEvent<{ id: string; polygon: [number, number][] }>): void => {
    void this.store.updateSlot(e.detail.id, { polygon: e.detail.polygon });
  };

  private onSlotSelected = (e: CustomEvent<{ id: string | null }>): void => {
    this.selectedId = e.detail.id;
  };

  private onSlotDeleted = (e: CustomEvent<{ id: string }>): void => {
    this.deleteSlot(e.detail.id);
  };

  private deleteSlot(id: string): void {
    if (this.selectedId === id) this.selectedId = null;
    void this.store.deleteSlot(id);
  }

  private onSettingsChanged = async (e: CustomEvent<Settings>): Promise<void> => {
    const backendChanged = e.detail.backend !== this.settings.backend;
    await this.store.saveSettings(e.detail);
    if (backendChanged && this.analysis.status !== 'idle' && !this.backendOverride) void this.loadModel();
  };
}

function backendLabel(info: { backend: string; simd?: boolean; threads?: boolean }): string {
  if (info.backend !== 'wasm') return info.backend.toUpperCase();
  const extras = [info.simd ? 'SIMD' : '', info.threads ? 'threads' : ''].filter(Boolean);
  return `WASM${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

customElements.define('lw-app', LwApp);

declare global {
  interface HTMLElementTagNameMap {
    'lw-app': LwApp;
  }
}
