import type { SlotState } from './types.ts';

export interface HysteresisSettings {
  /** Probability at which a slot counts as occupied. Lower is more sensitive. */
  readonly threshold: number;
  /** Half-width of the dead band around the threshold: evidence inside it never starts a change. */
  readonly band: number;
  /** A new state must be seen in this many consecutive processed frames… */
  readonly holdFrames: number;
  /** …and for at least this long (ms) before the slot changes. 0 disables either rule. */
  readonly holdMs: number;
}

export const DEFAULT_HYSTERESIS: HysteresisSettings = { threshold: 0.5, band: 0.05, holdFrames: 3, holdMs: 2000 };

/** What the evidence of one frame says, before debouncing; null means "inside the dead band: no opinion". */
export function observedState(probability: number, s: HysteresisSettings): boolean | null {
  if (probability >= s.threshold + s.band) return true;
  if (probability < s.threshold - s.band) return false;
  return null;
}

/**
 * Advances one slot by one frame. A slot's first observation sets its state at once; after that, a different state
 * must hold for `holdFrames` frames and `holdMs` milliseconds, the way parking sensors debounce, before it is taken.
 */
export function stepSlot(
  prev: SlotState | undefined,
  id: string,
  probability: number,
  now: number,
  s: HysteresisSettings,
): SlotState {
  const seen = observedState(probability, s);
  if (!prev) {
    return { id, occupied: seen ?? probability >= s.threshold, since: now, probability, pending: null };
  }
  if (seen === null) return { ...prev, probability };
  if (seen === prev.occupied) return { ...prev, probability, pending: null };
  const pending =
    prev.pending && prev.pending.occupied === seen
      ? { ...prev.pending, frames: prev.pending.frames + 1 }
      : { occupied: seen, since: now, frames: 1 };
  if (pending.frames >= s.holdFrames && now - pending.since >= s.holdMs) {
    return { id, occupied: seen, since: pending.since, probability, pending: null };
  }
  return { ...prev, probability, pending };
}
