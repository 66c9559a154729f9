// The slot overlay's keys: what each key does on the picture, on a slot, on the open row and on its handles. Pure:
// the element passes the key and what is focused, and sends up the actions this returns.
import type { Point, Slot } from '../occupancy/types.ts';
import type { EditorAction } from './editor-actions.ts';
import { moveGroup, moveGroupCorner, nudgeColDivider, nudgeRowDivider, rotateGroup, scaleGroup, type DividerLine, type RowGroup } from './row-group.ts';
import { resizePolygon, translatePolygon } from './slot-edits.ts';
import { FIT, frameToStage, panBy, stageToFrame, zoomAbout, type View } from './view.ts';

/** Arrow-key step in frame units (Shift: the fast one). */
export const NUDGE = 0.005;
export const NUDGE_FAST = 0.02;

export interface Key {
  readonly key: string;
  readonly shift: boolean;
  readonly alt: boolean;
}

/** What a key did: `handled` keys are not passed on (the page must not scroll too). */
export interface KeyResult {
  readonly handled: boolean;
  readonly actions: readonly EditorAction[];
  /** The keyboard's reticle moved here (tap tools). */
  readonly cursor?: Point;
  /** A corner to place where the reticle is (tap tools, Enter). */
  readonly place?: Point;
  /** The focused slot lets go of the focus (Escape). */
  readonly blur?: boolean;
}

const NOT_MINE: KeyResult = { handled: false, actions: [] };
const did = (...actions: EditorAction[]): KeyResult => ({ handled: true, actions });

export function arrowOf(k: Key): Point | null {
  const step = k.shift ? NUDGE_FAST : NUDGE;
  const arrows: Record<string, Point> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
  return arrows[k.key] ?? null;
}

/**
 * The picture itself has the focus while editing: arrows pan (tap tools: they move a reticle, and Enter or Space
 * places a corner there), + and − zoom, 0 fits.
 */
export function stageKey(k: Key, o: { readonly view: View; readonly tapTool: boolean; readonly cursor: Point | null }): KeyResult {
  const a = arrowOf(k);
  if (a && o.tapTool) return moveCursor(a, o.view, o.cursor);
  // 2% of what is in view per press (Shift: 8%); the picture moves the other way, as under a finger.
  if (a) return did({ type: 'view', view: panBy(o.view, [-a[0] * 4, -a[1] * 4]) });
  if ((k.key === 'Enter' || k.key === ' ') && o.tapTool) return { handled: true, actions: [], place: o.cursor ?? stageToFrame(o.view, [0.5, 0.5]) };
  if (k.key === '+' || k.key === '=') return { ...did({ type: 'view', view: zoomAbout(o.view, [0.5, 0.5], 1.5) }), handled: false };
  if (k.key === '-') return { ...did({ type: 'view', view: zoomAbout(o.view, [0.5, 0.5], 1 / 1.5) }), handled: false };
  if (k.key === '0') return { ...did({ type: 'view', view: FIT }), handled: false };
  return NOT_MINE;
}

/** Moves the keyboard's reticle by 2% of what is in view (Shift: 8%), panning to keep it in view. */
function moveCursor(a: Point, v: View, cursor: Point | null): KeyResult {
  const from = cursor ?? stageToFrame(v, [0.5, 0.5]);
  const at: Point = [Math.min(1, Math.max(0, from[0] + (a[0] * 4) / v.zoom)), Math.min(1, Math.max(0, from[1] + (a[1] * 4) / v.zoom))];
  const s = frameToStage(v, at);
  const margin = 0.05;
  const dx = s[0] < margin ? s[0] - margin : s[0] > 1 - margin ? s[0] - (1 - margin) : 0;
  const dy = s[1] < margin ? s[1] - margin : s[1] > 1 - margin ? s[1] - (1 - margin) : 0;
  const actions: EditorAction[] = dx || dy ? [{ type: 'view', view: panBy(v, [-dx, -dy]) }] : [];
  return { handled: true, actions, cursor: at };
}

/**
 * A focused slot: arrows move it (Alt: resize it; with others selected, all of them), Delete removes it (or all
 * selected), Enter or Space selects it (Shift: in or out of the selection), Escape lets go.
 */
export function slotKey(k: Key, slot: Slot, o: { readonly editing: boolean; readonly selection: readonly string[] }): KeyResult {
  const a = arrowOf(k);
  const together = o.selection.includes(slot.id) && o.selection.length > 1;
  if (a && o.editing) {
    if (together) return did({ type: 'move', ids: [...o.selection], dx: a[0], dy: a[1] });
    const polygon = k.alt ? resizePolygon(slot.polygon, a[0], a[1]) : translatePolygon(slot.polygon, a[0], a[1]);
    return did({ type: 'change', id: slot.id, polygon });
  }
  if ((k.key === 'Delete' || k.key === 'Backspace') && o.editing) {
    return did({ type: 'delete', ids: together ? [...o.selection] : [slot.id] });
  }
  if (k.key === 'Escape') return { handled: false, actions: [{ type: 'select', ids: [], mode: 'replace' }], blur: true };
  if (k.key === 'Enter' || k.key === ' ') return did({ type: 'select', ids: [slot.id], mode: k.shift ? 'toggle' : 'replace' });
  return NOT_MINE;
}

/**
 * The open row (its outline or its knobs): arrows move it, Alt+arrows scale it, [ and ] turn it (Shift: 5°),
 * + and − change its count, Enter finishes it.
 */
export function rowKey(k: Key, g: RowGroup, aspect: number): KeyResult {
  const a = arrowOf(k);
  const turn = (k.shift ? 5 : 1) * (Math.PI / 180);
  const edit = (next: RowGroup) => (next === g ? { handled: true, actions: [] } : did({ type: 'row-edit', group: next }));
  if (a && k.alt) return edit(scaleGroup(g, a[0] + -a[1] > 0 ? 1.02 : 1 / 1.02));
  if (a) return edit(moveGroup(g, a[0], a[1]));
  if (k.key === '[') return edit(rotateGroup(g, -turn, aspect));
  if (k.key === ']') return edit(rotateGroup(g, turn, aspect));
  if (k.key === '+' || k.key === '=') return did({ type: 'row-resize', rows: g.rows, cols: g.cols + 1 });
  if (k.key === '-') return did({ type: 'row-resize', rows: g.rows, cols: Math.max(1, g.cols - 1) });
  if (k.key === 'Enter') return did({ type: 'row-finish' });
  return NOT_MINE;
}

/** A corner handle of the open row: arrows move that corner, finely. */
export function rowCornerKey(k: Key, g: RowGroup, index: number): KeyResult {
  const a = arrowOf(k);
  if (!a) return NOT_MINE;
  const c = g.quad[index]!;
  return did({ type: 'row-edit', group: moveGroupCorner(g, index, [c[0] + a[0] / 5, c[1] + a[1] / 5]) });
}

/** A divider's handle: left and right (between slots) or up and down (between rows) move it (Shift: faster). */
export function dividerKey(k: Key, g: RowGroup, d: DividerLine): KeyResult {
  const step = k.shift ? 0.05 : 0.01;
  const delta: Record<string, number> = d.kind === 'col' ? { ArrowLeft: -step / g.cols, ArrowRight: step / g.cols } : { ArrowUp: -step, ArrowDown: step };
  const by = delta[k.key];
  if (by === undefined) return NOT_MINE;
  return did({ type: 'row-edit', group: d.kind === 'col' ? nudgeColDivider(g, d.row, d.index, by * 5) : nudgeRowDivider(g, d.index, by) });
}
