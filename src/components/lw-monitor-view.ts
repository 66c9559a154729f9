import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { availabilityOf, type StatusLine } from '../occupancy/counting-status.ts';
import type { LotCounts } from '../occupancy/types.ts';
import './lw-breakdown.ts';
import type { BreakdownModel } from './lw-breakdown.ts';
import { controlStyles } from './shared-styles.ts';

/**
 * Monitor mode: the screen goes black except for the counts, in dim colours, while counting goes on underneath (the
 * video keeps playing behind it). Saves power on OLED screens and keeps a pole-mounted phone from glowing at night.
 *
 * @fires monitor-exited - the user wants the picture back (button, Escape)
 */
export class LwMonitorView extends LitElement {
  static override properties = { counts: { attribute: false }, status: { attribute: false }, breakdown: { attribute: false } };
  declare counts: LotCounts | null;
  /** One line: counting, or paused and why (see `describeCounting`). */
  declare status: StatusLine | null;
  /** Free spaces per zone and kind, when the lot has them. */
  declare breakdown: BreakdownModel | null;

  constructor() {
    super();
    this.counts = null;
    this.status = null;
    this.breakdown = null;
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        position: fixed;
        inset: 0;
        z-index: 10;
        display: grid;
        place-items: center;
        background: #000;
        color: #a3a3a3;
        text-align: center;
        padding: 16px;
      }
      .free {
        font: 700 clamp(4rem, 30vmin, 12rem) / 1 system-ui, sans-serif;
        font-variant-numeric: tabular-nums;
        color: #4d7c5a;
      }
      /* A full lot is not green: dim red, and it says "Full" in words too. */
      .free[data-availability='full'] {
        color: #9f4b4b;
      }
      .free[data-availability='few'] {
        color: #a18a3c;
      }

      .of {
        font-size: 1.25rem;
      }
      .status {
        margin: 12px 0 24px;
        font-size: 0.95rem;
      }
      /* A warning (the camera moved) in amber with a diamond, not by colour alone. */
      .status[data-tone='warning'] {
        color: #facc15;
      }
      .status[data-tone='warning']::before {
        content: '◆ ';
      }
      button {
        background: #111;
        border-color: #333;
        color: #a3a3a3;
      }
    `,
  ];

  override firstUpdated(_changed: PropertyValues): void {
    // Keyboard users land on the way out.
    this.renderRoot.querySelector('button')?.focus();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKey);
  }

  override render() {
    const c = this.counts;
    const availability = c ? availabilityOf(c) : 'none';
    return html`<section aria-label="Monitor mode">
      <div class="free" data-monitor="available" data-availability=${availability}>${c ? c.available : '–'}</div>
      <div class="of">${c ? (availability === 'full' ? html`Full · 0 free of ${c.total}` : html`free of ${c.total}`) : 'no count yet'}</div>
      <lw-breakdown large .model=${this.breakdown}></lw-breakdown>
      ${this.status ? html`<p class="status" role="status" data-counting=${this.status.key} data-tone=${this.status.tone}>${this.status.text}</p>` : nothing}
      <button @click=${this.exit}>Show the picture</button>
    </section>`;
  }

  private onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape') this.exit();
  };

  private exit = (): void => {
    this.dispatchEvent(new CustomEvent('monitor-exited', { bubbles: true, composed: true }));
  };
}

customElements.define('lw-monitor-view', LwMonitorView);

declare global {
  interface HTMLElementTagNameMap {
    'lw-monitor-view': LwMonitorView;
  }
  interface HTMLElementEventMap {
    'monitor-exited': CustomEvent<void>;
  }
}
