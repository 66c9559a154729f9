import type { Slot } from '../occupancy/types.ts';

const NUMERIC = /^\d+$/;

/**
 * n new ids in the lot's numbering ("1", "2", …), none of them in `taken`: counting up from `from`, or from one more
 * than the largest numeric id taken. Ids that are not numbers ("A-3") are left alone and never reused.
 */
export function allocateIds(taken: Iterable<string>, n: number, from?: number): string[] {
  const used = new Set(taken);
  let next = from ?? [...used].reduce((m, id) => (NUMERIC.test(id) ? Math.max(m, Number(id)) : m), 0) + 1;
  const out: string[] = [];
  while (out.length < n) {
    const id = String(next++);
    if (!used.has(id)) out.push(id);
  }
  return out;
}

/** The next id in the lot's numbering: one more than the largest numeric id. */
export function nextSlotId(slots: readonly Slot[]): string {
  return allocateIds(
    slots.map((s) => s.id),
    1,
  )[0]!;
}

/** The first id of a list as a number, when it is one. */
export function firstNumber(ids: readonly string[]): number | undefined {
  const first = ids[0];
  return first !== undefined && NUMERIC.test(first) ? Number(first) : undefined;
}

/**
 * Names the slots in `ids` `${prefix}${start}`, `${prefix}${start + 1}`, … in the order they have in the layout
 * (a row's slots are stored in row order). Ids stay as they are: they key the stored slots and their live state.
 */
export function renumberSlots(slots: readonly Slot[], ids: readonly string[], prefix: string, start: number): Slot[] {
  const chosen = new Set(ids);
  let k = start;
  return slots.map((s) => (chosen.has(s.id) ? { ...s, name: `${prefix}${k++}` } : s));
}
