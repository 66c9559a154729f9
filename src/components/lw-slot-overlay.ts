import { LitElement, html, svg, nothing, type PropertyValues } from 'lit';
import { centroid } from '../occupancy/geometry.ts';
import { isClosedAt } from '../occupancy/closure.ts';
import { slotIsUnsure } from '../occupancy/unsure.ts';
import type { Detection, Point, Slot, SlotState } from '../occupancy/types.ts';
import type { DrawTool } from '../layout/draw-tool.ts';
import type { EditorAction } from '../layout/editor-actions.ts';
import {
  IDLE,
  isTapTool,
  rowHandles,
  screenMaps,
  selectAction,
  stepGesture,
  viewDuringDrag,
  type GestureContext,
  type GestureState,
  type PointerInput,
} from '../layout/overlay-gestures.ts';
import { dividerKey, rowCornerKey, rowKey, slotKey, stageKey, type Key, type KeyResult } from '../layout/overlay-keys.ts';
import { groupPolygons, type DividerLine, type RowGroup } from '../layout/row-group.ts';
import { rectFromDrag } from '../layout/slot-edits.ts';
import { FIT, stageToFrame, zoomAbout, type View } from '../layout/view.ts';
import { requestEdit } from './events.ts';
import { slotOverlayStyles } from './slot-overlay-styles.ts';
import './lw-magnifier.ts';

/** Labels smaller than their slot on screen would hide it: below this size on screen, a slot shows no label. */
const MIN_LABELLED_PX = 18;

/**
 * The slots over the picture: green free, red occupied, detections as thin boxes. In edit mode it is also the editor:
 * tools to mark slots (drag a box, tap 4 corners, tap the 4 corners of a whole row or block), a row's handles
 * (corners, dividers, turn and move knobs), select-then-move, a lasso, and the view (pinch, two-finger pan, wheel,
 * middle/right-button or Space drag). A loupe shows the pixels under the finger while a corner or divider is dragged.
 * What a gesture or a key means is decided by the pure `overlay-gestures.ts` and `overlay-keys.ts`; this element
 * turns DOM events into their inputs and sends up the actions they return.
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
    gesture: { state: true },
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
  /** The press under way, the fingers down, placed corners and drafts (see overlay-gestures.ts). */
  declare gesture: GestureState;
  declare stageWidth: number;
  /** The picture itself has keyboard focus: a reticle marks the point Enter places (tap tools). */
  declare stageFocused: boolean;
  /** The keyboard's pointer on the picture (tap tools): arrows move it, Enter places a corner there. */
  declare cursor: Point | null;

  private spaceHeld = false;

  private resizeObserver = new ResizeObserver(([entry]) => {
    if (entry) this.stageWidth = entry.contentRect.width;
  });

  constructor() {
    super();
    this.slots = [];
    this.states = new Map();
    this.detections = [];
    this.showDetections = false;
    this.selection = [];
    this.editing = false;
    this.tool = 'rect';
    this.frameWidth = 1280;
    this.frameHeight = 720;
    this.group = null;
    this.view = FIT;
    this.picture = null;
    this.gesture = IDLE;
    this.stageWidth = 0;
    this.stageFocused = false;
    this.cursor = null;
  }

  static override styles = slotOverlayStyles;

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
    if ((changed.has('editing') && !this.editing) || changed.has('tool')) this.step({ type: 'clear-taps' });
    if (changed.has('group')) this.step({ type: 'group-changed' });
    if (!this.stageWidth && this.clientWidth) this.stageWidth = this.clientWidth;
  }

  // --- the gesture state, as the render reads it ----------------------------------------------------------------------

  private get drag() {
    return this.gesture.drag;
  }

  private get taps() {
    return this.gesture.taps;
  }

  private get draft() {
    return this.gesture.draft;
  }

  private get draftGroup() {
    return this.gesture.draftGroup;
  }

  /** A press is under way: focus that it causes is not a keyboard selection. */
  private get pressing(): boolean {
    return this.gesture.pointers.size > 0;
  }

  private context(): GestureContext {
    return {
      editing: this.editing,
      tool: this.tool,
      slots: this.slots,
      selection: this.selection,
      group: this.group,
      view: this.view,
      stage: this.stageSize(),
      aspect: this.frameWidth / this.frameHeight,
      spaceHeld: this.spaceHeld,
    };
  }

  private step(input: PointerInput): void {
    const { state, actions } = stepGesture(this.gesture, input, this.context());
    if (state !== this.gesture) this.gesture = state;
    for (const a of actions) this.send(a);
  }

  private send(a: EditorAction): void {
    requestEdit(this, a);
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

  private toScreen = (p: Point): Point => screenMaps({ view: this.view, stage: this.stageSize() }).toScreen(p);

  private get shownGroup(): RowGroup | null {
    return this.draftGroup ?? this.group;
  }

  private handles() {
    return rowHandles(this.shownGroup, { view: this.view, stage: this.stageSize(), editing: this.editing, slots: this.slots });
  }

  private get single(): string | null {
    return this.selection.length === 1 ? this.selection[0]! : null;
  }

  private get tapTool(): boolean {
    return isTapTool(this.tool);
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
    // The evidence near even: outlined dotted, so that a look from the user goes where it is worth most.
    const unsure = slotIsUnsure(slot, st, Date.now());
    const cls = `slot ${status}${st?.pending ? ' pending' : ''}${unsure ? ' unsure' : ''}${selected ? ' selected' : ''}`;
    return svg`<g class=${cls} data-id=${slot.id} data-state=${status} tabindex="0" role="button"
        aria-label=${`Slot ${slot.name}: ${status}${unsure ? ', unsure' : ''}`} aria-pressed=${selected ? 'true' : 'false'}
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

  // --- input -------------------------------------------------------------------------------------------------------

  private select(id: string | null, extend = false): void {
    const a = selectAction(id, extend, this);
    if (a) this.send(a);
  }

  private slotAt(e: Event): string | null {
    const target = e.target as Element | null;
    return target?.closest?.('g.slot')?.getAttribute('data-id') ?? null;
  }

  private onDown = (e: PointerEvent): void => {
    if (this.editing) {
      // Every finger is captured, so its pointerup comes here even off the picture: a finger never stays counted.
      this.renderRoot.querySelector('svg')?.setPointerCapture(e.pointerId);
      e.preventDefault();
    }
    this.step({ type: 'down', id: e.pointerId, button: e.button, px: this.stagePx(e), shift: e.shiftKey, slot: this.slotAt(e) });
  };

  private onPointerMove = (e: PointerEvent): void => {
    if (!this.gesture.pointers.has(e.pointerId)) return;
    this.step({ type: 'move', id: e.pointerId, px: this.stagePx(e) });
    const view = viewDuringDrag(this.gesture, this.context());
    if (view) this.send({ type: 'view', view });
  };

  private onPointerUp = (e: PointerEvent): void => this.step({ type: 'up', id: e.pointerId, px: this.stagePx(e) });

  private onPointerCancel = (e: PointerEvent): void => this.step({ type: 'cancel', id: e.pointerId });

  private onWheel = (e: WheelEvent): void => {
    if (!this.editing) return;
    e.preventDefault();
    const [w, h] = this.stageSize();
    const p = this.stagePx(e);
    // Trackpad pinches arrive as wheel events with ctrlKey and small deltas.
    const factor = Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.002));
    this.send({ type: 'view', view: zoomAbout(this.view, [p[0] / w, p[1] / h], factor) });
  };

  /** Carries out what a key map returned; handled keys go no further. */
  private keyDone(e: KeyboardEvent, r: KeyResult, stop = true): void {
    if (r.handled) {
      e.preventDefault();
      if (stop) e.stopPropagation();
    }
    if (r.cursor) this.cursor = r.cursor;
    if (r.blur) (e.currentTarget as SVGElement).blur();
    for (const a of r.actions) this.send(a);
    if (r.place) this.step({ type: 'place', at: r.place });
  }

  private onStageKey = (e: KeyboardEvent): void => {
    if (!this.editing || e.target !== e.currentTarget) return;
    this.keyDone(e, stageKey(keyOf(e), { view: this.view, tapTool: this.tapTool, cursor: this.cursor }), false);
  };

  private onSlotKey(e: KeyboardEvent, slot: Slot): void {
    const r = slotKey(keyOf(e), slot, { editing: this.editing, selection: this.selection });
    // Arrows on a slot must not reach the picture (which would pan); Delete and Enter may.
    this.keyDone(e, r, Boolean(r.handled && r.actions.some((a) => a.type === 'move' || a.type === 'change')));
  }

  private onGroupKey = (e: KeyboardEvent): void => {
    if (this.group) this.keyDone(e, rowKey(keyOf(e), this.group, this.frameWidth / this.frameHeight));
  };

  private onGroupCornerKey(e: KeyboardEvent, index: number): void {
    if (this.group) this.keyDone(e, rowCornerKey(keyOf(e), this.group, index));
  }

  private onDividerKey(e: KeyboardEvent, d: DividerLine): void {
    if (this.group) this.keyDone(e, dividerKey(keyOf(e), this.group, d));
  }

  private onGlobalKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape' && this.taps.length) this.step({ type: 'clear-taps' });
    if (e.key === ' ' && this.editing && (e.target === document.body || e.target === this)) this.spaceHeld = true;
  };

  private onGlobalKeyUp = (e: KeyboardEvent): void => {
    if (e.key === ' ') this.spaceHeld = false;
  };
}

const keyOf = (e: KeyboardEvent): Key => ({ key: e.key, shift: e.shiftKey, alt: e.altKey });

customElements.define('lw-slot-overlay', LwSlotOverlay);

declare global {
  interface HTMLElementTagNameMap {
    'lw-slot-overlay': LwSlotOverlay;
  }
}
