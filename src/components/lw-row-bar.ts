import { LitElement, css, html, nothing } from 'lit';
import type { RowGroup } from '../layout/row-group.ts';
import { MAX_SPLIT } from '../layout/row-split.ts';
import { requestEdit } from './events.ts';
import { controlStyles } from './shared-styles.ts';

/**
 * The open row's count (and rows, for a block) and what to do with it: read it the other way, space the dividers
 * evenly again, or finish it (split for good).
 *
 * @fires edit-requested (row-resize, row-flip, row-finish, row-even)
 */
export class LwRowBar extends LitElement {
  static override properties = { group: { attribute: false }, showRows: { type: Boolean, attribute: 'show-rows' } };
  declare group: RowGroup | null;
  /** A block (grid tool): the number of rows can be changed too. */
  declare showRows: boolean;

  constructor() {
    super();
    this.group = null;
    this.showRows = false;
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        align-items: center;
        padding: 6px 8px;
        border: 1px solid #facc15;
        border-radius: 12px;
        background: #1c1917;
      }
      input {
        width: 4.2em;
        text-align: center;
        font-variant-numeric: tabular-nums;
      }
      .stepper {
        display: inline-flex;
        align-items: center;
        gap: 4px;
      }
      button {
        padding: 0 10px;
      }
      .sep {
        color: #94a3b8;
      }
    `,
  ];

  override render() {
    const g = this.group;
    if (!g) return nothing;
    const pinned = g.colPins.some((p) => p.some((v) => v !== null)) || g.rowPins.some((v) => v !== null);
    return html`<form aria-label="Open row" @submit=${(e: Event) => e.preventDefault()}>
      ${g.rows > 1 || this.showRows ? html`${this.stepper('rows', g.rows, 'Rows in the block')} <span class="sep">rows ×</span>` : nothing}
      ${this.stepper('cols', g.cols, g.rows > 1 ? 'Slots in each row' : 'Slots in the row')}
      <span class="sep">slots</span>
      <button type="button" @click=${() => requestEdit(this, { type: 'row-flip' })} title="Split along the other pair of sides">Other way</button>
      <button type="button" ?disabled=${!pinned} @click=${() => requestEdit(this, { type: 'row-even' })}>
        Even out
      </button>
      <button type="button" class="primary" @click=${() => requestEdit(this, { type: 'row-finish' })}>Done</button>
    </form>`;
  }

  private stepper(which: 'rows' | 'cols', value: number, label: string) {
    const set = (v: number) => {
      const g = this.group;
      if (!g || !Number.isInteger(v) || v < 1) return;
      const rows = which === 'rows' ? v : g.rows;
      const cols = which === 'cols' ? v : g.cols;
      if (rows * cols <= MAX_SPLIT && (rows !== g.rows || cols !== g.cols)) requestEdit(this, { type: 'row-resize', rows, cols });
    };
    const commit = (e: Event) => {
      const input = e.target as HTMLInputElement;
      const v = Number(input.value);
      if (Number.isInteger(v) && v >= 1) set(v);
      else input.value = String(value);
    };
    return html`<span class="stepper">
      <button type="button" aria-label=${`${label}: one fewer`} ?disabled=${value <= 1} @click=${() => set(value - 1)}>−</button>
      <input
        type="number"
        inputmode="numeric"
        min="1"
        max=${MAX_SPLIT}
        name=${which}
        aria-label=${label}
        .value=${String(value)}
        @focus=${(e: Event) => (e.target as HTMLInputElement).select()}
        @change=${commit}
        @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && commit(e)}
      />
      <button type="button" aria-label=${`${label}: one more`} @click=${() => set(value + 1)}>+</button>
    </span>`;
  }
}

customElements.define('lw-row-bar', LwRowBar);

declare global {
  interface HTMLElementTagNameMap {
    'lw-row-bar': LwRowBar;
  }
}
