import { LitElement, css, html } from 'lit';
import { progressFraction, type OfflineState, type PrecacheProgress } from '../pwa/precache-progress.ts';
import { visuallyHiddenStyles } from './shared-styles.ts';

/** A small badge: whether the app works offline yet (with the first download's progress) and whether it is online. */
export class LwOfflineStatus extends LitElement {
  static override properties = {
    state: { type: String, reflect: true },
    progress: { attribute: false },
    online: { type: Boolean },
  };
  declare state: OfflineState;
  declare progress: PrecacheProgress | null;
  declare online: boolean;

  constructor() {
    super();
    this.state = 'unsupported';
    this.progress = null;
    this.online = true;
  }

  static override styles = [
    visuallyHiddenStyles,
    css`
      :host {
        display: inline-flex;
        flex-wrap: wrap;
        gap: 6px;
        font-size: 0.85rem;
      }
      span {
        display: inline-flex;
        align-items: center;
        min-height: 28px;
        padding: 0 10px;
        border-radius: 999px;
        background: #1e293b;
        color: #cbd5e1;
      }
      .ready {
        background: #14532d;
        color: #dcfce7;
      }
      .offline {
        background: #78350f;
        color: #fef3c7;
      }
    `,
  ];

  override render() {
    // Screen readers hear the outcome (ready, failed, offline), not every percent of the download.
    const announce = this.state === 'ready' || this.state === 'failed' ? this.label() : '';
    return html`<span class=${this.state === 'ready' ? 'ready' : ''} data-offline=${this.state}>${this.label()}</span>
      ${this.online ? '' : html`<span class="offline" data-network="offline">Offline</span>`}
      <span class="visually-hidden" role="status">${announce}${this.online ? '' : ' Offline'}</span>`;
  }

  private label(): string {
    switch (this.state) {
      case 'ready':
        return 'Ready to work offline';
      case 'caching':
        return `Saving for offline use… ${this.progress ? Math.floor(progressFraction(this.progress) * 100) : 0}%`;
      case 'starting':
        return 'Preparing offline use…';
      case 'failed':
        return 'Online only (offline copy failed)';
      case 'unsupported':
        return 'Online only';
    }
  }
}

customElements.define('lw-offline-status', LwOfflineStatus);

declare global {
  interface HTMLElementTagNameMap {
    'lw-offline-status': LwOfflineStatus;
  }
}
