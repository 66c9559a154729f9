import type { SlotChange, Span, TrackedSlot } from './types.ts';

/**
 * Follows a lot's slots from one observation to the next: which slots changed (the events to record) and since when
 * each slot has been in its state. `prev` null starts a counting span: every slot's `since` is then unknown (null,
 * with `seen` the moment it was first seen so), and nothing counts as a change, because what happened before was not
 * seen. A slot new to the layout also starts with an unknown `since`; a slot that left the layout is `removed`.
 */
export function trackSlots(
  prev: readonly TrackedSlot[] | null,
  next: readonly { readonly id: string; readonly occupied: boolean }[],
  at: number,
): { slots: TrackedSlot[]; changes: SlotChange[] } {
  if (prev === null) return { slots: next.map((s) => ({ id: s.id, occupied: s.occupied, since: null, seen: at })), changes: [] };
  const before = new Map(prev.map((s) => [s.id, s]));
  const changes: SlotChange[] = [];
  const slots = next.map((s): TrackedSlot => {
    const p = before.get(s.id);
    before.delete(s.id);
    if (p && p.occupied === s.occupied) return p;
    changes.push({ slotId: s.id, state: s.occupied ? 'occupied' : 'free' });
    return p ? { id: s.id, occupied: s.occupied, since: at } : { id: s.id, occupied: s.occupied, since: null, seen: at };
  });
  for (const gone of before.keys()) changes.push({ slotId: gone, state: 'removed' });
  return { slots, changes };
}

/**
 * Counting spans from the times of heartbeats (every event and snapshot a device wrote): consecutive times at most
 * `gapAfterMs` apart belong to one span; a longer silence is a gap, when the lot's state is unknown. With `liveAt`,
 * a last span whose heartbeat is recent enough is still running, so it reaches `liveAt`.
 */
export function spansFromTimes(sortedTimes: readonly number[], gapAfterMs: number, liveAt?: number): Span[] {
  const spans: Span[] = [];
  let start = NaN;
  let last = NaN;
  for (const t of sortedTimes) {
    if (Number.isNaN(start)) start = t;
    else if (t - last > gapAfterMs) {
      spans.push({ start, end: last });
      start = t;
    }
    last = t;
  }
  if (!Number.isNaN(start)) {
    const live = liveAt !== undefined && liveAt >= last && liveAt - last <= gapAfterMs;
    spans.push({ start, end: live ? liveAt : last });
  }
  return spans;
}
