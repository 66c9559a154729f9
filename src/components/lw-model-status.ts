import { LitElement, css, html, nothing } from 'lit';
import { progressFraction, type PrecacheProgress } from '../pwa/precache-progress.ts';
import { formatBytes } from '../pwa/storage-summary.ts';

/** The detector as the counter has it: not asked for, loading, ready, or failed. */
export type DetectorState = 'idle' | 'loading' | 'ready' | 'error';

/** The backend the detector runs on, as the worker reported it. */
export interface DetectorBackend {
  readonly backend: string;
  readonly simd?: boolean;
  readonly threads?: boolean;
  /** Why this backend was chosen, in words. */
  readonly reason: string;
}

/**
 * A line or two under the picture about the vehicle detector: the first visit's download (with bytes), the model
 * loading (with progress), then the backend it runs on and which evidence the counts use.
 */
export class LwModelStatus extends LitElement {
  static override properties = {
    state: { type: String },
    progress: { type: Number },
    info: { attribute: false },
    restarts: { type: Number },
    mode: { attribute: false },
    fallbackReason: { attribute: false },
    offlineCopy: { attribute: false },
    waitingForCopy: { type: Boolean, attribute: 'waiting-for-copy' },
  };

  declare state: DetectorState;
  /** Loading progress, 0..1. */
  declare progress: number;
  declare info: DetectorBackend | null;
  /** Times the detector reloaded itself after losing its graphics context. */
  declare restarts: number;
  /** Which evidence the last frame used: everything, or the patch features alone. */
  declare mode: 'full' | 'patch-only' | null;
  declare fallbackReason: string | null;
  /** The first visit's download of the offline copy, while the model waits for it. */
  declare offlineCopy: PrecacheProgress | null;
  declare waitingForCopy: boolean;

  constructor() {
    super();
    this.state = 'idle';
    this.progress = 0;
    this.info = null;
    this.restarts = 0;
    this.mode = null;
    this.fallbackReason = null;
    this.offlineCopy = null;
    this.waitingForCopy = false;
  }

  static override styles = css`
    :host {
      display: block;
      font-size: 0.9rem;
      color: #94a3b8;
    }
    .model {
      margin-top: 6px;
    }
    progress {
      width: 100%;
      height: 10px;
    }
  `;

  override render() {
    if (this.waitingForCopy) {
      const copy = this.offlineCopy;
      const pct = copy ? Math.floor(progressFraction(copy) * 100) : 0;
      return html`<div class="model" role="status">
        <label for="offline-progress"
          >Downloading the vehicle detector and saving the app for offline use… ${pct}%
          ${copy ? `(${formatBytes(copy.bytesDone)} of ${formatBytes(copy.bytesTotal)})` : ''}</label
        >
        <progress id="offline-progress" max="100" value=${pct}></progress>
      </div>`;
    }
    if (this.state === 'loading') {
      const pct = Math.round(this.progress * 100);
      return html`<div class="model" role="status">
        <label for="model-progress">Loading the vehicle detector… ${pct}%</label>
        <progress id="model-progress" max="100" value=${pct}></progress>
      </div>`;
    }
    const info = this.info;
    return html`${this.state === 'ready' && info
      ? html`<div class="model" data-backend=${info.backend} data-restarts=${this.restarts}>
          Detector: ${backendLabel(info)} — ${info.reason}${this.restarts
            ? ` · restarted ${this.restarts === 1 ? 'once' : `${this.restarts} times`} after the graphics context was lost`
            : ''}
        </div>`
      : nothing}
    ${this.mode ? html`<div class="model" data-mode=${this.mode}>${this.evidence()}</div>` : nothing}`;
  }

  private evidence(): string {
    if (this.mode === 'full') return 'Counts use the vehicle detector, the backbone probe and the look of each slot.';
    const why =
      this.fallbackReason ??
      (this.state === 'error' ? 'the vehicle detector could not be loaded' : this.state === 'ready' ? 'the detector skipped the last frame' : 'until the vehicle detector has loaded');
    return `Counts use the look of each slot only (less sure on a new lot): ${why}.`;
  }
}

/** "WASM (SIMD, threads)", "WEBGL". */
export function backendLabel(info: Pick<DetectorBackend, 'backend' | 'simd' | 'threads'>): string {
  if (info.backend !== 'wasm') return info.backend.toUpperCase();
  const extras = [info.simd ? 'SIMD' : '', info.threads ? 'threads' : ''].filter(Boolean);
  return `WASM${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

customElements.define('lw-model-status', LwModelStatus);

declare global {
  interface HTMLElementTagNameMap {
    'lw-model-status': LwModelStatus;
  }
}
