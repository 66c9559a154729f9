// What the detection cadence means for how soon a change shows. Pure.

export interface CadenceInputs {
  /** Pause between processed frames (Settings.cadenceMs); 0 = continuous. */
  readonly cadenceMs: number;
  /** How long one frame takes on this device (detector + pipeline). */
  readonly frameMs: number;
  /** Hysteresis: a new state must hold this many frames… */
  readonly holdFrames: number;
  /** …and this many milliseconds. */
  readonly holdMs: number;
}

/** Time between processed frames: the loop waits out the cadence, but never less than a frame takes. */
export function framePeriodMs(cadenceMs: number, frameMs: number): number {
  return Math.max(cadenceMs, frameMs, 1);
}

/**
 * Worst case from a car arriving to the count changing: up to one period until a frame sees it, then enough further
 * frames to satisfy both hold rules (the pending change starts at the first frame that sees it).
 */
export function changeDelayMs(i: CadenceInputs): number {
  const period = framePeriodMs(i.cadenceMs, i.frameMs);
  const frames = Math.max(i.holdFrames, 1, Math.ceil(i.holdMs / period) + 1);
  return frames * period;
}
