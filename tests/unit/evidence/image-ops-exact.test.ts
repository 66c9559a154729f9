// The fast Gaussian and binary median of image-ops.ts give bit for bit what the plain loops give (the hand features
// must not move): checked against straightforward reference implementations on random images of several sizes.
import { describe, expect, it } from 'vitest';
import { gaussianBlur, gaussianKernel, medianBinary, type Gray } from '../../../src/evidence/image-ops.ts';
import { seededRandom } from '../../support/seeded-random.ts';

const clampAt = (n: number, i: number) => Math.min(n - 1, Math.max(0, i));

/** The plain separable loop: each output pixel sums its taps in kernel order. */
function referenceBlur(g: Gray, ksize: number, sigma?: number): Float32Array {
  const k = gaussianKernel(ksize, sigma);
  const r = (ksize - 1) / 2;
  const tmp = new Float32Array(g.data.length);
  for (let y = 0; y < g.height; y++)
    for (let x = 0; x < g.width; x++) {
      let s = 0;
      for (let i = 0; i < ksize; i++) s += k[i]! * g.data[y * g.width + clampAt(g.width, x + i - r)]!;
      tmp[y * g.width + x] = s;
    }
  const out = new Float32Array(g.data.length);
  for (let y = 0; y < g.height; y++)
    for (let x = 0; x < g.width; x++) {
      let s = 0;
      for (let i = 0; i < ksize; i++) s += k[i]! * tmp[clampAt(g.height, y + i - r) * g.width + x]!;
      out[y * g.width + x] = s;
    }
  return out;
}

/** The plain majority vote: count every tap of the clamped window. */
function referenceMedian(mask: Uint8Array, width: number, height: number, ksize: number): Uint8Array {
  const r = (ksize - 1) / 2;
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let n = 0;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) n += mask[clampAt(height, y + dy) * width + clampAt(width, x + dx)]!;
      out[y * width + x] = n > (ksize * ksize - 1) / 2 ? 1 : 0;
    }
  return out;
}

describe('image-ops: fast paths are exact', () => {
  const random = seededRandom(11);
  const sizes = [
    [32, 64],
    [5, 7],
    [1, 12],
    [40, 3],
  ] as const;
  for (const [width, height] of sizes)
    it(`Gaussian blurs (3, 3 with σ 1, 11) and the 5x5 median on ${width}x${height}`, () => {
      for (let rep = 0; rep < 5; rep++) {
        const g: Gray = { width, height, data: Float32Array.from({ length: width * height }, () => random() * 255) };
        for (const [ksize, sigma] of [[3, undefined], [3, 1], [11, undefined]] as const) expect(gaussianBlur(g, ksize, sigma).data).toEqual(referenceBlur(g, ksize, sigma));
        const mask = Uint8Array.from({ length: width * height }, () => (random() < 0.4 ? 1 : 0));
        expect(medianBinary(mask, width, height, 5)).toEqual(referenceMedian(mask, width, height, 5));
      }
    });
  // A window computes its pixels exactly as the whole picture does: inside the rows (no tap on the border: the
  // features' inner window), touching a border, and the whole picture.
  it('Gaussian blurs of a window are those pixels of the whole picture', () => {
    const g: Gray = { width: 32, height: 64, data: Float32Array.from({ length: 32 * 64 }, () => random() * 255) };
    const windows = [
      { x0: 5, x1: 27, y0: 8, y1: 56 },
      { x0: 0, x1: 12, y0: 0, y1: 64 },
      { x0: 20, x1: 32, y0: 3, y1: 9 },
      { x0: 0, x1: 32, y0: 0, y1: 64 },
    ];
    for (const [ksize, sigma] of [[3, undefined], [3, 1], [11, undefined]] as const) {
      const whole = referenceBlur(g, ksize, sigma);
      for (const win of windows) {
        const got = gaussianBlur(g, ksize, sigma, win).data;
        for (let y = win.y0; y < win.y1; y++)
          for (let x = win.x0; x < win.x1; x++) expect(Object.is(got[y * 32 + x], whole[y * 32 + x]), `${ksize} ${JSON.stringify(win)} at ${x},${y}`).toBe(true);
      }
    }
  });
});
