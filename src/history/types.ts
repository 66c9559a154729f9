// The vocabulary of lot history, shared by the device (IndexedDB) and the relay (SQLite). Pure types only.

/** What a slot became: occupied, free, or no longer counted (removed from the layout). */
export type SlotChangeState = 'occupied' | 'free' | 'removed';

export interface SlotChange {
  readonly slotId: string;
  readonly state: SlotChangeState;
}

/**
 * A slot as history tracks it. `since` is when it entered its state, or null when that was not seen: it was already
 * in that state when counting started (or resumed after a gap), so the moment it got there is unknown.
 */
export interface TrackedSlot {
  readonly id: string;
  readonly occupied: boolean;
  readonly since: number | null;
  /** With `since` unknown: when the slot was first seen in this state (so an "at least" stay is as long wherever a query starts). */
  readonly seen?: number;
}

/** One slot state change as the device records it (IndexedDB `events`, append-only). Times are epoch ms. */
export interface SlotEvent {
  readonly lotId: string;
  /** When the counter confirmed the change (the frame's time, after hysteresis). */
  readonly at: number;
  readonly slotId: string;
  readonly state: SlotChangeState;
  /** The evidence for "occupied" in that frame, 0..1. */
  readonly probability: number;
}

/**
 * The lot at a moment (IndexedDB `snapshots`, append-only), written at a fixed interval while counting: it is the
 * heartbeat that says the counter was counting. Counts always; `slots` when a counting span starts, hourly, and where
 * compaction cut the raw history, so the state can be rebuilt from there.
 */
export interface LotSnapshot {
  readonly lotId: string;
  readonly at: number;
  readonly total: number;
  readonly occupied: number;
  readonly slots?: readonly TrackedSlot[];
}

/** A period the counter was counting, [start, end] in epoch ms. Outside every span the lot's state is unknown. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** What replay reads, in time order. */
export type HistoryRecord =
  /** The whole lot (a device's full snapshot, a relay's stored state). */
  | { readonly kind: 'state'; readonly at: number; readonly slots: readonly TrackedSlot[] }
  /** Only counts, no per-slot detail (a relay publisher that sends just the original four keys). */
  | { readonly kind: 'counts'; readonly at: number; readonly total: number; readonly occupied: number }
  /** One slot changed. */
  | { readonly kind: 'change'; readonly at: number; readonly slotId: string; readonly state: SlotChangeState };

/** Everything known about a lot over some time: when it was counted, and what happened. Both sorted by time. */
export interface Timeline {
  readonly spans: readonly Span[];
  readonly records: readonly HistoryRecord[];
}

/** Lot-level figures for one interval [start, end). Time figures in ms; slot-time in slot-milliseconds. */
export interface LotInterval {
  readonly start: number;
  readonly end: number;
  /** How long the counter was counting within the interval. */
  readonly knownMs: number;
  /** Σ over slots of the time each was known (so `slotMs / knownMs` is the mean number of slots counted). */
  readonly slotMs: number;
  /** Σ over slots of the time each was occupied. */
  readonly occupiedMs: number;
  /** How long every counted slot was occupied (the lot was full). */
  readonly fullMs: number;
  /** Most and fewest slots occupied at any counted moment; null when nothing was counted. */
  readonly peak: number | null;
  readonly low: number | null;
  /** Observed free→occupied and occupied→free changes. */
  readonly arrivals: number;
  readonly departures: number;
}

/** One slot's time over a range: how long it was known, and how much of that it was occupied. */
export interface SlotTime {
  readonly occupiedMs: number;
  readonly knownMs: number;
}

/**
 * One car's stay in one slot. `start` is the arrival, or the first moment it was seen occupied when the arrival was
 * not seen; `end` is the departure, or the last moment it was seen occupied (counting stopped, the range ended, the
 * slot was removed). Only a stay with both ends observed has a known dwell time; the others are *censored*: their
 * dwell is at least `end - start`.
 */
export interface Stay {
  readonly slotId: string;
  readonly start: number;
  readonly end: number;
  readonly startObserved: boolean;
  readonly endObserved: boolean;
}

/** Stored per lot and hour once the raw events of that hour are compacted (IndexedDB `aggregates`). */
export interface HistoryAggregate extends LotInterval {
  readonly lotId: string;
  /** Per slot: [occupied ms, known ms] within the hour. */
  readonly slots: Readonly<Record<string, readonly [number, number]>>;
  /** Stays that ended within the hour. */
  readonly stays: readonly Stay[];
  /** The hour's quarter-hour pieces, in order (absent in aggregates written before they were kept). */
  readonly quarters?: readonly LotInterval[];
}
