import { toMetadata } from '../occupancy/metadata.ts';
import type { LotState, Slot } from '../occupancy/types.ts';
import type { PublishedState } from './protocol.ts';

/** What the counter shares (tabs, relay, download): the metadata with per-slot detail, plus the slot layout. */
export function toPublishedState(state: LotState, slots: readonly Slot[], frame?: { width: number; height: number }): PublishedState {
  return {
    ...toMetadata(state, slots),
    layout: {
      slots: slots.map((s) => ({ id: s.id, name: s.name, polygon: s.polygon.map(([x, y]) => [x, y] as [number, number]) })),
      ...(frame && frame.width > 0 && frame.height > 0 ? { frame: { width: Math.round(frame.width), height: Math.round(frame.height) } } : {}),
    },
  };
}
