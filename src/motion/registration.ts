// The camera's move between the scene reference (taken when the slots were marked) and a frame, estimated on small
// grey pictures. Pure: table- and property-tested in Node; the analysis worker only calls it.
//
// 1. Phase correlation of the whole pictures (at half size) gives the rough shift; only the phase counts, so a change of
//    light barely matters.
// 2. Textured blocks of the reference (corners of lines, kerbs, cars, trees: not flat asphalt or sky) are found again
//    near that shift by normalised cross-correlation, which ignores each block's brightness and contrast: first on a
//    half-size picture with a wide search, then at full size, each block searched near where the first fit puts it.
// 3. A shift + turn + zoom is fitted to the blocks that agree (pairs of blocks propose one, the one most blocks agree
//    with wins, then least squares on those): cars that came or went are blocks that disagree, and are ignored.
import { NO_MOVE, type CameraMove } from './camera-move.ts';
import type { GreyImage } from './grey.ts';
import { phaseCorrelate, spectrumOf, subPixel, type Spectrum } from './phase-correlation.ts';

/** A reference prepared once: its half-size spectrum, and its textured blocks at half and at full size. */
export interface PreparedReference {
  readonly image: GreyImage;
  readonly spectrum: Spectrum;
  readonly coarse: Level;
  readonly fine: Level;
}

interface Level {
  readonly image: GreyImage;
  /** Block side, pixels. */
  readonly size: number;
  readonly blocks: readonly Block[];
}

interface Block {
  /** Top-left corner in the reference. */
  readonly x: number;
  readonly y: number;
  /** Pixels minus their mean, and the root of their sum of squares. */
  readonly values: Float32Array;
  readonly norm: number;
}

export interface MotionEstimate {
  /** The move found, or null when the frame does not match the reference well enough to say. */
  readonly move: CameraMove | null;
  /** Blocks that agree with the move, of the blocks that were found again at all (full size). */
  readonly inliers: number;
  readonly matched: number;
  /** Textured blocks of the reference (full size). */
  readonly blocks: number;
  /** Height of the phase-correlation peak (0..1). */
  readonly peak: number;
}

export interface RegistrationOptions {
  /** Block side and grid step at full size, in pixels of the small picture (half of each at half size). */
  readonly block: number;
  readonly step: number;
  /** How far around the global shift a block is searched at half size: ±4 there covers a 3° turn and a 5 % zoom. */
  readonly coarseSearch: number;
  /** How far around the half-size fit's prediction a block is searched at full size. */
  readonly fineSearch: number;
  /** Normalised cross-correlation a block needs to count as found again. */
  readonly minCorrelation: number;
  /** A block agrees with a move when it lands within this many pixels (full size) of where the move puts it. */
  readonly tolerance: number;
  /**
   * Agreeing blocks needed for a move to be trusted: at least `minInliers`, `minInlierShare` of those found again and
   * `minBlockShare` of the reference's textured blocks. Measured (npm run eval:motion -- --trust): pucpr frames of 24
   * other days (a full lot against an empty one, sun against rain) keep ≥ 18 blocks, ≥ 9.4 %; two different views of
   * a lot (247 pairs of acpds-train's consecutive frames) agree by chance on ≤ 15 blocks, ≤ 5.7 %.
   */
  readonly minInliers: number;
  readonly minInlierShare: number;
  readonly minBlockShare: number;
}

export const DEFAULT_REGISTRATION: RegistrationOptions = {
  block: 16,
  step: 12,
  coarseSearch: 4,
  fineSearch: 2,
  minCorrelation: 0.6,
  tolerance: 1,
  minInliers: 16,
  minInlierShare: 0.4,
  minBlockShare: 0.07,
};

export function prepareReference(image: GreyImage, o: RegistrationOptions = DEFAULT_REGISTRATION): PreparedReference {
  const half = halve(image);
  // The same places at both sizes: coarse block i is fine block i at half the size.
  const spots = texturedSpots(image, o.block, o.step);
  return {
    image,
    spectrum: spectrumOf(half),
    coarse: { image: half, size: o.block / 2, blocks: spots.map(([x, y]) => blockAt(half, x / 2, y / 2, o.block / 2)) },
    fine: { image, size: o.block, blocks: spots.map(([x, y]) => blockAt(image, x, y, o.block)) },
  };
}

/**
 * The camera's move from `ref` to `current` (a picture of the same size; see downscaleGrey). `prior` is the move
 * believed so far (none: the camera has not moved): it is tried first, beside the phase correlation's peaks, and wins a
 * tie, so the repeated bays of a lot cannot pull the estimate one bay over.
 */
export function estimateMotion(
  ref: PreparedReference,
  current: GreyImage,
  prior: CameraMove = NO_MOVE,
  o: RegistrationOptions = DEFAULT_REGISTRATION,
): MotionEstimate {
  const { width, height } = ref.image;
  const none = (peak: number, matched = 0, inliers = 0): MotionEstimate => ({ move: null, inliers, matched, blocks: ref.fine.blocks.length, peak });
  if (current.width !== width || current.height !== height) return none(0);
  // Half size. Candidates: the prior, then the phase correlation's peaks (those a pixel or more from one listed).
  const half = halve(current);
  const shifts = phaseCorrelate(ref.spectrum, spectrumOf(half), 4);
  const peak = shifts[0]?.peak ?? 0;
  const hw = ref.coarse.image.width;
  const hh = ref.coarse.image.height;
  const t = (prior.angle * Math.PI) / 180;
  const hypotheses: Similarity[] = [{ a: prior.scale * Math.cos(t), b: prior.scale * Math.sin(t), tx: prior.dx * hw, ty: prior.dy * hw }];
  for (const p of shifts) if (hypotheses.every((h) => Math.hypot(h.tx - p.dx, h.ty - p.dy) >= 1)) hypotheses.push({ a: 1, b: 0, tx: p.dx, ty: p.dy });
  // Each screened on every third block, searched widely around it; the one most blocks agree with wins. A clear winner
  // (three blocks in four: the prior, for a camera that has not moved since a frame like this one) ends it early; a
  // bare majority does not, as rows of bays two bays over can agree on half the blocks.
  const sample: Level = { ...ref.coarse, blocks: ref.coarse.blocks.filter((_, i) => i % 3 === 0) };
  const match = (level: Level, s: Similarity, search: number, climb = false) =>
    robustSimilarity(matchBlocks(level, half, s, hw / 2, hh / 2, search, o.minCorrelation, climb), hw / 2, hh / 2, o.tolerance);
  let best: { s: Similarity; inliers: number } | null = null;
  for (const h of hypotheses) {
    const fit = match(sample, h, o.coarseSearch);
    if (fit && (!best || fit.inliers > best.inliers)) best = { s: fit, inliers: fit.inliers };
    if (fit && fit.inliers >= 0.75 * sample.blocks.length) break;
  }
  if (!best) return none(peak);
  // The winner on every block, then once more around that fit: a turn or zoom found on the middle blocks brings the
  // outer ones within reach. Each block is close to where the fit puts it now: uphill from there is enough.
  let rough = match(ref.coarse, best.s, o.fineSearch, true);
  if (!rough) return none(peak);
  const again = match(ref.coarse, rough, o.fineSearch, true);
  if (again && again.inliers > rough.inliers) rough = again;
  // Full size: each block searched near where the rough fit puts it.
  const predicted: Similarity = { a: rough.a, b: rough.b, tx: rough.tx * (width / hw), ty: rough.ty * (height / hh) };
  const matches = matchBlocks(ref.fine, current, predicted, width / 2, height / 2, o.fineSearch, o.minCorrelation, true);
  const fit = robustSimilarity(matches, width / 2, height / 2, o.tolerance);
  const blocks = ref.fine.blocks.length;
  if (!fit || fit.inliers < o.minInliers || fit.inliers < o.minInlierShare * matches.length || fit.inliers < o.minBlockShare * blocks) {
    return none(peak, matches.length, fit?.inliers ?? 0);
  }
  const move: CameraMove = { dx: fit.tx / width, dy: fit.ty / width, angle: (Math.atan2(fit.b, fit.a) * 180) / Math.PI, scale: Math.hypot(fit.a, fit.b) };
  return { move, inliers: fit.inliers, matched: matches.length, blocks, peak };
}

/** Half the size, each pixel the mean of four. */
function halve(g: GreyImage): GreyImage {
  const width = g.width >> 1;
  const height = g.height >> 1;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const r0 = 2 * y * g.width;
    const r1 = r0 + g.width;
    for (let x = 0; x < width; x++) {
      data[y * width + x] = (g.data[r0 + 2 * x]! + g.data[r0 + 2 * x + 1]! + g.data[r1 + 2 * x]! + g.data[r1 + 2 * x + 1]! + 2) >> 2;
    }
  }
  return { width, height, data };
}

/** Every block of `level` searched within ±`search` of where `s` (about the centre cx, cy) puts it (see findBlock). */
function matchBlocks(level: Level, g: GreyImage, s: Similarity, cx: number, cy: number, search: number, minCorrelation: number, climb = false): Match[] {
  const ii = integrals(g);
  const half = level.size / 2;
  const out: Match[] = [];
  for (const b of level.blocks) {
    const px = b.x + half - cx;
    const py = b.y + half - cy;
    const qx = s.a * px - s.b * py + s.tx + cx - half;
    const qy = s.b * px + s.a * py + s.ty + cy - half;
    const m = findBlock(b, level.size, g, ii, qx, qy, search, minCorrelation, climb);
    if (m) out.push(m);
  }
  return out;
}

// --- blocks ------------------------------------------------------------------------------------------------------

/**
 * Blocks on a grid whose texture runs in two directions (the smaller eigenvalue of the structure tensor: a corner,
 * not a single straight line that could slide along itself, and not flat ground).
 */
function texturedSpots(g: GreyImage, size: number, step: number): [number, number][] {
  const { width, height, data } = g;
  const spots: [number, number][] = [];
  // Even corners, so that half of each is a whole pixel of the half-size picture.
  for (let y = 2; y + size < height; y += step) {
    for (let x = 2; x + size < width; x += step) {
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let j = y; j < y + size; j++) {
        for (let i = x; i < x + size; i++) {
          const p = j * width + i;
          const gx = data[p + 1]! - data[p - 1]!;
          const gy = data[p + width]! - data[p - width]!;
          sxx += gx * gx;
          syy += gy * gy;
          sxy += gx * gy;
        }
      }
      const n = size * size;
      const tr = (sxx + syy) / n;
      const det = (sxx * syy - sxy * sxy) / (n * n);
      const minEig = tr / 2 - Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
      // A floor of a few grey levels per pixel of gradient: JPEG noise on asphalt stays below it.
      if (minEig >= 4) spots.push([x, y]);
    }
  }
  return spots;
}

function blockAt(g: GreyImage, x: number, y: number, size: number): Block {
  const values = new Float32Array(size * size);
  let mean = 0;
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) mean += values[j * size + i] = g.data[(y + j) * g.width + x + i]!;
  mean /= values.length;
  let ss = 0;
  for (let k = 0; k < values.length; k++) ss += (values[k]! - mean) ** 2;
  for (let k = 0; k < values.length; k++) values[k]! -= mean;
  return { x, y, values, norm: Math.sqrt(ss) };
}

interface Match {
  /** Block centre in the reference, and where it is in the current picture. */
  readonly px: number;
  readonly py: number;
  readonly qx: number;
  readonly qy: number;
}

interface Integrals {
  readonly sum: Float64Array;
  readonly sq: Float64Array;
  readonly stride: number;
}

function integrals(g: GreyImage): Integrals {
  const stride = g.width + 1;
  const sum = new Float64Array(stride * (g.height + 1));
  const sq = new Float64Array(stride * (g.height + 1));
  for (let y = 0; y < g.height; y++) {
    let rs = 0;
    let rq = 0;
    for (let x = 0; x < g.width; x++) {
      const v = g.data[y * g.width + x]!;
      rs += v;
      rq += v * v;
      sum[(y + 1) * stride + x + 1] = sum[y * stride + x + 1]! + rs;
      sq[(y + 1) * stride + x + 1] = sq[y * stride + x + 1]! + rq;
    }
  }
  return { sum, sq, stride };
}

/** Scores of one block's search, reused from call to call (the search is never wider than ±8). */
const scratch = new Float64Array(17 * 17);

/**
 * Block `b` (side `n`) searched within ±`search` of (x, y): every offset (`climb` false), or uphill from (x, y) one
 * pixel at a time (`climb`: when (x, y) is already close, ~10 offsets instead of 25). Null when it is not found
 * clearly inside the search.
 */
function findBlock(
  b: Block,
  n: number,
  g: GreyImage,
  ii: Integrals,
  x: number,
  y: number,
  search: number,
  minCorrelation: number,
  climb = false,
): Match | null {
  const cx = Math.round(x);
  const cy = Math.round(y);
  const side = 2 * search + 1;
  const scores = scratch;
  scores.fill(NaN, 0, side * side);
  const at = (i: number, j: number): number => {
    const k = (j + search) * side + (i + search);
    const v = scores[k]!;
    return Number.isNaN(v) ? (scores[k] = correlation(b, n, g, ii, cx + i, cy + j)) : v;
  };
  let bi = 0;
  let bj = 0;
  let top = at(0, 0);
  if (climb) {
    for (let moved = true; moved; ) {
      moved = false;
      const [ci, cj] = [bi, bj];
      for (let j = cj - 1; j <= cj + 1; j++) {
        for (let i = ci - 1; i <= ci + 1; i++) {
          if (i < -search || i > search || j < -search || j > search) continue;
          const v = at(i, j);
          if (v > top) {
            top = v;
            bi = i;
            bj = j;
            moved = true;
          }
        }
      }
    }
  } else {
    for (let j = -search; j <= search; j++) {
      for (let i = -search; i <= search; i++) {
        const v = at(i, j);
        if (v > top) {
          top = v;
          bi = i;
          bj = j;
        }
      }
    }
  }
  if (top < minCorrelation) return null;
  // A best match on the edge of the search may be the slope of a peak outside it.
  if (Math.abs(bi) === search || Math.abs(bj) === search) return null;
  const fx = subPixel(at(bi - 1, bj), top, at(bi + 1, bj));
  const fy = subPixel(at(bi, bj - 1), top, at(bi, bj + 1));
  const half = n / 2;
  return { px: b.x + half, py: b.y + half, qx: cx + bi + fx + half, qy: cy + bj + fy + half };
}

/** Normalised cross-correlation of block `b` with the picture at (x0, y0); -2 outside the picture or on flat ground. */
function correlation(b: Block, n: number, g: GreyImage, ii: Integrals, x0: number, y0: number): number {
  if (x0 < 0 || y0 < 0 || x0 + n > g.width || y0 + n > g.height || b.norm <= 1e-6) return -2;
  const { stride, sum, sq } = ii;
  const a = y0 * stride + x0;
  const c = (y0 + n) * stride + x0;
  const s = sum[c + n]! - sum[c]! - sum[a + n]! + sum[a]!;
  const q = sq[c + n]! - sq[c]! - sq[a + n]! + sq[a]!;
  const varc = q - (s * s) / (n * n);
  if (varc <= 1e-6) return -2;
  const values = b.values;
  const pixels = g.data;
  const width = g.width;
  let dot = 0;
  for (let yy = 0, off = 0, row = y0 * width + x0; yy < n; yy++, off += n, row += width) {
    for (let xx = 0; xx < n; xx++) dot += values[off + xx]! * pixels[row + xx]!;
  }
  // The block's values have their mean removed already, so the current pixels' mean drops out of the dot product.
  return dot / (b.norm * Math.sqrt(varc));
}

// --- fit ---------------------------------------------------------------------------------------------------------

/** q − c = [a −b; b a](p − c) + t: a shift, turn and zoom about the picture's centre c. */
interface Similarity {
  readonly a: number;
  readonly b: number;
  readonly tx: number;
  readonly ty: number;
}

interface Fit extends Similarity {
  readonly inliers: number;
}

/** Pairs tried at most: every pair for up to ~30 blocks; a fixed stride through them beyond (deterministic). */
const MAX_PAIRS = 500;

function robustSimilarity(matches: readonly Match[], cx: number, cy: number, tol: number): Fit | null {
  if (matches.length < 2) return null;
  const m = matches.map((k) => ({ px: k.px - cx, py: k.py - cy, qx: k.qx - cx, qy: k.qy - cy }));
  const pairs = (m.length * (m.length - 1)) / 2;
  const stride = Math.max(1, Math.floor(pairs / MAX_PAIRS));
  let best: { s: Similarity; count: number; err: number } | null = null;
  let k = 0;
  // Nine blocks in ten agreeing is as good as it gets: stop looking (a camera that has not moved, the usual frame).
  for (let i = 0; i < m.length && !(best && best.count >= 0.9 * m.length); i++) {
    for (let j = i + 1; j < m.length; j++, k++) {
      if (k % stride !== 0) continue;
      const s = fromPair(m[i]!, m[j]!);
      if (!s) continue;
      const { count, err } = agreement(m, s, tol);
      if (!best || count > best.count || (count === best.count && err < best.err)) best = { s, count, err };
    }
  }
  if (!best) return null;
  // Least squares on the blocks that agree, twice: the refit can take in a block the pair's model just missed.
  let s = best.s;
  for (let round = 0; round < 2; round++) {
    const inl = m.filter((p) => residual2(p, s) <= tol * tol);
    const refit = leastSquares(inl);
    if (!refit) break;
    s = refit;
  }
  return { ...s, inliers: agreement(m, s, tol).count };
}

type Pt = { px: number; py: number; qx: number; qy: number };

function fromPair(p: Pt, q: Pt): Similarity | null {
  const ux = q.px - p.px;
  const uy = q.py - p.py;
  const vx = q.qx - p.qx;
  const vy = q.qy - p.qy;
  const d = ux * ux + uy * uy;
  // Blocks too close together say little about a turn or a zoom.
  if (d < 100) return null;
  const a = (ux * vx + uy * vy) / d;
  const b = (ux * vy - uy * vx) / d;
  return { a, b, tx: p.qx - (a * p.px - b * p.py), ty: p.qy - (b * p.px + a * p.py) };
}

function residual2(p: Pt, s: Similarity): number {
  const ex = s.a * p.px - s.b * p.py + s.tx - p.qx;
  const ey = s.b * p.px + s.a * p.py + s.ty - p.qy;
  return ex * ex + ey * ey;
}

function agreement(m: readonly Pt[], s: Similarity, tol: number): { count: number; err: number } {
  let count = 0;
  let err = 0;
  const tol2 = tol * tol;
  for (const p of m) {
    const r = residual2(p, s);
    if (r <= tol2) {
      count++;
      err += r;
    }
  }
  return { count, err };
}

/** The similarity minimising the squared distances (closed form: centroids, then the turn and zoom). */
function leastSquares(m: readonly Pt[]): Similarity | null {
  if (m.length < 2) return null;
  let mpx = 0;
  let mpy = 0;
  let mqx = 0;
  let mqy = 0;
  for (const p of m) {
    mpx += p.px;
    mpy += p.py;
    mqx += p.qx;
    mqy += p.qy;
  }
  mpx /= m.length;
  mpy /= m.length;
  mqx /= m.length;
  mqy /= m.length;
  let num1 = 0;
  let num2 = 0;
  let den = 0;
  for (const p of m) {
    const ux = p.px - mpx;
    const uy = p.py - mpy;
    const vx = p.qx - mqx;
    const vy = p.qy - mqy;
    num1 += ux * vx + uy * vy;
    num2 += ux * vy - uy * vx;
    den += ux * ux + uy * uy;
  }
  if (den < 1e-9) return null;
  const a = num1 / den;
  const b = num2 / den;
  return { a, b, tx: mqx - (a * mpx - b * mpy), ty: mqy - (b * mpx + a * mpy) };
}
