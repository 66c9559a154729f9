// A layout file brought into a lot that already has slots: replace them, or add to them. Pure.
import { centroid, containsPoint } from '../occupancy/geometry.ts';
import type { Slot } from '../occupancy/types.ts';
import { allocateIds } from './slot-ids.ts';

export type ImportMode = 'replace' | 'add';

/** What each choice would do, in numbers the user can check before choosing. */
export interface ImportPlan {
  /** Slots in the lot now. */
  readonly existing: number;
  /** Slots in the file. */
  readonly incoming: number;
  /** Slots of the file that lie on a slot the lot has (their middles inside one another): added, they count twice. */
  readonly overlapping: number;
}

const overlaps = (a: Slot, b: Slot) => containsPoint(b.polygon, centroid(a.polygon)) || containsPoint(a.polygon, centroid(b.polygon));

export function planImport(existing: readonly Slot[], incoming: readonly Slot[]): ImportPlan {
  return {
    existing: existing.length,
    incoming: incoming.length,
    overlapping: incoming.filter((s) => existing.some((e) => overlaps(s, e))).length,
  };
}

/**
 * The lot after the import. Added slots keep their names unless a slot of the lot has the name already; ids the lot
 * uses are given new ones in its numbering (ids key stored slots and their live state).
 */
export function importSlots(existing: readonly Slot[], incoming: readonly Slot[], mode: ImportMode): Slot[] {
  if (mode === 'replace') return [...incoming];
  const ids = new Set(existing.map((s) => s.id));
  const names = new Set(existing.map((s) => s.name));
  const clashing = incoming.filter((s) => ids.has(s.id));
  const fresh = allocateIds([...ids, ...incoming.map((s) => s.id)], clashing.length);
  const renamed = new Map(clashing.map((s, i) => [s.id, fresh[i]!]));
  const added = incoming.map((s) => {
    const id = renamed.get(s.id) ?? s.id;
    return { ...s, id, name: names.has(s.name) ? id : s.name };
  });
  return [...existing, ...added];
}
