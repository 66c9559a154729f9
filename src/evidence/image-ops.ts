// Small image operations on single-channel float images (row-major), the few OpenCV calls the hand features need.
// Borders replicate the edge pixel, as OpenCV's adaptiveThreshold and Canny do. Pure.

export interface Gray {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

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

/** The kernels the features use, made once per size and sigma, with their float32 taps as doubles (exact). */
const kernels = new Map<string, Float64Array>();
function cachedKernel(ksize: number, sigma?: number): Float64Array {
  const key = `${ksize}:${sigma ?? ''}`;
  let k = kernels.get(key);
  if (!k) kernels.set(key, (k = Float64Array.from(gaussianKernel(ksize, sigma))));
  return k;
}

/** Scratch pictures for separable and boxBlur, grown as needed and reused from call to call (every value read is written first). */
let tmpScratch = new Float32Array(0);
let padScratch = new Float64Array(0);

/** A half-open rectangle of pixels: x0 <= x < x1, y0 <= y < y1. */
export interface Window {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/**
 * Separable convolution with the same 1-D kernel along x and y, replicated border. Each output pixel sums its taps in
 * kernel order, in doubles, as a plain loop would (the results are bit for bit those of one): padded rows, clamped row
 * offsets and unrolled 3- and 11-tap cases only spare the border checks and the loop. With `win`, only the pixels in it
 * are computed (the others are 0), each exactly as without it: a feature that averages a window pays for that window.
 */
export function separable(g: Gray, kernel: Float32Array, win?: Window): Gray {
  // The float32 taps as doubles (exact): the loops then never convert.
  return separable64(g, Float64Array.from(kernel), win);
}

function separable64(g: Gray, k: Float64Array, win?: Window): Gray {
  const taps = k.length;
  const r = (taps - 1) / 2;
  const { width, height } = g;
  const { x0, x1, y0, y1 } = win ?? { x0: 0, x1: width, y0: 0, y1: height };
  const src = g.data;
  const k0 = k[0]!;
  const k1 = taps > 1 ? k[1]! : 0;
  const k2 = taps > 2 ? k[2]! : 0;
  const big = taps === 11;
  const k3 = big ? k[3]! : 0;
  const k4 = big ? k[4]! : 0;
  const k5 = big ? k[5]! : 0;
  const k6 = big ? k[6]! : 0;
  const k7 = big ? k[7]! : 0;
  const k8 = big ? k[8]! : 0;
  const k9 = big ? k[9]! : 0;
  const k10 = big ? k[10]! : 0;
  if (tmpScratch.length < width * height) tmpScratch = new Float32Array(width * height);
  if (padScratch.length < width + 2 * r) padScratch = new Float64Array(width + 2 * r);
  const tmp = tmpScratch;
  const pad = padScratch;

  // The rows the vertical pass reads.
  const ty0 = Math.max(0, y0 - r);
  const ty1 = Math.min(height, y1 + r);
  for (let y = ty0; y < ty1; y++) {
    const row = y * width;
    if (taps === 3 && x0 === 0 && x1 === width && width > 1) {
      // Three taps over whole rows (the Gaussians the features blur a patch with): the padded row's values read in
      // place, the replicated border at both ends written out.
      const e = row + width - 1;
      tmp[row] = 0 + k0 * src[row]! + k1 * src[row]! + k2 * src[row + 1]!;
      for (let i = row + 1; i < e; i++) tmp[i] = 0 + k0 * src[i - 1]! + k1 * src[i]! + k2 * src[i + 1]!;
      tmp[e] = 0 + k0 * src[e - 1]! + k1 * src[e]! + k2 * src[e]!;
      continue;
    }
    if (taps === 11 && x0 >= r && x1 + r <= width) {
      // Eleven taps inside the row (the adaptive threshold's window): no tap reaches the border, so none is replicated.
      for (let i = row + x0 - r, e = row + x1 - r, o = row + x0; i < e; i++, o++)
        tmp[o] =
          0 +
          k0 * src[i]! +
          k1 * src[i + 1]! +
          k2 * src[i + 2]! +
          k3 * src[i + 3]! +
          k4 * src[i + 4]! +
          k5 * src[i + 5]! +
          k6 * src[i + 6]! +
          k7 * src[i + 7]! +
          k8 * src[i + 8]! +
          k9 * src[i + 9]! +
          k10 * src[i + 10]!;
      continue;
    }
    for (let i = x0; i < x1 + 2 * r; i++) pad[i] = src[row + (i < r ? 0 : i - r >= width ? width - 1 : i - r)]!;
    if (taps === 3) for (let x = x0; x < x1; x++) tmp[row + x] = 0 + k0 * pad[x]! + k1 * pad[x + 1]! + k2 * pad[x + 2]!;
    else if (taps === 11)
      for (let x = x0; x < x1; x++)
        tmp[row + x] =
          0 +
          k0 * pad[x]! +
          k1 * pad[x + 1]! +
          k2 * pad[x + 2]! +
          k3 * pad[x + 3]! +
          k4 * pad[x + 4]! +
          k5 * pad[x + 5]! +
          k6 * pad[x + 6]! +
          k7 * pad[x + 7]! +
          k8 * pad[x + 8]! +
          k9 * pad[x + 9]! +
          k10 * pad[x + 10]!;
    else
      for (let x = x0; x < x1; x++) {
        let s = 0;
        for (let i = 0; i < taps; i++) s += k[i]! * pad[x + i]!;
        tmp[row + x] = s;
      }
  }
  const out = new Float32Array(width * height);
  const rows = new Int32Array(taps);
  for (let y = y0; y < y1; y++) {
    for (let i = 0; i < taps; i++) rows[i] = Math.min(height - 1, Math.max(0, y + i - r)) * width;
    const o = y * width;
    if (taps === 3) {
      const a = rows[0]!;
      const b = rows[1]!;
      const c = rows[2]!;
      for (let x = x0; x < x1; x++) out[o + x] = 0 + k0 * tmp[a + x]! + k1 * tmp[b + x]! + k2 * tmp[c + x]!;
    } else if (taps === 11) {
      const a0 = rows[0]!;
      const a1 = rows[1]!;
      const a2 = rows[2]!;
      const a3 = rows[3]!;
      const a4 = rows[4]!;
      const a5 = rows[5]!;
      const a6 = rows[6]!;
      const a7 = rows[7]!;
      const a8 = rows[8]!;
      const a9 = rows[9]!;
      const a10 = rows[10]!;
      for (let x = x0; x < x1; x++)
        out[o + x] =
          0 +
          k0 * tmp[a0 + x]! +
          k1 * tmp[a1 + x]! +
          k2 * tmp[a2 + x]! +
          k3 * tmp[a3 + x]! +
          k4 * tmp[a4 + x]! +
          k5 * tmp[a5 + x]! +
          k6 * tmp[a6 + x]! +
          k7 * tmp[a7 + x]! +
          k8 * tmp[a8 + x]! +
          k9 * tmp[a9 + x]! +
          k10 * tmp[a10 + x]!;
    } else
      for (let x = x0; x < x1; x++) {
        let s = 0;
        for (let i = 0; i < taps; i++) s += k[i]! * tmp[rows[i]! + x]!;
        out[o + x] = s;
      }
  }
  return { width, height, data: out };
}

export const gaussianBlur = (g: Gray, ksize: number, sigma?: number, win?: Window): Gray => separable64(g, cachedKernel(ksize, sigma), win);

/**
 * Mean over a ksize x ksize window (replicated border), by running sums: O(1) per pixel whatever the size. With `win`,
 * only its pixels are computed (the others are 0); the running sums still start at the image's edge, so each value is
 * the same double as without it.
 */
export function boxBlur(g: Gray, ksize: number, win?: Window): Gray {
  const r = (ksize - 1) / 2;
  const { width, height } = g;
  const { x0, x1, y0, y1 } = win ?? { x0: 0, x1: width, y0: 0, y1: height };
  const src = g.data;
  if (tmpScratch.length < width * height) tmpScratch = new Float32Array(width * height);
  const tmp = tmpScratch;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let s = 0;
    for (let i = -r; i <= r; i++) s += src[row + (i < 0 ? 0 : i >= width ? width - 1 : i)]!;
    for (let x = 0; x < x1; x++) {
      tmp[row + x] = s / ksize;
      const add = x + r + 1;
      const drop = x - r;
      s += src[row + (add >= width ? width - 1 : add)]! - src[row + (drop < 0 ? 0 : drop)]!;
    }
  }
  const out = new Float32Array(width * height);
  for (let x = x0; x < x1; x++) {
    let s = 0;
    for (let i = -r; i <= r; i++) s += tmp[(i < 0 ? 0 : i >= height ? height - 1 : i) * width + x]!;
    for (let y = 0; y < y1; y++) {
      out[y * width + x] = s / ksize;
      const add = y + r + 1;
      const drop = y - r;
      s += tmp[(add >= height ? height - 1 : add) * width + x]! - tmp[(drop < 0 ? 0 : drop) * width + x]!;
    }
  }
  if (y0 > 0) out.fill(0, 0, y0 * width);
  return { width, height, data: out };
}

/**
 * 1 where the pixel is darker than its neighbourhood mean (or Gaussian mean) minus c: THRESH_BINARY_INV. With `win`,
 * only its pixels are decided (the others are 0).
 */
export function adaptiveThresholdInv(g: Gray, block: number, c: number, method: 'mean' | 'gaussian', win?: Window): Uint8Array {
  const m = (method === 'mean' ? boxBlur(g, block, win) : gaussianBlur(g, block, undefined, win)).data;
  const { width, height } = g;
  const { x0, x1, y0, y1 } = win ?? { x0: 0, x1: width, y0: 0, y1: height };
  const d = g.data;
  const out = new Uint8Array(d.length);
  for (let y = y0; y < y1; y++) for (let i = y * width + x0, e = y * width + x1; i < e; i++) out[i] = d[i]! <= m[i]! - c ? 1 : 0;
  return out;
}

/**
 * Median filter of a binary mask (a majority vote over the ksize x ksize window, replicated border), by box sums. With
 * `win`, only its pixels are voted (the others are 0). The counts are integers: any order of summing gives them exactly.
 */
export function medianBinary(mask: Uint8Array, width: number, height: number, ksize: number, win?: Window): Uint8Array {
  const r = (ksize - 1) / 2;
  const half = (ksize * ksize - 1) / 2;
  const { x0, x1, y0, y1 } = win ?? { x0: 0, x1: width, y0: 0, y1: height };
  // Column sums over the window's rows (padded by r on each side), then a running sum along each row.
  const pw = width + 2 * r;
  const col = new Int32Array(pw);
  const out = new Uint8Array(mask.length);
  // The padded columns x0 .. x1 + 2r - 1 are the ones read.
  const c0 = x0;
  const c1 = x1 + 2 * r;
  const colAt = (i: number) => (i < r ? 0 : i - r >= width ? width - 1 : i - r);
  for (let dy = -r; dy <= r; dy++) {
    const row = Math.min(height - 1, Math.max(0, y0 + dy)) * width;
    for (let i = c0; i < c1; i++) col[i] = col[i]! + mask[row + colAt(i)]!;
  }
  for (let y = y0; y < y1; y++) {
    if (y > y0) {
      const add = Math.min(height - 1, y + r) * width;
      const drop = Math.max(0, y - r - 1) * width;
      for (let i = c0; i < c1; i++) {
        const j = colAt(i);
        col[i] = col[i]! + mask[add + j]! - mask[drop + j]!;
      }
    }
    let n = 0;
    for (let i = x0; i < x0 + ksize; i++) n += col[i]!;
    const o = y * width;
    for (let x = x0; x < x1; x++) {
      out[o + x] = n > half ? 1 : 0;
      if (x + 1 < x1) n += col[x + ksize]! - col[x]!;
    }
  }
  return out;
}

/** 3x3 dilation of a binary mask (the border counts as empty). With `win`, only its pixels are computed (the others are 0). */
export function dilate3(mask: Uint8Array, width: number, height: number, win?: Window): Uint8Array {
  const { x0, x1, y0, y1 } = win ?? { x0: 0, x1: width, y0: 0, y1: height };
  const out = new Uint8Array(mask.length);
  for (let y = y0; y < y1; y++) {
    const up = y > 0 ? (y - 1) * width : -1;
    const row = y * width;
    const down = y + 1 < height ? (y + 1) * width : -1;
    for (let x = x0; x < x1; x++) {
      const l = x > 0 ? x - 1 : x;
      const r = x + 1 < width ? x + 1 : x;
      let v = mask[row + l]! | mask[row + x]! | mask[row + r]!;
      if (up >= 0) v |= mask[up + l]! | mask[up + x]! | mask[up + r]!;
      if (down >= 0) v |= mask[down + l]! | mask[down + x]! | mask[down + r]!;
      out[row + x] = v ? 1 : 0;
    }
  }
  return out;
}

/** 3x3 Sobel derivatives (replicated border), into `dx` and `dy` when given. */
export function sobel(g: Gray, dx = new Float32Array(g.data.length), dy = new Float32Array(g.data.length)): { dx: Float32Array; dy: Float32Array } {
  const { width, height } = g;
  const d = g.data;
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

/** The 4-neighbour Laplacian (OpenCV's Laplacian with ksize 1). With `win`, only its pixels are computed (the others are 0). */
export function laplacian(g: Gray, win?: Window): Float32Array {
  const { width, height } = g;
  const { x0, x1, y0, y1 } = win ?? { x0: 0, x1: width, y0: 0, y1: height };
  const d = g.data;
  const out = new Float32Array(d.length);
  for (let y = y0; y < y1; y++) {
    const up = (y > 0 ? y - 1 : 0) * width;
    const row = y * width;
    const down = (y < height - 1 ? y + 1 : y) * width;
    for (let x = x0; x < x1; x++) {
      const l = x > 0 ? x - 1 : 0;
      const r = x < width - 1 ? x + 1 : x;
      out[row + x] = d[row + l]! + d[row + r]! + d[up + x]! + d[down + x]! - 4 * d[row + x]!;
    }
  }
  return out;
}

/** Canny's working pictures, reused from call to call (grown as needed; only the first width x height are used). */
const newCannyScratch = (n: number) => ({ dx: new Float32Array(n), dy: new Float32Array(n), mag: new Float32Array(n), state: new Uint8Array(n), stack: new Int32Array(n) });
let cannyScratch = newCannyScratch(0);

/** Canny edges with an L1 gradient (OpenCV's default), non-maximum suppression and hysteresis. */
export function canny(g: Gray, low: number, high: number): Uint8Array {
  const { width, height } = g;
  const n = width * height;
  if (cannyScratch.stack.length < n) cannyScratch = newCannyScratch(n);
  const { dx, dy, mag, state, stack } = cannyScratch;
  sobel(g, dx, dy);
  for (let i = 0; i < n; i++) mag[i] = Math.abs(dx[i]!) + Math.abs(dy[i]!);
  // 0 = not an edge, 1 = weak, 2 = strong. Neighbours outside the image count as 0.
  state.fill(0, 0, n);
  const tan22 = Math.tan(Math.PI / 8);
  const out = new Uint8Array(n);
  // Every pixel is pushed at most once (it is marked before), so the stack never outgrows the image.
  let top = 0;
  for (let y = 0; y < height; y++) {
    const hasUp = y > 0;
    const hasDown = y + 1 < height;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = mag[i]!;
      if (v <= low) continue;
      const gx = dx[i]!;
      const gy = dy[i]!;
      const ax = Math.abs(gx);
      const ay = Math.abs(gy);
      const hasLeft = x > 0;
      const hasRight = x + 1 < width;
      let n1: number;
      let n2: number;
      if (ay <= ax * tan22) {
        n1 = hasLeft ? mag[i - 1]! : 0;
        n2 = hasRight ? mag[i + 1]! : 0;
      } else if (ax <= ay * tan22) {
        n1 = hasUp ? mag[i - width]! : 0;
        n2 = hasDown ? mag[i + width]! : 0;
      } else if (gx * gy > 0) {
        n1 = hasLeft && hasUp ? mag[i - width - 1]! : 0;
        n2 = hasRight && hasDown ? mag[i + width + 1]! : 0;
      } else {
        n1 = hasRight && hasUp ? mag[i - width + 1]! : 0;
        n2 = hasLeft && hasDown ? mag[i + width - 1]! : 0;
      }
      if (v > n1 && v >= n2) {
        if (v > high) {
          state[i] = 2;
          out[i] = 1;
          stack[top++] = i;
        } else state[i] = 1;
      }
    }
  }
  // Hysteresis: weak pixels 8-connected to a strong one are edges (which order they are reached in does not matter).
  while (top > 0) {
    const i = stack[--top]!;
    const x = i % width;
    const y = (i - x) / width;
    const ya = y > 0 ? y - 1 : 0;
    const yb = y + 1 < height ? y + 1 : y;
    const xa = x > 0 ? x - 1 : 0;
    const xb = x + 1 < width ? x + 1 : x;
    for (let yy = ya; yy <= yb; yy++)
      for (let j = yy * width + xa, e = yy * width + xb; j <= e; j++)
        if (state[j] === 1 && !out[j]) {
          out[j] = 1;
          stack[top++] = j;
        }
  }
  return out;
}
