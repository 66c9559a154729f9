// The global shift between two small grey pictures by phase correlation (fft.js does the transforms): the spectrum's
// phase alone says where the pictures line up, so a change of light or contrast barely matters.
import FFT from 'fft.js';
import type { GreyImage } from './grey.ts';

/** A picture's whitening-ready spectrum, padded to powers of two; the reference's is computed once. */
export interface Spectrum {
  readonly width: number;
  readonly height: number;
  /** Padded size. */
  readonly cols: number;
  readonly rows: number;
  /** Interleaved re/im, row-major, rows x cols. */
  readonly data: Float64Array;
}

export interface PhaseShift {
  /** Where the reference's content is in `current`, in pixels: current(x + dx, y + dy) ≈ reference(x, y). */
  readonly dx: number;
  readonly dy: number;
  /** Height of the correlation peak (0..1): the share of the picture that agrees on this shift. */
  readonly peak: number;
}

const ffts = new Map<number, FFT>();
function fftOf(n: number): FFT {
  let f = ffts.get(n);
  if (!f) ffts.set(n, (f = new FFT(n)));
  return f;
}

const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(2, n)));

/** The spectrum of `g`, mean removed and tapered (Hann) at its edges so the borders do not pretend to be structure. */
export function spectrumOf(g: GreyImage): Spectrum {
  const { width, height } = g;
  const cols = pow2(width);
  const rows = pow2(height);
  let mean = 0;
  for (let i = 0; i < g.data.length; i++) mean += g.data[i]!;
  mean /= g.data.length;
  const wx = hann(width);
  const wy = hann(height);
  const data = new Float64Array(rows * cols * 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[(y * cols + x) * 2] = (g.data[y * width + x]! - mean) * wx[x]! * wy[y]!;
  }
  fft2(data, cols, rows, false);
  return { width, height, cols, rows, data };
}

/**
 * The shifts that best line `current` up with `reference` (same size), best first: the `count` highest local peaks of
 * the correlation. More than one, because a lot's repeated bays and rows make false peaks a bay or a row away, and
 * on another day (other cars) one of those can beat the true one.
 */
export function phaseCorrelate(reference: Spectrum, current: Spectrum, count = 1): PhaseShift[] {
  const { cols, rows } = reference;
  if (current.cols !== cols || current.rows !== rows) throw new Error('phaseCorrelate: the pictures differ in size');
  const r = new Float64Array(rows * cols * 2);
  const a = reference.data;
  const b = current.data;
  for (let i = 0; i < r.length; i += 2) {
    // conj(A) · B, whitened: the phase difference of every frequency.
    const re = a[i]! * b[i]! + a[i + 1]! * b[i + 1]!;
    const im = a[i]! * b[i + 1]! - a[i + 1]! * b[i]!;
    const mag = Math.sqrt(re * re + im * im);
    if (mag > 1e-9) {
      r[i] = re / mag;
      r[i + 1] = im / mag;
    }
  }
  fft2(r, cols, rows, true);
  const at = (x: number, y: number) => r[(((y + rows) % rows) * cols + ((x + cols) % cols)) * 2]!;
  const peaks: { x: number; y: number; v: number }[] = [];
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const v = at(x, y);
      if (peaks.length === count && v <= peaks[count - 1]!.v) continue;
      let top = true;
      for (let j = -1; j <= 1 && top; j++) for (let i = -1; i <= 1; i++) if ((i || j) && at(x + i, y + j) > v) top = false;
      if (!top) continue;
      peaks.push({ x, y, v });
      peaks.sort((p, q) => q.v - p.v);
      if (peaks.length > count) peaks.pop();
    }
  }
  return peaks.map(({ x, y, v }) => ({
    dx: wrap(x, cols) + subPixel(at(x - 1, y), v, at(x + 1, y)),
    dy: wrap(y, rows) + subPixel(at(x, y - 1), v, at(x, y + 1)),
    peak: v,
  }));
}

/** A signed shift from an index into a circular correlation. */
const wrap = (i: number, n: number) => (i > n / 2 ? i - n : i);

/** The offset of a peak's top from its middle sample, fitting a parabola through three samples. */
export function subPixel(left: number, mid: number, right: number): number {
  const d = left - 2 * mid + right;
  if (d >= 0) return 0;
  return Math.max(-0.5, Math.min(0.5, (0.5 * (left - right)) / d));
}

function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
  return w;
}

/** In-place 2-D FFT of interleaved complex data (rows x cols), rows then columns. */
function fft2(data: Float64Array, cols: number, rows: number, inverse: boolean): void {
  const fr = fftOf(cols);
  const inRow = new Float64Array(cols * 2);
  const outRow = new Float64Array(cols * 2);
  for (let y = 0; y < rows; y++) {
    inRow.set(data.subarray(y * cols * 2, (y + 1) * cols * 2));
    if (inverse) fr.inverseTransform(outRow, inRow);
    else fr.transform(outRow, inRow);
    data.set(outRow, y * cols * 2);
  }
  const fc = fftOf(rows);
  const inCol = new Float64Array(rows * 2);
  const outCol = new Float64Array(rows * 2);
  for (let x = 0; x < cols; x++) {
    for (let y = 0; y < rows; y++) {
      inCol[y * 2] = data[(y * cols + x) * 2]!;
      inCol[y * 2 + 1] = data[(y * cols + x) * 2 + 1]!;
    }
    if (inverse) fc.inverseTransform(outCol, inCol);
    else fc.transform(outCol, inCol);
    for (let y = 0; y < rows; y++) {
      data[(y * cols + x) * 2] = outCol[y * 2]!;
      data[(y * cols + x) * 2 + 1] = outCol[y * 2 + 1]!;
    }
  }
}
