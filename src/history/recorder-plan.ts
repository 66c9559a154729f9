// What the device writes to its history after each processed frame. Pure: the recorder service does the writing.
import type { LotState } from '../occupancy/types.ts';
import { trackSlots } from './track.ts';
import type { LotSnapshot, SlotEvent, TrackedSlot } from './types.ts';

export interface RecorderConfig {
  /** A snapshot (the heartbeat) at least this often while counting. */
  readonly snapshotEveryMs: number;
  /** A snapshot with every slot's state at least this often, so the state can be rebuilt without replaying far back. */
  readonly fullSnapshotEveryMs: number;
  /** Silence longer than this between two records is a gap: the counter was not counting. */
  readonly gapAfterMs: number;
}

/** A minute's heartbeat; three missed ones make a gap, so a busy phone that skips a beat is not called offline. */
export const RECORDER_CONFIG: RecorderConfig = { snapshotEveryMs: 60_000, fullSnapshotEveryMs: 3_600_000, gapAfterMs: 180_000 };

/** What the recorder remembers between frames. */
export interface RecorderMemory {
  readonly lastRecordAt: number;
  readonly lastSnapshotAt: number;
  readonly lastFullAt: number;
  readonly slots: readonly TrackedSlot[];
}

export interface RecordPlan {
  readonly memory: RecorderMemory;
  readonly events: SlotEvent[];
  readonly snapshot: LotSnapshot | null;
}

/**
 * Decides what to record for the lot's state at `at`: an event per slot that changed, and a snapshot when one is due.
 * After a gap (or on the first frame) a counting span starts: a full snapshot, with every slot's `since` unknown.
 */
export function planRecord(mem: RecorderMemory | null, lotId: string, lot: LotState, at: number, cfg: RecorderConfig = RECORDER_CONFIG): RecordPlan {
  const newSpan = mem === null || at - mem.lastRecordAt > cfg.gapAfterMs || at < mem.lastRecordAt;
  // A closed slot is out of service: history treats it like a slot taken out of the layout until it reopens.
  const closed = new Set(lot.closed);
  const counted = closed.size ? lot.slots.filter((s) => !closed.has(s.id)) : lot.slots;
  const { slots, changes } = trackSlots(newSpan ? null : mem.slots, counted, at);
  const probability = new Map(lot.slots.map((s) => [s.id, s.probability]));
  const events = changes.map(
    (c): SlotEvent => ({ lotId, at, slotId: c.slotId, state: c.state, probability: Math.round((probability.get(c.slotId) ?? 0) * 1000) / 1000 }),
  );
  const full = newSpan || at - mem.lastFullAt >= cfg.fullSnapshotEveryMs;
  const due = full || at - mem.lastSnapshotAt >= cfg.snapshotEveryMs;
  const occupied = slots.filter((s) => s.occupied).length;
  const snapshot: LotSnapshot | null = due ? { lotId, at, total: slots.length, occupied, ...(full ? { slots } : {}) } : null;
  const wrote = snapshot !== null || events.length > 0;
  return {
    memory: {
      lastRecordAt: wrote ? at : mem!.lastRecordAt,
      lastSnapshotAt: snapshot ? at : mem!.lastSnapshotAt,
      lastFullAt: full ? at : mem!.lastFullAt,
      slots,
    },
    events,
    snapshot,
  };
}
