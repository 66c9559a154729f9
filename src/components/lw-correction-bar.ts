import { LitElement, css, html, nothing } from 'lit';
import { isClosedAt } from '../occupancy/closure.ts';
import type { Slot, SlotState } from '../occupancy/types.ts';
import { unsureSlots } from '../occupancy/unsure.ts';
import { requestEdit } from './events.ts';
import { controlStyles } from './shared-styles.ts';

/** What the user tells the counter: a slot holds a vehicle or not; or take back the last correction, or all. */
export type CorrectionChange =
  | { readonly kind: 'correct'; readonly slotId: string; readonly occupied: boolean }
  /** Every slot is right as shown: the states of the slots not in the middle of a change. */
  | { readonly kind: 'confirm'; readonly states: readonly { readonly slotId: string; readonly occupied: boolean }[] }
  | { readonly kind: 'undo' }
  | { readonly kind: 'clear' };

export interface CorrectionRequest {
  readonly change: CorrectionChange;
  /** What to say once it is done. */
  readonly done: string;
}

/**
 * Under the picture while counting: with a slot tapped, "Slot A-3 is now: Free / Occupied" (and a way to let go of
 * it); otherwise a hint, and "All slots right…": once the wrong ones are tapped, the rest are confirmed as shown in one
 * step (it asks first, since it teaches every slot at once). "Next unsure" walks through the slots the evidence is least
 * sure of, where most errors are. What the counter learned so far can be undone or forgotten.
 *
 * @fires correction-requested - detail: the change and the words for when it is done
 * @fires edit-requested - select none (the × button), or the next unsure slot
 */
export class LwCorrectionBar extends LitElement {
  static override properties = {
    target: { attribute: false },
    slots: { attribute: false },
    states: { attribute: false },
    learned: { type: Number },
    note: { type: String },
    confirming: { state: true },
  };
  /** The one slot selected, if any. */
  declare target: Slot | null;
  /** The lot's slots: the closed ones are not counted, so not confirmed either. */
  declare slots: readonly Slot[];
  /** The slots' states as the counter shows them: what "All slots right" confirms. */
  declare states: ReadonlyMap<string, SlotState>;
  /** "All slots right…" was tapped: the question is open. */
  declare confirming: boolean;
  /** Corrections the counter learned from so far. */
  declare learned: number;
  declare note: string;

  constructor() {
    super();
    this.target = null;
    this.slots = [];
    this.states = new Map();
    this.confirming = false;
    this.learned = 0;
    this.note = '';
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        gap: 6px 8px;
        align-items: center;
      }
      .hint {
        color: #94a3b8;
        font-size: 0.9rem;
      }
      .slot {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        align-items: center;
        padding: 4px 4px 4px 8px;
        border: 1px solid #facc15;
        border-radius: 12px;
      }
      .slot button {
        padding: 0 10px;
      }
    `,
  ];

  override render() {
    const slot = this.target;
    const unsure = unsureSlots(this.slots, this.states, Date.now());
    return html`${slot
        ? html`<div class="slot" role="group" aria-labelledby="correct-label">
            <span id="correct-label">Slot ${slot.name} is now:</span>
            <button data-correct="free" @click=${() => this.fire({ kind: 'correct', slotId: slot.id, occupied: false }, `Learned: slot ${slot.name} is free.`)}>
              Free
            </button>
            <button data-correct="occupied" @click=${() => this.fire({ kind: 'correct', slotId: slot.id, occupied: true }, `Learned: slot ${slot.name} is occupied.`)}>
              Occupied
            </button>
            <button aria-label="Let go of slot ${slot.name}" @click=${() => requestEdit(this, { type: 'select', ids: [], mode: 'replace' })}>×</button>
          </div>`
        : this.renderConfirm(unsure.length)}
      ${this.renderNextUnsure(unsure)}
      ${this.learned
        ? html`<span class="hint" data-learned=${this.learned}>Learned from ${this.learned} correction${this.learned === 1 ? '' : 's'}.</span>
            <button @click=${() => this.fire({ kind: 'undo' }, 'Last correction undone.')}>Undo correction</button>
            <button class="danger" @click=${() => this.fire({ kind: 'clear' }, 'Corrections forgotten.')}>Forget corrections</button>`
        : nothing}
      ${this.note ? html`<span class="hint" role="status">${this.note}</span>` : nothing}`;
  }

  /** The hint, and the confirmation of every slot as shown (slots in the middle of a change are left out). */
  private renderConfirm(unsure: number) {
    const now = Date.now();
    const open = this.slots.flatMap((s) => {
      const st = this.states.get(s.id);
      return st && !isClosedAt(s.closed, now) ? [st] : [];
    });
    const shown = open.filter((st) => st.pending === null);
    const changing = open.length - shown.length;
    if (!this.confirming || !shown.length) {
      return html`<span class="hint"
          >Tap a slot to tell the counter what it holds.${unsure ? ' Dotted yellow slots are the ones it is least sure of: check those first.' : ''}</span
        >
        ${shown.length ? html`<button data-confirm-all @click=${() => (this.confirming = true)}>All slots right…</button>` : nothing}`;
    }
    const n = shown.length;
    return html`<div class="slot" role="group" aria-labelledby="confirm-label">
      <span id="confirm-label"
        >Learn ${n === 1 ? 'the slot' : `all ${n} slots`} as shown now?${changing ? ` (${changing} changing left out)` : ''}</span
      >
      <button
        data-confirm="yes"
        @click=${() => {
          this.confirming = false;
          const states = shown.map((st) => ({ slotId: st.id, occupied: st.occupied }));
          this.fire({ kind: 'confirm', states }, `Learned: ${n === 1 ? 'the slot' : `${n} slots`} as shown (a slot you just tapped otherwise keeps your tap).`);
        }}
      >
        Learn
      </button>
      <button @click=${() => (this.confirming = false)}>Cancel</button>
    </div>`;
  }

  /** Selects the next slot the evidence is unsure of (after the one selected), so that each can be checked in turn. */
  private renderNextUnsure(unsure: readonly Slot[]) {
    const at = this.target ? unsure.findIndex((s) => s.id === this.target!.id) : -1;
    if (!unsure.length || (unsure.length === 1 && at === 0)) return nothing;
    const next = unsure[(at + 1) % unsure.length]!;
    const n = unsure.length;
    return html`<button data-next-unsure=${n} aria-label="Next unsure slot: ${next.name} (${n} unsure)"
      @click=${() => requestEdit(this, { type: 'select', ids: [next.id], mode: 'replace' })}>
      Next unsure (${n})
    </button>`;
  }

  private fire(change: CorrectionChange, done: string): void {
    const detail: CorrectionRequest = { change, done };
    this.dispatchEvent(new CustomEvent('correction-requested', { detail, bubbles: true, composed: true }));
  }
}

customElements.define('lw-correction-bar', LwCorrectionBar);

declare global {
  interface HTMLElementTagNameMap {
    'lw-correction-bar': LwCorrectionBar;
  }
  interface HTMLElementEventMap {
    'correction-requested': CustomEvent<CorrectionRequest>;
  }
}
