import { describe, expect, it } from 'vitest';
import type { Point, Slot } from '../../src/occupancy/types.ts';
import type { Quad } from '../../src/occupancy/homography.ts';
import {
  dividerLines,
  dragColDivider,
  dragRowDivider,
  evenOut,
  groupCoordinates,
  groupDividers,
  groupPolygons,
  moveGroup,
  moveGroupCorner,
  newGroup,
  nudgeColDivider,
  placeGroup,
  resizeGroup,
  rotateGroup,
} from '../../src/layout/row-group.ts';
import { allocateIds, nextSlotId, renumberSlots } from '../../src/layout/slot-ids.ts';
import { suggestCount } from '../../src/layout/suggest-count.ts';
import { splitRow } from '../../src/layout/row-split.ts';

const rect: Quad = [
  [0.1, 0.2],
  [0.9, 0.2],
  [0.9, 0.3],
  [0.1, 0.3],
];
const slot = (id: string, polygon: readonly Point[] = rect, name = id): Slot => ({ id, name, polygon });
const ids = (slots: readonly Slot[]) => slots.map((s) => s.id);

describe('ids', () => {
  it.each([
    [[], 3, undefined, ['1', '2', '3']],
    [['1', '2'], 2, undefined, ['3', '4']],
    [['7', 'A-1', '3'], 1, undefined, ['8']],
    [['5', '6', '9'], 4, 5, ['7', '8', '10', '11']],
    [['x'], 2, undefined, ['1', '2']],
  ] as [string[], number, number | undefined, string[]][])('taken %j, %i more from %s → %j', (taken, n, from, expected) => {
    expect(allocateIds(taken, n, from)).toEqual(expected);
  });

  it('nextSlotId continues the numbering', () => {
    expect(nextSlotId([slot('2'), slot('10'), slot('B')])).toBe('11');
  });

  it.each([
    ['plain numbers from 1', '', 1, ['1', '2', '3']],
    ['a prefix', 'A-', 1, ['A-1', 'A-2', 'A-3']],
    ['a start', 'B', 40, ['B40', 'B41', 'B42']],
  ])('renumbering names with %s, in layout order; ids stay', (_name, prefix, start, names) => {
    const slots = [slot('9'), slot('4'), slot('7'), slot('1')];
    const out = renumberSlots(slots, ['7', '9', '4'], prefix, start);
    expect(out.map((s) => s.name)).toEqual([...names, '1']);
    expect(ids(out)).toEqual(['9', '4', '7', '1']);
  });
});

describe('row groups', () => {
  const lot = [slot('1'), slot('2'), slot('A')];

  it('a new row is numbered in order, continuing the lot’s numbering, and goes after the other slots', () => {
    const g = newGroup(rect, 1, 4, lot);
    expect(g.ids).toEqual(['3', '4', '5', '6']);
    const slots = placeGroup(lot, g);
    expect(ids(slots)).toEqual(['1', '2', 'A', '3', '4', '5', '6']);
    expect(slots.slice(3).map((s) => s.name)).toEqual(['3', '4', '5', '6']);
    expect(slots[3]!.polygon).toEqual(splitRow(rect, 4)[0]);
  });

  it('a grid is numbered row by row', () => {
    const g = newGroup(rect, 2, 3, []);
    const polys = groupPolygons(g);
    expect(g.ids).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(polys[0]![0]).toEqual([0.1, 0.2]);
    expect(polys[3]![0]![1]).toBeCloseTo(0.25, 12);
  });

  it('ids stay stable when the row is moved, turned, reshaped or its dividers dragged; names survive', () => {
    let g = newGroup(rect, 1, 5, lot);
    let slots = placeGroup(lot, g).map((s) => (s.id === '4' ? { ...s, name: 'Disabled' } : s));
    const before = ids(slots);
    for (const next of [
      moveGroup(g, 0.05, 0.1),
      rotateGroup(g, 0.1, 16 / 9),
      moveGroupCorner(g, 2, [0.95, 0.4]),
      dragColDivider(g, 0, 1, [0.4, 0.25]),
    ]) {
      const placed = placeGroup(slots, next, g);
      expect(ids(placed)).toEqual(before);
      expect(placed.find((s) => s.id === '4')!.name).toBe('Disabled');
      slots = placed;
      g = next;
    }
  });

  it('a new count keeps the row’s place in the numbering and in the list, dropping or adding at its end', () => {
    const g = newGroup(rect, 1, 4, lot);
    const slots = [...placeGroup(lot, g), slot('B')];
    const smaller = resizeGroup(g, 1, 2, slots);
    expect(smaller.ids).toEqual(['3', '4']);
    expect(ids(placeGroup(slots, smaller, g))).toEqual(['1', '2', 'A', '3', '4', 'B']);
    const bigger = resizeGroup(g, 1, 6, slots);
    expect(bigger.ids).toEqual(['3', '4', '5', '6', '7', '8']);
    expect(ids(placeGroup(slots, bigger, g))).toEqual(['1', '2', 'A', '3', '4', '5', '6', '7', '8', 'B']);
  });

  it('a new count skips ids other slots hold', () => {
    const g = newGroup(rect, 1, 2, [slot('1')]); // 2, 3
    const slots = [...placeGroup([slot('1')], g), slot('4')];
    expect(resizeGroup(g, 1, 3, slots).ids).toEqual(['2', '3', '5']);
  });

  it('dragging a divider pins it; the others spread evenly between pinned ones', () => {
    const g = newGroup(rect, 1, 5, []);
    // u = 0.3 along the row is x = 0.1 + 0.8 * 0.3 = 0.34.
    const dragged = dragColDivider(g, 0, 1, [0.34, 0.25]);
    expect(dragged.colPins[0]).toEqual([null, expect.closeTo(0.3, 9), null, null]);
    const d = groupDividers(dragged).cols[0]!;
    [0.15, 0.3, 0.3 + 0.7 / 3, 0.3 + 1.4 / 3].forEach((v, i) => expect(d[i]).toBeCloseTo(v, 9));
    expect(evenOut(dragged).colPins[0]).toEqual([null, null, null, null]);
  });

  it('a divider cannot cross its pinned neighbours, nor squeeze the slots between to nothing', () => {
    let g = newGroup(rect, 1, 4, []);
    g = dragColDivider(g, 0, 0, [0.3, 0.25]); // u 0.25
    g = dragColDivider(g, 0, 2, [0.7, 0.25]); // u 0.75
    const crossed = dragColDivider(g, 0, 1, [0.15, 0.25]); // u 0.0625, left of divider 0
    const u = groupDividers(crossed).cols[0]!;
    expect(u[1]).toBeGreaterThan(u[0]!);
    expect(u[1]! - u[0]!).toBeCloseTo(0.25 / 4, 9);
  });

  it('the dividers of a grid row and between rows move on their own', () => {
    const g = newGroup(rect, 2, 3, []);
    const col = dragColDivider(g, 1, 0, [0.2, 0.28]);
    expect(col.colPins[0]).toEqual([null, null]);
    expect(col.colPins[1]![0]).toBeCloseTo(0.125, 9);
    const row = dragRowDivider(g, 0, [0.5, 0.23]);
    expect(row.rowPins[0]).toBeCloseTo(0.3, 9);
    expect(dividerLines(row).filter((l) => l.kind === 'row')[0]!.from[1]).toBeCloseTo(0.23, 9);
    expect(dividerLines(g)).toHaveLength(2 * 2 + 1);
  });

  it('keyboard nudges a divider by a share of the row', () => {
    const g = nudgeColDivider(newGroup(rect, 1, 2, []), 0, 0, 0.05);
    expect(g.colPins[0]![0]).toBeCloseTo(0.55, 12);
  });

  it('dividers follow the outline when a corner moves (they live in the row’s own coordinates)', () => {
    const g = dragColDivider(newGroup(rect, 1, 2, []), 0, 0, [0.3, 0.25]);
    const moved = moveGroupCorner(g, 1, [0.95, 0.15]);
    const line = dividerLines(moved)[0]!;
    expect(groupCoordinates(moved, line.from)[0]).toBeCloseTo(0.25, 9);
  });

  it('refuses a corner move that would fold the outline, and a turn that leaves the frame', () => {
    const g = newGroup(rect, 1, 2, []);
    expect(moveGroupCorner(g, 2, [0.1, 0.2])).toBe(g);
    expect(moveGroupCorner(g, 0, [0.95, 0.25])).toBe(g);
    expect(rotateGroup(g, Math.PI / 2, 16 / 9)).toBe(g);
  });

  it('turning keeps the row’s shape in pixels', () => {
    const aspect = 16 / 9;
    const g = rotateGroup(newGroup(rect, 1, 2, []), Math.PI / 12, aspect);
    const len = (a: Point, b: Point) => Math.hypot((b[0] - a[0]) * aspect, b[1] - a[1]);
    expect(len(g.quad[0], g.quad[1])).toBeCloseTo(len(rect[0], rect[1]), 9);
    expect(len(g.quad[1], g.quad[2])).toBeCloseTo(len(rect[1], rect[2]), 9);
  });
});

describe('suggestCount', () => {
  const aspect = 16 / 9;
  // A row 0.8 x 16/9 = 1.42 wide and 0.1 deep (in height units).
  it('before any slot is marked: no guess (a typical bay’s shape was off by half on real lots), the user is asked', () => {
    expect(suggestCount(rect, 1, [], aspect)).toBeNull();
  });

  it('from the shape of the slots nearest to it', () => {
    const marked = splitRow([[0.1, 0.5], [0.9, 0.5], [0.9, 0.6], [0.1, 0.6]], 16).map((p, i) => slot(String(i + 1), p));
    expect(suggestCount(rect, 1, marked, aspect)).toBe(16);
    // A double row of the same slots is twice as deep: the same count along it.
    expect(suggestCount([[0.1, 0.2], [0.9, 0.2], [0.9, 0.4], [0.1, 0.4]], 2, marked, aspect)).toBe(16);
  });
});
