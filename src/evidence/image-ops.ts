// Small image operations on single-channel float images (row-major), the few OpenCV calls the hand features need.
// Borders replicate the edge pixel, as OpenCV's adaptiveThreshold and Canny do. Pure.

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
