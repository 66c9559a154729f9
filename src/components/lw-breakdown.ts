import { LitElement, css, html, nothing } from 'lit';
import { SLOT_KIND_LABEL, type LotCounts, type SlotKind } from '../occupancy/types.ts';

/** The parts of a lot's metadata this shows (the shared metadata has this shape). */
export interface BreakdownModel {
  readonly zones?: Readonly<Record<string, LotCounts>>;
  readonly kinds?: Readonly<Partial<Record<SlotKind, LotCounts>>>;
  readonly cameras?: Readonly<Record<string, { readonly online: boolean }>>;
  readonly partial?: boolean;
  readonly unknown_slots?: number;
  readonly closed_slots?: number;
}

/** "2 of 3 cameras online", or null for a lot with one counter. */
export function camerasLine(m: BreakdownModel | null): string | null {
  const cams = Object.values(m?.cameras ?? {});
  if (!cams.length) return null;
  return `${cams.filter((c) => c.online).length} of ${cams.length} camera${cams.length === 1 ? '' : 's'} online`;
}

/**
 * Free spaces per zone and per kind of bay, the cameras online, and what is left out of the counts (closed slots, an
 * offline camera's slots). Shows nothing for a plain lot (no zones, standard bays only, one counter, nothing closed).
 */
export class LwBreakdown extends LitElement {
  static override properties = { model: { attribute: false }, large: { type: Boolean, reflect: true } };
  declare model: BreakdownModel | null;
  /** Monitor mode: bigger text, for reading from afar. */
  declare large: boolean;

  constructor() {
    super();
    this.model = null;
    this.large = false;
  }

  static override styles = css`
    :host {
      display: block;
      color: #cbd5e1;
      font-size: 0.95rem;
    }
    :host([large]) {
      font-size: clamp(1rem, 3vw, 1.6rem);
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-wrap: wrap;
      gap: 4px 14px;
    }
    b {
      color: #4ade80;
      font-variant-numeric: tabular-nums;
    }
    .full b {
      color: #f87171;
    }
    .note {
      margin: 4px 0 0;
      color: #facc15;
    }
  `;

  override render() {
    const m = this.model;
    if (!m) return nothing;
    const zones = Object.entries(m.zones ?? {});
    const kinds = (Object.entries(m.kinds ?? {}) as [SlotKind, LotCounts][]).filter(([k]) => k !== 'standard');
    const cams = camerasLine(m);
    const left = [m.closed_slots ? `${m.closed_slots} closed` : '', m.partial && m.unknown_slots ? `${m.unknown_slots} unknown (camera offline)` : '']
      .filter(Boolean)
      .join(', ');
    if (!zones.length && !kinds.length && !cams && !left) return nothing;
    const item = (label: string, c: LotCounts, attr: string) =>
      html`<li class=${c.available === 0 && c.total > 0 ? 'full' : ''} data-breakdown=${attr}>${label}: <b>${c.available}</b> free of ${c.total}</li>`;
    return html`${zones.length ? html`<ul aria-label="Free spaces per zone">${zones.map(([z, c]) => item(z, c, `zone:${z}`))}</ul>` : nothing}
      ${kinds.length ? html`<ul aria-label="Free spaces per kind">${kinds.map(([k, c]) => item(SLOT_KIND_LABEL[k], c, `kind:${k}`))}</ul>` : nothing}
      ${cams || left
        ? html`<p class="note" data-breakdown="cameras" role="status">${[cams, m.partial ? 'partial counts' : '', left].filter(Boolean).join(' · ')}</p>`
        : nothing}`;
  }
}

customElements.define('lw-breakdown', LwBreakdown);

declare global {
  interface HTMLElementTagNameMap {
    'lw-breakdown': LwBreakdown;
  }
}
