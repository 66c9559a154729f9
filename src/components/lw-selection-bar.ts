import { LitElement, css, html, nothing } from 'lit';
import { requestEdit } from './events.ts';
import { controlStyles } from './shared-styles.ts';

/**
 * What can be done to the selected slots together: delete them, renumber them (names run on from a start number, with
 * an optional prefix, in the order the slots were marked), or select none.
 *
 * @fires edit-requested (delete, renumber, select none)
 */
export class LwSelectionBar extends LitElement {
  static override properties = {
    ids: { attribute: false },
    renumbering: { state: true },
  };

  declare ids: readonly string[];
  declare renumbering: boolean;

  constructor() {
    super();
    this.ids = [];
    this.renumbering = false;
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      .bar,
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        align-items: center;
      }
      form {
        margin-top: 6px;
      }
      label {
        display: inline-flex;
        align-items: center;
        gap: 4px;
        color: #cbd5e1;
      }
      input[name='prefix'] {
        width: 5em;
      }
      input[name='start'] {
        width: 5em;
      }
      .count {
        color: #facc15;
        font-weight: 600;
      }
    `,
  ];

  override render() {
    const n = this.ids.length;
    if (!n) return nothing;
    return html`<div class="bar" role="toolbar" aria-label="Selected slots">
        <span class="count" role="status">${n} selected</span>
        <button class="danger" @click=${() => requestEdit(this, { type: 'delete', ids: [...this.ids] })}>${n === 1 ? 'Delete slot' : `Delete ${n} slots`}</button>
        <button aria-expanded=${this.renumbering ? 'true' : 'false'} @click=${() => (this.renumbering = !this.renumbering)}>Renumber…</button>
        <button @click=${() => requestEdit(this, { type: 'select', ids: [], mode: 'replace' })}>Select none</button>
      </div>
      ${this.renumbering
        ? html`<form @submit=${this.renumber} aria-label="Renumber the selected slots">
            <label>Prefix <input name="prefix" maxlength="10" autocomplete="off" /></label>
            <label>From <input name="start" type="number" inputmode="numeric" value="1" min="0" required /></label>
            <button type="submit" class="primary">Renumber</button>
          </form>`
        : nothing}`;
  }

  private renumber = (e: SubmitEvent): void => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const start = Number(data.get('start'));
    if (!Number.isInteger(start) || start < 0) return;
    requestEdit(this, { type: 'renumber', ids: [...this.ids], prefix: String(data.get('prefix') ?? '').trim(), start });
    this.renumbering = false;
  };
}

customElements.define('lw-selection-bar', LwSelectionBar);

declare global {
  interface HTMLElementTagNameMap {
    'lw-selection-bar': LwSelectionBar;
  }
}
