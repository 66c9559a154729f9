import { LitElement, css, html, nothing } from 'lit';
import { summarizeStorage, type StorageFacts } from '../pwa/storage-summary.ts';
import type { OfflineState } from '../pwa/precache-progress.ts';
import type { WakeLockState } from '../pwa/wake-lock-policy.ts';
import { controlStyles } from './shared-styles.ts';

/**
 * What the app keeps on this device and how it runs unattended: storage used and whether it is protected, offline
 * readiness, the screen wake lock, the version, and a manual update check.
 *
 * @fires persistence-requested - the user asks the browser to keep the data
 * @fires update-check-requested - the user asks whether a new version exists
 */
export class LwStoragePanel extends LitElement {
  static override properties = {
    facts: { attribute: false },
    offline: { type: String },
    wakeLock: { type: String, attribute: 'wake-lock' },
    version: { type: String },
    error: { type: String },
  };
  declare facts: StorageFacts;
  declare offline: OfflineState;
  declare wakeLock: WakeLockState;
  declare version: string;
  /** Why the offline copy failed, if it did. */
  declare error: string;

  constructor() {
    super();
    this.facts = { usage: null, quota: null, persisted: null };
    this.offline = 'unsupported';
    this.wakeLock = 'unsupported';
    this.version = '';
    this.error = '';
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        font-size: 0.9rem;
        color: #cbd5e1;
      }
      dl {
        display: grid;
        grid-template-columns: minmax(6rem, auto) 1fr;
        gap: 6px 12px;
        margin: 0 0 10px;
      }
      dt {
        color: #94a3b8;
      }
      dd {
        margin: 0;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
      }
    `,
  ];

  override render() {
    const s = summarizeStorage(this.facts);
    return html`<dl>
        <dt>Stored</dt>
        <dd data-storage="usage">${s.used}</dd>
        <dt>Kept</dt>
        <dd data-storage="persisted">${s.persistence}</dd>
        <dt>Offline</dt>
        <dd>${OFFLINE_TEXT[this.offline]}${this.error ? html`<br />${this.error}` : nothing}</dd>
        <dt>Screen</dt>
        <dd data-wake-lock=${this.wakeLock}>${WAKE_TEXT[this.wakeLock]}</dd>
        <dt>Version</dt>
        <dd data-version>${this.version}</dd>
      </dl>
      <div class="actions">
        ${s.canAskToPersist ? html`<button @click=${() => this.fire('persistence-requested')}>Keep data on this device</button>` : nothing}
        <button @click=${() => this.fire('update-check-requested')}>Check for updates</button>
      </div>`;
  }

  private fire(name: 'persistence-requested' | 'update-check-requested'): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }
}

const OFFLINE_TEXT: Record<OfflineState, string> = {
  ready: 'Ready: the app, the detector and its model are on this device; it opens and counts with no network.',
  caching: 'Saving the app and the model on this device…',
  starting: 'Preparing offline use…',
  failed: 'Not available: the offline copy could not be saved.',
  unsupported: 'Not available in this browser (or not over HTTPS).',
};

const WAKE_TEXT: Record<WakeLockState, string> = {
  on: 'Kept on while counting',
  off: 'Kept on while counting (not counting now)',
  refused: 'The browser refused to keep the screen on (battery saver?)',
  unsupported: 'This browser cannot keep the screen on: set the display timeout to “never” while counting',
};

customElements.define('lw-storage-panel', LwStoragePanel);

declare global {
  interface HTMLElementTagNameMap {
    'lw-storage-panel': LwStoragePanel;
  }
  interface HTMLElementEventMap {
    'persistence-requested': CustomEvent<void>;
    'update-check-requested': CustomEvent<void>;
  }
}
