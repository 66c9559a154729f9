// The slot overlay's pointer gestures as a pure state machine: what a press, a drag, a second finger or a release
// means depends on the tool, the selection, the open row and where the press landed. The element feeds it pointer
// input in stage pixels and gets back its new state and the editor actions to send up. Pure: no DOM.
import { centroid } from '../occupancy/geometry.ts';
import type { Point, Slot } from '../occupancy/types.ts';
import type { DrawTool } from './draw-tool.ts';
import type { EditorAction } from './editor-actions.ts';
import { angleAbout, groupHandles, hitGroup, nearestOnSegment, type GroupHandles, type GroupHit } from './handles.ts';
import { translateSlots } from './layout-edits.ts';
import { dragColDivider, dragRowDivider, moveGroup, moveGroupCorner, rotateGroup, type RowGroup } from './row-group.ts';
import { slotsInLasso } from './selection.ts';
import { dragCorner, orderCorners, rectFromDrag } from './slot-edits.ts';
import { frameToStage, panBy, pinchView, stageToFrame, type View } from './view.ts';

/** Half a 44 px touch target: a press this close to a handle (CSS px) takes hold of it. */
export const HIT = 22;
/** A press that travels less than this (CSS px) is a tap. */
export const TAP_SLOP = 6;
/** How far out of the row (CSS px) its turn and move knobs sit. */
export const KNOB_OFFSET = 34;

/** What the press under way is doing. Points are in frame coordinates (0..1) unless named `px` (stage pixels). */
export type Drag =
  /** Rectangle tool: a box being dragged out (a tap without travel selects the slot under it). */
  | { readonly kind: 'draw'; readonly from: Point; readonly to: Point; readonly pointerId: number; readonly tapSelects: string | null; readonly extend: boolean }
  /** The selected slots being dragged (a tap without travel toggles the slot under it, select tool). */
  | { readonly kind: 'move'; readonly ids: readonly string[]; readonly from: Point; readonly pointerId: number; readonly moved: boolean; readonly tapToggles: string | null }
  /** A corner of the one selected slot. */
  | { readonly kind: 'corner'; readonly id: string; readonly index: number; readonly original: readonly Point[]; readonly pointerId: number; readonly at: Point }
  /** A corner being placed by a corner tool (four of them make a slot or a row). */
  | { readonly kind: 'tap'; readonly at: Point; readonly pointerId: number }
  /** Select tool: a loop drawn around slots. */
  | { readonly kind: 'lasso'; readonly path: readonly Point[]; readonly pointerId: number; readonly extend: boolean; readonly startSlot: string | null }
  /** Middle or right button, or Space held: the view pans. */
  | { readonly kind: 'pan'; readonly startView: View; readonly fromPx: Point; readonly pointerId: number }
  /** Two fingers: the view zooms and pans. */
  | { readonly kind: 'pinch'; readonly startView: View; readonly ids: readonly [number, number]; readonly fromPx: readonly [Point, Point] }
  /** A handle of the open row (a corner, a divider, the turn or move knob) or its body. */
  | {
      readonly kind: 'group';
      readonly hit: GroupHit;
      readonly start: RowGroup;
      readonly from: Point;
      readonly fromPx: Point;
      /** From the finger to the handle it holds: the handle keeps that offset instead of jumping under the finger. */
      readonly grab: Point;
      readonly pointerId: number;
      readonly at: Point;
      readonly moved: boolean;
    }
  /** The finger left on the glass after a pinch: it does nothing until lifted. */
  | { readonly kind: 'ignored'; readonly pointerId: number };

export interface GestureState {
  readonly drag: Drag | null;
  /** Fingers (and the mouse) on the picture, in stage pixels. */
  readonly pointers: ReadonlyMap<number, Point>;
  /** Corners placed so far by a corner tool. */
  readonly taps: readonly Point[];
  /** Polygons of slots being moved or resized, shown live before the change is committed. */
  readonly draft: ReadonlyMap<string, readonly Point[]> | null;
  /** The open row as it is being dragged. */
  readonly draftGroup: RowGroup | null;
}

export const IDLE: GestureState = { drag: null, pointers: new Map(), taps: [], draft: null, draftGroup: null };

/** What the overlay shows and how it sits on screen: the gestures' inputs besides the pointer. */
export interface GestureContext {
  readonly editing: boolean;
  readonly tool: DrawTool;
  readonly slots: readonly Slot[];
  readonly selection: readonly string[];
  readonly group: RowGroup | null;
  readonly view: View;
  /** The overlay's size in CSS pixels. */
  readonly stage: Point;
  /** The frame's width over its height. */
  readonly aspect: number;
  /** Space is held: the left button pans. */
  readonly spaceHeld: boolean;
}

export type PointerInput =
  /** `slot`: the slot under the press, if any (the element knows from its DOM). */
  | { readonly type: 'down'; readonly id: number; readonly button: number; readonly px: Point; readonly shift: boolean; readonly slot: string | null }
  | { readonly type: 'move'; readonly id: number; readonly px: Point }
  | { readonly type: 'up'; readonly id: number; readonly px: Point }
  | { readonly type: 'cancel'; readonly id: number }
  /** A corner placed from the keyboard (Enter on the picture). */
  | { readonly type: 'place'; readonly at: Point }
  /** Placed corners dropped (Escape, another tool, editing over). */
  | { readonly type: 'clear-taps' }
  /** A new open row came down from the editor: the dragged draft of the old one goes. */
  | { readonly type: 'group-changed' };

export interface GestureStep {
  readonly state: GestureState;
  readonly actions: readonly EditorAction[];
}

// --- coordinates -------------------------------------------------------------------------------------------------

/** Stage pixels ↔ frame coordinates for this view. */
export function screenMaps(ctx: Pick<GestureContext, 'view' | 'stage'>) {
  const [w, h] = ctx.stage;
  const toPoint = (px: Point): Point => stageToFrame(ctx.view, [px[0] / w, px[1] / h]);
  const toScreen = (p: Point): Point => {
    const s = frameToStage(ctx.view, p);
    return [s[0] * w, s[1] * h];
  };
  return { toPoint, toScreen, fromScreen: toPoint };
}

/** The open row's handles on screen, while editing; its knobs keep off the other slots. */
export function rowHandles(group: RowGroup | null, ctx: Pick<GestureContext, 'view' | 'stage' | 'editing' | 'slots'>): GroupHandles | null {
  if (!group || !ctx.editing) return null;
  const { toScreen, fromScreen } = screenMaps(ctx);
  const others = ctx.slots.filter((s) => !group.ids.includes(s.id)).map((s) => s.polygon);
  return groupHandles(group, toScreen, fromScreen, KNOB_OFFSET, others);
}

const single = (ctx: GestureContext): string | null => (ctx.selection.length === 1 ? ctx.selection[0]! : null);

export const isTapTool = (tool: DrawTool): boolean => tool === 'quad' || tool === 'row' || tool === 'grid';

/** Selecting a slot (or none): with `extend` it goes in or out of the selection; otherwise it becomes the selection. */
export function selectAction(id: string | null, extend: boolean, ctx: Pick<GestureContext, 'selection'>): EditorAction | null {
  if (extend && id) return { type: 'select', ids: [id], mode: 'toggle' };
  const only = ctx.selection.length === 1 ? ctx.selection[0] : null;
  if (id !== only || ctx.selection.length > 1) return { type: 'select', ids: id ? [id] : [], mode: 'replace' };
  return null;
}

// --- the state machine -------------------------------------------------------------------------------------------

export function stepGesture(s: GestureState, input: PointerInput, ctx: GestureContext): GestureStep {
  switch (input.type) {
    case 'down':
      return down(s, input, ctx);
    case 'move':
      return { state: move(s, input, ctx), actions: [] };
    case 'up':
      return up(s, input, ctx);
    case 'cancel': {
      const pointers = new Map(s.pointers);
      pointers.delete(input.id);
      return { state: { ...s, pointers, drag: null, draft: null, draftGroup: null }, actions: [] };
    }
    case 'place':
      return addTap(s, input.at, ctx.tool);
    case 'clear-taps':
      return { state: s.taps.length ? { ...s, taps: [] } : s, actions: [] };
    case 'group-changed':
      return { state: s.draftGroup ? { ...s, draftGroup: null } : s, actions: [] };
  }
}

function down(s: GestureState, e: Extract<PointerInput, { type: 'down' }>, ctx: GestureContext): GestureStep {
  if (!ctx.editing) {
    // Counting: a tap selects a slot (to correct it); a tap on the slot already selected lets go of it.
    const again = e.slot !== null && single(ctx) === e.slot;
    const a = e.button !== 0 ? null : again ? ({ type: 'select', ids: [], mode: 'replace' } as const) : selectAction(e.slot, false, ctx);
    return { state: s, actions: a ? [a] : [] };
  }
  const pointers = new Map(s.pointers).set(e.id, e.px);
  const next = { ...s, pointers };
  if (pointers.size === 2) return { state: startPinch(next, ctx), actions: [] };
  if (pointers.size > 2 || s.drag) return { state: next, actions: [] };
  const { toPoint, toScreen } = screenMaps(ctx);
  const at = toPoint(e.px);
  const pointerId = e.id;
  const set = (drag: Drag): GestureStep => ({ state: { ...next, drag }, actions: [] });
  if (e.button === 1 || e.button === 2 || (e.button === 0 && ctx.spaceHeld)) {
    return set({ kind: 'pan', startView: ctx.view, fromPx: e.px, pointerId });
  }
  if (e.button !== 0) return { state: next, actions: [] };
  const h = rowHandles(s.draftGroup ?? ctx.group, ctx);
  const hit = h ? hitGroup(h, e.px, toScreen, HIT) : null;
  if (hit && ctx.group) {
    const anchor = anchorOf(hit, at, ctx);
    const grab: Point = [anchor[0] - at[0], anchor[1] - at[1]];
    return set({ kind: 'group', hit, start: ctx.group, from: at, fromPx: e.px, grab, pointerId, at: anchor, moved: false });
  }
  const only = single(ctx);
  const slot = only ? ctx.slots.find((x) => x.id === only) : undefined;
  if (slot && !isTapTool(ctx.tool)) {
    const index = slot.polygon.findIndex((c) => {
      const p = toScreen(c);
      return Math.hypot(p[0] - e.px[0], p[1] - e.px[1]) <= HIT;
    });
    if (index >= 0) return set({ kind: 'corner', id: slot.id, index, original: slot.polygon, pointerId, at });
  }
  const onSlot = e.slot;
  switch (ctx.tool) {
    case 'quad':
    case 'row':
    case 'grid':
      return set({ kind: 'tap', at, pointerId });
    case 'select':
      if (onSlot && ctx.selection.includes(onSlot)) {
        return set({ kind: 'move', ids: [...ctx.selection], from: at, pointerId, moved: false, tapToggles: onSlot });
      }
      return set({ kind: 'lasso', path: [at], pointerId, extend: e.shift, startSlot: onSlot });
    case 'rect':
      if (onSlot && ctx.selection.includes(onSlot) && !e.shift) {
        // A drag moves the selection; a tap without travel lets go of the slot.
        return set({ kind: 'move', ids: [...ctx.selection], from: at, pointerId, moved: false, tapToggles: onSlot });
      }
      // Only a selected slot moves: a drag that starts on another slot draws (slots of a row touch each other), and a
      // tap on it selects it.
      return set({ kind: 'draw', from: at, to: at, pointerId, tapSelects: onSlot, extend: e.shift });
  }
}

/** A second finger: whatever the first one started is dropped, and both fingers drive the view. */
function startPinch(s: GestureState, ctx: GestureContext): GestureState {
  const [a, b] = [...s.pointers.entries()] as [[number, Point], [number, Point]];
  return { ...s, draft: null, draftGroup: null, drag: { kind: 'pinch', startView: ctx.view, ids: [a[0], b[0]], fromPx: [a[1], b[1]] } };
}

/** What a move changes; the view itself changes through an action (see `viewDuringDrag`). */
function move(s: GestureState, e: Extract<PointerInput, { type: 'move' }>, ctx: GestureContext): GestureState {
  if (!s.pointers.has(e.id)) return s;
  const pointers = new Map(s.pointers).set(e.id, e.px);
  const next = { ...s, pointers };
  const d = s.drag;
  if (!d || d.kind === 'pinch' || d.kind === 'pan' || d.kind === 'ignored' || d.pointerId !== e.id) return next;
  const { toPoint } = screenMaps(ctx);
  const at = toPoint(e.px);
  switch (d.kind) {
    case 'draw':
      return { ...next, drag: { ...d, to: at } };
    case 'tap':
      return { ...next, drag: { ...d, at } };
    case 'lasso':
      return { ...next, drag: { ...d, path: [...d.path, at] } };
    case 'corner':
      return { ...next, draft: new Map([[d.id, dragCorner(d.original, d.index, at)]]), drag: { ...d, at } };
    case 'move': {
      const moved = translateSlots(ctx.slots, d.ids, at[0] - d.from[0], at[1] - d.from[1]);
      const ids = new Set(d.ids);
      const draft = new Map(moved.filter((x) => ids.has(x.id)).map((x) => [x.id, x.polygon]));
      return { ...next, draft, drag: d.moved || travelled(e.px, d.from, ctx) ? { ...d, moved: true } : d };
    }
    case 'group': {
      const held: Point = [at[0] + d.grab[0], at[1] + d.grab[1]];
      // Handles move by any amount (a loupe-guided nudge is a pixel or two); the row itself only past a tap's slop.
      const fine = d.hit.kind === 'corner' || d.hit.kind === 'divider';
      return {
        ...next,
        draftGroup: groupDrag(d, held, e.px, ctx),
        drag: { ...d, at: held, moved: d.moved || travelled(e.px, d.from, ctx, fine ? 0.5 : TAP_SLOP) },
      };
    }
  }
}

/** The view while a pan or a pinch is under way (the element sends it as a `view` action), or null. */
export function viewDuringDrag(s: GestureState, ctx: GestureContext): View | null {
  const d = s.drag;
  if (d?.kind === 'pinch') {
    const a = s.pointers.get(d.ids[0]);
    const b = s.pointers.get(d.ids[1]);
    return a && b ? pinchView(d.startView, ctx.stage, d.fromPx, [a, b]) : null;
  }
  if (d?.kind === 'pan') {
    const p = s.pointers.get(d.pointerId);
    if (!p) return null;
    const [w, h] = ctx.stage;
    return panBy(d.startView, [(p[0] - d.fromPx[0]) / w, (p[1] - d.fromPx[1]) / h]);
  }
  return null;
}

function travelled(px: Point, from: Point, ctx: GestureContext, slop = TAP_SLOP): boolean {
  const a = screenMaps(ctx).toScreen(from);
  return Math.hypot(a[0] - px[0], a[1] - px[1]) > slop;
}

/** The point a hit takes hold of: a corner, the nearest point of a divider, or the press itself. */
function anchorOf(hit: GroupHit, at: Point, ctx: GestureContext): Point {
  if (hit.kind === 'corner') return ctx.group?.quad[hit.index] ?? at;
  if (hit.kind !== 'divider') return at;
  const { toScreen, fromScreen } = screenMaps(ctx);
  return fromScreen(nearestOnSegment(toScreen(at), toScreen(hit.line.from), toScreen(hit.line.to)));
}

function groupDrag(d: Extract<Drag, { kind: 'group' }>, at: Point, atPx: Point, ctx: GestureContext): RowGroup {
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
      const c = screenMaps(ctx).toScreen(centroid(g.quad));
      return rotateGroup(g, angleAbout(c, atPx) - angleAbout(c, d.fromPx), ctx.aspect);
    }
  }
}

function up(s: GestureState, e: Extract<PointerInput, { type: 'up' }>, ctx: GestureContext): GestureStep {
  const pointers = new Map(s.pointers);
  pointers.delete(e.id);
  const next = { ...s, pointers };
  const d = s.drag;
  if (!d) return { state: next, actions: [] };
  if (d.kind === 'pinch') {
    // The finger left on the glass does nothing until it is lifted too.
    const rest = [...pointers.keys()][0];
    return { state: { ...next, drag: rest === undefined ? null : { kind: 'ignored', pointerId: rest } }, actions: [] };
  }
  if (d.pointerId !== e.id) return { state: next, actions: [] };
  const done = { ...next, drag: null };
  const { toPoint, toScreen } = screenMaps(ctx);
  const at = toPoint(e.px);
  const one = (a: EditorAction | null, state: GestureState = done): GestureStep => ({ state, actions: a ? [a] : [] });
  switch (d.kind) {
    case 'draw': {
      const rect = rectFromDrag(d.from, at);
      return one(rect ? { type: 'add', polygon: rect } : selectAction(d.tapSelects, d.extend, ctx));
    }
    case 'tap':
      return addTap(done, d.at, ctx.tool);
    case 'lasso': {
      const path = [...d.path, at];
      const px = path.map(toScreen);
      const span = Math.max(...px.map((p) => Math.hypot(p[0] - px[0]![0], p[1] - px[0]![1])));
      if (span > TAP_SLOP) return one({ type: 'select', ids: slotsInLasso(ctx.slots, path), mode: d.extend ? 'add' : 'replace' });
      return one(d.startSlot ? selectAction(d.startSlot, true, ctx) : { type: 'select', ids: [], mode: 'replace' });
    }
    case 'corner': {
      const draft = s.draft?.get(d.id);
      return one(draft ? { type: 'change', id: d.id, polygon: [...draft] } : null, { ...done, draft: null });
    }
    case 'move': {
      const cleared = { ...done, draft: null };
      if (d.moved) return one({ type: 'move', ids: d.ids, dx: at[0] - d.from[0], dy: at[1] - d.from[1] }, cleared);
      return one(d.tapToggles ? selectAction(d.tapToggles, true, ctx) : null, cleared);
    }
    case 'group': {
      const g = s.draftGroup;
      // The draft stays on screen until the new row comes down (no flicker back to the old outline).
      if (g && d.moved) return one({ type: 'row-edit', group: g });
      return one(null, { ...done, draftGroup: null });
    }
    case 'pan':
    case 'ignored':
      return one(null);
  }
}

/** A corner placed: the fourth makes a slot (4-corner tool) or a row of slots (row and grid tools). */
function addTap(s: GestureState, at: Point, tool: DrawTool): GestureStep {
  const taps = [...s.taps, at];
  if (taps.length < 4) return { state: { ...s, taps }, actions: [] };
  const action: EditorAction =
    tool === 'quad' ? { type: 'add', polygon: orderCorners(taps) } : { type: 'row-draw', taps, rows: tool === 'grid' ? 2 : 1 };
  return { state: { ...s, taps: [] }, actions: [action] };
}
