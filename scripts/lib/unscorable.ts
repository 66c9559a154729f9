// No slot stops a command: when the evidence of a frame throws, the slots it throws on (each tried alone) are reported
// as unscorable, by id, and the frame is run again without them.
import type { Slot } from '../../src/occupancy/types.ts';
import { shortError } from './short-errors.ts';

export interface Unscorable {
  readonly frame: string;
  readonly id: string;
  readonly reason: string;
}

/**
 * `run(slots)` over all slots; if it throws, each slot alone, to find the ones it throws on, then the rest together.
 * `kept[i]` is the index into `slots` of the i-th slot `value` describes; `value` is null when no slot is left (and
 * when the slots fail only together, every one of them is reported with the frame's error). Never throws.
 */
export async function runSkippingUnscorable<T>(
  frame: string,
  slots: readonly Slot[],
  run: (slots: readonly Slot[]) => Promise<T>,
): Promise<{ value: T | null; kept: number[]; unscorable: Unscorable[] }> {
  let whole: unknown;
  try {
    return { value: await run(slots), kept: slots.map((_, i) => i), unscorable: [] };
  } catch (e) {
    whole = e;
  }
  const unscorable: Unscorable[] = [];
  const kept: number[] = [];
  for (const [i, s] of slots.entries()) {
    try {
      await run([s]);
      kept.push(i);
    } catch (e) {
      unscorable.push({ frame, id: s.id, reason: shortError(e) });
    }
  }
  if (kept.length > 0 && unscorable.length > 0) {
    try {
      return { value: await run(kept.map((i) => slots[i]!)), kept, unscorable };
    } catch (e) {
      whole = e;
    }
  }
  return { value: null, kept: [], unscorable: slots.map((s) => ({ frame, id: s.id, reason: shortError(whole) })) };
}

/** One line per unscorable slot (at most `max`), for the commands' reports. */
export function describeUnscorable(list: readonly Unscorable[], max = 20): string[] {
  const lines = list.slice(0, max).map((u) => `  unscorable: slot ${u.id} of ${u.frame}: ${u.reason}`);
  if (list.length > max) lines.push(`  … and ${list.length - max} more`);
  return lines;
}
