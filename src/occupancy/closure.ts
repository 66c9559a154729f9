import type { SlotClosure } from './types.ts';

/** Whether a closure is in force at `now` (one with an end in the past has lapsed: the slot is open again). */
export function isClosedAt(closure: SlotClosure | undefined, now: number): boolean {
  return closure !== undefined && (closure.until === null || closure.until > now);
}
