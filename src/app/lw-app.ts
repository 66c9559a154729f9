import { LitElement, css, html, nothing } from 'lit';
import type { SourceKind } from '../camera/frame-source.ts';
import { backendFromQuery } from '../detector/backend-choice.ts';
import type { Analysis } from '../detector/worker-messages.ts';
import { AnalysisController } from '../controllers/analysis-controller.ts';
import { HistoryController } from '../controllers/history-controller.ts';
import { LotStoreController } from '../controllers/lot-store-controller.ts';
import { SharingController } from '../controllers/sharing-controller.ts';
import { SourceController } from '../controllers/source-controller.ts';
import { lockCounter, type CounterLock } from '../share/counter-lock.ts';
import { downloadJson } from '../share/download.ts';
import { toPublishedState } from '../share/published-state.ts';
import { stepLot } from '../occupancy/lot-state.ts';
import type { Detection, LotState, SlotState } from '../occupancy/types.ts';
import type { Settings } from '../settings/settings.ts';
import type { DrawTool } from '../components/lw-slot-overlay.ts';
import { controlStyles } from '../components/shared-styles.ts';
import '../components/lw-notice.ts';
import '../components/lw-settings-panel.ts';
import '../components/lw-share-panel.ts';
import '../components/lw-slot-list.ts';
import '../components/lw-slot-overlay.ts';
import '../components/lw-source-picker.ts';
import '../components/lw-status-bar.ts';

const MODEL_URL = new URL(`${import.meta.env.BASE_URL}models/coco-ssd/model.json`, location.href).href;

/** The counting app: wires the source, the detector, the slot store and the occupancy engine to the components. */
export class LwApp extends LitElement {
  static override properties = {
    lot: { state: true },
    detections: { state: true },
    selectedId: { state: true },
    editing: { state: true },
    tool: { state: true },
    lockProblem: { state: true },
    shareNote: { state: true },
  };

  declare lot: LotState | null;
  declare detections: readonly Detection[];
  declare selectedId: string | null;
  declare editing: boolean;
  declare tool: DrawTool;
  /** Set when another tab counts this lot (or took it over from this one). */
  declare lockProblem: 'held-elsewhere' | 'taken-over' | null;
  declare shareNote: string;

  private readonly store = new LotStoreController(this);
  private readonly sourceCtl = new SourceController(this);
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
  private readonly sharing = new SharingController(this, this.store.lotId, {
    load: () => this.store.loadRelayConfig(),
    save: (c) => this.store.saveRelayConfig(c),
  });
  /** Records the lot's history while the camera counts; `#/history` opens the dashboard over the counter. */
  private readonly history = new HistoryController(
    this,
    this.store.lotId,
    () => new Map(this.store.slots.map((s) => [s.id, s.name])),
    () => import('./lw-history-page.ts'),
  );
  private counterLock: CounterLock | null = null;
  /** `?backend=wasm` overrides the stored setting for this visit. */
  private readonly backendOverride = backendFromQuery(location.search);

  constructor() {
    super();
    this.lot = null;
    this.detections = [];
    this.selectedId = null;
    this.editing = false;
    this.tool = 'rect';
    this.lockProblem = null;
    this.shareNote = '';
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
      a.button {
        text-decoration: none;
      }
      /* Over the counter, which keeps counting (and recording) underneath. */
      lw-history-page.history {
        position: fixed;
        inset: 0;
        overflow-y: auto;
        background: #020617;
        padding: 12px;
        z-index: 10;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.autoStartCamera();
  }

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

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.counterLock?.release();
    this.counterLock = null;
  }

  /** One counter per lot on this device: a second tab says so instead of fighting the first. */
  private async holdCounterLock(takeOver: boolean): Promise<boolean> {
    if (this.counterLock) return true;
    const lock = await lockCounter(this.store.lotId, takeOver);
    if (!lock) {
      this.lockProblem = 'held-elsewhere';
      return false;
    }
    this.counterLock = lock;
    this.lockProblem = null;
    void lock.lost.then(() => {
      if (this.counterLock !== lock) return;
      this.counterLock = null;
      this.sourceCtl.stop();
      this.sharing.stopped();
      this.lockProblem = 'taken-over';
    });
    return true;
  }

  private async openSource(kind: SourceKind, file?: File, takeOver = false): Promise<void> {
    if (!(await this.holdCounterLock(takeOver))) return;
    await this.sourceCtl.open(kind, file);
    this.lot = null;
    this.detections = [];
    if (this.sourceCtl.source && this.analysis.status === 'idle') void this.loadModel();
    this.analysis.poke();
  }

  private loadModel(): Promise<void> {
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
    const source = this.sourceCtl.source;
    // History is the lot's, as it is now: a video file or a photo is not.
    if (source?.kind === 'camera') this.history.observe(this.lot, at);
    this.sharing.update(toPublishedState(this.lot, this.store.slots, source ? { width: source.width, height: source.height } : undefined), true);
  }

  private get states(): ReadonlyMap<string, SlotState> {
    return new Map(this.lot?.slots.map((s) => [s.id, s]) ?? []);
  }

  override render() {
    const source = this.sourceCtl.source;
    const states = this.states;
    return html`<header>
        <h1>lotwatch</h1>
        <a class="button" href="#/history">History</a>
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
            .live=${Boolean(source) && this.analysis.status === 'ready'}
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
            <summary>Share</summary>
            <lw-share-panel
              .relay=${this.sharing.relay}
              relay-status=${this.sharing.relayStatus}
              .relayDetail=${this.sharing.relayDetail}
              .createdToken=${this.sharing.createdToken}
              .viewerLink=${this.sharing.viewerLink}
              local-viewer-link=${`#/view/${this.store.lotId}`}
              default-relay-url=${location.origin}
              .note=${this.shareNote}
              @relay-connect-requested=${(e: CustomEvent<{ url: string; lot: string; token: string | null }>) =>
                this.sharing.connect(e.detail.url, e.detail.lot, e.detail.token)}
              @relay-disconnect-requested=${() => this.sharing.disconnect()}
              @metadata-download-requested=${this.onDownloadMetadata}
              @metadata-copy-requested=${this.onCopyMetadata}
              @link-copy-requested=${() => this.copy(this.sharing.viewerLink ?? '', 'Viewer link copied.')}
            ></lw-share-panel>
          </details>
          <details>
            <summary>Settings</summary>
            <lw-settings-panel
              .settings=${this.settings}
              backend-note=${this.analysis.info ? `Now: ${this.analysis.info.backend} — ${this.analysis.info.reason}` : ''}
              @settings-changed=${this.onSettingsChanged}
            ></lw-settings-panel>
          </details>
        </aside>
      </main>
      ${this.history.open
        ? html`<lw-history-page class="history" .source=${this.history.source} back-href="#/" heading="History"></lw-history-page>`
        : nothing}`;
  }

  private renderNotices() {
    const notices = [];
    const p = this.sourceCtl.problem;
    if (p) {
      notices.push(html`<lw-notice
        data-problem=${p.code}
        .heading=${p.title}
        .message=${p.message}
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
    if (this.lockProblem) {
      notices.push(html`<lw-notice
        data-problem="counting-elsewhere"
        tone="info"
        heading=${this.lockProblem === 'taken-over' ? 'Counting moved to another tab' : 'Already counting in another tab'}
        message="Only one tab counts a lot at a time. The other tab keeps counting; open a viewer here, or count here instead."
        action="Count here instead"
        @notice-action=${() => this.openSource('camera', undefined, true)}
      ></lw-notice>`);
    }
    if (this.store.error) {
      notices.push(html`<lw-notice data-problem="storage" heading="Storage problem" .message=${this.store.error}></lw-notice>`);
    }
    if (this.history.error) {
      notices.push(html`<lw-notice data-problem="history" heading="History problem" .message=${this.history.error}></lw-notice>`);
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
    if (a.status === 'loading') {
      const pct = Math.round(a.progress * 100);
      return html`<div class="model" role="status">
        <label for="model-progress">Loading the vehicle detector… ${pct}%</label>
        <progress id="model-progress" max="100" value=${pct}></progress>
      </div>`;
    }
    if (a.status === 'ready' && a.info) {
      return html`<div class="model" data-backend=${a.info.backend}>Detector: ${backendLabel(a.info)} — ${a.info.reason}</div>`;
    }
    return nothing;
  }

  private statusDetail(): string {
    const a = this.analysis;
    if (a.status !== 'ready' || !a.info) return '';
    return `${backendLabel(a.info)} · ${a.fps.toFixed(1)} fps · ${Math.round(a.msPerFrame)} ms/frame`;
  }

  /** The current numbers as the original API's JSON (plus per-slot detail and layout), or null before the first frame. */
  private published() {
    const source = this.sourceCtl.source;
    return this.lot ? toPublishedState(this.lot, this.store.slots, source ? { width: source.width, height: source.height } : undefined) : null;
  }

  private onDownloadMetadata = (): void => {
    const data = this.published();
    if (!data) {
      this.shareNote = 'There are no numbers yet: start counting first.';
      return;
    }
    downloadJson(`lotwatch-${this.store.lotId}-${data.last_updated.replace(/[:.]/g, '-')}.json`, data);
    this.shareNote = 'Metadata downloaded.';
  };

  private onCopyMetadata = (): void => {
    const data = this.published();
    if (!data) this.shareNote = 'There are no numbers yet: start counting first.';
    else void this.copy(JSON.stringify(data, null, 2), 'Metadata copied.');
  };

  private async copy(text: string, done: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.shareNote = done;
    } catch {
      this.shareNote = 'The browser refused the clipboard; use the download instead.';
    }
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
