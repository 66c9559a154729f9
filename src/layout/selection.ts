import { centroid, containsPoint } from '../occupancy/geometry.ts';
import type { Point, Slot } from '../occupancy/types.ts';

/** The slots a lasso takes: those whose centre lies inside the drawn path (closed back to its start). */
export function slotsInLasso(slots: readonly Slot[], path: readonly Point[]): string[] {
  if (path.length < 3) return [];
  return slots.filter((s) => containsPoint(path, centroid(s.polygon))).map((s) => s.id);
}

/** Adds an id to a selection, or takes it out when it is already in (shift-click, or a tap in "select" mode). */
export function toggleInSelection(selection: readonly string[], id: string): string[] {
  return selection.includes(id) ? selection.filter((s) => s !== id) : [...selection, id];
}

/** The union of two selections, in the order the ids were first chosen. */
export function mergeSelection(selection: readonly string[], ids: readonly string[]): string[] {
  return [...new Set([...selection, ...ids])];
}
