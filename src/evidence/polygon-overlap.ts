// Matching a user's layout to labelled slots by overlap. Pure.
import { area, clipToConvex } from '../occupancy/geometry.ts';
import type { Point } from '../occupancy/types.ts';

/** For each polygon of `layout`, the index of the polygon of `labelled` it overlaps most, or -1 when none. */
export function matchByOverlap(layout: readonly (readonly Point[])[], labelled: readonly (readonly Point[])[]): number[] {
  return layout.map((p) => {
    let best = -1;
    let bestArea = 0;
    labelled.forEach((q, i) => {
      // A labelled bay is convex; the layout's polygon may be anything the user drew.
      const o = area(clipToConvex(p, q));
      if (o > bestArea) {
        bestArea = o;
        best = i;
      }
    });
    return best;
  });
}
