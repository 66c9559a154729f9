import { boundingBox, clamp } from '../occupancy/geometry.ts';
import { cleanName } from '../occupancy/slot-names.ts';
import type { Point, Slot, SlotClosure, SlotKind } from '../occupancy/types.ts';
import type { Quad } from '../occupancy/homography.ts';
import { newGroup, placeGroup, resizeGroup, type RowGroup } from './row-group.ts';
import { MAX_SPLIT, quadProblem } from './row-split.ts';
import { nextSlotId, renumberSlots } from './slot-ids.ts';

/** What the editor edits: the slots, and the row that is still one piece (if any). */
export interface LayoutState {
  readonly slots: readonly Slot[];
  readonly group: RowGroup | null;
}

export type LayoutAction =
  | { readonly type: 'add'; readonly polygon: readonly Point[] }
  | { readonly type: 'change'; readonly id: string; readonly polygon: readonly Point[] }
  | { readonly type: 'rename'; readonly id: string; readonly name: string }
  | { readonly type: 'delete'; readonly ids: readonly string[] }
  | { readonly type: 'move'; readonly ids: readonly string[]; readonly dx: number; readonly dy: number }
  | { readonly type: 'renumber'; readonly ids: readonly string[]; readonly prefix: string; readonly start: number }
  | { readonly type: 'replace'; readonly slots: readonly Slot[] }
  | { readonly type: 'set-attributes'; readonly ids: readonly string[]; readonly patch: SlotPatch }
  | { readonly type: 'row-add'; readonly quad: Quad; readonly rows: number; readonly cols: number }
  | { readonly type: 'row-edit'; readonly group: RowGroup }
  | { readonly type: 'row-resize'; readonly rows: number; readonly cols: number }
  /** The same outline read the other way round (along its other pair of sides), with a new count. */
  | { readonly type: 'row-turn'; readonly quad: Quad; readonly cols: number }
  | { readonly type: 'row-finish' };

/** Moves several slots by the same amount, stopping where the first of them meets a frame edge. */
export function translateSlots(slots: readonly Slot[], ids: readonly string[], dx: number, dy: number): Slot[] {
  const chosen = new Set(ids);
  const points = slots.filter((s) => chosen.has(s.id)).flatMap((s) => s.polygon);
  if (!points.length) return [...slots];
  const b = boundingBox(points);
  const mx = clamp(dx, -b.x, 1 - (b.x + b.w));
  const my = clamp(dy, -b.y, 1 - (b.y + b.h));
  return slots.map((s) => (chosen.has(s.id) ? { ...s, polygon: s.polygon.map(([x, y]) => [x + mx, y + my] as const) } : s));
}

const validSize = (rows: number, cols: number) =>
  Number.isInteger(rows) && Number.isInteger(cols) && rows >= 1 && cols >= 1 && rows * cols <= MAX_SPLIT;

/**
 * One edit of the layout, as a pure step: the same state back (===) when the edit changes nothing, so that the
 * history records nothing. Any edit other than a row's own ends the row as one piece: its slots stay as they are.
 */
/**
 * Zone, kind and closure for a selection of slots: a key that is absent leaves them as they are, `null` clears
 * (no zone, standard, open).
 */
export interface SlotPatch {
  readonly zone?: string | null;
  readonly kind?: SlotKind | null;
  readonly closed?: SlotClosure | null;
}

/** The slot with the patch applied; the same object when nothing changes. */
export function patchSlot(s: Slot, p: SlotPatch): Slot {
  const out: { -readonly [K in keyof Slot]: Slot[K] } = { ...s };
  if (p.zone !== undefined) {
    const zone = p.zone?.trim();
    if (zone) out.zone = zone;
    else delete out.zone;
  }
  if (p.kind !== undefined) {
    if (p.kind && p.kind !== 'standard') out.kind = p.kind;
    else delete out.kind;
  }
  if (p.closed !== undefined) {
    if (p.closed) out.closed = { reason: p.closed.reason.trim(), until: p.closed.until };
    else delete out.closed;
  }
  const same =
    out.zone === s.zone && out.kind === s.kind && out.closed?.reason === s.closed?.reason && out.closed?.until === s.closed?.until;
  return same ? s : out;
}

export function editLayout(state: LayoutState, action: LayoutAction): LayoutState {
  const { slots, group } = state;
  switch (action.type) {
    case 'add': {
      const id = nextSlotId(slots);
      return { slots: [...slots, { id, name: id, polygon: action.polygon }], group: null };
    }
    case 'change': {
      if (!slots.some((s) => s.id === action.id)) return state;
      return { slots: slots.map((s) => (s.id === action.id ? { ...s, polygon: action.polygon } : s)), group: null };
    }
    case 'rename': {
      const name = cleanName(action.name);
      const old = slots.find((s) => s.id === action.id);
      if (!old || !name || old.name === name) return state;
      // A rename keeps the row in one piece: the row keeps names when it is moved.
      return { slots: slots.map((s) => (s.id === action.id ? { ...s, name } : s)), group };
    }
    case 'delete': {
      const gone = new Set(action.ids);
      if (!slots.some((s) => gone.has(s.id))) return state;
      return { slots: slots.filter((s) => !gone.has(s.id)), group: null };
    }
    case 'move': {
      if ((action.dx === 0 && action.dy === 0) || !action.ids.length) return state;
      return { slots: translateSlots(slots, action.ids, action.dx, action.dy), group: null };
    }
    case 'renumber': {
      if (!action.ids.length) return state;
      return { slots: renumberSlots(slots, action.ids, action.prefix, action.start), group };
    }
    case 'replace':
      return { slots: action.slots, group: null };
    case 'set-attributes': {
      const ids = new Set(action.ids);
      const next = slots.map((s) => (ids.has(s.id) ? patchSlot(s, action.patch) : s));
      // Attributes keep the row in one piece, like names.
      return next.every((s, i) => s === slots[i]) ? state : { slots: next, group };
    }
    case 'row-add': {
      if (quadProblem(action.quad) || !validSize(action.rows, action.cols)) return state;
      const g = newGroup(action.quad, action.rows, action.cols, slots);
      return { slots: placeGroup(slots, g), group: g };
    }
    case 'row-edit': {
      if (!group || action.group.ids.join() !== group.ids.join() || quadProblem(action.group.quad)) return state;
      return { slots: placeGroup(slots, action.group, group), group: action.group };
    }
    case 'row-resize': {
      if (!group || (action.rows === group.rows && action.cols === group.cols)) return state;
      if (!validSize(action.rows, action.cols)) return state;
      const g = resizeGroup(group, action.rows, action.cols, slots);
      return { slots: placeGroup(slots, g, group), group: g };
    }
    case 'row-turn': {
      if (!group || quadProblem(action.quad) || !validSize(group.rows, action.cols)) return state;
      const g = resizeGroup({ ...group, quad: action.quad }, group.rows, action.cols, slots);
      return { slots: placeGroup(slots, g, group), group: g };
    }
    case 'row-finish':
      return group ? { slots, group: null } : state;
  }
}
