import { containsPoint } from '../occupancy/geometry.ts';
import type { Point } from '../occupancy/types.ts';
import { dividerLines, type DividerLine, type RowGroup } from './row-group.ts';

/** Where the handles of an open row are, in frame coordinates (normalised). */
export interface GroupHandles {
  readonly corners: readonly Point[];
  readonly dividers: readonly DividerLine[];
  /** A knob off the middle of the row's first side: drag it round to turn the row. */
  readonly rotate: Point;
  /** A knob off the middle of the row's last side: drag it to move the whole row. */
  readonly move: Point;
}

export type GroupHit =
  | { readonly kind: 'corner'; readonly index: number }
  | { readonly kind: 'rotate' }
  | { readonly kind: 'move' }
  | { readonly kind: 'divider'; readonly line: DividerLine }
  | { readonly kind: 'body' };

/** Maps a frame point to screen pixels (CSS px, relative to the stage). */
export type ToScreen = (p: Point) => Point;

const mid = (a: Point, b: Point): Point => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
const dist = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** The point of segment ab nearest to p. */
export function nearestOnSegment(p: Point, a: Point, b: Point): Point {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2)) : 0;
  return [a[0] + t * dx, a[1] + t * dy];
}

/** Distance from p to the segment ab (all in screen pixels). */
export function segmentDistance(p: Point, a: Point, b: Point): number {
  return dist(p, nearestOnSegment(p, a, b));
}

function insideConvex(p: Point, poly: readonly Point[]): boolean {
  let sign = 0;
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i]!;
    const b = poly[(i + 1) % poly.length]!;
    const s = Math.sign((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]));
    if (s === 0) continue;
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}

/**
 * The knobs sit `offsetPx` outside the middle of the first and last sides, on screen. Where that spot is off the
 * picture or on another slot (`avoid`: the slots not in the row), they go off the row's ends instead, and only when
 * every spot outside is taken, inside the row: editing chrome stays off the slots being marked.
 */
export function groupHandles(
  g: RowGroup,
  toScreen: ToScreen,
  fromScreen: (p: Point) => Point,
  offsetPx: number,
  avoid: readonly (readonly Point[])[] = [],
): GroupHandles {
  const q = g.quad;
  const centre = toScreen(fromScreen(mid(toScreen(mid(q[0], q[1])), toScreen(mid(q[2], q[3])))));
  /** `offsetPx` beyond the middle of side ab, away from the centre (or towards it, `inward`). */
  const beyond = (a: Point, b: Point, inward = false): Point => {
    const m = toScreen(mid(a, b));
    const d = dist(m, centre) || 1;
    const k = (inward ? -offsetPx : offsetPx) / d;
    return fromScreen([m[0] + (m[0] - centre[0]) * k, m[1] + (m[1] - centre[1]) * k]);
  };
  const free = (p: Point) => p[0] >= 0 && p[0] <= 1 && p[1] >= 0 && p[1] <= 1 && !avoid.some((s) => containsPoint(s, p));
  const taken: Point[] = [];
  const knob = (side: [Point, Point], ends: [Point, Point][]): Point => {
    const spots = [beyond(...side), ...ends.map((e) => beyond(...e))];
    const spot = spots.find((s) => free(s) && !taken.some((t) => dist(toScreen(t), toScreen(s)) < offsetPx)) ?? beyond(...side, true);
    taken.push(spot);
    return spot;
  };
  const ends: [Point, Point][] = [
    [q[1], q[2]],
    [q[3], q[0]],
  ];
  const rotate = knob([q[0], q[1]], ends);
  const move = knob([q[3], q[2]], [...ends].reverse());
  return { corners: q, dividers: dividerLines(g), rotate, move };
}

/**
 * What a press at `p` (screen pixels) takes hold of, within `radius` pixels (a 44 px target has radius 22): corners
 * first, then the knobs, then the nearest divider, then the row's body. Null when it misses the row.
 */
export function hitGroup(h: GroupHandles, p: Point, toScreen: ToScreen, radius: number): GroupHit | null {
  let best: { d: number; hit: GroupHit } | null = null;
  const consider = (d: number, hit: GroupHit) => {
    if (d <= radius && (!best || d < best.d)) best = { d, hit };
  };
  h.corners.forEach((c, index) => consider(dist(p, toScreen(c)), { kind: 'corner', index }));
  if (best) return (best as { hit: GroupHit }).hit;
  consider(dist(p, toScreen(h.rotate)), { kind: 'rotate' });
  consider(dist(p, toScreen(h.move)), { kind: 'move' });
  if (best) return (best as { hit: GroupHit }).hit;
  for (const line of h.dividers) consider(segmentDistance(p, toScreen(line.from), toScreen(line.to)), { kind: 'divider', line });
  if (best) return (best as { hit: GroupHit }).hit;
  return insideConvex(p, h.corners.map(toScreen)) ? { kind: 'body' } : null;
}

/** The angle of `p` about `centre` in pixels, for turning a row with its knob. */
export function angleAbout(centre: Point, p: Point): number {
  return Math.atan2(p[1] - centre[1], p[0] - centre[0]);
}
