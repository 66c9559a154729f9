import { LitElement, html, nothing } from 'lit';
import type { FrameSource } from '../camera/frame-source.ts';
import { analysisSize } from '../camera/frame.ts';
import { backendFromQuery } from '../detector/backend-choice.ts';
import type { CalibrationChange } from '../analysis/messages.ts';
import { CounterController } from '../controllers/counter-controller.ts';
import { HistoryController } from '../controllers/history-controller.ts';
import { LotStoreController } from '../controllers/lot-store-controller.ts';
import { SharingController } from '../controllers/sharing-controller.ts';
import { downloadJson } from '../share/download.ts';
import { moveSize } from '../motion/camera-move.ts';
import type { Settings } from '../settings/settings.ts';
import { controlStyles } from '../components/shared-styles.ts';
import { appStyles } from './lw-app-styles.ts';
import type { CorrectionRequest } from '../components/lw-correction-bar.ts';
import { backendLabel } from '../components/lw-model-status.ts';
import type { LwSharePanel, RelayConnectRequest } from '../components/lw-share-panel.ts';
import '../components/lw-correction-bar.ts';
import '../components/lw-model-status.ts';
import type { SourceRequest } from '../components/lw-source-picker.ts';
import '../components/lw-notice.ts';
import '../components/lw-settings-panel.ts';
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
import { zonesOf } from '../share/metadata.ts';

// PWA (docs/pwa.md): offline copy, updates, wake lock, storage, camera recovery, monitor mode.
import { describeCounting, type StatusMetadata } from '../occupancy/counting-status.ts';
import { PwaController } from '../pwa/pwa-controller.ts';
import { StorageController } from '../pwa/storage-controller.ts';
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

  static override styles = [controlStyles, appStyles];

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
    const editing = this.editor.editing;
    const counts = this.counter.lot?.counts ?? null;
    const line = describeCounting(this.counter.countingStatus);
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
        <div class="actions">
          <lw-source-picker
            .active=${source?.kind ?? ''}
            @source-requested=${(e: CustomEvent<SourceRequest>) => this.counter.open(e.detail.kind, e.detail.file)}
            @stop-requested=${() => this.stopCounting()}
          ></lw-source-picker>
          <!-- After the sources: the first Tab reaches "Use camera", the app's first step. -->
          <a class="button" href="#/history">History</a>
        </div>
      </header>
      <main @edit-requested=${(e: CustomEvent<EditorAction>) => this.editor.apply(e.detail)}>
        <div class="counts">
          <lw-status-bar
            .counts=${counts}
            .lastChanged=${this.counter.lot?.lastChanged ?? null}
            .status=${line}
            .detail=${this.statusDetail()}
          ></lw-status-bar>
          <lw-breakdown .model=${this.breakdown()}></lw-breakdown>
        </div>
        <section class="lot" aria-label="Lot view">
          ${this.renderNotices()} ${source ? this.renderStage(source) : this.renderPlaceholder()}
          ${source ? (editing ? this.renderEditor(source) : this.renderCounting()) : nothing}
          <lw-model-status
            state=${this.counter.analysis.status}
            .progress=${this.counter.analysis.progress}
            .info=${this.counter.analysis.info}
            .restarts=${this.counter.analysis.restarts}
            .mode=${this.counter.analysis.mode}
            .fallbackReason=${this.counter.analysis.fallbackReason}
            .offlineCopy=${this.pwa.bridge.progress}
            ?waiting-for-copy=${this.counter.waitingForOfflineCopy && this.pwa.bridge.offline === 'caching'}
          ></lw-model-status>
        </section>
        <aside>${this.renderPanels(source)}</aside>
      </main>
      ${this.monitor && this.counter.counting
        ? html`<lw-monitor-view
            .counts=${counts}
            .breakdown=${this.breakdown()}
            .status=${line}
            @monitor-exited=${() => (this.monitor = false)}
          ></lw-monitor-view>`
        : nothing}
      ${this.history.open
        ? html`<lw-history-page class="history" .source=${this.history.source} back-href="#/" heading="History"></lw-history-page>`
        : nothing}`;
  }

  private renderPlaceholder() {
    return html`<div class="placeholder">
      ${this.counter.source.status === 'opening'
        ? 'Opening…'
        : 'Aim the phone at the lot and choose “Use camera” — or open a video or photo of a lot.'}
    </div>`;
  }

  /** The picture with the slots over it; the live source, with the still over it while one is taken (the view zooms both alike). */
  private renderStage(source: FrameSource) {
    const ed = this.editor;
    const still = ed.stillOf(source);
    const v = ed.view;
    const transform = v.zoom === 1 ? 'none' : `scale(${v.zoom}) translate(${-v.x * 100}%, ${-v.y * 100}%)`;
    return html`<div class="stage" style="aspect-ratio: ${source.width} / ${source.height}; --ratio: ${source.width / source.height}">
      <div class="picture" style="transform:${transform}">${source.element}${still?.canvas ?? nothing}</div>
      <lw-slot-overlay
        .slots=${ed.editing ? this.store.slots : this.counter.placedSlots}
        .states=${this.counter.states}
        .detections=${this.counter.detections}
        .showDetections=${this.settings.showDetections && !ed.editing}
        .selection=${ed.selection}
        .editing=${ed.editing}
        .tool=${ed.tool}
        .group=${ed.group}
        .view=${v}
        .picture=${still?.canvas ?? source.element}
        .frameWidth=${source.width}
        .frameHeight=${source.height}
      ></lw-slot-overlay>
    </div>`;
  }

  /** Counting: tell the counter what a tapped slot holds; edit the slots; monitor mode. */
  private renderCounting() {
    const sel = this.editor.selection;
    const slot = sel.length === 1 ? (this.store.slots.find((s) => s.id === sel[0]) ?? null) : null;
    return html`<lw-correction-bar
        .target=${slot}
        .slots=${this.store.slots}
        .states=${this.counter.states}
        .learned=${this.counter.analysis.calibration?.corrections.length ?? 0}
        .note=${this.correctionNote}
        @correction-requested=${(e: CustomEvent<CorrectionRequest>) => this.correct(e.detail.change, e.detail.done)}
      ></lw-correction-bar>
      <div class="toolbar">
        <button @click=${() => this.beginEditing()}>Edit slots</button>
        <button @click=${() => (this.monitor = true)}>Monitor mode</button>
      </div>`;
  }

  /** Editing: what the last taps opened (a row's count, a selection) right under the picture, then the tools. */
  private renderEditor(source: FrameSource) {
    const ed = this.editor;
    const still = ed.stillOf(source);
    return html`<div class="editor">
        ${ed.group ? html`<lw-row-bar .group=${ed.group} .showRows=${ed.tool === 'grid'}></lw-row-bar>` : nothing}
        <lw-selection-bar .ids=${ed.selection}></lw-selection-bar>
        <lw-slot-attributes
          .slots=${this.store.slots.filter((s) => ed.selection.includes(s.id))}
          .zones=${[...new Set(zonesOf(this.store.slots).values())].sort()}
        ></lw-slot-attributes>
        ${ed.notice
          ? html`<p class="editor-notice ${ed.notice.kind}" role=${ed.notice.kind === 'error' ? 'alert' : 'status'}>${ed.notice.text}</p>`
          : nothing}
      </div>
      <div class="toolbar">
        <button aria-pressed="true" @click=${() => this.finishEditing()}>Done editing</button>
        ${still
          ? html`<span class="hint still" data-still>Still · ${timeOf(still.takenAt)}: editing on it; counting goes on with the live picture.</span>`
          : nothing}
      </div>
      <lw-edit-toolbar .tool=${ed.tool} .canUndo=${ed.canUndo} .canRedo=${ed.canRedo} .frozen=${Boolean(still)} .zoom=${ed.view.zoom}></lw-edit-toolbar>`;
  }

  private renderPanels(source: FrameSource | null) {
    const slots = this.store.slots;
    return html`<details open data-panel="slots">
        <summary>Slots <span class="count-badge">(${slots.length})</span></summary>
        <lw-slot-list
          .slots=${slots}
          .states=${this.counter.states}
          .selectedId=${this.editor.selection.length === 1 ? this.editor.selection[0] : null}
          .editing=${this.editor.editing}
          .frameSize=${source && source.width > 0 && source.height > 0 ? analysisSize(source.width, source.height) : null}
        ></lw-slot-list>
      </details>
      <details data-panel="layout-files">
        <summary>Layout files</summary>
        <lw-layout-files
          .slots=${slots}
          .frame=${source ? { width: source.width, height: source.height } : null}
          image-name=${source && source.kind !== 'camera' ? source.label : ''}
          .scene=${this.counter.analysis.scene}
          @layout-imported=${(e: CustomEvent<LayoutImportedDetail>) => this.importLayout(e.detail)}
        ></lw-layout-files>
      </details>
      <details data-panel="share">
        <summary>Share</summary>
        <lw-share-panel
          .relay=${this.sharing.relay}
          .relayStatus=${this.relayStatus}
          .relayDetail=${this.sharing.relayDetail}
          .problem=${this.sharing.problem}
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
          @token-copy-requested=${() => this.copy(this.sharing.createdToken ?? '', 'Publish token copied: keep it somewhere safe.')}
        ></lw-share-panel>
      </details>
      <details data-panel="settings">
        <summary>Settings</summary>
        <lw-settings-panel
          .settings=${this.settings}
          backend-note=${this.counter.analysis.info ? `Now: ${this.counter.analysis.info.backend} — ${this.counter.analysis.info.reason}` : ''}
          .frameMs=${this.counter.analysis.msPerFrame}
          @settings-changed=${this.onSettingsChanged}
        ></lw-settings-panel>
      </details>
      <details data-panel="storage" @toggle=${(e: Event) => (e.target as HTMLDetailsElement).open && this.storage.refresh()}>
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
      </details>`;
  }

  /** Counts per zone and kind of the lot as it is now (the counter's), as the breakdown shows them. */
  private breakdown(): BreakdownModel | null {
    const b = this.counter.breakdown;
    return b ? { zones: b.zones, kinds: b.kinds, closed_slots: b.closed } : null;
  }

  /** The relay link's status, as the share panel shows it (the assignment checks the two types agree). */
  private get relayStatus(): LwSharePanel['relayStatus'] {
    return this.sharing.relayStatus;
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
        action=${p.code === 'insecure' || p.code === 'unsupported' || p.code === 'bad-file' ? '' : 'Try the camera again'}
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
    const moved = this.renderCameraMoved();
    if (moved) notices.push(moved);
    if (this.store.error) {
      notices.push(html`<lw-notice data-problem="storage" heading="Storage problem" .message=${this.store.error}></lw-notice>`);
    }
    if (this.history.error) {
      notices.push(html`<lw-notice data-problem="history" heading="History problem" .message=${this.history.error}></lw-notice>`);
    }
    return notices.length ? html`<div class="notices">${notices}</div>` : nothing;
  }

  private finishEditing(): void {
    this.editor.dispatch({ type: 'row-finish' });
    this.editor.end();
  }

  /** Backend and speed, beside the status line. */
  private statusDetail(): string {
    const a = this.counter.analysis;
    if (a.status !== 'ready' || !a.info) return '';
    const source = this.counter.source.source;
    const following =
      a.camera?.state === 'following' && source
        ? ` · slots follow the camera (moved ${(100 * moveSize(a.camera.move, source.height / source.width)).toFixed(1)} %)`
        : '';
    return `${backendLabel(a.info)} · ${a.fps.toFixed(1)} fps · ${Math.round(a.msPerFrame)} ms/frame${following}`;
  }

  /**
   * A layout file's slots go to the editor; one that replaces the layout and carries its scene is checked against the
   * camera from the next frame (added slots change the layout, so the worker takes a new reference).
   */
  private importLayout({ layout, fileName, mode }: LayoutImportedDetail): void {
    this.editor.importLayout(layout, fileName, mode);
    if (layout.scene && mode === 'replace') this.counter.adoptScene(layout.scene);
  }

  /** Editing starts from where the slots are seen now: a small move the counter follows becomes part of the layout. */
  private beginEditing(): void {
    this.counter.settleFollowedMove();
    this.editor.begin();
  }

  /** The camera moved too far for the slots to follow: the counts are held until someone checks (issue 12). */
  private renderCameraMoved() {
    const c = this.counter.analysis.camera;
    const source = this.counter.source.source;
    if (c?.state !== 'moved' || !source || this.editor.editing) return null;
    const seen = c.seen;
    const message = seen
      ? `The picture moved by about ${Math.round(100 * moveSize(seen, source.height / source.width))} % of its width since the slots were marked: too far for them to follow by themselves. The counts are held (uncertain) until you check.`
      : 'The picture no longer matches the one the slots were marked on: the camera moved, or its view is blocked or dark. The counts are held (uncertain) until you check.';
    return html`<lw-notice
      data-problem="camera-moved"
      heading="The camera moved: check the slots"
      .message=${message}
      action=${seen ? 'Move the slots with it' : ''}
      @notice-action=${() => seen && this.counter.moveSlotsWithCamera(seen)}
    >
      <button @click=${() => this.counter.confirmSlots()}>The slots are right</button>
      <button @click=${() => this.beginEditing()}>Edit slots</button>
    </lw-notice>`;
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

customElements.define('lw-app', LwApp);

declare global {
  interface HTMLElementTagNameMap {
    'lw-app': LwApp;
  }
}
