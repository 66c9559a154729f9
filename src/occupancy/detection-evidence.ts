import { area, containsPoint, overlapArea } from './geometry.ts';
import type { Box, Detection, Point, Slot, SlotObservation } from './types.ts';

/**
 * A vehicle stands on the lower part of its box: in a camera view from above and in front, the top of the box is the roof
 * and whatever the car hides behind it. These fractions describe the ground the vehicle covers.
 */
export interface FootprintParams {
  /** Share of the box height, from the bottom, that is the vehicle's footprint. */
  readonly heightFraction: number;
  /** Share of the box width trimmed from each side (mirrors and perspective make boxes wider than the car's base). */
  readonly sideTrim: number;
  /** Overlap (as a share of the footprint or of the slot, whichever is larger) where support starts and where it is full. */
  readonly overlapFrom: number;
  readonly overlapFull: number;
  /** Where the wheels touch the ground, as a share of the box height from its top. */
  readonly contactY: number;
  /**
   * A footprint more than this many times the slot's area cannot claim the slot by covering it: such boxes are
   * spurious (the detector sometimes returns one box around half the lot) or span many slots.
   */
  readonly maxFootprintToSlot: number;
}

export const DEFAULT_FOOTPRINT: FootprintParams = {
  heightFraction: 0.5,
  sideTrim: 0.1,
  overlapFrom: 0.25,
  overlapFull: 0.5,
  contactY: 0.85,
  maxFootprintToSlot: 4,
};

export function footprintOf(box: Box, p: FootprintParams = DEFAULT_FOOTPRINT): Box {
  const h = box.h * p.heightFraction;
  return { x: box.x + box.w * p.sideTrim, y: box.y + box.h - h, w: box.w * (1 - 2 * p.sideTrim), h };
}

export function contactPoint(box: Box, p: FootprintParams = DEFAULT_FOOTPRINT): Point {
  return [box.x + box.w / 2, box.y + box.h * p.contactY];
}

/**
 * How strongly one detection says "this slot holds a vehicle", from 0 to 1, by geometry alone: the vehicle's footprint
 * must overlap the slot. A box that only reaches over the slot with its roof (a car in the aisle in front of it, a
 * neighbour leaning in) gives little or no support.
 */
export function footprintSupport(slot: readonly Point[], box: Box, p: FootprintParams = DEFAULT_FOOTPRINT): number {
  const foot = footprintOf(box, p);
  const footArea = foot.w * foot.h;
  const slotArea = area(slot);
  if (footArea <= 0 || slotArea <= 0) return 0;
  const inter = overlapArea(slot, foot);
  // Share of the vehicle standing in the slot; or, for a slot drawn smaller than a car, share of the slot covered.
  const share = Math.max(inter / footArea, footArea <= p.maxFootprintToSlot * slotArea ? inter / slotArea : 0);
  let support = smoothstep(p.overlapFrom, p.overlapFull, share);
  // The contact point inside the slot is rare for a vehicle that is not parked there (measured: very precise).
  if (containsPoint(slot, contactPoint(box, p))) support = Math.max(support, smoothstep(0.05, 0.2, share));
  return support;
}

/**
 * The probability that each slot is occupied given this frame's vehicle detections: the strongest single detection
 * decides, weighted by its score. With full geometric support, any detection above the detector's minimum score
 * (>= 0.3 by default) pushes the slot past 0.5.
 */
export function observeFromDetections(
  slots: readonly Slot[],
  detections: readonly Detection[],
  p: FootprintParams = DEFAULT_FOOTPRINT,
): SlotObservation[] {
  return slots.map((slot) => {
    let best = 0;
    for (const d of detections) {
      const support = footprintSupport(slot.polygon, d.box, p);
      if (support > 0) best = Math.max(best, support * (0.5 + 0.5 * d.score));
    }
    return { id: slot.id, probability: best };
  });
}

function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}
