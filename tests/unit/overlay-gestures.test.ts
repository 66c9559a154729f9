// The slot overlay's gestures and keys, without a browser: pointer input in stage pixels in, editor actions out.
import { describe, expect, it } from 'vitest';
import type { EditorAction } from '../../src/layout/editor-actions.ts';
import type { Quad } from '../../src/occupancy/homography.ts';
import type { Point, Slot } from '../../src/occupancy/types.ts';
import {
  IDLE,
  rowHandles,
  screenMaps,
  stepGesture,
  viewDuringDrag,
  type GestureContext,
  type GestureState,
  type PointerInput,
} from '../../src/layout/overlay-gestures.ts';
import { dividerKey, NUDGE, NUDGE_FAST, rowCornerKey, rowKey, slotKey, stageKey } from '../../src/layout/overlay-keys.ts';
import { newGroup } from '../../src/layout/row-group.ts';
import { FIT } from '../../src/layout/view.ts';

// A 400x200 stage showing the whole frame: frame point (x, y) is at (400x, 200y) px.
const STAGE: Point = [400, 200];
const px = (x: number, y: number): Point => [x * 400, y * 200];
const square = (id: string, x: number, y: number, s = 0.1): Slot => ({
  id,
  name: id,
  polygon: [
    [x, y],
    [x + s, y],
    [x + s, y + s],
    [x, y + s],
  ],
});
const A = square('a', 0.1, 0.1);
/** An open row across the middle of the frame, four slots long. */
const ROW = [
  [0.2, 0.4],
  [0.8, 0.4],
  [0.8, 0.6],
  [0.2, 0.6],
] as unknown as Quad;
const B = square('b', 0.5, 0.5);

const ctx = (o: Partial<GestureContext> = {}): GestureContext => ({
  editing: true,
  tool: 'rect',
  slots: [A, B],
  selection: [],
  group: null,
  view: FIT,
  stage: STAGE,
  aspect: 2,
  spaceHeld: false,
  ...o,
});

/** Runs inputs through the machine; returns the last state and every action sent. */
function run(inputs: PointerInput[], c: GestureContext, from: GestureState = IDLE) {
  let state = from;
  const actions: EditorAction[] = [];
  for (const i of inputs) {
    const r = stepGesture(state, i, c);
    state = r.state;
    actions.push(...r.actions);
  }
  return { state, actions };
}

const down = (p: Point, o: Partial<Extract<PointerInput, { type: 'down' }>> = {}): PointerInput => ({
  type: 'down',
  id: 1,
  button: 0,
  px: p,
  shift: false,
  slot: null,
  ...o,
});
const move = (p: Point, id = 1): PointerInput => ({ type: 'move', id, px: p });
const up = (p: Point, id = 1): PointerInput => ({ type: 'up', id, px: p });

describe('overlay gestures', () => {
  it('counting (not editing): a tap on a slot selects it, a tap on the selected one lets go of it, nothing is tracked', () => {
    const r = run([down(px(0.15, 0.15), { slot: 'a' })], ctx({ editing: false }));
    expect(r.actions).toEqual([{ type: 'select', ids: ['a'], mode: 'replace' }]);
    expect(r.state.pointers.size).toBe(0);
    expect(run([down(px(0.15, 0.15), { slot: 'a' })], ctx({ editing: false, selection: ['a'] })).actions).toEqual([
      { type: 'select', ids: [], mode: 'replace' },
    ]);
    expect(run([down(px(0.15, 0.15), { slot: 'a' })], ctx({ editing: false, selection: ['b'] })).actions).toEqual([
      { type: 'select', ids: ['a'], mode: 'replace' },
    ]);
  });

  it('rectangle tool: a tap on the selected slot lets go of it, a drag moves it', () => {
    const c = ctx({ selection: ['b'] });
    expect(run([down(px(0.55, 0.55), { slot: 'b' }), up(px(0.55, 0.55))], c).actions).toEqual([{ type: 'select', ids: ['b'], mode: 'toggle' }]);
    expect(run([down(px(0.55, 0.55), { slot: 'b' }), move(px(0.6, 0.6)), up(px(0.6, 0.6))], c).actions.map((a) => a.type)).toEqual(['move']);
  });

  it('rectangle tool: a drag draws a slot; a tap on a slot selects it instead', () => {
    const drawn = run([down(px(0.3, 0.3)), move(px(0.35, 0.34)), move(px(0.4, 0.45)), up(px(0.4, 0.45))], ctx());
    expect(drawn.actions).toHaveLength(1);
    const a = drawn.actions[0]!;
    expect(a.type).toBe('add');
    expect(a.type === 'add' && a.polygon.map(([x, y]) => [+x.toFixed(3), +y.toFixed(3)])).toEqual([
      [0.3, 0.3],
      [0.4, 0.3],
      [0.4, 0.45],
      [0.3, 0.45],
    ]);
    expect(drawn.state.drag).toBeNull();
    const tapped = run([down(px(0.15, 0.15), { slot: 'a' }), up(px(0.15, 0.15))], ctx());
    expect(tapped.actions).toEqual([{ type: 'select', ids: ['a'], mode: 'replace' }]);
  });

  it('a selected slot is dragged as a draft and moved once on release', () => {
    const c = ctx({ selection: ['b'] });
    const mid = run([down(px(0.55, 0.55), { slot: 'b' }), move(px(0.6, 0.6))], c);
    expect(mid.state.drag?.kind).toBe('move');
    expect(mid.state.draft?.get('b')?.[0]).toEqual([expect.closeTo(0.55, 6), expect.closeTo(0.55, 6)]);
    const done = run([up(px(0.6, 0.6))], c, mid.state);
    expect(done.actions).toEqual([{ type: 'move', ids: ['b'], dx: expect.closeTo(0.05, 6), dy: expect.closeTo(0.05, 6) }]);
    expect(done.state.draft).toBeNull();
  });

  it('the corner of the one selected slot is dragged to a new place', () => {
    const c = ctx({ selection: ['b'] });
    const r = run([down(px(0.6, 0.6)), move(px(0.7, 0.65)), up(px(0.7, 0.65))], c);
    expect(r.actions).toHaveLength(1);
    const a = r.actions[0]!;
    expect(a.type === 'change' && a.id).toBe('b');
    expect(a.type === 'change' && a.polygon).toContainEqual([expect.closeTo(0.7, 6), expect.closeTo(0.65, 6)]);
  });

  it('corner tools: four taps make a slot (4 corners), a row or a block of two rows', () => {
    const taps = [px(0.2, 0.2), px(0.4, 0.2), px(0.4, 0.3), px(0.2, 0.3)].flatMap((p) => [down(p), up(p)]);
    const quad = run(taps, ctx({ tool: 'quad' }));
    expect(quad.actions.map((a) => a.type)).toEqual(['add']);
    expect(quad.state.taps).toEqual([]);
    const row = run(taps, ctx({ tool: 'row' }));
    expect(row.actions).toEqual([{ type: 'row-draw', taps: expect.any(Array), rows: 1 }]);
    expect(run(taps, ctx({ tool: 'grid' })).actions).toEqual([{ type: 'row-draw', taps: expect.any(Array), rows: 2 }]);
    // Three taps wait for the fourth; Escape drops them.
    const three = run(taps.slice(0, 6), ctx({ tool: 'row' }));
    expect(three.state.taps).toHaveLength(3);
    expect(run([{ type: 'clear-taps' }], ctx(), three.state).state.taps).toEqual([]);
    // The keyboard places corners too.
    const keyed = run([0, 1, 2, 3].map((i) => ({ type: 'place', at: [0.1 * i, 0.5] as Point })), ctx({ tool: 'row' }));
    expect(keyed.actions.map((a) => a.type)).toEqual(['row-draw']);
  });

  it('select tool: a loop selects the slots inside it; a short one on a slot toggles it; Shift adds', () => {
    const loop = [px(0.05, 0.05), px(0.3, 0.05), px(0.3, 0.3), px(0.05, 0.3)];
    const r = run([down(loop[0]!), ...loop.slice(1).map((p) => move(p)), up(loop[0]!)], ctx({ tool: 'select' }));
    expect(r.actions).toEqual([{ type: 'select', ids: ['a'], mode: 'replace' }]);
    const shift = run([down(loop[0]!, { shift: true }), ...loop.slice(1).map((p) => move(p)), up(loop[0]!)], ctx({ tool: 'select' }));
    expect(shift.actions).toEqual([{ type: 'select', ids: ['a'], mode: 'add' }]);
    const tap = run([down(px(0.55, 0.55), { slot: 'b' }), up(px(0.55, 0.55))], ctx({ tool: 'select', selection: ['a'] }));
    expect(tap.actions).toEqual([{ type: 'select', ids: ['b'], mode: 'toggle' }]);
    const none = run([down(px(0.9, 0.1)), up(px(0.9, 0.1))], ctx({ tool: 'select', selection: ['a'] }));
    expect(none.actions).toEqual([{ type: 'select', ids: [], mode: 'replace' }]);
  });

  it('two fingers pinch the view; the first finger’s draw is dropped, and the finger left behind does nothing', () => {
    const c = ctx();
    const r = run([down(px(0.4, 0.5), { id: 1 }), move(px(0.42, 0.5)), down(px(0.6, 0.5), { id: 2 }), move(px(0.3, 0.5), 1), move(px(0.7, 0.5), 2)], c);
    expect(r.state.drag?.kind).toBe('pinch');
    const v = viewDuringDrag(r.state, c);
    // The fingers went from 72 px apart (168 and 240) to 160 px apart.
    expect(v?.zoom).toBeCloseTo(160 / 72, 6);
    const lifted = run([up(px(0.7, 0.5), 2)], c, r.state);
    expect(lifted.state.drag).toEqual({ kind: 'ignored', pointerId: 1 });
    const after = run([move(px(0.1, 0.1), 1), up(px(0.1, 0.1), 1)], c, lifted.state);
    expect(after.actions).toEqual([]);
    expect(after.state.drag).toBeNull();
    expect(after.state.pointers.size).toBe(0);
  });

  it('the right button, or Space with the left, pans', () => {
    const c = ctx({ view: { x: 0.25, y: 0.25, zoom: 2 } });
    const r = run([down(px(0.5, 0.5), { button: 2 }), move(px(0.4, 0.5))], c);
    expect(r.state.drag?.kind).toBe('pan');
    // A tenth of the stage to the left at zoom 2: the view moves a twentieth of the frame to the right.
    expect(viewDuringDrag(r.state, c)?.x).toBeCloseTo(0.3, 6);
    expect(run([down(px(0.5, 0.5)), move(px(0.4, 0.5))], ctx({ spaceHeld: true })).state.drag?.kind).toBe('pan');
  });

  it('the open row: its corner is dragged as a draft and sent once as a row edit; a cancelled press leaves nothing', () => {
    const group = newGroup(ROW, 1, 4, []);
    const c = ctx({ group, tool: 'row' });
    const h = rowHandles(group, c)!;
    const corner = screenMaps(c).toScreen(h.corners[1]!);
    const r = run([down(corner), move([corner[0] + 20, corner[1] - 10])], c);
    expect(r.state.drag?.kind).toBe('group');
    expect(r.state.draftGroup?.quad[1]![0]).toBeCloseTo(0.85, 6);
    const done = run([up([corner[0] + 20, corner[1] - 10])], c, r.state);
    expect(done.actions.map((a) => a.type)).toEqual(['row-edit']);
    // The draft stays until the new row comes down.
    expect(done.state.draftGroup).not.toBeNull();
    expect(run([{ type: 'group-changed' }], c, done.state).state.draftGroup).toBeNull();
    const cancelled = run([{ type: 'cancel', id: 1 }], c, r.state);
    expect(cancelled.state).toMatchObject({ drag: null, draft: null, draftGroup: null });
    expect(cancelled.state.pointers.size).toBe(0);
  });
});

describe('overlay keys', () => {
  const k = (key: string, o: { shift?: boolean; alt?: boolean } = {}) => ({ key, shift: o.shift ?? false, alt: o.alt ?? false });

  it('on a slot: arrows move it (Shift faster, Alt resizes), with others selected all move; Delete removes; Escape lets go', () => {
    const right = slotKey(k('ArrowRight'), A, { editing: true, selection: [] });
    expect(right.handled).toBe(true);
    const a = right.actions[0]!;
    expect(a.type === 'change' && a.polygon[0]).toEqual([0.1 + NUDGE, 0.1]);
    const fast = slotKey(k('ArrowDown', { shift: true }), A, { editing: true, selection: [] }).actions[0]!;
    expect(fast.type === 'change' && fast.polygon[0]![1]).toBeCloseTo(0.1 + NUDGE_FAST, 9);
    expect(slotKey(k('ArrowLeft'), A, { editing: true, selection: ['a', 'b'] }).actions).toEqual([{ type: 'move', ids: ['a', 'b'], dx: -NUDGE, dy: 0 }]);
    expect(slotKey(k('Delete'), A, { editing: true, selection: ['a', 'b'] }).actions).toEqual([{ type: 'delete', ids: ['a', 'b'] }]);
    expect(slotKey(k('Backspace'), A, { editing: true, selection: [] }).actions).toEqual([{ type: 'delete', ids: ['a'] }]);
    // Counting: arrows and Delete do nothing to the layout, Enter still selects (for a correction).
    expect(slotKey(k('ArrowRight'), A, { editing: false, selection: [] }).handled).toBe(false);
    expect(slotKey(k('Delete'), A, { editing: false, selection: [] }).actions).toEqual([]);
    expect(slotKey(k('Enter'), A, { editing: false, selection: [] }).actions).toEqual([{ type: 'select', ids: ['a'], mode: 'replace' }]);
    expect(slotKey(k(' ', { shift: true }), A, { editing: true, selection: ['b'] }).actions).toEqual([{ type: 'select', ids: ['a'], mode: 'toggle' }]);
    expect(slotKey(k('Escape'), A, { editing: true, selection: ['a'] })).toMatchObject({ blur: true, actions: [{ type: 'select', ids: [] }] });
  });

  it('on the picture: arrows pan (tap tools: move a reticle, Enter places a corner), + − 0 zoom', () => {
    const pan = stageKey(k('ArrowRight'), { view: FIT, tapTool: false, cursor: null });
    expect(pan.actions).toEqual([{ type: 'view', view: expect.objectContaining({ zoom: 1 }) }]);
    const reticle = stageKey(k('ArrowRight'), { view: FIT, tapTool: true, cursor: null });
    expect(reticle.cursor).toEqual([0.5 + 4 * NUDGE, 0.5]);
    expect(stageKey(k('Enter'), { view: FIT, tapTool: true, cursor: [0.2, 0.3] }).place).toEqual([0.2, 0.3]);
    const zoom = stageKey(k('+'), { view: FIT, tapTool: false, cursor: null }).actions[0]!;
    expect(zoom.type === 'view' && zoom.view.zoom).toBeCloseTo(1.5, 9);
    expect(stageKey(k('0'), { view: { x: 0.2, y: 0.2, zoom: 2 }, tapTool: false, cursor: null }).actions).toEqual([{ type: 'view', view: FIT }]);
    expect(stageKey(k('x'), { view: FIT, tapTool: false, cursor: null }).handled).toBe(false);
  });

  it('on the open row: arrows move it, [ ] turn it, + − change its count, Enter finishes; corners and dividers nudge', () => {
    const g = newGroup(ROW, 1, 4, []);
    const moved = rowKey(k('ArrowUp'), g, 2).actions[0]!;
    expect(moved.type === 'row-edit' && moved.group.quad[0]![1]).toBeCloseTo(0.4 - NUDGE, 9);
    const turned = rowKey(k(']'), g, 2).actions[0]!;
    expect(turned.type === 'row-edit' && turned.group.quad[0]).not.toEqual(g.quad[0]);
    expect(rowKey(k('+'), g, 2).actions).toEqual([{ type: 'row-resize', rows: 1, cols: 5 }]);
    expect(rowKey(k('-'), newGroup(ROW, 1, 1, []), 2).actions).toEqual([{ type: 'row-resize', rows: 1, cols: 1 }]);
    expect(rowKey(k('Enter'), g, 2).actions).toEqual([{ type: 'row-finish' }]);
    const corner = rowCornerKey(k('ArrowLeft'), g, 2).actions[0]!;
    expect(corner.type === 'row-edit' && corner.group.quad[2]![0]).toBeCloseTo(0.8 - NUDGE / 5, 9);
    const h = rowHandles(g, { view: FIT, stage: STAGE, editing: true, slots: [] })!;
    const divider = dividerKey(k('ArrowRight'), g, h.dividers[0]!).actions[0]!;
    expect(divider.type).toBe('row-edit');
    expect(dividerKey(k('ArrowUp'), g, h.dividers[0]!).handled).toBe(false);
  });
});
