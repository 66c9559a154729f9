import { LitElement, css, html, nothing } from 'lit';
import type { LotCounts } from '../occupancy/types.ts';

/** The numbers people come for: occupied / available / total, and when they last changed. */
export class LwStatusBar extends LitElement {
  static override properties = {
    counts: { attribute: false },
    lastChanged: { attribute: false },
    live: { type: Boolean },
    detail: { type: String },
    pausedReason: { type: String, attribute: 'paused-reason' },
    now: { state: true },
  };

  declare counts: LotCounts | null;
  declare lastChanged: number | null;
  declare live: boolean;
  /** A short line about how the counting runs (backend, speed). */
  declare detail: string;
  /** Why counting is paused (page hidden, camera lost…); empty when it is not. */
  declare pausedReason: string;
  declare now: number;

  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.counts = null;
    this.lastChanged = null;
    this.live = false;
    this.detail = '';
    this.pausedReason = '';
    this.now = Date.now();
  }

  static override styles = css`
    :host {
      display: block;
      background: #0f172a;
      color: #e2e8f0;
      border-radius: 12px;
      padding: 10px 14px;
    }
    .counts {
      display: flex;
      gap: 12px;
      flex-wrap: wrap;
      align-items: baseline;
    }
    .count {
      display: flex;
      flex-direction: column;
      min-width: 72px;
    }
    .value {
      font: 700 2rem/1.1 system-ui, sans-serif;
      font-variant-numeric: tabular-nums;
    }
    .name {
      font-size: 0.8rem;
      text-transform: uppercase;
      letter-spacing: 0.05em;
      color: #94a3b8;
    }
    .available .value {
      color: #4ade80;
    }
    .occupied .value {
      color: #f87171;
    }
    .meta {
      margin-top: 6px;
      font-size: 0.85rem;
      color: #94a3b8;
      display: flex;
      flex-wrap: wrap;
      gap: 4px 14px;
    }
    .dot {
      display: inline-block;
      width: 8px;
      height: 8px;
      border-radius: 50%;
      background: #64748b;
      margin-right: 4px;
    }
    .dot.live {
      background: #4ade80;
    }
    .dot.paused {
      background: #facc15;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => (this.now = Date.now()), 15_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  override render() {
    const c = this.counts;
    const n = (v: number | undefined) => (c ? String(v) : '–');
    return html`<div class="counts" role="status" aria-live="polite" aria-atomic="true">
        <div class="count available"><span class="value" data-count="available">${n(c?.available)}</span><span class="name">available</span></div>
        <div class="count occupied"><span class="value" data-count="occupied">${n(c?.occupied)}</span><span class="name">occupied</span></div>
        <div class="count total"><span class="value" data-count="total">${n(c?.total)}</span><span class="name">total</span></div>
      </div>
      <div class="meta">
        <span data-counting=${this.live ? 'counting' : this.pausedReason ? 'paused' : 'stopped'}
          ><span class="dot ${this.live ? 'live' : this.pausedReason ? 'paused' : ''}"></span>${this.live
            ? 'counting'
            : this.pausedReason
              ? `paused: ${this.pausedReason}`
              : 'not counting'}</span
        >
        ${this.lastChanged !== null
          ? html`<span data-last-changed=${new Date(this.lastChanged).toISOString()}
              >changed ${new Date(this.lastChanged).toLocaleTimeString()} (${ago(this.now, this.lastChanged)})</span
            >`
          : nothing}
        ${this.detail ? html`<span class="detail">${this.detail}</span>` : nothing}
      </div>`;
  }
}

function ago(now: number, then: number): string {
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 60) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h ago` : `${Math.round(h / 24)} days ago`;
}

customElements.define('lw-status-bar', LwStatusBar);

declare global {
  interface HTMLElementTagNameMap {
    'lw-status-bar': LwStatusBar;
  }
}
