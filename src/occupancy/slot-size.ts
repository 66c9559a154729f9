// How big a slot is in the picture lotwatch analyses, and whether that is big enough to trust. Pure.
import { isClosedAt } from './closure.ts';
import { area, toPixels } from './geometry.ts';
import type { Point, Slot } from './types.ts';

/**
 * The sizes `npm run eval` scores apart (√area in the analysis frame, px). On close, wide-angle views the thin far slots
 * under the first are wrong about four times as often as those from the second, in the session-grouped CV and on
 * sessions no weights saw (docs/accuracy.md, "by slot size"). Far views seen from high above do not share it.
 */
export const SLOT_SIZE_EDGES: readonly [small: number, large: number] = [45, 80];

/** A slot's size in a frame of `width` x `height` px: the square root of its polygon's area, px. */
export function slotSizePx(polygon: readonly Point[], width: number, height: number): number {
  return Math.sqrt(area(toPixels(polygon, width, height)));
}

/**
 * The slots open at `now` smaller than the first edge in a frame of that size, in layout order (closed ones are not
 * counted; one whose closure has ended is, as countSlots counts it).
 */
export function smallSlots(slots: readonly Slot[], width: number, height: number, now: number): Slot[] {
  return slots.filter((s) => !isClosedAt(s.closed, now) && slotSizePx(s.polygon, width, height) < SLOT_SIZE_EDGES[0]);
}
