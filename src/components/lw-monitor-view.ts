import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
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
  static override properties = { counts: { attribute: false }, breakdown: { attribute: false }, status: { type: String } };
  declare counts: LotCounts | null;
  /** Free spaces per zone and kind, when the lot has them. */
  declare breakdown: BreakdownModel | null;
  /** One line: counting, or paused and why. */
  declare status: string;

  constructor() {
    super();
    this.counts = null;
    this.breakdown = null;
    this.status = '';
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
      .of {
        font-size: 1.25rem;
      }
      .status {
        margin: 12px 0 24px;
        font-size: 0.95rem;
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
    return html`<section aria-label="Monitor mode">
      <div class="free" data-monitor="available">${c ? c.available : '–'}</div>
      <div class="of">${c ? html`free of ${c.total}` : 'no count yet'}</div>
      <lw-breakdown large .model=${this.breakdown}></lw-breakdown>
      ${this.status ? html`<p class="status" role="status">${this.status}</p>` : nothing}
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
