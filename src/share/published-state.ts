import { toClosureMetadata, toMetadata } from './metadata.ts';
import type { LotState, Slot } from '../occupancy/types.ts';
import type { LayoutSlot, PublishedState } from './protocol.ts';

/** A slot of the shared layout: its polygon, and its zone, kind and closure when it has them. */
export function toLayoutSlot(s: Slot): LayoutSlot {
  const out: LayoutSlot = { id: s.id, name: s.name, polygon: s.polygon.map(([x, y]) => [x, y] as [number, number]) };
  if (s.zone !== undefined) out.zone = s.zone;
  if (s.kind !== undefined && s.kind !== 'standard') out.kind = s.kind;
  if (s.closed) out.closed = toClosureMetadata(s.closed);
  return out;
}

/** What the counter shares (tabs, relay, download): the metadata with per-slot detail, plus the slot layout. */
export function toPublishedState(state: LotState, slots: readonly Slot[], frame?: { width: number; height: number }): PublishedState {
  return {
    ...toMetadata(state, slots),
    layout: {
      slots: slots.map(toLayoutSlot),
      ...(frame && frame.width > 0 && frame.height > 0 ? { frame: { width: Math.round(frame.width), height: Math.round(frame.height) } } : {}),
    },
  };
}
