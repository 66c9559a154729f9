// The lot's metadata as the protocol carries it (app, tabs, relay, MQTT): the original API's four keys, per-slot
// detail, counts per zone, kind and camera, and the counter's status. Pure: the app builds it, the relay merges it.
import { isClosedAt } from '../occupancy/closure.ts';
import type { CounterStatus } from '../occupancy/counting-status.ts';
import type { LotCounts, LotState, Slot, SlotClosure, SlotKind } from '../occupancy/types.ts';

/** A closure as published: the reason and its end, ISO-8601 or null. */
export interface ClosureMetadata {
  reason: string;
  until: string | null;
}

/** Per-slot detail, beside the original system's four fields. */
export interface SlotMetadata {
  id: string;
  name: string;
  occupied: boolean;
  /** Evidence for "occupied" in the last processed frame, 0..1. */
  probability: number;
  /** ISO-8601 time the slot entered its current state. */
  since: string;
  zone?: string;
  /** Absent means `standard`. */
  kind?: SlotKind;
  /** A closed slot is counted in neither available nor total. */
  closed?: ClosureMetadata;
  /** In a lot seen by several cameras: the camera that reported the slot. */
  camera?: string;
  /** Other cameras that see the same slot (an overlap), counted once. */
  seen_by?: string[];
  /** Its camera is offline: the slot is counted in neither available nor total, never as free. */
  unknown?: true;
}

/** One camera of a lot seen by several. */
export interface CameraSummary {
  online: boolean;
  /** When `online` last changed, ISO-8601; null: never seen. */
  since: string | null;
  /** Its slots (before overlaps are merged) and what it reports of them. */
  total: number;
  occupied: number;
  available: number;
  /** The camera reports that it moved. */
  camera_moved?: boolean;
}

/** The shape of the original Python system's `GET /metadata`, plus `slots` and the breakdowns. */
export interface LotMetadata {
  total_slots: number;
  occupied_slots: number;
  available_slots: number;
  /** ISO-8601 time the lot's state last changed. */
  last_updated: string;
  slots: SlotMetadata[];
  /** Counts per zone (slots without a zone are in none). */
  zones?: Record<string, LotCounts>;
  /** Counts per kind of bay that the lot has. */
  kinds?: Partial<Record<SlotKind, LotCounts>>;
  /** Slots out of service now (not in total_slots). */
  closed_slots?: number;
  /** A lot seen by several cameras: each one's presence and counts. */
  cameras?: Record<string, CameraSummary>;
  /** Some slots are unknown (a camera is offline): the counts cover only the slots that are known. */
  partial?: boolean;
  /** Slots whose camera is offline (not in total_slots). */
  unknown_slots?: number;
  /** The counter sees that its camera moved since the slots were marked (the counts may be off until it is fixed). */
  camera_moved?: boolean;
  /** The counter's status when it sent this state: counting, paused (and why) or stopped (absent from publishers that do not say). */
  status?: CounterStatus;
}

const iso = (ms: number) => new Date(ms).toISOString();


/** Whether a published slot counts in total_slots: neither closed nor unknown. */
export const isCounted = (s: Pick<SlotMetadata, 'closed' | 'unknown'>): boolean => s.closed === undefined && s.unknown !== true;

export interface Breakdown {
  counts: LotCounts;
  zones: Record<string, LotCounts>;
  kinds: Partial<Record<SlotKind, LotCounts>>;
  closed: number;
  unknown: number;
}

/** Counts of a list of published slots: the lot's, per zone and per kind (a zone or kind with only closed slots shows 0). */
export function breakdown(slots: readonly SlotMetadata[]): Breakdown {
  const zones: Record<string, { total: number; occupied: number; available: number }> = {};
  const kinds: Partial<Record<SlotKind, { total: number; occupied: number; available: number }>> = {};
  const counts = { total: 0, occupied: 0, available: 0 };
  let closed = 0;
  let unknown = 0;
  for (const s of slots) {
    const z = s.zone === undefined ? null : (zones[s.zone] ??= { total: 0, occupied: 0, available: 0 });
    const k = (kinds[s.kind ?? 'standard'] ??= { total: 0, occupied: 0, available: 0 });
    if (s.closed) closed++;
    else if (s.unknown) unknown++;
    if (!isCounted(s)) continue;
    for (const c of z ? [counts, z, k] : [counts, k]) {
      c.total++;
      if (s.occupied) c.occupied++;
      else c.available++;
    }
  }
  return { counts, zones, kinds, closed, unknown };
}

export function toClosureMetadata(c: SlotClosure): ClosureMetadata {
  return { reason: c.reason, until: c.until === null ? null : iso(c.until) };
}

/** The lot as published: counts exclude closed slots (a closure that has ended counts again). */
export function toMetadata(state: LotState, slots: readonly Slot[]): LotMetadata {
  const byId = new Map(slots.map((s) => [s.id, s]));
  const entries = state.slots.map((s): SlotMetadata => {
    const slot = byId.get(s.id);
    const m: SlotMetadata = {
      id: s.id,
      name: slot?.name ?? s.id,
      occupied: s.occupied,
      probability: Math.round(s.probability * 1000) / 1000,
      since: iso(s.since),
    };
    if (slot?.zone !== undefined) m.zone = slot.zone;
    if (slot?.kind !== undefined && slot.kind !== 'standard') m.kind = slot.kind;
    if (slot?.closed && isClosedAt(slot.closed, state.observedAt)) m.closed = toClosureMetadata(slot.closed);
    return m;
  });
  const b = breakdown(entries);
  return {
    total_slots: b.counts.total,
    occupied_slots: b.counts.occupied,
    available_slots: b.counts.available,
    last_updated: iso(state.lastChanged ?? state.observedAt),
    slots: entries,
    zones: b.zones,
    kinds: b.kinds,
    closed_slots: b.closed,
  };
}

/** Slot id → zone, for the slots that are in one (a layout's or a published state's slots). */
export function zonesOf(slots: readonly { id: string; zone?: string }[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of slots) if (s.zone !== undefined) m.set(s.id, s.zone);
  return m;
}
