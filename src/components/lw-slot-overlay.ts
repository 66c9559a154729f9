import { LitElement, css, html, svg, nothing, type PropertyValues } from 'lit';
import { centroid } from '../occupancy/geometry.ts';
import { isClosedAt } from '../occupancy/metadata.ts';
import type { Detection, Point, Slot, SlotState } from '../occupancy/types.ts';
import { angleAbout, groupHandles, hitGroup, nearestOnSegment, type GroupHandles, type GroupHit } from '../layout/handles.ts';
import { translateSlots } from '../layout/layout-edits.ts';
import {
  dragColDivider,
  dragRowDivider,
  groupPolygons,
  moveGroup,
  moveGroupCorner,
  nudgeColDivider,
  nudgeRowDivider,
  rotateGroup,
  scaleGroup,
  type DividerLine,
  type RowGroup,
} from '../layout/row-group.ts';
import { slotsInLasso } from '../layout/selection.ts';
import { dragCorner, orderCorners, rectFromDrag, resizePolygon, translatePolygon } from '../layout/slot-edits.ts';
import { FIT, frameToStage, panBy, pinchView, stageToFrame, zoomAbout, type View } from '../layout/view.ts';
import type { DrawTool } from '../layout/draw-tool.ts';
import { requestEdit } from './events.ts';
import './lw-magnifier.ts';


type Drag =
  | { kind: 'draw'; from: Point; to: Point; pointerId: number; tapSelects: string | null; extend: boolean }
  | { kind: 'move'; ids: string[]; from: Point; pointerId: number; moved: boolean; tapToggles: string | null }
  | { kind: 'corner'; id: string; index: number; original: readonly Point[]; pointerId: number; at: Point }
  | { kind: 'tap'; at: Point; pointerId: number }
  | { kind: 'lasso'; path: Point[]; pointerId: number; extend: boolean; startSlot: string | null }
  | { kind: 'pan'; startView: View; from: Point; pointerId: number }
  | { kind: 'pinch'; startView: View; ids: [number, number]; from: [Point, Point] }
  | {
      kind: 'group';
      hit: GroupHit;
      start: RowGroup;
      from: Point;
      fromPx: Point;
      /** From the finger to the handle it holds: the handle keeps that offset instead of jumping under the finger. */
      grab: Point;
      pointerId: number;
      at: Point;
      moved: boolean;
    }
  | { kind: 'ignored'; pointerId: number };

const NUDGE = 0.005;
const NUDGE_FAST = 0.02;
/** Half a 44 px touch target. */
const HIT = 22;
/** A press that travels less than this (CSS px) is a tap. */
const TAP_SLOP = 6;
/** Labels smaller than their slot on screen would hide it: below this size on screen, a slot shows no label. */
const MIN_LABELLED_PX = 18;

/**
 * The slots over the picture: green free, red occupied, detections as thin boxes. In edit mode it is also the editor:
 * tools to mark slots (drag a box, tap 4 corners, tap the 4 corners of a whole row or block), a row's handles
 * (corners, dividers, turn and move knobs), select-then-move, a lasso, and the view (pinch, two-finger pan, wheel,
 * middle/right-button or Space drag). A loupe shows the pixels under the finger while a corner or divider is dragged.
 *
 * @fires edit-requested (add, change, select, delete, move, row-draw, row-edit, row-resize, row-finish, view)
 */
export class LwSlotOverlay extends LitElement {
  static override properties = {
    slots: { attribute: false },
    states: { attribute: false },
    detections: { attribute: false },
    showDetections: { type: Boolean, attribute: 'show-detections' },
    selection: { attribute: false },
    editing: { type: Boolean, reflect: true },
    tool: { type: String },
    frameWidth: { type: Number, attribute: 'frame-width' },
    frameHeight: { type: Number, attribute: 'frame-height' },
    group: { attribute: false },
    view: { attribute: false },
    picture: { attribute: false },
    drag: { state: true },
    draft: { state: true },
    draftGroup: { state: true },
    taps: { state: true },
    stageWidth: { state: true },
    stageFocused: { state: true },
    cursor: { state: true },
  };

  declare slots: readonly Slot[];
  declare states: ReadonlyMap<string, SlotState>;
  declare detections: readonly Detection[];
  declare showDetections: boolean;
  declare selection: readonly string[];
  declare editing: boolean;
  declare tool: DrawTool;
  declare frameWidth: number;
  declare frameHeight: number;
  /** The row that is still one piece, with its handles. */
  declare group: RowGroup | null;
  declare view: View;
  /** The picture under the overlay, for the loupe. */
  declare picture: CanvasImageSource | null;
  declare drag: Drag | null;
  /** Polygons of slots being moved or resized, shown live before the change is committed. */
  declare draft: ReadonlyMap<string, readonly Point[]> | null;
  declare draftGroup: RowGroup | null;
  declare taps: Point[];
  declare stageWidth: number;
  /** The picture itself has keyboard focus: a reticle marks the point Enter places (tap tools). */
  declare stageFocused: boolean;
  /** The keyboard's pointer on the picture (tap tools): arrows move it, Enter places a corner there. */
  declare cursor: Point | null;

  private readonly pointers = new Map<number, Point>();
  /** A press is under way: focus that it causes is not a keyboard selection. */
  private pressing = false;
  private spaceHeld = false;

  private resizeObserver = new ResizeObserver(([entry]) => {
    if (entry) this.stageWidth = entry.contentRect.width;
  });

  constructor() {
    super();
    this.slots = [];
    this.states = new Map();
    this.detections = [];
    this.showDetections = true;
    this.selection = [];
    this.editing = false;
    this.tool = 'rect';
    this.frameWidth = 1280;
    this.frameHeight = 720;
    this.group = null;
    this.view = FIT;
    this.picture = null;
    this.drag = null;
    this.draft = null;
    this.draftGroup = null;
    this.taps = [];
    this.stageWidth = 0;
    this.stageFocused = false;
    this.cursor = null;
  }

  static override styles = css`
    :host {
      position: absolute;
      inset: 0;
      display: block;
      touch-action: none;
      user-select: none;
      -webkit-user-select: none;
      overflow: hidden;
    }
    svg {
      width: 100%;
      height: 100%;
      display: block;
      cursor: default;
    }
    svg:focus {
      outline: none;
    }
    svg:focus-visible {
      outline: 3px solid #38bdf8;
      outline-offset: -3px;
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
    .slot.closed polygon {
      fill: #334155;
      stroke: #94a3b8;
      stroke-dasharray: 6 4;
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
    .slot:focus,
    .handle-key:focus {
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
    .handle {
      fill: #facc15;
      stroke: #000;
      stroke-width: 1;
      vector-effect: non-scaling-stroke;
      pointer-events: none;
    }
    .handle-key {
      fill: transparent;
    }
    .handle-key:focus-visible + .handle,
    .handle-key:focus-visible {
      stroke: #38bdf8;
      stroke-width: 3;
      vector-effect: non-scaling-stroke;
    }
    .draft,
    .group-outline {
      fill: #facc15;
      fill-opacity: 0.12;
      stroke: #facc15;
      stroke-width: 2;
      stroke-dasharray: 5 4;
      vector-effect: non-scaling-stroke;
      pointer-events: none;
    }
    .group-outline {
      fill: none;
    }
    .group-outline:focus-visible {
      stroke: #38bdf8;
      stroke-width: 4;
    }
    .lasso {
      fill: #38bdf8;
      fill-opacity: 0.12;
      stroke: #38bdf8;
      stroke-width: 2;
      stroke-dasharray: 4 3;
      vector-effect: non-scaling-stroke;
      pointer-events: none;
    }
    .divider {
      stroke: #facc15;
      stroke-width: 1.5;
      stroke-dasharray: 3 3;
      vector-effect: non-scaling-stroke;
      pointer-events: none;
    }
    .divider.pinned {
      stroke-dasharray: none;
      stroke-width: 2.5;
    }
    .knob {
      fill: #0f172a;
      stroke: #facc15;
      stroke-width: 2;
      vector-effect: non-scaling-stroke;
    }
    .knob-icon {
      fill: #facc15;
      font: 700 1px system-ui, sans-serif;
      text-anchor: middle;
      dominant-baseline: central;
      pointer-events: none;
    }
    .reticle {
      stroke: #38bdf8;
      stroke-width: 1.5;
      vector-effect: non-scaling-stroke;
      pointer-events: none;
    }
    lw-magnifier {
      position: absolute;
      top: 6px;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver.observe(this);
    window.addEventListener('keydown', this.onGlobalKey);
    window.addEventListener('keyup', this.onGlobalKeyUp);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver.disconnect();
    window.removeEventListener('keydown', this.onGlobalKey);
    window.removeEventListener('keyup', this.onGlobalKeyUp);
  }

  protected override firstUpdated(): void {
    // Not passive: the wheel zooms the picture instead of scrolling the page, but only while editing.
    this.renderRoot.querySelector('svg')?.addEventListener('wheel', this.onWheel, { passive: false });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('editing') && !this.editing) || changed.has('tool')) this.taps = [];
    if (changed.has('group')) this.draftGroup = null;
    if (!this.stageWidth && this.clientWidth) this.stageWidth = this.clientWidth;
  }

  // --- coordinates -------------------------------------------------------------------------------------------------

  /** Frame pixels per CSS pixel at the current zoom: sizes that must stay constant on screen. */
  private get unit(): number {
    const w = this.stageWidth || this.clientWidth || this.frameWidth;
    return this.frameWidth / (w * this.view.zoom);
  }

  private px(p: Point): string {
    return `${p[0] * this.frameWidth},${p[1] * this.frameHeight}`;
  }

  private stageSize(): Point {
    const r = this.getBoundingClientRect();
    return [r.width || 1, r.height || 1];
  }

  /** The client position of an event as stage pixels (relative to the overlay). */
  private stagePx(e: { clientX: number; clientY: number }): Point {
    const r = this.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private toPoint(e: { clientX: number; clientY: number }): Point {
    const [w, h] = this.stageSize();
    const [x, y] = this.stagePx(e);
    return stageToFrame(this.view, [x / w, y / h]);
  }

  private toScreen = (p: Point): Point => {
    const [w, h] = this.stageSize();
    const s = frameToStage(this.view, p);
    return [s[0] * w, s[1] * h];
  };

  private fromScreen = (s: Point): Point => {
    const [w, h] = this.stageSize();
    return stageToFrame(this.view, [s[0] / w, s[1] / h]);
  };

  private get aspect(): number {
    return this.frameWidth / this.frameHeight;
  }

  private get shownGroup(): RowGroup | null {
    return this.draftGroup ?? this.group;
  }

  private handles(): GroupHandles | null {
    const g = this.shownGroup;
    return g && this.editing ? groupHandles(g, this.toScreen, this.fromScreen, 34) : null;
  }

  private get single(): string | null {
    return this.selection.length === 1 ? this.selection[0]! : null;
  }

  // --- rendering ---------------------------------------------------------------------------------------------------

  override render() {
    const v = this.view;
    const fw = this.frameWidth;
    const fh = this.frameHeight;
    const groupPolys = this.groupPolygonMap();
    const single = this.single;
    const selected = single && this.editing && !this.group?.ids.includes(single) ? this.slots.find((s) => s.id === single) : undefined;
    return html`<svg
        viewBox="${v.x * fw} ${v.y * fh} ${fw / v.zoom} ${fh / v.zoom}"
        role="group"
        tabindex=${this.editing ? '0' : '-1'}
        aria-label=${this.editing
          ? 'Slot editor: arrow keys pan, plus and minus zoom, 0 fits; with a corner tool the arrows move a reticle and Enter places a corner'
          : 'Parking slots'}
        data-zoom=${v.zoom.toFixed(3)}
        @pointerdown=${this.onDown}
        @pointermove=${this.onPointerMove}
        @pointerup=${this.onPointerUp}
        @pointercancel=${this.onPointerCancel}
        @contextmenu=${(e: Event) => this.editing && e.preventDefault()}
        @keydown=${this.onStageKey}
        @focus=${(e: FocusEvent) => (this.stageFocused = e.target === e.currentTarget)}
        @blur=${() => {
          this.stageFocused = false;
          this.cursor = null;
        }}
      >
        ${this.showDetections
          ? this.detections.map(
              (d) =>
                svg`<rect class="detection" data-label=${d.label} x=${d.box.x * fw} y=${d.box.y * fh}
                  width=${d.box.w * fw} height=${d.box.h * fh}></rect>`,
            )
          : nothing}
        ${this.slots.map((s) => this.renderSlot(s, groupPolys?.get(s.id) ?? this.draft?.get(s.id) ?? s.polygon))}
        ${selected ? this.renderHandles(selected) : nothing} ${this.renderGroup()} ${this.renderDraft()} ${this.renderReticle()}
      </svg>
      ${this.renderMagnifier()}`;
  }

  private groupPolygonMap(): Map<string, Point[]> | null {
    const g = this.draftGroup;
    if (!g) return null;
    try {
      const polys = groupPolygons(g);
      return new Map(g.ids.map((id, i) => [id, polys[i]!]));
    } catch {
      return null;
    }
  }

  private renderSlot(slot: Slot, poly: readonly Point[]) {
    const st = this.states.get(slot.id);
    // A closed slot is grey whatever is parked on it: it is counted nowhere.
    const status = isClosedAt(slot.closed, Date.now()) ? 'closed' : st ? (st.occupied ? 'occupied' : 'free') : 'unknown';
    const [cx, cy] = centroid(poly);
    const unit = this.unit;
    const fontSize = Math.max(13 * unit, Math.min(this.frameWidth, this.frameHeight) * 0.018);
    const xs = poly.map((p) => p[0] * this.frameWidth);
    const ys = poly.map((p) => p[1] * this.frameHeight);
    const onScreen = Math.min(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) / unit;
    const selected = this.selection.includes(slot.id);
    const cls = `slot ${status}${st?.pending ? ' pending' : ''}${selected ? ' selected' : ''}`;
    return svg`<g class=${cls} data-id=${slot.id} data-state=${status} tabindex="0" role="button"
        aria-label=${`Slot ${slot.name}: ${status}`} aria-pressed=${selected ? 'true' : 'false'}
        @focus=${() => !this.pressing && this.select(slot.id)}
        @keydown=${(e: KeyboardEvent) => this.onSlotKey(e, slot)}>
      <polygon points=${poly.map((p) => this.px(p)).join(' ')}></polygon>
      ${onScreen >= MIN_LABELLED_PX
        ? svg`<text class="label" x=${cx * this.frameWidth} y=${cy * this.frameHeight} style="font-size:${fontSize}px">${slot.name}</text>`
        : nothing}
    </g>`;
  }

  private renderHandles(slot: Slot) {
    const r = 7 * this.unit;
    return (this.draft?.get(slot.id) ?? slot.polygon).map(
      (p, i) => svg`<g class="corner" data-index=${i}>
        <circle class="handle" cx=${p[0] * this.frameWidth} cy=${p[1] * this.frameHeight} r=${r}></circle>
      </g>`,
    );
  }

  private renderGroup() {
    const g = this.shownGroup;
    const h = this.handles();
    if (!g || !h) return nothing;
    const u = this.unit;
    const fw = this.frameWidth;
    const fh = this.frameHeight;
    const dot = (p: Point, r: number, cls: string, label: string, key: (e: KeyboardEvent) => void, data: Record<string, string>) =>
      svg`<circle class="handle-key" tabindex="0" role="button" aria-label=${label} cx=${p[0] * fw} cy=${p[1] * fh} r=${r * 1.6}
          data-handle=${data['handle'] ?? ''} data-row=${data['row'] ?? ''} data-index=${data['index'] ?? ''}
          @keydown=${key}></circle>
        <circle class=${cls} cx=${p[0] * fw} cy=${p[1] * fh} r=${r} style="pointer-events:none"></circle>`;
    const knob = (p: Point, icon: string, label: string, kind: string, key: (e: KeyboardEvent) => void) =>
      svg`<g class="knob-group" data-handle=${kind}>
        <circle class="knob" tabindex="0" role="button" aria-label=${label} cx=${p[0] * fw} cy=${p[1] * fh} r=${13 * u} @keydown=${key}></circle>
        <text class="knob-icon" x=${p[0] * fw} y=${p[1] * fh} style="font-size:${15 * u}px">${icon}</text>
      </g>`;
    return svg`<g class="group" data-rows=${g.rows} data-cols=${g.cols}>
      <polygon class="group-outline" tabindex="0" role="group" points=${g.quad.map((p) => this.px(p)).join(' ')}
        aria-label=${`Open row of ${g.rows > 1 ? `${g.rows} x ` : ''}${g.cols} slots: arrow keys move it, [ and ] turn it, Alt+arrows resize, + and - change the count, Enter finishes`}
        @keydown=${this.onGroupKey}></polygon>
      ${h.dividers.map(
        (d) => svg`<line class="divider${d.pinned ? ' pinned' : ''}" data-kind=${d.kind} data-row=${d.row} data-index=${d.index}
          x1=${d.from[0] * fw} y1=${d.from[1] * fh} x2=${d.to[0] * fw} y2=${d.to[1] * fh}></line>`,
      )}
      ${h.dividers.map((d) =>
        dot(
          [(d.from[0] + d.to[0]) / 2, (d.from[1] + d.to[1]) / 2],
          3.5 * u,
          'handle',
          d.kind === 'col' ? `Divider ${d.index + 1} of row ${d.row + 1}: left and right arrows move it` : `Divider between rows ${d.index + 1} and ${d.index + 2}: up and down arrows move it`,
          (e) => this.onDividerKey(e, d),
          { handle: `divider-${d.kind}`, row: String(d.row), index: String(d.index) },
        ),
      )}
      ${h.corners.map((c, i) =>
        dot(c, 7 * u, 'handle', `Corner ${i + 1} of the row: arrow keys move it`, (e) => this.onGroupCornerKey(e, i), {
          handle: 'corner',
          index: String(i),
        }),
      )}
      ${knob(h.rotate, '⟳', 'Turn the row: [ and ] keys', 'rotate', this.onGroupKey)}
      ${knob(h.move, '✥', 'Move the row: arrow keys', 'move', this.onGroupKey)}
    </g>`;
  }

  private renderDraft() {
    const d = this.drag;
    if (d?.kind === 'draw') {
      const rect = rectFromDrag(d.from, d.to);
      return rect ? svg`<polygon class="draft" points=${rect.map((p) => this.px(p)).join(' ')}></polygon>` : nothing;
    }
    if (d?.kind === 'lasso') {
      return svg`<polygon class="lasso" points=${d.path.map((p) => this.px(p)).join(' ')}></polygon>`;
    }
    const points = d?.kind === 'tap' ? [...this.taps, d.at] : this.taps;
    if (!points.length) return nothing;
    const r = 5 * this.unit;
    const closed = points.length === 4 ? [...points, points[0]!] : points;
    return svg`<polyline class="draft" data-taps=${this.taps.length} points=${closed.map((p) => this.px(p)).join(' ')}></polyline>
      ${points.map((p) => svg`<circle class="handle tap" cx=${p[0] * this.frameWidth} cy=${p[1] * this.frameHeight} r=${r}></circle>`)}`;
  }

  private get tapTool(): boolean {
    return this.tool === 'quad' || this.tool === 'row' || this.tool === 'grid';
  }

  private renderReticle() {
    if (!this.stageFocused || !this.editing || !this.tapTool) return nothing;
    const [x, y] = this.cursor ?? stageToFrame(this.view, [0.5, 0.5]);
    const r = 12 * this.unit;
    const cx = x * this.frameWidth;
    const cy = y * this.frameHeight;
    return svg`<g class="reticle"><circle cx=${cx} cy=${cy} r=${r} fill="none"></circle>
      <line x1=${cx - 2 * r} y1=${cy} x2=${cx + 2 * r} y2=${cy}></line><line x1=${cx} y1=${cy - 2 * r} x2=${cx} y2=${cy + 2 * r}></line></g>`;
  }

  private renderMagnifier() {
    const d = this.drag;
    const at =
      d?.kind === 'tap' || d?.kind === 'corner'
        ? d.at
        : d?.kind === 'group' && (d.hit.kind === 'corner' || d.hit.kind === 'divider')
          ? d.at
          : null;
    if (!at || !this.editing) return nothing;
    const [w, h] = this.stageSize();
    const size = Math.max(64, Math.min(120, h - 12));
    const onLeft = this.toScreen(at)[0] < w / 2;
    const scale = Math.max(3, (2.5 * w * this.view.zoom) / this.frameWidth);
    return html`<lw-magnifier
      style=${onLeft ? 'right:6px' : 'left:6px'}
      .source=${this.picture}
      .at=${at}
      .frameWidth=${this.frameWidth}
      .frameHeight=${this.frameHeight}
      .scale=${scale}
      .size=${size}
    ></lw-magnifier>`;
  }

  // --- pointer input -----------------------------------------------------------------------------------------------

  private select(id: string | null, extend = false): void {
    if (extend && id) requestEdit(this, { type: 'select', ids: [id], mode: 'toggle' });
    else if (id !== this.single || this.selection.length > 1) requestEdit(this, { type: 'select', ids: id ? [id] : [], mode: 'replace' });
  }

  private capture(e: PointerEvent): void {
    (this.renderRoot.querySelector('svg') as SVGSVGElement | null)?.setPointerCapture(e.pointerId);
  }

  private slotAt(e: Event): string | null {
    const target = e.target as Element | null;
    return target?.closest?.('g.slot')?.getAttribute('data-id') ?? null;
  }

  private onDown = (e: PointerEvent): void => {
    if (!this.editing) {
      if (e.button === 0) this.select(this.slotAt(e));
      return;
    }
    // Every finger is captured, so its pointerup comes here even off the picture: a finger never stays counted.
    this.capture(e);
    this.pressing = true;
    this.pointers.set(e.pointerId, this.stagePx(e));
    e.preventDefault();
    if (this.pointers.size === 2) return this.startPinch();
    if (this.pointers.size > 2 || this.drag) return;
    const at = this.toPoint(e);
    if (e.button === 1 || e.button === 2 || (e.button === 0 && this.spaceHeld)) {
      this.drag = { kind: 'pan', startView: this.view, from: this.stagePx(e), pointerId: e.pointerId };
      return;
    }
    if (e.button !== 0) return;
    const h = this.handles();
    const hit = h ? hitGroup(h, this.stagePx(e), this.toScreen, HIT) : null;
    if (hit && this.group) {
      const anchor = this.anchorOf(hit, at);
      const grab: Point = [anchor[0] - at[0], anchor[1] - at[1]];
      this.drag = { kind: 'group', hit, start: this.group, from: at, fromPx: this.stagePx(e), grab, pointerId: e.pointerId, at: anchor, moved: false };
      return;
    }
    const single = this.single;
    const slot = single ? this.slots.find((s) => s.id === single) : undefined;
    if (slot && this.tool !== 'row' && this.tool !== 'grid' && this.tool !== 'quad') {
      const p = this.stagePx(e);
      const index = slot.polygon.findIndex((c) => Math.hypot(...(this.toScreen(c).map((v, k) => v - p[k]!) as [number, number])) <= HIT);
      if (index >= 0) {
        this.drag = { kind: 'corner', id: slot.id, index, original: slot.polygon, pointerId: e.pointerId, at };
        return;
      }
    }
    const onSlot = this.slotAt(e);
    switch (this.tool) {
      case 'quad':
      case 'row':
      case 'grid':
        this.drag = { kind: 'tap', at, pointerId: e.pointerId };
        return;
      case 'select':
        if (onSlot && this.selection.includes(onSlot)) {
          this.drag = { kind: 'move', ids: [...this.selection], from: at, pointerId: e.pointerId, moved: false, tapToggles: onSlot };
        } else {
          this.drag = { kind: 'lasso', path: [at], pointerId: e.pointerId, extend: e.shiftKey, startSlot: onSlot };
        }
        return;
      case 'rect':
        if (onSlot && this.selection.includes(onSlot) && !e.shiftKey) {
          this.drag = { kind: 'move', ids: [...this.selection], from: at, pointerId: e.pointerId, moved: false, tapToggles: null };
        } else {
          // Only a selected slot moves: a drag that starts on another slot draws (slots of a row touch each other),
          // and a tap on it selects it.
          this.drag = { kind: 'draw', from: at, to: at, pointerId: e.pointerId, tapSelects: onSlot, extend: e.shiftKey };
        }
    }
  };

  private startPinch(): void {
    // A second finger: whatever the first one started is dropped, and both fingers drive the view.
    this.draft = null;
    this.draftGroup = null;
    const [a, b] = [...this.pointers.entries()] as [[number, Point], [number, Point]];
    this.drag = { kind: 'pinch', startView: this.view, ids: [a[0], b[0]], from: [a[1], b[1]] };
  }

  private onPointerMove = (e: PointerEvent): void => {
    if (!this.pointers.has(e.pointerId)) return;
    this.pointers.set(e.pointerId, this.stagePx(e));
    const d = this.drag;
    if (!d) return;
    if (d.kind === 'pinch') {
      const a = this.pointers.get(d.ids[0]);
      const b = this.pointers.get(d.ids[1]);
      if (a && b) requestEdit(this, { type: 'view', view: pinchView(d.startView, this.stageSize(), d.from, [a, b]) });
      return;
    }
    if (d.pointerId !== e.pointerId) return;
    const at = this.toPoint(e);
    switch (d.kind) {
      case 'pan': {
        const [w, h] = this.stageSize();
        const p = this.stagePx(e);
        requestEdit(this, { type: 'view', view: panBy(d.startView, [(p[0] - d.from[0]) / w, (p[1] - d.from[1]) / h]) });
        return;
      }
      case 'draw':
        this.drag = { ...d, to: at };
        return;
      case 'tap':
        this.drag = { ...d, at };
        return;
      case 'lasso':
        this.drag = { ...d, path: [...d.path, at] };
        return;
      case 'corner':
        this.draft = new Map([[d.id, dragCorner(d.original, d.index, at)]]);
        this.drag = { ...d, at };
        return;
      case 'move': {
        const moved = translateSlots(this.slots, d.ids, at[0] - d.from[0], at[1] - d.from[1]);
        const ids = new Set(d.ids);
        this.draft = new Map(moved.filter((s) => ids.has(s.id)).map((s) => [s.id, s.polygon]));
        if (!d.moved && this.travelled(e, d.from)) this.drag = { ...d, moved: true };
        return;
      }
      case 'group': {
        const held: Point = [at[0] + d.grab[0], at[1] + d.grab[1]];
        this.draftGroup = this.groupDrag(d, held, this.stagePx(e));
        // Handles move by any amount (a loupe-guided nudge is a pixel or two); the row itself only past a tap's slop.
        const fine = d.hit.kind === 'corner' || d.hit.kind === 'divider';
        this.drag = { ...d, at: held, moved: d.moved || this.travelled(e, d.from, fine ? 0.5 : TAP_SLOP) };
        return;
      }
    }
  };

  private travelled(e: PointerEvent, from: Point, slop = TAP_SLOP): boolean {
    const a = this.toScreen(from);
    const b = this.stagePx(e);
    return Math.hypot(a[0] - b[0], a[1] - b[1]) > slop;
  }

  /** The point a hit takes hold of: a corner, the nearest point of a divider, or the press itself. */
  private anchorOf(hit: GroupHit, at: Point): Point {
    if (hit.kind === 'corner') return this.group?.quad[hit.index] ?? at;
    if (hit.kind !== 'divider') return at;
    return this.fromScreen(nearestOnSegment(this.toScreen(at), this.toScreen(hit.line.from), this.toScreen(hit.line.to)));
  }

  private groupDrag(d: Extract<Drag, { kind: 'group' }>, at: Point, atPx: Point): RowGroup {
    const g = d.start;
    const hit = d.hit;
    switch (hit.kind) {
      case 'corner':
        return moveGroupCorner(g, hit.index, at);
      case 'divider':
        return hit.line.kind === 'col' ? dragColDivider(g, hit.line.row, hit.line.index, at) : dragRowDivider(g, hit.line.index, at);
      case 'move':
      case 'body':
        return moveGroup(g, at[0] - d.from[0], at[1] - d.from[1]);
      case 'rotate': {
        const c = this.toScreen(centroid(g.quad));
        return rotateGroup(g, angleAbout(c, atPx) - angleAbout(c, d.fromPx), this.aspect);
      }
    }
  }

  private onPointerUp = (e: PointerEvent): void => {
    this.pointers.delete(e.pointerId);
    if (!this.pointers.size) this.pressing = false;
    const d = this.drag;
    if (!d) return;
    if (d.kind === 'pinch') {
      // The finger left on the glass does nothing until it is lifted too.
      const rest = [...this.pointers.keys()][0];
      this.drag = rest === undefined ? null : { kind: 'ignored', pointerId: rest };
      return;
    }
    if (d.pointerId !== e.pointerId) return;
    this.drag = null;
    const at = this.toPoint(e);
    switch (d.kind) {
      case 'draw': {
        const rect = rectFromDrag(d.from, at);
        if (rect) requestEdit(this, { type: 'add', polygon: rect });
        else this.select(d.tapSelects, d.extend);
        return;
      }
      case 'tap':
        return this.addTap(d.at);
      case 'lasso': {
        const path = [...d.path, at];
        const px = path.map(this.toScreen);
        const span = Math.max(...px.map((p) => Math.hypot(p[0] - px[0]![0], p[1] - px[0]![1])));
        if (span <= TAP_SLOP) {
          if (d.startSlot) this.select(d.startSlot, true);
          else requestEdit(this, { type: 'select', ids: [], mode: false ? 'add' : 'replace' });
        } else requestEdit(this, { type: 'select', ids: slotsInLasso(this.slots, path), mode: d.extend ? 'add' : 'replace' });
        return;
      }
      case 'corner': {
        const draft = this.draft?.get(d.id);
        this.draft = null;
        if (draft) requestEdit(this, { type: 'change', id: d.id, polygon: [...draft] });
        return;
      }
      case 'move': {
        this.draft = null;
        if (d.moved) requestEdit(this, { type: 'move', ids: d.ids, dx: at[0] - d.from[0], dy: at[1] - d.from[1] });
        else if (d.tapToggles) this.select(d.tapToggles, true);
        return;
      }
      case 'group': {
        const g = this.draftGroup;
        // The draft stays on screen until the new group comes down (no flicker back to the old outline).
        if (g && d.moved) requestEdit(this, { type: 'row-edit', group: g });
        else this.draftGroup = null;
        return;
      }
    }
  };

  private addTap(at: Point): void {
    const taps = [...this.taps, at];
    if (taps.length < 4) {
      this.taps = taps;
      return;
    }
    this.taps = [];
    if (this.tool === 'quad') requestEdit(this, { type: 'add', polygon: orderCorners(taps) });
    else requestEdit(this, { type: 'row-draw', taps, rows: this.tool === 'grid' ? 2 : 1 });
  }

  private onPointerCancel = (e: PointerEvent): void => {
    this.pointers.delete(e.pointerId);
    if (!this.pointers.size) this.pressing = false;
    this.drag = null;
    this.draft = null;
    this.draftGroup = null;
  };

  private onWheel = (e: WheelEvent): void => {
    if (!this.editing) return;
    e.preventDefault();
    const [w, h] = this.stageSize();
    const p = this.stagePx(e);
    // Trackpad pinches arrive as wheel events with ctrlKey and small deltas.
    const factor = Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.002));
    requestEdit(this, { type: 'view', view: zoomAbout(this.view, [p[0] / w, p[1] / h], factor) });
  };

  // --- keyboard ----------------------------------------------------------------------------------------------------

  private arrow(e: KeyboardEvent): Point | null {
    const step = e.shiftKey ? NUDGE_FAST : NUDGE;
    const arrows: Record<string, Point> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    return arrows[e.key] ?? null;
  }

  private onStageKey = (e: KeyboardEvent): void => {
    if (!this.editing || e.target !== e.currentTarget) return;
    const a = this.arrow(e);
    if (a && this.tapTool) {
      e.preventDefault();
      this.moveCursor(a);
    } else if (a) {
      e.preventDefault();
      // 2% of what is in view per press (Shift: 8%); the picture moves the other way, as under a finger.
      requestEdit(this, { type: 'view', view: panBy(this.view, [-a[0] * 4, -a[1] * 4]) });
    } else if ((e.key === 'Enter' || e.key === ' ') && this.tapTool) {
      e.preventDefault();
      this.addTap(this.cursor ?? stageToFrame(this.view, [0.5, 0.5]));
    } else if (e.key === '+' || e.key === '=') {
      requestEdit(this, { type: 'view', view: zoomAbout(this.view, [0.5, 0.5], 1.5) });
    } else if (e.key === '-') {
      requestEdit(this, { type: 'view', view: zoomAbout(this.view, [0.5, 0.5], 1 / 1.5) });
    } else if (e.key === '0') {
      requestEdit(this, { type: 'view', view: FIT });
    }
  };

  /** Moves the keyboard's reticle by 2% of what is in view (Shift: 8%), panning to keep it in view. */
  private moveCursor(a: Point): void {
    const v = this.view;
    const from = this.cursor ?? stageToFrame(v, [0.5, 0.5]);
    const at: Point = [Math.min(1, Math.max(0, from[0] + (a[0] * 4) / v.zoom)), Math.min(1, Math.max(0, from[1] + (a[1] * 4) / v.zoom))];
    this.cursor = at;
    const s = frameToStage(v, at);
    const margin = 0.05;
    const dx = s[0] < margin ? s[0] - margin : s[0] > 1 - margin ? s[0] - (1 - margin) : 0;
    const dy = s[1] < margin ? s[1] - margin : s[1] > 1 - margin ? s[1] - (1 - margin) : 0;
    if (dx || dy) requestEdit(this, { type: 'view', view: panBy(v, [-dx, -dy]) });
  }

  private onSlotKey(e: KeyboardEvent, slot: Slot): void {
    const a = this.arrow(e);
    const together = this.selection.includes(slot.id) && this.selection.length > 1;
    if (a && this.editing) {
      e.preventDefault();
      e.stopPropagation();
      if (together) requestEdit(this, { type: 'move', ids: [...this.selection], dx: a[0], dy: a[1] });
      else {
        const polygon = e.altKey ? resizePolygon(slot.polygon, a[0], a[1]) : translatePolygon(slot.polygon, a[0], a[1]);
        requestEdit(this, { type: 'change', id: slot.id, polygon });
      }
    } else if ((e.key === 'Delete' || e.key === 'Backspace') && this.editing) {
      e.preventDefault();
      if (together) requestEdit(this, { type: 'delete', ids: [...this.selection] });
      else requestEdit(this, { type: 'delete', ids: [slot.id] });
    } else if (e.key === 'Escape') {
      (e.currentTarget as SVGGElement).blur();
      this.select(null);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.select(slot.id, e.shiftKey);
    }
  }

  private emitGroup(next: RowGroup): void {
    if (this.group && next !== this.group) requestEdit(this, { type: 'row-edit', group: next });
  }

  private onGroupKey = (e: KeyboardEvent): void => {
    const g = this.group;
    if (!g) return;
    const a = this.arrow(e);
    const turn = (e.shiftKey ? 5 : 1) * (Math.PI / 180);
    let handled = true;
    if (a && e.altKey) this.emitGroup(scaleGroup(g, a[0] + -a[1] > 0 ? 1.02 : 1 / 1.02));
    else if (a) this.emitGroup(moveGroup(g, a[0], a[1]));
    else if (e.key === '[') this.emitGroup(rotateGroup(g, -turn, this.aspect));
    else if (e.key === ']') this.emitGroup(rotateGroup(g, turn, this.aspect));
    else if (e.key === '+' || e.key === '=') requestEdit(this, { type: 'row-resize', rows: g.rows, cols: g.cols + 1 });
    else if (e.key === '-') requestEdit(this, { type: 'row-resize', rows: g.rows, cols: Math.max(1, g.cols - 1) });
    else if (e.key === 'Enter') requestEdit(this, { type: 'row-finish' });
    else handled = false;
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };

  private onGroupCornerKey(e: KeyboardEvent, index: number): void {
    const g = this.group;
    const a = this.arrow(e);
    if (!g || !a) return;
    e.preventDefault();
    e.stopPropagation();
    const c = g.quad[index]!;
    this.emitGroup(moveGroupCorner(g, index, [c[0] + a[0] / 5, c[1] + a[1] / 5]));
  }

  private onDividerKey(e: KeyboardEvent, d: DividerLine): void {
    const g = this.group;
    if (!g) return;
    const step = e.shiftKey ? 0.05 : 0.01;
    const delta: Record<string, number> =
      d.kind === 'col' ? { ArrowLeft: -step / g.cols, ArrowRight: step / g.cols } : { ArrowUp: -step, ArrowDown: step };
    const by = delta[e.key];
    if (by === undefined) return;
    e.preventDefault();
    e.stopPropagation();
    this.emitGroup(d.kind === 'col' ? nudgeColDivider(g, d.row, d.index, by * 5) : nudgeRowDivider(g, d.index, by));
  }

  private onGlobalKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape' && this.taps.length) this.taps = [];
    if (e.key === ' ' && this.editing && (e.target === document.body || e.target === this)) this.spaceHeld = true;
  };

  private onGlobalKeyUp = (e: KeyboardEvent): void => {
    if (e.key === ' ') this.spaceHeld = false;
  };
}

customElements.define('lw-slot-overlay', LwSlotOverlay);

declare global {
  interface HTMLElementTagNameMap {
    'lw-slot-overlay': LwSlotOverlay;
  }
}
