// Which slots the evidence is least sure of right now: where a look from the user is worth most. Pure.
import { isClosedAt } from './closure.ts';
import type { Slot, SlotState } from './types.ts';

/**
 * A slot is unsure while its latest evidence is within this many logits of even (a probability between 0.27 and
 * 0.73). Measured on frames no weights saw (docs/accuracy.md, "unsure slots"): close wide-angle sessions, 6 % of the
 * slots held 54 % of the errors; pucpr as a new lot, 1.5 % held 41 %.
 */
export const UNSURE_LOGIT = 1;

/** Whether evidence of this probability of "occupied" is unsure. */
export function isUnsure(probability: number): boolean {
  const p = Math.min(1 - 1e-12, Math.max(1e-12, probability));
  return Math.abs(Math.log(p / (1 - p))) < UNSURE_LOGIT;
}

/**
 * Whether the app shows a slot as unsure: its latest evidence is. A slot in the middle of a change is not (it is already
 * marked as changing), nor is one without a state yet or a closed one (counted nowhere).
 */
export function slotIsUnsure(slot: Slot, state: SlotState | undefined, now: number): boolean {
  return state !== undefined && state.pending === null && !isClosedAt(slot.closed, now) && isUnsure(state.probability);
}

/** The slots shown as unsure, in layout order. */
export function unsureSlots(slots: readonly Slot[], states: ReadonlyMap<string, SlotState>, now: number): Slot[] {
  return slots.filter((s) => slotIsUnsure(s, states.get(s.id), now));
}
