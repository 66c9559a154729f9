// Slot patches: slot corner ordering, and a bilinear warp of a quadrilateral of an RgbaFrame into a small upright RGB
// patch through the homography of occupancy/homography.ts. Pure.
import type { RgbaFrame } from '../camera/frame.ts';
import { boundingBox, boxToPolygon, centroid, signedArea } from '../occupancy/geometry.ts';
import { homographyFromPoints, type Homography, type Quad } from '../occupancy/homography.ts';
import type { Point } from '../occupancy/types.ts';

/**
 * The slot's corners in a canonical order for an upright patch: top-left, top-right, bottom-right, bottom-left of a
 * patch whose long sides run vertically, clockwise on screen, with the patch's top edge the one higher in the frame.
 * Any 4-point polygon in either winding gives the same patch.
 */
export function uprightCorners(polygon: readonly Point[]): Point[] {
  if (polygon.length !== 4) throw new Error(`a slot needs 4 corners, got ${polygon.length}`);
  // Screen coordinates (y down): a positive shoelace sum is clockwise on screen.
  const cw = signedArea(polygon) >= 0 ? [...polygon] : [...polygon].reverse();
  const len = (a: Point, b: Point) => Math.hypot(b[0] - a[0], b[1] - a[1]);
  const edge = (i: number) => len(cw[i % 4]!, cw[(i + 1) % 4]!);
  // Start so that edge 0 (TL→TR) is a short side.
  let start = edge(0) + edge(2) <= edge(1) + edge(3) ? 0 : 1;
  // Of the two starts that keep the short side on top, take the one whose top edge is higher in the frame.
  const midY = (s: number) => (cw[s % 4]![1] + cw[(s + 1) % 4]![1]) / 2;
  if (midY(start + 2) < midY(start)) start += 2;
  return [0, 1, 2, 3].map((k) => cw[(start + k) % 4]!);
}

/**
 * Corners to warp a slot from, whatever the user drew or imported: its upright corners when it is a convex
 * quadrilateral of some area (wherever it lies in the frame, however thin), else the corners of its bounding box,
 * at least `minSide` pixels on each side: a line, a point, a self-intersecting or concave outline, a polygon with
 * another number of corners, or non-finite coordinates. The corners returned always warp (warpQuad never throws on them).
 */
export function warpCorners(polygon: readonly Point[], minSide = 2): Point[] {
  return cornersAndProbe(polygon, minSide).corners;
}

/** warpCorners' corners, with the homography from PATCH_PROBE its check made when they are the slot's own corners. */
function cornersAndProbe(polygon: readonly Point[], minSide: number): { corners: Point[]; probe: Homography | null } {
  if (polygon.length === 4 && Math.abs(signedArea(polygon)) >= minSide * minSide && isConvexQuad(polygon)) {
    const c = uprightCorners(polygon);
    try {
      const probe = homographyFromPoints(asQuad(PATCH_PROBE), asQuad(c)); // the same test warpQuad's homography makes
      return { corners: c, probe };
    } catch {
      // fall through to the bounding box
    }
  }
  const finite = polygon.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const b = finite.length ? boundingBox(finite) : { x: 0, y: 0, w: 0, h: 0 };
  const w = Math.max(minSide, b.w);
  const h = Math.max(minSide, b.h);
  return { corners: uprightCorners(boxToPolygon({ x: b.x + b.w / 2 - w / 2, y: b.y + b.h / 2 - h / 2, w, h })), probe: null };
}

/**
 * warpQuad(frame, warpCorners(polygon), width, height): the same bytes. A 32x64 patch reuses the homography
 * warpCorners' check already solved (the same equations: PATCH_PROBE is warpQuad's 32x64 rectangle), instead of
 * solving it twice per slot.
 */
export function slotPatch(frame: RgbaFrame, polygon: readonly Point[], width: number, height: number, step = SUPERSAMPLE_STEP): RgbPatch {
  const { corners, probe } = cornersAndProbe(polygon, 2);
  const h = probe && width === PATCH_PROBE[2]![0] && height === PATCH_PROBE[2]![1] ? probe : patchHomography(corners, width, height);
  return warpWith(frame, corners, h, width, height, undefined, step);
}

/**
 * How much bigger than the patch a quad's side must be for each output pixel to average one more sub-sample per axis
 * (1.5: up to 1.5x one sample, up to 3x 2x2 and so on, at most 4x4).
 */
export const SUPERSAMPLE_STEP = 1.5;

/** A patch rectangle of the shape slot patches have (homographyFromPoints does not depend on its size or place). */
const PATCH_PROBE: readonly Point[] = [
  [0, 0],
  [32, 0],
  [32, 64],
  [0, 64],
];

/** Strictly convex, in either winding. With four corners, turning the same way at each means convex and simple (a bow-tie turns both ways). */
function isConvexQuad(p: readonly Point[]): boolean {
  if (!p.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y))) return false;
  let sign = 0;
  for (let k = 0; k < 4; k++) {
    const a = p[k]!;
    const b = p[(k + 1) % 4]!;
    const c = p[(k + 2) % 4]!;
    const s = Math.sign((b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]));
    if (s === 0 || (sign !== 0 && s !== sign)) return false;
    sign = s;
  }
  return true;
}

function asQuad(p: readonly Point[]): Quad {
  if (p.length !== 4) throw new Error('a slot patch needs exactly four corners');
  return p as unknown as Quad;
}

/**
 * Scales a polygon about its centroid (about the mean of its corners when it has no area to speak of). The centroid
 * is taken relative to the first corner, so that a small slot far from the origin keeps its digits.
 */
export function scalePolygon(polygon: readonly Point[], factor: number): Point[] {
  if (polygon.length === 0) return [];
  const [ox, oy] = polygon[0]!;
  const local = polygon.map(([x, y]) => [x - ox, y - oy] as const);
  const b = boundingBox(local);
  const [lx, ly] = Math.abs(signedArea(local)) > 1e-9 * (b.w * b.w + b.h * b.h) ? centroid(local) : mean(local);
  const cx = lx + ox;
  const cy = ly + oy;
  return polygon.map(([x, y]) => [cx + (x - cx) * factor, cy + (y - cy) * factor] as const);
}

const mean = (p: readonly Point[]): Point => [p.reduce((s, q) => s + q[0], 0) / p.length, p.reduce((s, q) => s + q[1], 0) / p.length];

/** A patch of RGB bytes, row-major, 3 bytes per pixel. */
export interface RgbPatch {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * Samples the frame over the quadrilateral `corners` (pixels, in the order TL, TR, BR, BL) into a width x height RGB
 * patch, bilinearly. When the patch is much smaller than the quad, each output pixel averages a few sub-samples so that
 * a big slot is not aliased (what a canvas's smoothed drawImage would do).
 */
export function warpQuad(frame: RgbaFrame, corners: readonly Point[], width: number, height: number, out?: Uint8Array): RgbPatch {
  return warpWith(frame, corners, patchHomography(corners, width, height), width, height, out);
}

/** The homography from the width x height patch rectangle onto the quad `corners`. */
function patchHomography(corners: readonly Point[], width: number, height: number): Homography {
  return homographyFromPoints(
    [
      [0, 0],
      [width, 0],
      [width, height],
      [0, height],
    ],
    asQuad(corners),
  );
}

/** 2^52: adding and then subtracting it rounds a double in [0, 2^51) to an integer, to the nearest, ties to even. */
const ROUND_SHIFT = 4503599627370496;

/**
 * Math.round(x) for x in [0, 2^51) and NaN (what a bilinear sum of bytes is): the nearest integer, ties to even, moved
 * up by one when x was a tie rounded down (x − t is exact there). Math.round measured as slow here as a branch on the
 * fraction, which a picture's noise mispredicts half the time (about half the warp's time at one sample a pixel); this
 * one branches only on exact ties. -0 gives +0: the same byte in a byte array.
 */
export function roundHalfUp(x: number): number {
  const t = x + ROUND_SHIFT - ROUND_SHIFT;
  return t + (x - t === 0.5 ? 1 : 0);
}

/**
 * Each sub-sample column's products with the homography (h0·pu, h3·pu, h6·pu), and each sub-sample row's (h1·pv,
 * h4·pv, h7·pv) of one output row: the same doubles the per-sample expressions made, computed once instead of per
 * sample. Scratch, grown as needed (the warp is synchronous).
 */
let columnProducts = new Float64Array(3 * 64 * 4);
const rowProducts = new Float64Array(3 * 4);

function warpWith(frame: RgbaFrame, corners: readonly Point[], h: Homography, width: number, height: number, out?: Uint8Array, step = SUPERSAMPLE_STEP): RgbPatch {
  const data = out ?? new Uint8Array(width * height * 3);
  const sideX = Math.max(Math.hypot(corners[1]![0] - corners[0]![0], corners[1]![1] - corners[0]![1]), Math.hypot(corners[2]![0] - corners[3]![0], corners[2]![1] - corners[3]![1]));
  const sideY = Math.max(Math.hypot(corners[3]![0] - corners[0]![0], corners[3]![1] - corners[0]![1]), Math.hypot(corners[2]![0] - corners[1]![0], corners[2]![1] - corners[1]![1]));
  const ss = Math.max(1, Math.min(4, Math.ceil(Math.max(sideX / width, sideY / height) / step)));
  const fw = frame.width;
  const fh = frame.height;
  const src = frame.data;
  const n = ss * ss;
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = h;
  // Every sample keeps its expressions and their order: x = (h0·pu + h1·pv + h2) / w − 0.5 with the two products looked
  // up, the sub-samples summed sy-major as before, so each byte is the one the per-sample loop gave (warp-exact tests).
  if (columnProducts.length < 3 * width * ss) columnProducts = new Float64Array(3 * width * ss);
  const cu = columnProducts;
  const rv = rowProducts;
  for (let u = 0, k = 0; u < width; u++)
    for (let sx = 0; sx < ss; sx++, k += 3) {
      const pu = u + (sx + 0.5) / ss;
      cu[k] = h0 * pu;
      cu[k + 1] = h3 * pu;
      cu[k + 2] = h6 * pu;
    }
  const maxX = fw - 1;
  const maxY = fh - 1;
  const stride = fw * 4;
  let o = 0;
  if (ss === 1) {
    // One sample per pixel (most slot patches): the loop below without its sub-sample loops. The sum it stores is
    // 0 + the sample, divided by n = 1, as there. A copy on purpose: one sampler function shared by both loops (sums
    // in a scratch Float64Array) measured 26.8 against 21.2 ms per pucpr frame.
    for (let v = 0; v < height; v++) {
      const pv = v + 0.5;
      const r1 = h1 * pv;
      const r4 = h4 * pv;
      const r7 = h7 * pv;
      for (let u = 0, k = 0; u < width; u++, k += 3) {
        const w = cu[k + 2]! + r7 + h8;
        let x = (cu[k]! + r1 + h2) / w - 0.5;
        let y = (cu[k + 1]! + r4 + h5) / w - 0.5;
        x = x < 0 ? 0 : x > maxX ? maxX : x;
        y = y < 0 ? 0 : y > maxY ? maxY : y;
        const x0 = x | 0;
        const y0 = y | 0;
        const dx = x0 < maxX ? 4 : 0;
        const dy = y0 < maxY ? stride : 0;
        const ax = x - x0;
        const ay = y - y0;
        const i00 = (y0 * fw + x0) * 4;
        const i10 = i00 + dx;
        const i01 = i00 + dy;
        const i11 = i10 + dy;
        const bx = 1 - ax;
        const by = 1 - ay;
        const w00 = bx * by;
        const w10 = ax * by;
        const w01 = bx * ay;
        const w11 = ax * ay;
        data[o] = roundHalfUp(0 + (w00 * src[i00]! + w10 * src[i10]! + w01 * src[i01]! + w11 * src[i11]!));
        data[o + 1] = roundHalfUp(0 + (w00 * src[i00 + 1]! + w10 * src[i10 + 1]! + w01 * src[i01 + 1]! + w11 * src[i11 + 1]!));
        data[o + 2] = roundHalfUp(0 + (w00 * src[i00 + 2]! + w10 * src[i10 + 2]! + w01 * src[i01 + 2]! + w11 * src[i11 + 2]!));
        o += 3;
      }
    }
    return { width, height, data };
  }
  for (let v = 0; v < height; v++) {
    for (let sy = 0; sy < ss; sy++) {
      const pv = v + (sy + 0.5) / ss;
      rv[sy * 3] = h1 * pv;
      rv[sy * 3 + 1] = h4 * pv;
      rv[sy * 3 + 2] = h7 * pv;
    }
    for (let u = 0; u < width; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < ss; sy++) {
        const r1 = rv[sy * 3]!;
        const r4 = rv[sy * 3 + 1]!;
        const r7 = rv[sy * 3 + 2]!;
        for (let sx = 0, k = u * ss * 3; sx < ss; sx++, k += 3) {
          const w = cu[k + 2]! + r7 + h8;
          // Pixel centres sit at +0.5: shift to sample coordinates, clamp to the frame (replicate the border).
          let x = (cu[k]! + r1 + h2) / w - 0.5;
          let y = (cu[k + 1]! + r4 + h5) / w - 0.5;
          x = x < 0 ? 0 : x > maxX ? maxX : x;
          y = y < 0 ? 0 : y > maxY ? maxY : y;
          const x0 = x | 0;
          const y0 = y | 0;
          const dx = x0 < maxX ? 4 : 0;
          const dy = y0 < maxY ? stride : 0;
          const ax = x - x0;
          const ay = y - y0;
          const i00 = (y0 * fw + x0) * 4;
          const i10 = i00 + dx;
          const i01 = i00 + dy;
          const i11 = i10 + dy;
          const bx = 1 - ax;
          const by = 1 - ay;
          const w00 = bx * by;
          const w10 = ax * by;
          const w01 = bx * ay;
          const w11 = ax * ay;
          r += w00 * src[i00]! + w10 * src[i10]! + w01 * src[i01]! + w11 * src[i11]!;
          g += w00 * src[i00 + 1]! + w10 * src[i10 + 1]! + w01 * src[i01 + 1]! + w11 * src[i11 + 1]!;
          b += w00 * src[i00 + 2]! + w10 * src[i10 + 2]! + w01 * src[i01 + 2]! + w11 * src[i11 + 2]!;
        }
      }
      data[o] = roundHalfUp(r / n);
      data[o + 1] = roundHalfUp(g / n);
      data[o + 2] = roundHalfUp(b / n);
      o += 3;
    }
  }
  return { width, height, data };
}
