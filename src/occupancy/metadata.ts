import type { LotState, Slot } from './types.ts';

/** Per-slot detail, beside the original system's four fields. */
export interface SlotMetadata {
  id: string;
  name: string;
  occupied: boolean;
  /** Evidence for "occupied" in the last processed frame, 0..1. */
  probability: number;
  /** ISO-8601 time the slot entered its current state. */
  since: string;
}

/** The shape of the original Python system's `GET /metadata`, plus `slots`. */
export interface LotMetadata {
  total_slots: number;
  occupied_slots: number;
  available_slots: number;
  /** ISO-8601 time the lot's state last changed. */
  last_updated: string;
  slots: SlotMetadata[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function toMetadata(state: LotState, slots: readonly Slot[]): LotMetadata {
  const names = new Map(slots.map((s) => [s.id, s.name]));
  return {
    total_slots: state.counts.total,
    occupied_slots: state.counts.occupied,
    available_slots: state.counts.available,
    last_updated: iso(state.lastChanged ?? state.observedAt),
    slots: state.slots.map((s) => ({
      id: s.id,
      name: names.get(s.id) ?? s.id,
      occupied: s.occupied,
      probability: Math.round(s.probability * 1000) / 1000,
      since: iso(s.since),
    })),
  };
}
