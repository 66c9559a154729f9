import { LitElement, css, html, nothing } from 'lit';
import { classMap } from 'lit/directives/class-map.js';
import { repeat } from 'lit/directives/repeat.js';
import { SLOT_SIZE_EDGES, smallSlots } from '../occupancy/slot-size.ts';
import type { Slot, SlotState } from '../occupancy/types.ts';
import { slotIsUnsure } from '../occupancy/unsure.ts';
import { requestEdit } from './events.ts';
import { controlStyles } from './shared-styles.ts';

/**
 * The slots as a compact grid of chips: each says its state in a word and a shape (a ring for free, a filled square for
 * occupied, a dashed ring before the first frame), not by colour alone; a tap selects it (again: lets go). In edit mode
 * the selected one can be renamed, and each deleted. All reachable by keyboard. Slots small in the analysed picture
 * (`frameSize`) are marked (a dashed edge, and words for screen readers), and a line above says what that costs: they
 * are the ones lotwatch gets wrong most.
 */
export class LwSlotList extends LitElement {
  static override properties = {
    slots: { attribute: false },
    states: { attribute: false },
    selectedId: { attribute: false },
    editing: { type: Boolean, reflect: true },
    frameSize: { attribute: false },
  };

  declare slots: readonly Slot[];
  declare states: ReadonlyMap<string, SlotState>;
  declare selectedId: string | null;
  declare editing: boolean;
  /** The size frames are analysed at, px (null: no picture yet, nothing is marked). */
  declare frameSize: { readonly width: number; readonly height: number } | null;

  constructor() {
    super();
    this.slots = [];
    this.states = new Map();
    this.selectedId = null;
    this.editing = false;
    this.frameSize = null;
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 6px;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 128px), 1fr));
      }
      :host([editing]) ul {
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 200px), 1fr));
      }
      li {
        display: flex;
        align-items: center;
        gap: 4px;
        padding: 0 0 0 8px;
        border-radius: 10px;
        background: #111827;
        border: 1px solid transparent;
      }
      li.selected {
        border-color: #facc15;
      }
      .state {
        width: 10px;
        height: 10px;
        flex: none;
        box-sizing: border-box;
        border-radius: 50%;
        border: 2px dashed #94a3b8;
      }
      .state.free {
        border: 2px solid #4ade80;
      }
      .state.occupied {
        border: 0;
        border-radius: 2px;
        background: #f87171;
      }
      .word {
        font-size: 0.8rem;
        font-weight: 400;
        color: #94a3b8;
      }
      .name,
      .name[aria-pressed='true'] {
        color: inherit;
        flex: 1;
        min-width: 0;
        text-align: left;
        justify-content: flex-start;
        border: 0;
        background: transparent;
      }
      input {
        flex: 1;
        min-width: 0;
      }
      .empty {
        color: #94a3b8;
        margin: 0;
      }
      li.small {
        border: 1px dashed #d97706;
      }
      li.small.selected {
        border-color: #facc15;
      }
      .small-note {
        margin: 0 0 8px;
        font-size: 0.875rem;
        color: #fde68a;
      }
      .small-note button {
        margin-left: 6px;
      }
    `,
  ];

  override render() {
    if (!this.slots.length) {
      return html`<p class="empty">
        No slots yet. ${this.editing ? 'Drag on the picture to mark one.' : 'Choose “Edit slots”, then drag on the picture to mark one.'}
      </p>`;
    }
    const small = this.frameSize ? smallSlots(this.slots, this.frameSize.width, this.frameSize.height, Date.now()) : [];
    const smallIds = new Set(small.map((s) => s.id));
    return html`${small.length ? this.renderSmallNote(small) : nothing}
      <ul aria-label="Slots">
        ${repeat(
          this.slots,
          (s) => s.id,
          (s) => this.renderItem(s, smallIds.has(s.id)),
        )}
      </ul>`;
  }

  /** What small slots cost, measured (docs/accuracy.md, by slot size), and what to do about it. */
  private renderSmallNote(small: readonly Slot[]) {
    const [under, over] = SLOT_SIZE_EDGES;
    const n = small.length;
    return html`<p class="small-note" data-small-slots=${n}>
      ${n === 1 ? '1 slot is' : `${n} slots are`} small in the picture (under ${under} px across, dashed). On close, wide-angle
      views such slots are wrong about four times as often as those of ${over} px or more: zoom in, or aim so they are bigger.
      ${this.editing
        ? html`<button @click=${() => requestEdit(this, { type: 'select', ids: small.map((s) => s.id), mode: 'replace' })}>
            Select ${n === 1 ? 'it' : 'them'}
          </button>`
        : nothing}
    </p>`;
  }

  private renderItem(slot: Slot, small: boolean) {
    const st = this.states.get(slot.id);
    const status = st ? (st.occupied ? 'occupied' : 'free') : 'unknown';
    const selected = slot.id === this.selectedId;
    // As the picture outlines it dotted: the evidence near even (occupancy/unsure.ts).
    const unsure = slotIsUnsure(slot, st, Date.now());
    return html`<li class=${classMap({ selected, small, unsure })} data-id=${slot.id}>
      <span class="state ${status}" aria-hidden="true"></span>
      ${this.editing && selected
        ? html`<label class="visually-hidden" for="name-${slot.id}">Name of slot ${slot.name}</label>
            <input
              id="name-${slot.id}"
              name="slot-name"
              .value=${slot.name}
              maxlength="40"
              @change=${(e: Event) => this.rename(slot, (e.target as HTMLInputElement).value)}
              @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
            />`
        : html`<button
            class="name"
            aria-pressed=${selected ? 'true' : 'false'}
            @click=${() => requestEdit(this, { type: 'select', ids: selected ? [] : [slot.id], mode: 'replace' })}
          >
            ${slot.name} <span class="word"
              >${status === 'unknown' ? html`<span aria-hidden="true">?</span><span class="visually-hidden">unknown</span>` : status}${unsure
                ? html`<span aria-hidden="true">?</span><span class="visually-hidden">, unsure</span>`
                : nothing}</span
            >${small ? html`<span class="visually-hidden">, small in the picture</span>` : nothing}
          </button>`}
      ${this.editing
        ? html`<button class="danger" aria-label="Delete slot ${slot.name}" @click=${() => requestEdit(this, { type: 'delete', ids: [slot.id] })}>
            Delete
          </button>`
        : nothing}
    </li>`;
  }

  private rename(slot: Slot, value: string): void {
    const name = value.trim();
    if (name && name !== slot.name) requestEdit(this, { type: 'rename', id: slot.id, name });
  }
}

customElements.define('lw-slot-list', LwSlotList);

declare global {
  interface HTMLElementTagNameMap {
    'lw-slot-list': LwSlotList;
  }
}
