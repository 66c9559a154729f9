import { stepSlot, type HysteresisSettings } from './hysteresis.ts';
import type { LotCounts, LotState, Slot, SlotObservation, SlotState } from './types.ts';

export function countSlots(states: readonly SlotState[]): LotCounts {
  const occupied = states.filter((s) => s.occupied).length;
  return { total: states.length, occupied, available: states.length - occupied };
}

/**
 * Advances the lot by one processed frame. Slots follow the layout: new slots start from their first observation,
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
  const states = slots.map((slot) => {
    const old = before.get(slot.id);
    const p = seen.get(slot.id);
    if (p === undefined) return old ?? { id: slot.id, occupied: false, since: now, probability: 0, pending: null };
    return stepSlot(old, slot.id, p, now, settings);
  });
  const changed =
    prev === null ||
    states.length !== prev.slots.length ||
    states.some((s) => {
      const old = before.get(s.id);
      return !old || old.occupied !== s.occupied;
    });
  return {
    slots: states,
    counts: countSlots(states),
    lastChanged: changed ? now : prev.lastChanged,
    observedAt: now,
  };
}
