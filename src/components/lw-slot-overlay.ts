import { LitElement, css, html, svg, nothing, type PropertyValues } from 'lit';
import { centroid } from '../occupancy/geometry.ts';
import type { Detection, Point, Slot, SlotState } from '../occupancy/types.ts';
import { dragCorner, orderCorners, rectFromDrag, resizePolygon, translatePolygon } from '../layout/slot-edits.ts';
import { emit } from './events.ts';

export type DrawTool = 'rect' | 'quad';

type Drag =
  | { kind: 'draw'; from: Point; to: Point; pointerId: number; tapSelects: string | null }
  | { kind: 'move'; id: string; from: Point; original: readonly Point[]; pointerId: number; moved: boolean }
  | { kind: 'corner'; id: string; index: number; original: readonly Point[]; pointerId: number };

const NUDGE = 0.005;
const NUDGE_FAST = 0.02;

/**
 * The slots over the picture: green free, red occupied, detections as thin boxes. In edit mode it is also the editor:
 * drag on empty ground draws a slot (or tap four corners with the quad tool), drag a slot to move it, drag a corner to
 * resize it; with the keyboard, arrows move, Alt+arrows resize, Delete removes, Escape deselects.
 */
export class LwSlotOverlay extends LitElement {
  static override properties = {
    slots: { attribute: false },
    states: { attribute: false },
    detections: { attribute: false },
    showDetections: { type: Boolean, attribute: 'show-detections' },
    selectedId: { attribute: false },
    editing: { type: Boolean, reflect: true },
    tool: { type: String },
    frameWidth: { type: Number, attribute: 'frame-width' },
    frameHeight: { type: Number, attribute: 'frame-height' },
    drag: { state: true },
    draft: { state: true },
    taps: { state: true },
    pxPerUnit: { state: true },
  };

  declare slots: readonly Slot[];
  declare states: ReadonlyMap<string, SlotState>;
  declare detections: readonly Detection[];
  declare showDetections: boolean;
  declare selectedId: string | null;
  declare editing: boolean;
  declare tool: DrawTool;
  declare frameWidth: number;
  declare frameHeight: number;
  declare drag: Drag | null;
  /** The polygon of the slot being moved or resized, shown live before the change is committed. */
  declare draft: { id: string; polygon: readonly Point[] } | null;
  declare taps: Point[];
  /** CSS pixels per frame pixel, so handles stay finger-sized at any zoom. */
  declare pxPerUnit: number;

  private resizeObserver = new ResizeObserver(([entry]) => {
    if (entry && this.frameWidth) this.pxPerUnit = entry.contentRect.width / this.frameWidth;
  });

  constructor() {
    super();
    this.slots = [];
    this.states = new Map();
    this.detections = [];
    this.showDetections = true;
    this.selectedId = null;
    this.editing = false;
    this.tool = 'rect';
    this.frameWidth = 1280;
    this.frameHeight = 720;
    this.drag = null;
    this.draft = null;
    this.taps = [];
    this.pxPerUnit = 1;
  }

  static override styles = css`
    :host {
      position: absolute;
      inset: 0;
      display: block;
      touch-action: none;
      user-select: none;
      -webkit-user-select: none;
    }
    svg {
      width: 100%;
      height: 100%;
      display: block;
      cursor: default;
    }
    :host([editing]) svg {
      cursor: crosshair;
    }
    .slot polygon {
      fill-opacity: 0.22;
      stroke-width: 2;
      vector-effect: non-scaling-stroke;
    }
    .slot.free polygon {
      fill: #16a34a;
      stroke: #4ade80;
    }
    .slot.occupied polygon {
      fill: #dc2626;
      stroke: #f87171;
    }
    .slot.unknown polygon {
      fill: #64748b;
      stroke: #cbd5e1;
      stroke-dasharray: 4 3;
    }
    .slot.pending polygon {
      stroke-dasharray: 6 3;
    }
    .slot.selected polygon {
      stroke: #facc15;
      stroke-width: 3;
      fill-opacity: 0.3;
    }
    :host([editing]) .slot {
      cursor: move;
    }
    .slot:focus {
      outline: none;
    }
    .slot:focus-visible polygon {
      stroke: #38bdf8;
      stroke-width: 4;
    }
    .label {
      fill: #fff;
      paint-order: stroke;
      stroke: rgb(0 0 0 / 0.75);
      stroke-width: 3px;
      font: 600 1px system-ui, sans-serif;
      text-anchor: middle;
      dominant-baseline: central;
      pointer-events: none;
    }
    .detection {
      fill: none;
      stroke: #38bdf8;
      stroke-width: 1.5;
      vector-effect: non-scaling-stroke;
      pointer-events: none;
    }
    .handle-hit {
      fill: transparent;
      cursor: nwse-resize;
    }
    .handle {
      fill: #facc15;
      stroke: #000;
      stroke-width: 1;
      vector-effect: non-scaling-stroke;
      pointer-events: none;
    }
    .draft {
      fill: #facc15;
      fill-opacity: 0.15;
      stroke: #facc15;
      stroke-width: 2;
      stroke-dasharray: 5 4;
      vector-effect: non-scaling-stroke;
      pointer-events: none;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver.observe(this);
    window.addEventListener('keydown', this.onGlobalKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver.disconnect();
    window.removeEventListener('keydown', this.onGlobalKey);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('editing') && !this.editing) this.taps = [];
    if (changed.has('tool')) this.taps = [];
    if (changed.has('frameWidth') && this.clientWidth && this.frameWidth) this.pxPerUnit = this.clientWidth / this.frameWidth;
  }

  /** Frame pixels per CSS pixel: sizes that must stay constant on screen. */
  private get unit(): number {
    return 1 / (this.pxPerUnit || 1);
  }

  private px(p: Point): string {
    return `${p[0] * this.frameWidth},${p[1] * this.frameHeight}`;
  }

  private toPoint(e: PointerEvent): Point {
    const r = this.getBoundingClientRect();
    return [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height];
  }

  private polygonOf(slot: Slot): readonly Point[] {
    return this.draft?.id === slot.id ? this.draft.polygon : slot.polygon;
  }

  override render() {
    const selected = this.slots.find((s) => s.id === this.selectedId);
    return html`<svg
      viewBox="0 0 ${this.frameWidth} ${this.frameHeight}"
      role="group"
      aria-label=${this.editing ? 'Slot editor: drag on the picture to mark a slot' : 'Parking slots'}
      @pointerdown=${(e: PointerEvent) => this.onBackgroundDown(e)}
      @pointermove=${this.onPointerMove}
      @pointerup=${this.onPointerUp}
      @pointercancel=${this.onPointerCancel}
    >
      ${this.showDetections
        ? this.detections.map(
            (d) =>
              svg`<rect class="detection" data-label=${d.label} x=${d.box.x * this.frameWidth} y=${d.box.y * this.frameHeight}
                width=${d.box.w * this.frameWidth} height=${d.box.h * this.frameHeight}></rect>`,
          )
        : nothing}
      ${this.slots.map((s) => this.renderSlot(s))} ${selected && this.editing ? this.renderHandles(selected) : nothing}
      ${this.renderDraft()}
    </svg>`;
  }

  private renderSlot(slot: Slot) {
    const st = this.states.get(slot.id);
    const status = st ? (st.occupied ? 'occupied' : 'free') : 'unknown';
    const poly = this.polygonOf(slot);
    const [cx, cy] = centroid(poly);
    const fontSize = Math.max(13 * this.unit, Math.min(this.frameWidth, this.frameHeight) * 0.018);
    const cls = `slot ${status}${st?.pending ? ' pending' : ''}${slot.id === this.selectedId ? ' selected' : ''}`;
    return svg`<g class=${cls} data-id=${slot.id} data-state=${status} tabindex="0" role="button"
        aria-label=${`Slot ${slot.name}: ${status}`} aria-pressed=${slot.id === this.selectedId ? 'true' : 'false'}
        @pointerdown=${(e: PointerEvent) => this.onSlotDown(e, slot)}
        @focus=${() => this.select(slot.id)}
        @keydown=${(e: KeyboardEvent) => this.onSlotKey(e, slot)}>
      <polygon points=${poly.map((p) => this.px(p)).join(' ')}></polygon>
      <text class="label" x=${cx * this.frameWidth} y=${cy * this.frameHeight} style="font-size:${fontSize}px">${slot.name}</text>
    </g>`;
  }

  private renderHandles(slot: Slot) {
    const r = 7 * this.unit;
    const hit = 22 * this.unit; // a 44 px touch target
    return this.polygonOf(slot).map(
      (p, i) => svg`<g class="corner" data-index=${i}>
        <circle class="handle-hit" cx=${p[0] * this.frameWidth} cy=${p[1] * this.frameHeight} r=${hit}
          @pointerdown=${(e: PointerEvent) => this.onCornerDown(e, slot, i)}></circle>
        <circle class="handle" cx=${p[0] * this.frameWidth} cy=${p[1] * this.frameHeight} r=${r}></circle>
      </g>`,
    );
  }

  private renderDraft() {
    if (this.drag?.kind === 'draw') {
      const rect = rectFromDrag(this.drag.from, this.drag.to);
      return rect ? svg`<polygon class="draft" points=${rect.map((p) => this.px(p)).join(' ')}></polygon>` : nothing;
    }
    if (this.taps.length) {
      const r = 5 * this.unit;
      return svg`<polyline class="draft" points=${this.taps.map((p) => this.px(p)).join(' ')}></polyline>
        ${this.taps.map((p) => svg`<circle class="handle" cx=${p[0] * this.frameWidth} cy=${p[1] * this.frameHeight} r=${r}></circle>`)}`;
    }
    return nothing;
  }

  private select(id: string | null): void {
    if (id !== this.selectedId) emit(this, 'slot-selected', { id });
  }

  private capture(e: PointerEvent): void {
    (this.renderRoot.querySelector('svg') as SVGSVGElement | null)?.setPointerCapture(e.pointerId);
  }

  /** A press on empty ground (or on a slot that is not selected: `tapSelects` is then that slot). */
  private onBackgroundDown = (e: PointerEvent, tapSelects: string | null = null): void => {
    if (e.button !== 0 || this.drag) return;
    const at = this.toPoint(e);
    if (!this.editing) {
      this.select(null);
      return;
    }
    if (this.tool === 'quad') {
      const taps = [...this.taps, at];
      if (taps.length === 4) {
        this.taps = [];
        emit(this, 'slot-drawn', { polygon: orderCorners(taps) });
      } else {
        this.taps = taps;
      }
      return;
    }
    this.capture(e);
    this.drag = { kind: 'draw', from: at, to: at, pointerId: e.pointerId, tapSelects };
  };

  private onSlotDown(e: PointerEvent, slot: Slot): void {
    if (e.button !== 0) return;
    e.stopPropagation();
    if (!this.editing) {
      this.select(slot.id);
      return;
    }
    if (this.tool === 'quad' || slot.id !== this.selectedId) {
      // Only a selected slot moves: a drag that starts on another slot draws (slots of a row touch each other),
      // and a tap on it selects it.
      this.onBackgroundDown(e, slot.id);
      return;
    }
    this.capture(e);
    this.drag = { kind: 'move', id: slot.id, from: this.toPoint(e), original: slot.polygon, pointerId: e.pointerId, moved: false };
  }

  private onCornerDown(e: PointerEvent, slot: Slot, index: number): void {
    if (e.button !== 0) return;
    e.stopPropagation();
    this.capture(e);
    this.drag = { kind: 'corner', id: slot.id, index, original: slot.polygon, pointerId: e.pointerId };
  }

  private onPointerMove = (e: PointerEvent): void => {
    const d = this.drag;
    if (!d || d.pointerId !== e.pointerId) return;
    const at = this.toPoint(e);
    if (d.kind === 'draw') this.drag = { ...d, to: at };
    else if (d.kind === 'move') {
      const polygon = translatePolygon(d.original, at[0] - d.from[0], at[1] - d.from[1]);
      this.draft = { id: d.id, polygon };
      if (!d.moved && Math.hypot(at[0] - d.from[0], at[1] - d.from[1]) > 0.002) this.drag = { ...d, moved: true };
    } else this.draft = { id: d.id, polygon: dragCorner(d.original, d.index, at) };
  };

  private onPointerUp = (e: PointerEvent): void => {
    const d = this.drag;
    if (!d || d.pointerId !== e.pointerId) return;
    this.drag = null;
    if (d.kind === 'draw') {
      const rect = rectFromDrag(d.from, this.toPoint(e));
      if (rect) emit(this, 'slot-drawn', { polygon: rect });
      else this.select(d.tapSelects);
      return;
    }
    const draft = this.draft;
    this.draft = null;
    if (draft && (d.kind === 'corner' || d.moved)) emit(this, 'slot-changed', { id: d.id, polygon: [...draft.polygon] });
  };

  private onPointerCancel = (): void => {
    this.drag = null;
    this.draft = null;
  };

  private onSlotKey(e: KeyboardEvent, slot: Slot): void {
    const step = e.shiftKey ? NUDGE_FAST : NUDGE;
    const arrows: Record<string, Point> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const arrow = arrows[e.key];
    if (arrow && this.editing) {
      e.preventDefault();
      const polygon = e.altKey ? resizePolygon(slot.polygon, arrow[0], arrow[1]) : translatePolygon(slot.polygon, arrow[0], arrow[1]);
      emit(this, 'slot-changed', { id: slot.id, polygon });
    } else if ((e.key === 'Delete' || e.key === 'Backspace') && this.editing) {
      e.preventDefault();
      emit(this, 'slot-deleted', { id: slot.id });
    } else if (e.key === 'Escape') {
      (e.currentTarget as SVGGElement).blur();
      this.select(null);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.select(slot.id);
    }
  }

  private onGlobalKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape' && this.taps.length) this.taps = [];
  };
}

customElements.define('lw-slot-overlay', LwSlotOverlay);

declare global {
  interface HTMLElementTagNameMap {
    'lw-slot-overlay': LwSlotOverlay;
  }
}
