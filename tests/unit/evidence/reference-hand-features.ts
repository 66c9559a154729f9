// FROZEN REFERENCE — do not optimise or edit. A verbatim copy (only renamed and de-exported where noted) of
// src/evidence/image-ops.ts, hand-features.ts and warp.ts's warpQuad as they were at a95f928, before issue 13's speed
// work. The trained weights read these features, so hand-features-exact.test.ts checks that the fast code in src/
// gives bit for bit what this gives. Change it only together with a deliberate change of the features (and retraining).
import type { RgbaFrame } from '../../../src/camera/frame.ts';
import { homographyFromPoints, type Quad } from '../../../src/occupancy/homography.ts';
import type { Point } from '../../../src/occupancy/types.ts';
import type { RgbPatch } from '../../../src/evidence/warp.ts';

// ---- src/evidence/image-ops.ts ----
export interface Gray {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

const at = (g: Gray, x: number, y: number): number => {
  const cx = x < 0 ? 0 : x >= g.width ? g.width - 1 : x;
  const cy = y < 0 ? 0 : y >= g.height ? g.height - 1 : y;
  return g.data[cy * g.width + cx]!;
};

/** ITU-R BT.601 luma, as OpenCV's RGB2GRAY. */
export function toGray(rgb: Uint8Array, width: number, height: number): Gray {
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
  return { width, height, data };
}

/** OpenCV's default sigma for a Gaussian kernel of a given size. */
export const gaussianSigma = (ksize: number): number => 0.3 * ((ksize - 1) * 0.5 - 1) + 0.8;

export function gaussianKernel(ksize: number, sigma = gaussianSigma(ksize)): Float32Array {
  const k = new Float32Array(ksize);
  const r = (ksize - 1) / 2;
  let sum = 0;
  for (let i = 0; i < ksize; i++) {
    k[i] = Math.exp(-((i - r) ** 2) / (2 * sigma * sigma));
    sum += k[i]!;
  }
  for (let i = 0; i < ksize; i++) k[i] = k[i]! / sum;
  return k;
}

/** The kernels the features use, made once per size and sigma. */
const kernels = new Map<string, Float32Array>();
function cachedKernel(ksize: number, sigma?: number): Float32Array {
  const key = `${ksize}:${sigma ?? ''}`;
  let k = kernels.get(key);
  if (!k) kernels.set(key, (k = gaussianKernel(ksize, sigma)));
  return k;
}

/**
 * Separable convolution with the same 1-D kernel along x and y, replicated border. Each output pixel sums its taps in
 * kernel order, in doubles, as a plain loop would (the results are bit for bit those of one): padded rows, clamped row
 * offsets and an unrolled 3-tap case only spare the border checks and the loop.
 */
export function separable(g: Gray, kernel: Float32Array): Gray {
  // The float32 taps as doubles (exact): the loops then never convert.
  const k = Float64Array.from(kernel);
  const taps = k.length;
  const r = (taps - 1) / 2;
  const { width, height } = g;
  const src = g.data;
  const k0 = k[0]!;
  const k1 = k[1] ?? 0;
  const k2 = k[2] ?? 0;
  const tmp = new Float32Array(width * height);
  const pad = new Float64Array(width + 2 * r);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let i = 0; i < pad.length; i++) pad[i] = src[row + (i < r ? 0 : i - r >= width ? width - 1 : i - r)]!;
    if (taps === 3) for (let x = 0; x < width; x++) tmp[row + x] = 0 + k0 * pad[x]! + k1 * pad[x + 1]! + k2 * pad[x + 2]!;
    else
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let i = 0; i < taps; i++) s += k[i]! * pad[x + i]!;
        tmp[row + x] = s;
      }
  }
  const out = new Float32Array(width * height);
  const rows = new Int32Array(taps);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < taps; i++) rows[i] = Math.min(height - 1, Math.max(0, y + i - r)) * width;
    const o = y * width;
    if (taps === 3) {
      const a = rows[0]!;
      const b = rows[1]!;
      const c = rows[2]!;
      for (let x = 0; x < width; x++) out[o + x] = 0 + k0 * tmp[a + x]! + k1 * tmp[b + x]! + k2 * tmp[c + x]!;
    } else
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let i = 0; i < taps; i++) s += k[i]! * tmp[rows[i]! + x]!;
        out[o + x] = s;
      }
  }
  return { width, height, data: out };
}

export const gaussianBlur = (g: Gray, ksize: number, sigma?: number): Gray => separable(g, cachedKernel(ksize, sigma));

/** Mean over a ksize x ksize window (replicated border), by running sums: O(1) per pixel whatever the size. */
export function boxBlur(g: Gray, ksize: number): Gray {
  const r = (ksize - 1) / 2;
  const { width, height } = g;
  const src = g.data;
  const tmp = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let s = 0;
    for (let i = -r; i <= r; i++) s += src[row + (i < 0 ? 0 : i >= width ? width - 1 : i)]!;
    for (let x = 0; x < width; x++) {
      tmp[row + x] = s / ksize;
      const add = x + r + 1;
      const drop = x - r;
      s += src[row + (add >= width ? width - 1 : add)]! - src[row + (drop < 0 ? 0 : drop)]!;
    }
  }
  const out = new Float32Array(width * height);
  for (let x = 0; x < width; x++) {
    let s = 0;
    for (let i = -r; i <= r; i++) s += tmp[(i < 0 ? 0 : i >= height ? height - 1 : i) * width + x]!;
    for (let y = 0; y < height; y++) {
      out[y * width + x] = s / ksize;
      const add = y + r + 1;
      const drop = y - r;
      s += tmp[(add >= height ? height - 1 : add) * width + x]! - tmp[(drop < 0 ? 0 : drop) * width + x]!;
    }
  }
  return { width, height, data: out };
}

/** 1 where the pixel is darker than its neighbourhood mean (or Gaussian mean) minus c: THRESH_BINARY_INV. */
export function adaptiveThresholdInv(g: Gray, block: number, c: number, method: 'mean' | 'gaussian'): Uint8Array {
  const m = method === 'mean' ? boxBlur(g, block) : gaussianBlur(g, block);
  const out = new Uint8Array(g.data.length);
  for (let i = 0; i < out.length; i++) out[i] = g.data[i]! <= m.data[i]! - c ? 1 : 0;
  return out;
}

/** Median filter of a binary mask (a majority vote over the ksize x ksize window, replicated border), by box sums. */
export function medianBinary(mask: Uint8Array, width: number, height: number, ksize: number): Uint8Array {
  const r = (ksize - 1) / 2;
  const half = (ksize * ksize - 1) / 2;
  // Column sums over the window's rows, then a running sum along each row: the same counts as visiting every tap.
  const pw = width + 2 * r;
  const col = new Int32Array(pw);
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    col.fill(0);
    for (let dy = -r; dy <= r; dy++) {
      const row = Math.min(height - 1, Math.max(0, y + dy)) * width;
      for (let i = 0; i < pw; i++) col[i] = col[i]! + mask[row + Math.min(width - 1, Math.max(0, i - r))]!;
    }
    let n = 0;
    for (let i = 0; i < ksize; i++) n += col[i]!;
    for (let x = 0; x < width; x++) {
      out[y * width + x] = n > half ? 1 : 0;
      if (x + 1 < width) n += col[x + ksize]! - col[x]!;
    }
  }
  return out;
}

export function dilate3(mask: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (let dy = -1; dy <= 1 && !v; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < width && mask[yy * width + xx]) {
            v = 1;
            break;
          }
        }
      }
      out[y * width + x] = v;
    }
  return out;
}

/** 3x3 Sobel derivatives (replicated border). */
export function sobel(g: Gray): { dx: Float32Array; dy: Float32Array } {
  const { width, height } = g;
  const d = g.data;
  const dx = new Float32Array(width * height);
  const dy = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const up = (y > 0 ? y - 1 : 0) * width;
    const row = y * width;
    const down = (y < height - 1 ? y + 1 : y) * width;
    for (let x = 0; x < width; x++) {
      const l = x > 0 ? x - 1 : 0;
      const r = x < width - 1 ? x + 1 : x;
      const a = d[up + l]!, b = d[up + x]!, c = d[up + r]!;
      const dl = d[row + l]!, f = d[row + r]!;
      const p = d[down + l]!, q = d[down + x]!, rr = d[down + r]!;
      dx[row + x] = c + 2 * f + rr - (a + 2 * dl + p);
      dy[row + x] = p + 2 * q + rr - (a + 2 * b + c);
    }
  }
  return { dx, dy };
}

/** The 4-neighbour Laplacian (OpenCV's Laplacian with ksize 1). */
export function laplacian(g: Gray): Float32Array {
  const out = new Float32Array(g.data.length);
  for (let y = 0; y < g.height; y++)
    for (let x = 0; x < g.width; x++)
      out[y * g.width + x] = at(g, x - 1, y) + at(g, x + 1, y) + at(g, x, y - 1) + at(g, x, y + 1) - 4 * at(g, x, y);
  return out;
}

/** Canny edges with an L1 gradient (OpenCV's default), non-maximum suppression and hysteresis. */
export function canny(g: Gray, low: number, high: number): Uint8Array {
  const { width, height } = g;
  const { dx, dy } = sobel(g);
  const mag = new Float32Array(width * height);
  for (let i = 0; i < mag.length; i++) mag[i] = Math.abs(dx[i]!) + Math.abs(dy[i]!);
  const m = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : mag[y * width + x]!);
  // 0 = not an edge, 1 = weak, 2 = strong.
  const state = new Uint8Array(width * height);
  const tan22 = Math.tan(Math.PI / 8);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = mag[i]!;
      if (v <= low) continue;
      const gx = dx[i]!, gy = dy[i]!;
      const ax = Math.abs(gx), ay = Math.abs(gy);
      let n1: number, n2: number;
      if (ay <= ax * tan22) [n1, n2] = [m(x - 1, y), m(x + 1, y)];
      else if (ax <= ay * tan22) [n1, n2] = [m(x, y - 1), m(x, y + 1)];
      else if (gx * gy > 0) [n1, n2] = [m(x - 1, y - 1), m(x + 1, y + 1)];
      else [n1, n2] = [m(x + 1, y - 1), m(x - 1, y + 1)];
      if (v > n1 && v >= n2) state[i] = v > high ? 2 : 1;
    }
  const out = new Uint8Array(width * height);
  const stack: number[] = [];
  for (let i = 0; i < state.length; i++) if (state[i] === 2) { out[i] = 1; stack.push(i); }
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % width, y = (i - x) / width;
    for (let yy = y - 1; yy <= y + 1; yy++)
      for (let xx = x - 1; xx <= x + 1; xx++) {
        if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
        const j = yy * width + xx;
        if (state[j] === 1 && !out[j]) { out[j] = 1; stack.push(j); }
      }
  }
  return out;
}

// ---- src/evidence/hand-features.ts ----
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

// ---- src/evidence/warp.ts (warpQuad) ----
function asQuad(p: readonly Point[]): Quad {
  if (p.length !== 4) throw new Error('a slot patch needs exactly four corners');
  return p as unknown as Quad;
}

// `step`: the supersampling step, a parameter since the tile CNN's own (tile-cnn-weights.ts sampling); 1.5 was fixed.
export function warpQuad(frame: RgbaFrame, corners: readonly Point[], width: number, height: number, out?: Uint8Array, step = 1.5): RgbPatch {
  const data = out ?? new Uint8Array(width * height * 3);
  const h = homographyFromPoints(
    [
      [0, 0],
      [width, 0],
      [width, height],
      [0, height],
    ],
    asQuad(corners),
  );
  const sideX = Math.max(Math.hypot(corners[1]![0] - corners[0]![0], corners[1]![1] - corners[0]![1]), Math.hypot(corners[2]![0] - corners[3]![0], corners[2]![1] - corners[3]![1]));
  const sideY = Math.max(Math.hypot(corners[3]![0] - corners[0]![0], corners[3]![1] - corners[0]![1]), Math.hypot(corners[2]![0] - corners[1]![0], corners[2]![1] - corners[1]![1]));
  const ss = Math.max(1, Math.min(4, Math.ceil(Math.max(sideX / width, sideY / height) / step)));
  const fw = frame.width;
  const fh = frame.height;
  const src = frame.data;
  const n = ss * ss;
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = h;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < ss; sy++) {
        const pv = v + (sy + 0.5) / ss;
        for (let sx = 0; sx < ss; sx++) {
          const pu = u + (sx + 0.5) / ss;
          const w = h6 * pu + h7 * pv + h8;
          // Pixel centres sit at +0.5: shift to sample coordinates, clamp to the frame (replicate the border).
          let x = (h0 * pu + h1 * pv + h2) / w - 0.5;
          let y = (h3 * pu + h4 * pv + h5) / w - 0.5;
          x = x < 0 ? 0 : x > fw - 1 ? fw - 1 : x;
          y = y < 0 ? 0 : y > fh - 1 ? fh - 1 : y;
          const x0 = x | 0;
          const y0 = y | 0;
          const dx = x0 + 1 < fw ? 4 : 0;
          const dy = y0 + 1 < fh ? fw * 4 : 0;
          const ax = x - x0;
          const ay = y - y0;
          const i00 = (y0 * fw + x0) * 4;
          const w00 = (1 - ax) * (1 - ay);
          const w10 = ax * (1 - ay);
          const w01 = (1 - ax) * ay;
          const w11 = ax * ay;
          r += w00 * src[i00]! + w10 * src[i00 + dx]! + w01 * src[i00 + dy]! + w11 * src[i00 + dx + dy]!;
          g += w00 * src[i00 + 1]! + w10 * src[i00 + dx + 1]! + w01 * src[i00 + dy + 1]! + w11 * src[i00 + dx + dy + 1]!;
          b += w00 * src[i00 + 2]! + w10 * src[i00 + dx + 2]! + w01 * src[i00 + dy + 2]! + w11 * src[i00 + dx + dy + 2]!;
        }
      }
      const o = (v * width + u) * 3;
      data[o] = Math.round(r / n);
      data[o + 1] = Math.round(g / n);
      data[o + 2] = Math.round(b / n);
    }
  }
  return { width, height, data };
}

// ---- src/evidence/slot-features.ts (framePatches), with the frozen warp and features above ----
export function framePatchesReference(frame: RgbaFrame, corners: readonly (readonly Point[])[]): { lum: number; patches: RgbPatch[]; grays: PatchGray[] } {
  const patches = corners.map((c) => warpQuad(frame, c, PATCH_WIDTH, PATCH_HEIGHT));
  const grays = patches.map(patchGray);
  const lum = lightLevel(patches.map((p, i) => innerGray(p, grays[i])));
  return { lum, patches, grays };
}
