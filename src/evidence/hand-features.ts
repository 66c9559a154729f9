// Illumination-relative hand features of a slot's upright 32x64 patch (see docs/accuracy.md and
// ../shared/research/slot-evidence.md). Every intensity is divided by the frame's light level `lum`, so that dusk,
// shade and night look like day to the classifier. Pure.
import type { RgbPatch } from './warp.ts';
import { adaptiveThresholdInv, canny, dilate3, gaussianBlur, laplacian, medianBinary, sobel, toGray, type Gray } from './image-ops.ts';

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

function innerStd(values: ArrayLike<number>, width: number): number {
  const m = innerMean(values, width);
  let s = 0;
  let n = 0;
  for (let y = INNER.y0; y < INNER.y1; y++)
    for (let x = INNER.x0; x < INNER.x1; x++) {
      s += (values[y * width + x]! - m) ** 2;
      n++;
    }
  return Math.sqrt(s / n);
}

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
  const blurred = gaussianBlur(g, 3, 1);
  const t = adaptiveThresholdInv(blurred, 25, 16, 'mean');
  const m = dilate3(medianBinary(t, g.width, g.height, 5), g.width, g.height);
  return innerMean(m, g.width);
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
  const adaptive = innerMean(adaptiveThresholdInv(g, 11, 8, 'gaussian'), width);
  const edges = innerMean(canny(gaussianBlur(g, 3), 60, 150), width);
  // Sobel is 8x a unit difference in total weight: /8 gives per-pixel steps comparable with the grey level.
  const grad = new Float32Array(dx.length);
  for (let i = 0; i < grad.length; i++) grad[i] = (Math.abs(dx[i]!) + Math.abs(dy[i]!)) / 8;
  const lap = laplacian(g);
  const n = width * height;
  const chan = [0, 1, 2].map((c) => {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = data[i * 3 + c]!;
    return v;
  });
  const sat = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = data[i * 3]!, gg = data[i * 3 + 1]!, b = data[i * 3 + 2]!;
    const mx = Math.max(r, gg, b);
    sat[i] = mx === 0 ? 0 : ((mx - Math.min(r, gg, b)) / mx) * 255;
  }
  const dark = new Float32Array(n);
  const bright = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    dark[i] = g.data[i]! < 0.6 * lum ? 1 : 0;
    bright[i] = g.data[i]! > 1.5 * lum ? 1 : 0;
  }
  const lapStd = innerStd(lap, width);
  return [
    classicShare(g),
    adaptive,
    edges,
    innerMean(grad, width) / lum,
    innerStd(g.data, width) / lum,
    Math.log1p(((lapStd * lapStd) / (lum * lum)) * 1e4),
    (innerStd(chan[0]!, width) + innerStd(chan[1]!, width) + innerStd(chan[2]!, width)) / 3 / lum,
    innerStd(sat, width) / 255,
    Math.abs(innerMean(g.data, width) - lum) / lum,
    innerMean(dark, width),
    innerMean(bright, width),
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
