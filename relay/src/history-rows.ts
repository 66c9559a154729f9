// How a lot's history is kept in rows, whatever the database (SQLite or PostgreSQL): a row holds the whole lot
// (`full`: when a span starts, and hourly) or only the slots that changed since the row before, so a month of a
// 100-slot lot reads a few hundred full rows, not 100 slots per change. Pure: the stores do the reading and writing.
import { createHash } from 'node:crypto';
import { trackSlots } from '../../src/history/track.ts';
import type { HistoryRecord, TrackedSlot } from '../../src/history/types.ts';
import type { LotMetadata } from '../../src/share/protocol.ts';
import type { HistoryEntry } from './lot-store.ts';

/** A full row's slot: [id, 1 | 0, since (relay ms) or null, first seen (when since is null) or null]. */
type StoredSlot = [string, 0 | 1, number | null, number | null];
/** A change row's slot: [id, 1 occupied | 0 free | -1 removed]. */
type StoredChange = [string, 1 | 0 | -1];

/** A row with the whole lot at least this often while a span lasts. */
export const FULL_EVERY_MS = 3_600_000;

/** What makes two states the same for history: the counts and each slot's occupancy (not probabilities). */
export function contentHash(m: LotMetadata): string {
  const key = JSON.stringify([m.total_slots, m.occupied_slots, m.slots.map((s) => [s.id, s.occupied])]);
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** A lot's slots as of its last stored row (relay times), and when the last full row was written. */
export interface Tracked {
  slots: TrackedSlot[];
  fullAt: number;
}

export interface HistoryRowToWrite {
  contentHash: string;
  total: number;
  occupied: number;
  full: boolean;
  /** The slots (full) or the changes, as stored. */
  slots: StoredSlot[] | StoredChange[];
  /** What the lot's tracking becomes if the row is new. */
  tracked: Tracked;
}

/** The row for a state, given the lot's tracking (ignored when the state starts a span). */
export function historyRow(previous: Tracked | null, e: HistoryEntry): HistoryRowToWrite {
  const m = e.metadata;
  const cached = e.newSpan ? null : previous;
  // Each slot's relay time of entering its state: what lets a later query start mid-span and still know arrivals.
  const { slots, changes } = trackSlots(cached?.slots ?? null, m.slots, e.receivedAt);
  const full = !cached || slots.length === 0 || e.receivedAt - cached.fullAt >= FULL_EVERY_MS;
  return {
    contentHash: contentHash(m),
    total: m.total_slots,
    occupied: m.occupied_slots,
    full,
    slots: full
      ? slots.map((s): StoredSlot => [s.id, s.occupied ? 1 : 0, s.since, s.seen ?? null])
      : changes.map((c): StoredChange => [c.slotId, c.state === 'occupied' ? 1 : c.state === 'free' ? 0 : -1]),
    tracked: { slots, fullAt: full ? e.receivedAt : cached!.fullAt },
  };
}

/**
 * The tracking after writing `row` (or finding it already there): a re-delivered state changes nothing, except that a
 * new span forgets what came before the gap (and writes the whole lot with its next row). Undefined: keep as it is.
 */
export function trackedAfter(row: HistoryRowToWrite, added: boolean, newSpan: boolean): Tracked | undefined {
  if (added) return row.tracked;
  return newSpan ? { slots: row.tracked.slots, fullAt: -Infinity } : undefined;
}

export interface StoredHistoryRow {
  receivedAt: number;
  total: number;
  occupied: number;
  full: boolean;
  /** The stored slots, parsed (or still JSON text). */
  slots: unknown;
}

/** The records of a stored row. A damaged row is skipped with a warning: the next whole-lot row sets things right. */
export function recordsOfRow(r: StoredHistoryRow, warn: (why: string) => void): HistoryRecord[] {
  const at = r.receivedAt;
  let v: unknown;
  try {
    v = typeof r.slots === 'string' ? JSON.parse(r.slots) : r.slots;
    if (!Array.isArray(v) || !v.every((x) => Array.isArray(x) && typeof x[0] === 'string')) throw new Error('not a list of slots');
  } catch (err) {
    warn(String(err));
    return [];
  }
  const list = v as unknown[][];
  if (!r.full) {
    return list.map(([id, o]) => ({ kind: 'change', at, slotId: id as string, state: o === 1 ? 'occupied' : o === 0 ? 'free' : 'removed' }));
  }
  // A publisher that sends only the four counts: lot figures, no per-slot ones.
  if (list.length === 0 && r.total > 0) return [{ kind: 'counts', at, total: r.total, occupied: r.occupied }];
  const num = (x: unknown) => (typeof x === 'number' ? x : null);
  const slots = list.map(([id, o, since, seen]): TrackedSlot => {
    const s = num(since);
    const first = num(seen);
    return s === null && first !== null ? { id: id as string, occupied: o === 1, since: null, seen: first } : { id: id as string, occupied: o === 1, since: s };
  });
  return [{ kind: 'state', at, slots }];
}
