import { describe, expect, it } from 'vitest';
import type { Point, Slot } from '../../src/occupancy/types.ts';
import type { Quad } from '../../src/occupancy/homography.ts';
import { canRedo, canUndo, record, redo, startHistory, undo } from '../../src/layout/history.ts';
import { editLayout, translateSlots, type LayoutAction, type LayoutState } from '../../src/layout/layout-edits.ts';
import { dragColDivider, moveGroup } from '../../src/layout/row-group.ts';
import { mergeSelection, slotsInLasso, toggleInSelection } from '../../src/layout/selection.ts';
import { clampView, FIT, frameToStage, MAX_ZOOM, panBy, pinchView, stageToFrame, viewOf, zoomAbout } from '../../src/layout/view.ts';

const box = (x: number, y: number, w = 0.1, h = 0.1): Point[] => [
  [x, y],
  [x + w, y],
  [x + w, y + h],
  [x, y + h],
];
const slot = (id: string, polygon = box(0.1, 0.1)): Slot => ({ id, name: id, polygon });
const row: Quad = [
  [0.1, 0.5],
  [0.9, 0.5],
  [0.9, 0.6],
  [0.1, 0.6],
];
const empty: LayoutState = { slots: [], group: null };

describe('history', () => {
  it('undoes and redoes, and a new edit drops what was undone', () => {
    let h = startHistory(0);
    h = record(h, 1);
    h = record(h, 2);
    expect(h.present).toBe(2);
    h = undo(h);
    expect([h.present, canUndo(h), canRedo(h)]).toEqual([1, true, true]);
    h = redo(h);
    expect(h.present).toBe(2);
    h = record(undo(undo(h)), 5);
    expect([h.present, h.past, h.future]).toEqual([5, [0], []]);
  });

  it('records nothing for an edit that changed nothing, and undo/redo at the ends change nothing', () => {
    const h = startHistory({ a: 1 });
    expect(record(h, h.present)).toBe(h);
    expect(undo(h)).toBe(h);
    expect(redo(h)).toBe(h);
  });

  it('keeps at most `limit` steps back', () => {
    let h = startHistory(0);
    for (let i = 1; i <= 10; i++) h = record(h, i, 3);
    expect(h.past).toEqual([7, 8, 9]);
  });
});

describe('editLayout', () => {
  const two: LayoutState = { slots: [slot('1', box(0.1, 0.1)), slot('2', box(0.5, 0.1))], group: null };
  it.each([
    ['add numbers the new slot', { type: 'add', polygon: box(0.3, 0.3) }, ['1', '2', '3']],
    ['delete several', { type: 'delete', ids: ['1', '2'] }, []],
    ['replace (an import)', { type: 'replace', slots: [slot('7')] }, ['7']],
  ] as [string, LayoutAction, string[]][])('%s', (_name, action, expected) => {
    expect(editLayout(two, action).slots.map((s) => s.id)).toEqual(expected);
  });

  it.each([
    ['a move by nothing', { type: 'move', ids: ['1'], dx: 0, dy: 0 }],
    ['deleting an unknown slot', { type: 'delete', ids: ['9'] }],
    ['changing an unknown slot', { type: 'change', id: '9', polygon: box(0, 0) }],
    ['renaming to the same name', { type: 'rename', id: '1', name: ' 1 ' }],
    ['renaming to nothing', { type: 'rename', id: '1', name: '  ' }],
    ['finishing when no row is open', { type: 'row-finish' }],
    ['a row with a folded outline', { type: 'row-add', quad: [row[0], row[2], row[1], row[3]], rows: 1, cols: 3 }],
    ['a row of 0 slots', { type: 'row-add', quad: row, rows: 1, cols: 0 }],
  ] as [string, LayoutAction][])('%s changes nothing (the very same state)', (_name, action) => {
    expect(editLayout(two, action)).toBe(two);
  });

  it('moves several slots together, stopping where the first meets the frame edge', () => {
    const out = translateSlots(two.slots, ['1', '2'], -0.5, 0.05);
    expect(out[0]!.polygon[0]).toEqual([0, expect.closeTo(0.15, 12)]);
    expect(out[1]!.polygon[0]![0]).toBeCloseTo(0.4, 12);
  });

  it('renumbers names without touching ids', () => {
    const out = editLayout(two, { type: 'renumber', ids: ['2', '1'], prefix: 'P', start: 10 });
    expect(out.slots.map((s) => [s.id, s.name])).toEqual([
      ['1', 'P10'],
      ['2', 'P11'],
    ]);
  });

  it('a row: added, resized, edited, finished — undo walks back through each step', () => {
    let h = startHistory<LayoutState>(two);
    const step = (a: LayoutAction) => (h = record(h, editLayout(h.present, a)));
    step({ type: 'row-add', quad: row, rows: 1, cols: 4 });
    expect(h.present.slots.map((s) => s.id)).toEqual(['1', '2', '3', '4', '5', '6']);
    step({ type: 'row-resize', rows: 1, cols: 5 });
    expect(h.present.group!.ids).toEqual(['3', '4', '5', '6', '7']);
    step({ type: 'row-edit', group: dragColDivider(h.present.group!, 0, 0, [0.3, 0.55]) });
    step({ type: 'row-edit', group: moveGroup(h.present.group!, 0, -0.1) });
    expect(h.present.slots[2]!.polygon[0]![1]).toBeCloseTo(0.4, 12);
    step({ type: 'row-finish' });
    expect(h.present.group).toBeNull();
    expect(h.past).toHaveLength(5);
    h = undo(h);
    expect(h.present.group).not.toBeNull();
    h = undo(undo(undo(undo(h))));
    expect(h.present).toBe(two);
  });

  it('any other edit ends the row as one piece; a rename does not', () => {
    const open = editLayout(empty, { type: 'row-add', quad: row, rows: 1, cols: 3 });
    expect(editLayout(open, { type: 'rename', id: '2', name: 'B' }).group).toBe(open.group);
    expect(editLayout(open, { type: 'add', polygon: box(0.1, 0.1) }).group).toBeNull();
  });

  it('a row edit must keep the row’s ids', () => {
    const open = editLayout(empty, { type: 'row-add', quad: row, rows: 1, cols: 3 });
    expect(editLayout(open, { type: 'row-edit', group: { ...open.group!, ids: ['7', '8', '9'] } })).toBe(open);
  });
});

describe('selection', () => {
  const slots = [slot('1', box(0.1, 0.1)), slot('2', box(0.5, 0.1)), slot('3', box(0.1, 0.6))];
  it('a lasso takes the slots whose centre it encloses', () => {
    expect(slotsInLasso(slots, box(0, 0, 0.4, 0.4))).toEqual(['1']);
    expect(slotsInLasso(slots, [[0, 0], [1, 0], [0, 1]])).toEqual(['1', '2', '3']);
    expect(slotsInLasso(slots, [[0, 0], [1, 1]])).toEqual([]);
  });
  it('toggling and merging', () => {
    expect(toggleInSelection(['1', '2'], '1')).toEqual(['2']);
    expect(toggleInSelection(['2'], '3')).toEqual(['2', '3']);
    expect(mergeSelection(['2', '1'], ['1', '3'])).toEqual(['2', '1', '3']);
  });
});

describe('view', () => {
  it('keeps the zoom in range and the visible part in the frame', () => {
    expect(clampView({ zoom: 0.5, x: 0.3, y: -1 })).toEqual(FIT);
    expect(clampView({ zoom: 100, x: 2, y: 0.5 })).toEqual({ zoom: MAX_ZOOM, x: 1 - 1 / MAX_ZOOM, y: 0.5 });
  });

  it('zooming keeps the point under the cursor still', () => {
    const v = zoomAbout(FIT, [0.25, 0.75], 4);
    expect(v.zoom).toBe(4);
    const f = stageToFrame(v, [0.25, 0.75]);
    expect(f[0]).toBeCloseTo(0.25, 12);
    expect(f[1]).toBeCloseTo(0.75, 12);
    expect(frameToStage(v, f)[0]).toBeCloseTo(0.25, 12);
  });

  it('a pinch follows the fingers: apart doubles the zoom, the point between them stays between them', () => {
    const size: Point = [400, 200];
    const v = pinchView(FIT, size, [[150, 100], [250, 100]], [[100, 100], [300, 100]]);
    expect(v.zoom).toBeCloseTo(2, 12);
    expect(stageToFrame(v, [0.5, 0.5])[0]).toBeCloseTo(0.5, 12);
    // Two fingers moving together pan.
    const panned = pinchView(v, size, [[100, 100], [300, 100]], [[60, 100], [260, 100]]);
    expect(panned.zoom).toBeCloseTo(2, 12);
    expect(panned.x).toBeCloseTo(v.x + 0.1 / 2, 12);
  });

  it('panning moves the picture with the finger, within the frame', () => {
    const v = { zoom: 4, x: 0.5, y: 0.5 };
    expect(panBy(v, [0.2, 0])).toEqual({ zoom: 4, x: 0.45, y: 0.5 });
    expect(panBy(v, [-4, 0]).x).toBe(0.75);
  });

  it('shows a box as large as it can', () => {
    const v = viewOf({ x: 0.4, y: 0.4, w: 0.1, h: 0.05 }, 0);
    expect(v.zoom).toBeCloseTo(10, 9);
    expect(v.x).toBeCloseTo(0.4, 9);
  });
});

describe('zone, kind and closure of selected slots', () => {
  it('sets them on the selected slots only, clears them with null, and changes nothing (same state) when nothing differs', async () => {
    const { editLayout } = await import('../../src/layout/layout-edits.ts');
    const sq: [number, number][] = [[0, 0], [0.1, 0], [0.1, 0.1], [0, 0.1]];
    const state = { slots: [{ id: '1', name: '1', polygon: sq }, { id: '2', name: '2', polygon: sq }, { id: '3', name: '3', polygon: sq }], group: null };
    const set = editLayout(state, { type: 'set-attributes', ids: ['1', '2'], patch: { zone: ' Level 1 ', kind: 'ev', closed: { reason: 'works', until: 5 } } });
    expect(set.slots.map((s) => [s.zone, s.kind, s.closed])).toEqual([
      ['Level 1', 'ev', { reason: 'works', until: 5 }],
      ['Level 1', 'ev', { reason: 'works', until: 5 }],
      [undefined, undefined, undefined],
    ]);
    expect(editLayout(set, { type: 'set-attributes', ids: ['1'], patch: { zone: 'Level 1', kind: 'ev' } })).toBe(set);
    const cleared = editLayout(set, { type: 'set-attributes', ids: ['1'], patch: { zone: null, kind: 'standard', closed: null } });
    expect(Object.keys(cleared.slots[0]!)).toEqual(['id', 'name', 'polygon']);
    expect(cleared.slots[1]).toBe(set.slots[1]);
  });
});
