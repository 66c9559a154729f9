import { LitElement, css, html, nothing } from 'lit';
import { SLOT_KIND_LABEL, SLOT_KINDS, type Slot, type SlotKind } from '../occupancy/types.ts';
import { requestEdit } from './events.ts';
import { controlStyles } from './shared-styles.ts';

/** What the selected slots share: a value, or null when they differ. */
function shared<T>(slots: readonly Slot[], get: (s: Slot) => T): T | null {
  const first = slots[0] ? get(slots[0]) : null;
  return slots.every((s) => get(s) === first) ? first : null;
}

/** `datetime-local` value (local time) of an epoch ms, and back. */
const toLocalInput = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

/**
 * Zone, kind and closure of the selected slots, set on all of them at once. A field left as it is ("mixed" when the
 * slots differ) changes nothing.
 *
 * @fires edit-requested (set-attributes)
 */
export class LwSlotAttributes extends LitElement {
  static override properties = { slots: { attribute: false }, zones: { attribute: false }, open: { state: true } };

  /** The selected slots. */
  declare slots: readonly Slot[];
  /** Zones the lot already has, offered as suggestions. */
  declare zones: readonly string[];
  declare open: boolean;

  constructor() {
    super();
    this.slots = [];
    this.zones = [];
    this.open = false;
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
        gap: 6px 10px;
        align-items: end;
        margin-top: 6px;
      }
      label {
        display: grid;
        gap: 2px;
        color: #cbd5e1;
        font-size: 0.9rem;
      }
      label.check {
        display: flex;
        align-items: center;
        gap: 6px;
        min-height: 44px;
      }
      input,
      select {
        min-height: 44px;
        box-sizing: border-box;
        width: 100%;
      }
      input[type='checkbox'] {
        width: 22px;
        min-height: 22px;
      }
    `,
  ];

  override render() {
    const n = this.slots.length;
    if (!n) return nothing;
    if (!this.open) {
      return html`<button aria-expanded="false" @click=${() => (this.open = true)}>Zone, kind, closed…</button>`;
    }
    const zone = shared(this.slots, (s) => s.zone ?? '');
    const kind = shared(this.slots, (s) => s.kind ?? 'standard');
    const closed = shared(this.slots, (s) => Boolean(s.closed));
    const reason = shared(this.slots, (s) => s.closed?.reason ?? '');
    const until = shared(this.slots, (s) => s.closed?.until ?? null);
    return html`<form @submit=${this.apply} aria-label=${`Zone, kind and closure of ${n === 1 ? 'the selected slot' : `${n} slots`}`}>
      <label>Zone
        <input name="zone" list="lw-zones" maxlength="64" autocomplete="off" .value=${zone ?? ''} placeholder=${zone === null ? 'mixed' : 'none'} />
        <datalist id="lw-zones">${this.zones.map((z) => html`<option value=${z}></option>`)}</datalist>
      </label>
      <label>Kind
        <select name="kind">
          ${kind === null ? html`<option value="" selected>mixed</option>` : nothing}
          ${SLOT_KINDS.map((k) => html`<option value=${k} ?selected=${k === kind}>${SLOT_KIND_LABEL[k]}</option>`)}
        </select>
      </label>
      <label class="check"><input type="checkbox" name="closed" .checked=${closed === true} .indeterminate=${closed === null} /> Closed</label>
      <label>Reason <input name="reason" maxlength="200" autocomplete="off" .value=${reason ?? ''} placeholder="works, event…" /></label>
      <label>Until (optional) <input name="until" type="datetime-local" .value=${until ? toLocalInput(until) : ''} /></label>
      <div>
        <button type="submit" class="primary">Apply</button>
        <button type="button" @click=${() => (this.open = false)}>Close</button>
      </div>
    </form>`;
  }

  private apply = (e: SubmitEvent): void => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const box = form.elements.namedItem('closed') as HTMLInputElement;
    const zoneField = form.elements.namedItem('zone') as HTMLInputElement;
    const patch: { zone?: string | null; kind?: SlotKind | null; closed?: { reason: string; until: number | null } | null } = {};
    // A mixed zone left empty is left alone; anything typed (or a shared zone cleared) is set.
    const zone = String(data.get('zone') ?? '').trim();
    if (zone || zoneField.placeholder !== 'mixed') patch.zone = zone || null;
    const kind = String(data.get('kind') ?? '');
    if (kind) patch.kind = kind as SlotKind;
    if (!box.indeterminate) {
      const untilText = String(data.get('until') ?? '');
      const until = untilText ? new Date(untilText).getTime() : null;
      patch.closed = box.checked ? { reason: String(data.get('reason') ?? '').trim(), until: until !== null && Number.isFinite(until) ? until : null } : null;
    }
    requestEdit(this, { type: 'set-attributes', ids: this.slots.map((s) => s.id), patch });
  };
}

customElements.define('lw-slot-attributes', LwSlotAttributes);

declare global {
  interface HTMLElementTagNameMap {
    'lw-slot-attributes': LwSlotAttributes;
  }
}
