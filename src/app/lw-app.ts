import { LitElement, css, html, nothing } from 'lit';
import type { FrameSource } from '../camera/frame-source.ts';
import { backendFromQuery } from '../detector/backend-choice.ts';
import type { CalibrationChange } from '../analysis/messages.ts';
import { CounterController } from '../controllers/counter-controller.ts';
import { HistoryController } from '../controllers/history-controller.ts';
import { LotStoreController } from '../controllers/lot-store-controller.ts';
import { SharingController } from '../controllers/sharing-controller.ts';
import { downloadJson } from '../share/download.ts';
import { zonesOf } from '../occupancy/metadata.ts';
import type { Settings } from '../settings/settings.ts';
import { controlStyles } from '../components/shared-styles.ts';
import type { SourceRequest } from '../components/lw-source-picker.ts';
import '../components/lw-notice.ts';
import '../components/lw-settings-panel.ts';
import type { RelayConnectRequest } from '../components/lw-share-panel.ts';
import '../components/lw-share-panel.ts';
import '../components/lw-slot-list.ts';
import '../components/lw-slot-overlay.ts';
import '../components/lw-source-picker.ts';
import '../components/lw-status-bar.ts';
// Slot editor (issue 8): its controller and components.
import { LayoutEditorController } from '../controllers/layout-editor-controller.ts';
import type { EditorAction } from '../layout/editor-actions.ts';
import type { LayoutImportedDetail } from '../components/lw-layout-files.ts';
import '../components/lw-edit-toolbar.ts';
import '../components/lw-layout-files.ts';
import '../components/lw-row-bar.ts';
import '../components/lw-selection-bar.ts';
import '../components/lw-slot-attributes.ts';
import '../components/lw-breakdown.ts';
import type { BreakdownModel } from '../components/lw-breakdown.ts';

// PWA (docs/pwa.md): offline copy, updates, wake lock, storage, camera recovery, monitor mode.
import { describeCounting, type StatusMetadata } from '../occupancy/counting-status.ts';
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

/**
 * The counting app's shell: it builds the controllers (the counter, the store, the editor, sharing, history, the
 * installed-app ones) and renders what they hold through the components. It decides nothing: the counter counts,
 * the editor edits, and events from the components go to them as they are.
 */
export class LwApp extends LitElement {
  static override properties = {
    shareNote: { state: true },
    correctionNote: { state: true },
    monitor: { state: true },
  };

  declare shareNote: string;
  declare correctionNote: string;
  /** Monitor mode: the screen shows only the counts, on black; counting goes on. */
  declare monitor: boolean;

  private readonly store = new LotStoreController(this, undefined, () => this.counter.slotsChanged());
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
    () => zonesOf(this.store.slots),
  );
  private readonly pwa = new PwaController(this, serviceWorkerBridge, () => this.counter.counting);
  private readonly wakeLock = new WakeLockController(this);
  private readonly storage = new StorageController(this);
  private readonly counter = new CounterController(this, {
    store: this.store,
    sharing: this.sharing,
    history: this.history,
    modelUrl: MODEL_URL,
    backendOverride: backendFromQuery(location.search),
    whenModelMayLoad: () => serviceWorkerBridge.whenReadyForModel(),
    statusChanged: () => {
      // The screen stays on, and storage is kept, while counting.
      this.wakeLock.setWanted(this.counter.counting);
      if (this.counter.counting) void this.storage.requestPersistence();
    },
  });
  private readonly editor = new LayoutEditorController(this, this.store, () => this.counter.source.source);

  /** Whether the counts are current, and since when (docs/pwa.md). */
  get statusMetadata(): StatusMetadata {
    return this.counter.statusMetadata;
  }

  constructor() {
    super();
    this.shareNote = '';
    this.correctionNote = '';
    this.monitor = false;
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
      /* The picture zooms with a transform; the overlay zooms its viewBox to match (see lw-slot-overlay). */
      .picture {
        position: absolute;
        inset: 0;
        transform-origin: 0 0;
      }
      .picture > video,
      .picture > img,
      .picture > canvas {
        position: absolute;
        inset: 0;
        width: 100%;
        height: 100%;
        object-fit: fill;
        display: block;
      }
      .still-badge {
        position: absolute;
        left: 6px;
        bottom: 6px;
        padding: 2px 8px;
        border-radius: 8px;
        background: rgb(2 6 23 / 0.8);
        color: #facc15;
        font-size: 0.8rem;
        pointer-events: none;
      }
      .editor {
        display: grid;
        gap: 8px;
        margin-top: 8px;
      }
      .editor:empty {
        display: none;
      }
      .editor-notice {
        margin: 0;
        font-size: 0.9rem;
      }
      .editor-notice.error {
        color: #fecaca;
      }
      .editor-notice.info {
        color: #bbf7d0;
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

  private get settings(): Settings {
    return this.store.settings;
  }

  private stopCounting(): void {
    this.counter.stop();
    this.editor.end();
  }

  /** A correction, undo or reset of what the counter learned; the note says how it went. */
  private async correct(change: CalibrationChange, done: string): Promise<void> {
    try {
      await this.counter.correct(change);
      this.correctionNote = done;
    } catch (err) {
      this.correctionNote = err instanceof Error ? err.message : String(err);
    }
  }

  override render() {
    const source = this.counter.source.source;
    const states = this.counter.states;
    return html`<lw-update-prompt
        .action=${this.pwa.update}
        .counting=${this.counter.counting}
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
          @source-requested=${(e: CustomEvent<SourceRequest>) => this.counter.open(e.detail.kind, e.detail.file)}
        ></lw-source-picker>
        <!-- After the sources: the first Tab reaches "Use camera", the app's first step. -->
        <a class="button" href="#/history">History</a>
      </header>
      <main @edit-requested=${(e: CustomEvent<EditorAction>) => this.editor.apply(e.detail)}>
        <section aria-label="Lot view">
          ${this.renderNotices()}
          ${source
            ? html`<div class="stage" style="aspect-ratio: ${source.width} / ${source.height}; max-width: calc(70vh * ${source.width / source.height})">
                ${this.renderPicture(source)}
                <lw-slot-overlay
                  .slots=${this.store.slots}
                  .states=${states}
                  .detections=${this.counter.detections}
                  .showDetections=${this.settings.showDetections}
                  .selection=${this.editor.selection}
                  .editing=${this.editor.editing}
                  .tool=${this.editor.tool}
                  .group=${this.editor.group}
                  .view=${this.editor.view}
                  .picture=${this.editor.stillOf(source)?.canvas ?? source.element}
                  .frameWidth=${source.width}
                  .frameHeight=${source.height}
                ></lw-slot-overlay>
                ${this.renderStillBadge(source)}
              </div>`
            : html`<div class="placeholder">
                ${this.counter.source.status === 'opening'
                  ? 'Opening…'
                  : 'Aim the phone at the lot and choose “Use camera” — or open a video or photo of a lot.'}
              </div>`}
          ${this.renderToolbar()} ${this.renderModelStatus()}
        </section>
        <aside>
          <lw-status-bar
            .counts=${this.counter.lot?.counts ?? null}
            .lastChanged=${this.counter.lot?.lastChanged ?? null}
            .status=${describeCounting(this.counter.countingStatus)}
            .detail=${this.statusDetail()}
          ></lw-status-bar>
          <lw-breakdown .model=${this.breakdown()}></lw-breakdown>
          <section class="panel" aria-labelledby="slots-heading">
            <h2 id="slots-heading">Slots (${this.store.slots.length})</h2>
            <lw-slot-list
              .slots=${this.store.slots}
              .states=${states}
              .selectedId=${this.editor.selection.length === 1 ? this.editor.selection[0] : null}
              .editing=${this.editor.editing}
            ></lw-slot-list>
          </section>
          <details data-panel="layout-files">
            <summary>Layout files</summary>
            <lw-layout-files
              .slots=${this.store.slots}
              .frame=${source ? { width: source.width, height: source.height } : null}
              image-name=${source && source.kind !== 'camera' ? source.label : ''}
              @layout-imported=${(e: CustomEvent<LayoutImportedDetail>) => this.editor.importLayout(e.detail.layout, e.detail.fileName)}
            ></lw-layout-files>
          </details>
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
              @relay-connect-requested=${(e: CustomEvent<RelayConnectRequest>) =>
                this.sharing.connect(e.detail.url, e.detail.lot, e.detail.token, e.detail.camera, e.detail.operatorToken)}
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
              backend-note=${this.counter.analysis.info ? `Now: ${this.counter.analysis.info.backend} — ${this.counter.analysis.info.reason}` : ''}
              .frameMs=${this.counter.analysis.msPerFrame}
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
      ${this.monitor && this.counter.counting
        ? html`<lw-monitor-view
            .counts=${this.counter.lot?.counts ?? null}
            .breakdown=${this.breakdown()}
            .status=${describeCounting(this.counter.countingStatus).text}
            @monitor-exited=${() => (this.monitor = false)}
          ></lw-monitor-view>`
        : nothing}
      ${this.history.open
        ? html`<lw-history-page class="history" .source=${this.history.source} back-href="#/" heading="History"></lw-history-page>`
        : nothing}`;
  }

  private renderNotices() {
    const notices = [];
    const p = this.counter.source.problem;
    if (p) {
      const retry = this.counter.recovery.recovering && this.counter.recovery.nextTryAt !== null;
      notices.push(html`<lw-notice
        data-problem=${p.code}
        ?data-recovering=${retry}
        .heading=${p.title}
        .message=${retry
          ? `${p.message} lotwatch tries again by itself (next try at ${new Date(this.counter.recovery.nextTryAt!).toLocaleTimeString()}).`
          : p.message}
        action=${p.code === 'insecure' || p.code === 'unsupported' ? '' : 'Try the camera again'}
        @notice-action=${() => this.counter.open('camera')}
      ></lw-notice>`);
    }
    if (this.counter.analysis.status === 'error') {
      notices.push(html`<lw-notice
        data-problem="model"
        heading="The vehicle detector could not be loaded"
        .message=${`${this.counter.analysis.error ?? ''}. Counting goes on with patch evidence only (less accurate on new lots); check the connection for the first visit, then retry.`}
        action="Retry"
        @notice-action=${() => this.counter.startAnalysis()}
      ></lw-notice>`);
    }
    if (this.counter.lockProblem) {
      notices.push(html`<lw-notice
        data-problem="counting-elsewhere"
        tone="info"
        heading=${this.counter.lockProblem === 'taken-over' ? 'Counting moved to another tab' : 'Already counting in another tab'}
        message="Only one tab counts a lot at a time. The other tab keeps counting; open a viewer here, or count here instead."
        action="Count here instead"
        @notice-action=${() => this.counter.open('camera', undefined, true)}
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

  // --- Slot editor (issue 8) ---------------------------------------------------------------------------------------

  /** The live source, with the still over it while one is taken: the overlay's view zooms both alike. */
  private renderPicture(source: FrameSource) {
    const v = this.editor.view;
    const transform = v.zoom === 1 ? 'none' : `scale(${v.zoom}) translate(${-v.x * 100}%, ${-v.y * 100}%)`;
    return html`<div class="picture" style="transform:${transform}">${source.element}${this.editor.stillOf(source)?.canvas ?? nothing}</div>`;
  }

  private renderStillBadge(source: FrameSource) {
    const still = this.editor.stillOf(source);
    return still ? html`<span class="still-badge">Still · ${timeOf(still.takenAt)}</span>` : nothing;
  }

  /** Counts per zone and kind of the lot as it is now (the counter's), as the breakdown shows them. */
  private breakdown(): BreakdownModel | null {
    const b = this.counter.breakdown;
    return b ? { zones: b.zones, kinds: b.kinds, closed_slots: b.closed } : null;
  }

  private renderToolbar() {
    const source = this.counter.source.source;
    if (!source) return nothing;
    const ed = this.editor;
    const still = ed.stillOf(source);
    // What the last taps opened (a row's count, a selection) comes first, right under the picture, where the eyes are.
    return html`${ed.editing ? this.renderEditContext() : nothing}
      <div class="toolbar">
        <button aria-pressed=${ed.editing ? 'true' : 'false'} @click=${() => (ed.editing ? this.finishEditing() : ed.begin())}>
          ${ed.editing ? 'Done editing' : 'Edit slots'}
        </button>
        ${ed.editing
          ? nothing
          : html`<button @click=${() => (this.monitor = true)}>Monitor mode</button>
              <button class="danger" @click=${() => this.stopCounting()}>Stop counting</button>`}
        ${still ? html`<span class="hint">Editing on a still taken at ${timeOf(still.takenAt)}; counting goes on with the live picture.</span>` : nothing}
        ${ed.editing ? nothing : this.renderCorrections()}
      </div>
      ${ed.editing
        ? html`<div class="editor">
            <lw-edit-toolbar
              .tool=${ed.tool}
              .canUndo=${ed.canUndo}
              .canRedo=${ed.canRedo}
              .frozen=${Boolean(still)}
              .zoom=${ed.view.zoom}
            ></lw-edit-toolbar>
          </div>`
        : nothing}`;
  }

  private renderEditContext() {
    const ed = this.editor;
    return html`<div class="editor">
      ${ed.group
        ? html`<lw-row-bar
            .group=${ed.group}
            .showRows=${ed.tool === 'grid'}
          ></lw-row-bar>`
        : nothing}
      <lw-selection-bar .ids=${ed.selection}></lw-selection-bar>
      <lw-slot-attributes
        .slots=${this.store.slots.filter((s) => ed.selection.includes(s.id))}
        .zones=${[...new Set(zonesOf(this.store.slots).values())].sort()}
      ></lw-slot-attributes>
      ${ed.notice
        ? html`<p class="editor-notice ${ed.notice.kind}" role=${ed.notice.kind === 'error' ? 'alert' : 'status'}>${ed.notice.text}</p>`
        : nothing}
    </div>`;
  }

  /** Count mode: tell the counter what the selected slot holds now; undo or forget what it learned. */
  private renderCorrections() {
    const sel = this.editor.selection;
    const slot = sel.length === 1 ? this.store.slots.find((s) => s.id === sel[0]) : undefined;
    const learned = this.counter.analysis.calibration?.corrections.length ?? 0;
    return html`${slot
        ? html`<span class="hint" id="correct-label">Slot ${slot.name} is now:</span>
            <button aria-describedby="correct-label" data-correct="free" @click=${() =>
              this.correct({ kind: 'correct', slotId: slot.id, occupied: false }, `Learned: slot ${slot.name} is free.`)}>Free</button>
            <button aria-describedby="correct-label" data-correct="occupied" @click=${() =>
              this.correct({ kind: 'correct', slotId: slot.id, occupied: true }, `Learned: slot ${slot.name} is occupied.`)}>Occupied</button>`
        : html`<span class="hint">Tap a slot to tell the counter what it holds.</span>`}
      ${learned
        ? html`<span class="hint" data-learned=${learned}>Learned from ${learned} correction${learned === 1 ? '' : 's'}.</span>
            <button @click=${() => this.correct({ kind: 'undo' }, 'Last correction undone.')}>Undo correction</button>
            <button class="danger" @click=${() => this.correct({ kind: 'clear' }, 'Corrections forgotten.')}>Forget corrections</button>`
        : nothing}
      ${this.correctionNote ? html`<span class="hint" role="status">${this.correctionNote}</span>` : nothing}`;
  }

  private finishEditing(): void {
    this.editor.dispatch({ type: 'row-finish' });
    this.editor.end();
  }

  // --- end of slot editor ------------------------------------------------------------------------------------------

  private renderModelStatus() {
    const a = this.counter.analysis;
    const copy = this.pwa.bridge.progress;
    if (this.counter.waitingForOfflineCopy && this.pwa.bridge.offline === 'caching') {
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
    const mode = a.mode
      ? html`<div class="model" data-mode=${a.mode}>
          Evidence: ${a.mode === 'full' ? 'full (detector, backbone probe and patch features)' : 'patch features only'}${
            a.mode === 'patch-only' ? ` — ${a.fallbackReason ?? (a.status === 'ready' ? 'as set' : 'until the model is ready')}` : ''
          }
        </div>`
      : nothing;
    if (a.status === 'ready' && a.info) {
      return html`<div class="model" data-backend=${a.info.backend} data-restarts=${a.restarts}>
          Detector: ${backendLabel(a.info)} — ${a.info.reason}${a.restarts
            ? ` · restarted ${a.restarts === 1 ? 'once' : `${a.restarts} times`} after the graphics context was lost`
            : ''}
        </div>
        ${mode}`;
    }
    return mode;
  }

  private statusDetail(): string {
    const a = this.counter.analysis;
    if (a.status !== 'ready' || !a.info) return '';
    return `${backendLabel(a.info)} · ${a.fps.toFixed(1)} fps · ${Math.round(a.msPerFrame)} ms/frame`;
  }

  private onSettingsChanged = (e: CustomEvent<Settings>): Promise<void> => this.counter.applySettings(e.detail);

  private onDownloadMetadata = (): void => {
    const data = this.counter.published;
    if (!data) {
      this.shareNote = 'There are no numbers yet: start counting first.';
      return;
    }
    downloadJson(`lotwatch-${this.store.lotId}-${data.last_updated.replace(/[:.]/g, '-')}.json`, data);
    this.shareNote = 'Metadata downloaded.';
  };

  private onCopyMetadata = (): void => {
    const data = this.counter.published;
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
}

function timeOf(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
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
