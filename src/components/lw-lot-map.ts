import { LitElement, css, html, svg } from 'lit';
import { centroid } from '../occupancy/geometry.ts';
import type { Point } from '../occupancy/types.ts';

type Size = { readonly width: number; readonly height: number };

/** A slot as the map draws it (the shared layout's slots have this shape). */
export interface MapSlot {
  readonly id: string;
  readonly name: string;
  readonly polygon: readonly Point[];
  /** In a lot seen by several cameras: whose frame the polygon is in. */
  readonly camera?: string;
  /** An overlap: this camera's view of the slot counted as `same_as`. */
  readonly same_as?: string;
}

/** The slots and the frame(s) they were marked on. */
export interface MapLayout {
  readonly slots: readonly MapSlot[];
  readonly frame?: Size;
  /** A lot seen by several cameras: each camera's frame, one map per camera. */
  readonly cameras?: Readonly<Record<string, { readonly frame?: Size }>>;
}

/** What is known of a slot now (the shared metadata's per-slot entries have this shape). */
export interface MapSlotState {
  readonly id: string;
  readonly occupied: boolean;
  readonly closed?: unknown;
  readonly unknown?: boolean;
}

/** The lot as a map of its slots, coloured by state: what a viewer sees instead of video (video never leaves the counter). */
export class LwLotMap extends LitElement {
  static override properties = {
    layout: { attribute: false },
    slots: { attribute: false },
    cameras: { attribute: false },
    stale: { type: Boolean, reflect: true },
  };

  /** A lot seen by several cameras: each camera's presence, for the title of its map. */
  declare cameras: Readonly<Record<string, { readonly online: boolean }>> | null;

  declare layout: MapLayout | null;
  declare slots: readonly MapSlotState[];
  /** Numbers that are not live any more are drawn greyed out. */
  declare stale: boolean;

  constructor() {
    super();
    this.layout = null;
    this.slots = [];
    this.cameras = null;
    this.stale = false;
  }

  static override styles = css`
    :host {
      display: block;
      background: #0b1220;
      border-radius: 12px;
      overflow: hidden;
    }
    svg {
      display: block;
      width: 100%;
      height: auto;
    }
    polygon {
      stroke-width: 2;
      vector-effect: non-scaling-stroke;
      fill-opacity: 0.55;
    }
    .free polygon {
      fill: #16a34a;
      stroke: #4ade80;
    }
    .occupied polygon {
      fill: #dc2626;
      stroke: #f87171;
    }
    .unknown polygon {
      fill: #475569;
      stroke: #94a3b8;
    }
    .closed polygon {
      fill: #334155;
      stroke: #64748b;
      stroke-dasharray: 6 4;
    }
    h3 {
      margin: 8px 12px 4px;
      font: 600 0.95rem system-ui, sans-serif;
      color: #cbd5e1;
    }
    :host([stale]) g {
      filter: grayscale(1);
      opacity: 0.6;
    }
    text {
      fill: #fff;
      font: 600 14px system-ui, sans-serif;
      text-anchor: middle;
      dominant-baseline: central;
      paint-order: stroke;
      stroke: rgb(0 0 0 / 0.7);
      stroke-width: 3px;
    }
    .empty {
      padding: 24px;
      color: #94a3b8;
      text-align: center;
    }
  `;

  override render() {
    const layout = this.layout;
    if (!layout || layout.slots.length === 0) return html`<p class="empty">No slot map has been shared yet.</p>`;
    const cams = Object.entries(layout.cameras ?? {});
    if (!cams.length) return this.map(layout.slots, layout.frame, "Map of the lot's slots");
    // A lot seen by several cameras: one map per camera, each in its own frame.
    return cams.map(([cam, { frame }]) => {
      const c = this.cameras?.[cam];
      const title = `Camera ${cam}${c ? (c.online ? ' · online' : ' · offline') : ''}`;
      return html`<h3 data-camera=${cam}>${title}</h3>${this.map(layout.slots.filter((s) => s.camera === cam), frame, `Map of camera ${cam}`)}`;
    });
  }

  private map(slots: readonly MapSlot[], frame: Size | undefined, label: string) {
    const w = frame?.width ?? 1280;
    const h = frame?.height ?? 720;
    const bySlot = new Map(this.slots.map((s) => [s.id, s]));
    return html`<svg viewBox="0 0 ${w} ${h}" role="img" aria-label=${label}>
      ${slots.map((s) => {
        // An overlap's second view shows the state it was counted under.
        const st = bySlot.get(s.id) ?? (s.same_as ? bySlot.get(s.same_as) : undefined);
        const status = !st || st.unknown ? 'unknown' : st.closed ? 'closed' : st.occupied ? 'occupied' : 'free';
        const [cx, cy] = centroid(s.polygon);
        return svg`<g class=${status} data-id=${s.id} data-state=${status}>
          <title>${s.name || s.id}: ${status}</title>
          <polygon points=${s.polygon.map(([x, y]) => `${x * w},${y * h}`).join(' ')}></polygon>
          <text x=${cx * w} y=${cy * h} style="font-size:${Math.max(12, h * 0.025)}px">${s.name || s.id}</text>
        </g>`;
      })}
    </svg>`;
  }
}

customElements.define('lw-lot-map', LwLotMap);

declare global {
  interface HTMLElementTagNameMap {
    'lw-lot-map': LwLotMap;
  }
}
