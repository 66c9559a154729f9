import { LitElement, css, html, nothing } from 'lit';
import { availabilityOf, type StatusLine } from '../occupancy/counting-status.ts';
import type { LotCounts } from '../occupancy/types.ts';

const NOT_COUNTING: StatusLine = { key: 'stopped', tone: 'stopped', text: 'not counting' };

/**
 * The numbers people come for, first and biggest: free, occupied and total; then one status line (counting, paused
 * and why, stopped, offline…, and when the counts last changed), its room kept so words that come and go do not move
 * what is below. Used by the counter and viewers; the counts per zone and kind (lw-breakdown) go under it.
 */
export class LwStatusBar extends LitElement {
  static override properties = {
    counts: { attribute: false },
    lastChanged: { attribute: false },
    status: { attribute: false },
    detail: { type: String },
    compact: { type: Boolean, reflect: true },
    now: { state: true },
  };

  declare counts: LotCounts | null;
  declare lastChanged: number | null;
  /** Whether the counts are current (see `describeCounting`). */
  declare status: StatusLine;
  /** A short line about how the counting runs (backend, speed). */
  declare detail: string;
  /** Smaller numbers and no labels' second line: a phone turned sideways. */
  declare compact: boolean;
  declare now: number;

  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.counts = null;
    this.lastChanged = null;
    this.status = NOT_COUNTING;
    this.detail = '';
    this.compact = false;
    this.now = Date.now();
  }

  static override styles = css`
    :host {
      display: block;
      background: #0f172a;
      color: #e2e8f0;
      border-radius: 12px;
      padding: 8px 12px;
    }
    .numbers {
      display: flex;
      flex-wrap: wrap;
      align-items: flex-end;
      gap: 0 18px;
      margin: 0;
    }
    /* The word under its number: the row keeps its height whatever the words (free, full) and numbers are. */
    .count {
      display: flex;
      flex-direction: column;
    }
    .value {
      font: 700 1.6rem/1.15 system-ui, sans-serif;
      font-variant-numeric: tabular-nums;
    }
    .available .value {
      font-size: 2.6rem;
      font-weight: 800;
      color: #4ade80;
    }
    .available[data-availability='few'] .value {
      color: #facc15;
    }
    .available[data-availability='full'] .value {
      color: #f87171;
    }
    .occupied .value {
      color: #fca5a5;
    }
    .name {
      font-size: 0.8rem;
      text-transform: uppercase;
      letter-spacing: 0.05em;
      color: #94a3b8;
    }
    /* Two lines kept for it from the start: words that come and go (changed at…, paused because…) must not move the
       picture under a finger. */
    .status {
      margin: 2px 0 0;
      font-size: 0.85rem;
      line-height: 1.4;
      min-height: 2.8em;
      color: #cbd5e1;
      display: flex;
      flex-wrap: wrap;
      align-content: flex-start;
      gap: 0 12px;
    }
    @media (max-width: 599px) {
      .detail {
        display: none;
      }
    }
    .detail {
      color: #94a3b8;
    }
    .dot {
      display: inline-block;
      width: 9px;
      height: 9px;
      border-radius: 50%;
      background: #64748b;
      margin-right: 5px;
    }
    /* Shape as well as colour: live is a filled dot, paused a ring, a warning a diamond, stopped and offline a grey dot. */
    [data-tone='live'] .dot {
      background: #4ade80;
    }
    [data-tone='paused'] .dot {
      background: none;
      box-shadow: inset 0 0 0 2px #facc15;
    }
    [data-tone='warning'] .dot {
      background: #facc15;
      transform: rotate(45deg);
      border-radius: 1px;
    }
    [data-tone='paused'],
    [data-tone='warning'] {
      color: #fde68a;
    }
    :host([compact]) {
      padding: 6px 10px;
    }
    :host([compact]) .available .value {
      font-size: 2rem;
    }
    :host([compact]) .value {
      font-size: 1.3rem;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => (this.now = Date.now()), 5_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  override render() {
    const c = this.counts;
    const n = (v: number | undefined) => (c ? String(v) : '–');
    const availability = c ? availabilityOf(c) : 'none';
    const s = this.status;
    return html`<p class="numbers" role="status" aria-live="polite" aria-atomic="true">
        <span class="count available" data-availability=${availability}
          ><span class="value" data-count="available">${n(c?.available)}</span
          ><span class="name">${availability === 'full' ? 'free · full' : 'free'}</span></span
        >
        <span class="count occupied"><span class="value" data-count="occupied">${n(c?.occupied)}</span><span class="name">occupied</span></span>
        <span class="count total"><span class="value" data-count="total">${n(c?.total)}</span><span class="name">total</span></span>
      </p>
      <p class="status" data-tone=${s.tone}>
        <span data-counting=${s.key}><span class="dot" aria-hidden="true"></span>${s.text}</span>
        ${this.lastChanged !== null
          ? html`<span data-last-changed=${new Date(this.lastChanged).toISOString()}
              >changed ${new Date(this.lastChanged).toLocaleTimeString()} (${ago(this.now, this.lastChanged)})</span
            >`
          : nothing}
        ${this.detail ? html`<span class="detail">${this.detail}</span>` : nothing}
      </p>`;
  }
}

/** "just now", "25 s ago", "3 min ago", "2 h ago", "3 days ago". */
export function ago(now: number, then: number): string {
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
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
