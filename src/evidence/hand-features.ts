// Illumination-relative hand features of a slot's upright 32x64 patch (see docs/accuracy.md and
// ../shared/research/slot-evidence.md). Every intensity is divided by the frame's light level `lum`, so that dusk,
// shade and night look like day to the classifier. Pure.
import type { RgbPatch } from './warp.ts';
import { adaptiveThresholdInv, canny, dilate3, gaussianBlur, laplacian, medianBinary, sobel, toGray, type Gray, type Window } from './image-ops.ts';

export const PATCH_WIDTH = 32;
export const PATCH_HEIGHT = 64;
/** The inner window of the patch: away from the painted lines and from what leans in at the ends. */
const INNER = { x0: 5, x1: 27, y0: 8, y1: 56 } as const;
/** Below this the frame is dark enough that its median is mostly sensor noise. */
const LUM_FLOOR = 20;

export const HAND_FEATURE_NAMES = [
  'classic',
  'adaptive',
  'edges',
  'gradient',
  'std',
  'laplacian',
  'colourStd',
  'saturationStd',
  'meanOffset',
  'darkShare',
  'brightShare',
] as const;
export const HAND_FEATURE_COUNT = HAND_FEATURE_NAMES.length;

/** The small picture of the slot a free-slot reference is made of: grey/lum and gradient/lum, 8x16 each. */
export const REF_WIDTH = 8;
export const REF_HEIGHT = 16;
export const REF_LENGTH = REF_WIDTH * REF_HEIGHT * 2;

/** The inner window grown by one pixel on each side: what a 3x3 dilation of the inner window reads. */
const INNER_1: Window = { x0: INNER.x0 - 1, x1: INNER.x1 + 1, y0: INNER.y0 - 1, y1: INNER.y1 + 1 };
/** ... and by two more: what a 5x5 median of that reads. */
const INNER_3: Window = { x0: INNER.x0 - 3, x1: INNER.x1 + 3, y0: INNER.y0 - 3, y1: INNER.y1 + 3 };
const INNER_COUNT = (INNER.x1 - INNER.x0) * (INNER.y1 - INNER.y0);

function innerMean(values: ArrayLike<number>, width: number): number {
  let s = 0;
  let n = 0;
  for (let y = INNER.y0; y < INNER.y1; y++)
    for (let x = INNER.x0; x < INNER.x1; x++) {
      s += values[y * width + x]!;
      n++;
    }
  return s / n;
}

/** The share of the inner window's pixels a 0/1 mask marks: innerMean's sum of ones and zeros is the exact count. */
function innerShare(mask: Uint8Array, width: number): number {
  let s = 0;
  for (let y = INNER.y0; y < INNER.y1; y++) for (let i = y * width + INNER.x0, e = y * width + INNER.x1; i < e; i++) s += mask[i]!;
  return s / INNER_COUNT;
}

/**
 * The inner window's values, row by row, of what the features average, each as the float32 a full picture of it would
 * hold (what innerMean and innerStd would read there): one scratch array per quantity, reused from slot to slot.
 */
const scratch = Array.from({ length: 6 }, () => new Float64Array(INNER_COUNT));

/** The mean grey of the patch's inner window: the frame's light level is the median of these over all slots. */
export function innerGray(patch: RgbPatch, pg?: PatchGray): number {
  return innerMean((pg?.g ?? toGray(patch.data, patch.width, patch.height)).data, patch.width);
}

/** The frame's light level: the median inner grey over all its slots, floored. */
export function lightLevel(innerGrays: readonly number[]): number {
  if (innerGrays.length === 0) return 128;
  const s = [...innerGrays].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return Math.max(LUM_FLOOR, median);
}

/**
 * The original system's pixel count, as a share: blur, mean-adaptive threshold (block 25, C 16, inverted), median 5,
 * dilate 3x3. Its constant C is absolute, which is why it misses dark cars at dusk: the other features are relative.
 */
function classicShare(g: Gray): number {
  // Only the inner window is averaged: the dilation needs the median one pixel around it, the median the threshold two
  // more around that (the blurs still see the whole patch).
  const blurred = gaussianBlur(g, 3, 1);
  const t = adaptiveThresholdInv(blurred, 25, 16, 'mean', INNER_3);
  const m = dilate3(medianBinary(t, g.width, g.height, 5, INNER_1), g.width, g.height, INNER);
  return innerShare(m, g.width);
}

/** The grey picture of a patch and its Sobel derivatives, computed once for the features and the reference. */
export interface PatchGray {
  readonly g: Gray;
  readonly dx: Float32Array;
  readonly dy: Float32Array;
}

export function patchGray(patch: RgbPatch): PatchGray {
  const g = toGray(patch.data, patch.width, patch.height);
  return { g, ...sobel(g) };
}

export function handFeatures(patch: RgbPatch, lum: number, pg: PatchGray = patchGray(patch)): number[] {
  const { width, height, data } = patch;
  if (width !== PATCH_WIDTH || height !== PATCH_HEIGHT) throw new Error(`hand features need a ${PATCH_WIDTH}x${PATCH_HEIGHT} patch`);
  const { g, dx, dy } = pg;
  const adaptive = innerShare(adaptiveThresholdInv(g, 11, 8, 'gaussian', INNER), width);
  const edges = innerShare(canny(gaussianBlur(g, 3), 60, 150), width);
  const lap = laplacian(g, INNER);
  // Each quantity only where it is averaged, rounded to float32 as its full picture (a Float32Array) held it. Every mean
  // and deviation is the innerMean/innerStd sum, in the same order, but the seven run side by side in two loops (the
  // first while gathering) instead of one after another: the same doubles, without waiting on one sum at a time.
  const [lapv, red, green, blue, sat, grey] = scratch as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const gd = g.data;
  const f32 = Math.fround;
  const darkBelow = 0.6 * lum;
  const brightAbove = 1.5 * lum;
  let dark = 0;
  let bright = 0;
  let sGrad = 0;
  let sLap = 0;
  let sRed = 0;
  let sGreen = 0;
  let sBlue = 0;
  let sSat = 0;
  let sGrey = 0;
  let k = 0;
  for (let y = INNER.y0; y < INNER.y1; y++)
    for (let i = y * width + INNER.x0, e = y * width + INNER.x1; i < e; i++, k++) {
      // Sobel is 8x a unit difference in total weight: /8 gives per-pixel steps comparable with the grey level.
      sGrad += f32((Math.abs(dx[i]!) + Math.abs(dy[i]!)) / 8);
      const l = lap[i]!;
      lapv[k] = l;
      sLap += l;
      const r = data[i * 3]!;
      const gg = data[i * 3 + 1]!;
      const b = data[i * 3 + 2]!;
      red[k] = r;
      green[k] = gg;
      blue[k] = b;
      sRed += r;
      sGreen += gg;
      sBlue += b;
      const mx = Math.max(r, gg, b);
      const st = mx === 0 ? 0 : f32(((mx - Math.min(r, gg, b)) / mx) * 255);
      sat[k] = st;
      sSat += st;
      const v = gd[i]!;
      grey[k] = v;
      sGrey += v;
      dark += v < darkBelow ? 1 : 0;
      bright += v > brightAbove ? 1 : 0;
    }
  const n = INNER_COUNT;
  const mLap = sLap / n;
  const mRed = sRed / n;
  const mGreen = sGreen / n;
  const mBlue = sBlue / n;
  const mSat = sSat / n;
  const mGrey = sGrey / n;
  let qLap = 0;
  let qRed = 0;
  let qGreen = 0;
  let qBlue = 0;
  let qSat = 0;
  let qGrey = 0;
  for (let j = 0; j < n; j++) {
    qLap += (lapv[j]! - mLap) ** 2;
    qRed += (red[j]! - mRed) ** 2;
    qGreen += (green[j]! - mGreen) ** 2;
    qBlue += (blue[j]! - mBlue) ** 2;
    qSat += (sat[j]! - mSat) ** 2;
    qGrey += (grey[j]! - mGrey) ** 2;
  }
  const std = (q: number) => Math.sqrt(q / n);
  const lapStd = std(qLap);
  return [
    classicShare(g),
    adaptive,
    edges,
    sGrad / n / lum,
    std(qGrey) / lum,
    Math.log1p(((lapStd * lapStd) / (lum * lum)) * 1e4),
    (std(qRed) + std(qGreen) + std(qBlue)) / 3 / lum,
    std(qSat) / 255,
    Math.abs(mGrey - lum) / lum,
    dark / INNER_COUNT,
    bright / INNER_COUNT,
  ];
}

/** The slot's small reference picture (grey and gradient relative to the frame's light), for free-slot references. */
export function referenceVector(patch: RgbPatch, lum: number, pg: PatchGray = patchGray(patch)): number[] {
  const { g, dx, dy } = pg;
  const fx = patch.width / REF_WIDTH;
  const fy = patch.height / REF_HEIGHT;
  const grey: number[] = [];
  const grad: number[] = [];
  for (let ry = 0; ry < REF_HEIGHT; ry++)
    for (let rx = 0; rx < REF_WIDTH; rx++) {
      let s = 0;
      let t = 0;
      for (let y = ry * fy; y < (ry + 1) * fy; y++)
        for (let x = rx * fx; x < (rx + 1) * fx; x++) {
          const i = y * patch.width + x;
          s += g.data[i]!;
          t += (Math.abs(dx[i]!) + Math.abs(dy[i]!)) / 8;
        }
      grey.push(s / (fx * fy) / lum);
      grad.push(t / (fx * fy) / lum);
    }
  return [...grey, ...grad];
}

/** How far a slot's picture is from its free reference: mean absolute difference, grey and gradient. */
export function referenceDistance(vector: readonly number[], reference: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < REF_LENGTH; i++) s += Math.abs(vector[i]! - reference[i]!);
  return s / REF_LENGTH;
}
