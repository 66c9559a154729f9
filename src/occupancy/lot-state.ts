import { stepSlot, type HysteresisSettings } from './hysteresis.ts';
import { isClosedAt } from './closure.ts';
import type { LotCounts, LotState, Slot, SlotObservation, SlotState } from './types.ts';

/** Counts the slots; with the layout, a slot closed at `now` is counted in neither available nor total. */
export function countSlots(states: readonly SlotState[], slots?: readonly Slot[], now = 0): LotCounts {
  const closed = new Set(slots?.filter((s) => isClosedAt(s.closed, now)).map((s) => s.id));
  const open = closed.size ? states.filter((s) => !closed.has(s.id)) : states;
  const occupied = open.filter((s) => s.occupied).length;
  return { total: open.length, occupied, available: open.length - occupied };
}

/**
 * Advances the lot by one processed frame. Slots follow the layout: new slots start from their first observation (until
 * then they have no state and are in no count: a slot drawn while a frame was being analysed is unknown, not free),
 * removed slots are dropped. A slot without an observation this frame keeps its state.
 */
export function stepLot(
  prev: LotState | null,
  slots: readonly Slot[],
  observations: readonly SlotObservation[],
  now: number,
  settings: HysteresisSettings,
): LotState {
  const before = new Map(prev?.slots.map((s) => [s.id, s]) ?? []);
  const seen = new Map(observations.map((o) => [o.id, o.probability]));
  const states = slots.flatMap((slot): SlotState[] => {
    const old = before.get(slot.id);
    const p = seen.get(slot.id);
    if (p === undefined) return old ? [old] : [];
    return [stepSlot(old, slot.id, p, now, settings)];
  });
  const counts = countSlots(states, slots, now);
  const changed =
    prev === null ||
    // A slot closed or reopened changes the counts without any slot changing state.
    counts.total !== prev.counts.total ||
    states.length !== prev.slots.length ||
    states.some((s) => {
      const old = before.get(s.id);
      return !old || old.occupied !== s.occupied;
    });
  const closed = slots.filter((s) => isClosedAt(s.closed, now)).map((s) => s.id);
  return {
    slots: states,
    counts,
    lastChanged: changed ? now : prev.lastChanged,
    observedAt: now,
    ...(closed.length ? { closed } : {}),
  };
}
