import { clamp } from '../occupancy/geometry.ts';
import type { Point, Slot } from '../occupancy/types.ts';
import { applyHomography, invertHomography, squareToQuad, type Quad } from '../occupancy/homography.ts';
import { quadProblem, resolveDividers, splitGrid } from './row-split.ts';
import { allocateIds, firstNumber } from './slot-ids.ts';
import { translatePolygon } from './slot-edits.ts';

/**
 * A row (rows = 1) or block of rows that is still one piece: its slots exist and count, but it moves, turns and
 * resizes as a whole and its dividers can be dragged, until it is split for good. Dividers are kept in the row's own
 * ground coordinate (0..1 through its homography), so they follow the outline when it changes.
 */
export interface RowGroup {
  readonly quad: Quad;
  readonly rows: number;
  readonly cols: number;
  /** Per row, the dividers between its slots: a number where the user placed one, null where it is spaced evenly. */
  readonly colPins: readonly (readonly (number | null)[])[];
  readonly rowPins: readonly (number | null)[];
  /** The slots' ids, row by row. */
  readonly ids: readonly string[];
}

/** A divider is never dragged closer to its neighbour than this share of an even slot. */
const MIN_PART = 0.25;

const unpinned = (n: number) => Array.from({ length: Math.max(0, n - 1) }, () => null);

/** A new group over `quad` (already in row order), numbered after the lot's slots. */
export function newGroup(quad: Quad, rows: number, cols: number, slots: readonly Slot[]): RowGroup {
  return {
    quad,
    rows,
    cols,
    colPins: Array.from({ length: rows }, () => unpinned(cols)),
    rowPins: unpinned(rows),
    ids: allocateIds(
      slots.map((s) => s.id),
      rows * cols,
    ),
  };
}

/**
 * The same outline split into another number of slots. The group keeps its place in the numbering: ids run on from
 * its first id, skipping ids other slots hold. Dividers go back to even spacing.
 */
export function resizeGroup(g: RowGroup, rows: number, cols: number, slots: readonly Slot[]): RowGroup {
  const mine = new Set(g.ids);
  const taken = slots.filter((s) => !mine.has(s.id)).map((s) => s.id);
  return {
    ...g,
    rows,
    cols,
    colPins: Array.from({ length: rows }, () => unpinned(cols)),
    rowPins: unpinned(rows),
    ids: allocateIds(taken, rows * cols, firstNumber(g.ids)),
  };
}

export interface ResolvedDividers {
  readonly cols: number[][];
  readonly rows: number[];
}

export function groupDividers(g: RowGroup): ResolvedDividers {
  return { cols: g.colPins.map((pins) => resolveDividers(pins)), rows: resolveDividers(g.rowPins) };
}

/** The slot polygons, row by row. */
export function groupPolygons(g: RowGroup): Point[][] {
  const d = groupDividers(g);
  return splitGrid(g.quad, g.rows, g.cols, { colDividers: d.cols, rowDividers: d.rows });
}

/**
 * The layout with the group's slots in it: new ones are numbered and named by their id, existing ones keep their
 * name (a rename survives a move), slots the group no longer has (after a smaller count) are gone. The group's slots
 * stay together where the first of them was, or go at the end.
 */
export function placeGroup(slots: readonly Slot[], g: RowGroup, previous: RowGroup | null = null): Slot[] {
  const polygons = groupPolygons(g);
  const owned = new Set([...g.ids, ...(previous?.ids ?? [])]);
  const byId = new Map(slots.map((s) => [s.id, s]));
  const mine: Slot[] = g.ids.map((id, i) => ({ id, name: byId.get(id)?.name ?? id, polygon: polygons[i]! }));
  const at = slots.findIndex((s) => owned.has(s.id));
  const rest = slots.filter((s) => !owned.has(s.id));
  const insertAt = at < 0 ? rest.length : slots.slice(0, at).filter((s) => !owned.has(s.id)).length;
  return [...rest.slice(0, insertAt), ...mine, ...rest.slice(insertAt)];
}

const inFrame = (q: readonly Point[]) => q.every(([x, y]) => x >= 0 && x <= 1 && y >= 0 && y <= 1);

/** Moves the whole group, stopping at the frame's edges. */
export function moveGroup(g: RowGroup, dx: number, dy: number): RowGroup {
  return { ...g, quad: translatePolygon(g.quad, dx, dy) as unknown as Quad };
}

/** Turns the group about its centre by `radians` (clockwise on screen), measured in pixels (`aspect` = width / height). */
export function rotateGroup(g: RowGroup, radians: number, aspect: number): RowGroup {
  const cx = g.quad.reduce((s, p) => s + p[0], 0) / 4;
  const cy = g.quad.reduce((s, p) => s + p[1], 0) / 4;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  const quad = g.quad.map(([x, y]) => {
    const px = (x - cx) * aspect;
    const py = y - cy;
    return [cx + (px * cos - py * sin) / aspect, cy + px * sin + py * cos] as const;
  }) as unknown as Quad;
  return inFrame(quad) ? { ...g, quad } : g;
}

/** Grows or shrinks the group about its centre. */
export function scaleGroup(g: RowGroup, factor: number): RowGroup {
  const cx = g.quad.reduce((s, p) => s + p[0], 0) / 4;
  const cy = g.quad.reduce((s, p) => s + p[1], 0) / 4;
  const quad = g.quad.map(([x, y]) => [cx + (x - cx) * factor, cy + (y - cy) * factor] as const) as unknown as Quad;
  return inFrame(quad) && !quadProblem(quad) ? { ...g, quad } : g;
}

/** Moves one corner of the outline (perspective and size change; dividers follow). Refused if the outline would fold. */
export function moveGroupCorner(g: RowGroup, index: number, to: Point): RowGroup {
  const p: Point = [clamp(to[0], 0, 1), clamp(to[1], 0, 1)];
  const quad = g.quad.map((q, i) => (i === index ? p : q)) as unknown as Quad;
  return quadProblem(quad) ? g : { ...g, quad };
}

/** Where a point of the picture lies in the group's own ground coordinates (u along the row, v across). */
export function groupCoordinates(g: RowGroup, at: Point): Point {
  return applyHomography(invertHomography(squareToQuad(g.quad)), at);
}

/** The range a divider may move in: between its placed neighbours (or the ends), leaving room for the ones between. */
function pinRange(pins: readonly (number | null)[], index: number, parts: number): [number, number] {
  const min = MIN_PART / parts;
  let lo = 0;
  let loAt = -1;
  for (let i = index - 1; i >= 0; i--) {
    if (pins[i] !== null) {
      lo = pins[i]!;
      loAt = i;
      break;
    }
  }
  let hi = 1;
  let hiAt = pins.length;
  for (let i = index + 1; i < pins.length; i++) {
    if (pins[i] !== null) {
      hi = pins[i]!;
      hiAt = i;
      break;
    }
  }
  return [lo + (index - loAt) * min, hi - (hiAt - index) * min];
}

function pin(pins: readonly (number | null)[], index: number, value: number, parts: number): (number | null)[] {
  const [lo, hi] = pinRange(pins, index, parts);
  return pins.map((p, i) => (i === index ? clamp(value, lo, hi) : p));
}

/**
 * Drags divider `index` of row `row` to the picture point `at`: it stays where it is put (the ones not placed by hand
 * spread evenly between placed ones), never crossing a placed neighbour.
 */
export function dragColDivider(g: RowGroup, row: number, index: number, at: Point): RowGroup {
  const [u] = groupCoordinates(g, at);
  const pins = g.colPins[row];
  if (!pins || index < 0 || index >= pins.length || !Number.isFinite(u)) return g;
  return { ...g, colPins: g.colPins.map((p, r) => (r === row ? pin(p, index, u, g.cols) : p)) };
}

/** Drags the divider between rows `index` and `index + 1` to the picture point `at`. */
export function dragRowDivider(g: RowGroup, index: number, at: Point): RowGroup {
  const [, v] = groupCoordinates(g, at);
  if (index < 0 || index >= g.rowPins.length || !Number.isFinite(v)) return g;
  return { ...g, rowPins: pin(g.rowPins, index, v, g.rows) };
}

/** Nudges a divider by `delta` of the row's length (keyboard). */
export function nudgeColDivider(g: RowGroup, row: number, index: number, delta: number): RowGroup {
  const pins = g.colPins[row];
  if (!pins || index < 0 || index >= pins.length) return g;
  const current = resolveDividers(pins)[index]!;
  return { ...g, colPins: g.colPins.map((p, r) => (r === row ? pin(p, index, current + delta, g.cols) : p)) };
}

/** Nudges the divider between rows by `delta` of the block's depth (keyboard). */
export function nudgeRowDivider(g: RowGroup, index: number, delta: number): RowGroup {
  if (index < 0 || index >= g.rowPins.length) return g;
  const current = resolveDividers(g.rowPins)[index]!;
  return { ...g, rowPins: pin(g.rowPins, index, current + delta, g.rows) };
}

/** Every divider back to even spacing. */
export function evenOut(g: RowGroup): RowGroup {
  return { ...g, colPins: g.colPins.map((p) => p.map(() => null)), rowPins: g.rowPins.map(() => null) };
}

export interface DividerLine {
  /** 'col': between two slots of row `row`; 'row': between row `index` and the next. */
  readonly kind: 'col' | 'row';
  readonly row: number;
  readonly index: number;
  readonly from: Point;
  readonly to: Point;
  readonly pinned: boolean;
}

/** The dividers as segments of the picture, for drawing them and their handles. */
export function dividerLines(g: RowGroup): DividerLine[] {
  const h = squareToQuad(g.quad);
  const d = groupDividers(g);
  const vs = [0, ...d.rows, 1];
  const out: DividerLine[] = [];
  d.cols.forEach((us, r) =>
    us.forEach((u, i) =>
      out.push({
        kind: 'col',
        row: r,
        index: i,
        from: applyHomography(h, [u, vs[r]!]),
        to: applyHomography(h, [u, vs[r + 1]!]),
        pinned: g.colPins[r]![i] !== null,
      }),
    ),
  );
  d.rows.forEach((v, i) =>
    out.push({ kind: 'row', row: i, index: i, from: applyHomography(h, [0, v]), to: applyHomography(h, [1, v]), pinned: g.rowPins[i] !== null }),
  );
  return out;
}
