import { describe, expect, it } from 'vitest';
import { HAND_FEATURE_NAMES, handFeatures, lightLevel, referenceDistance, referenceVector } from '../../../src/evidence/hand-features.ts';
import type { RgbPatch } from '../../../src/evidence/warp.ts';
import { adaptiveThresholdInv, canny, dilate3, gaussianKernel, medianBinary, type Gray } from '../../../src/evidence/image-ops.ts';

const gray = (w: number, h: number, f: (x: number, y: number) => number): Gray => {
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x, y);
  return { width: w, height: h, data };
};
const patch = (f: (x: number, y: number) => readonly [number, number, number]): RgbPatch => {
  const data = new Uint8Array(32 * 64 * 3);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 32; x++) data.set(f(x, y), (y * 32 + x) * 3);
  return { width: 32, height: 64, data };
};
const feature = (v: number[], name: (typeof HAND_FEATURE_NAMES)[number]) => v[HAND_FEATURE_NAMES.indexOf(name)]!;

describe('image operations', () => {
  it('a Gaussian kernel sums to 1 and is symmetric', () => {
    const k = gaussianKernel(11);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(k[0]).toBeCloseTo(k[10]!, 9);
  });
  it('Canny finds a vertical step and nothing on a flat image', () => {
    const step = canny(gray(20, 20, (x) => (x < 10 ? 20 : 220)), 60, 150);
    const cols = new Set<number>();
    step.forEach((v, i) => v && cols.add(i % 20));
    expect([...cols].every((c) => c === 9 || c === 10)).toBe(true);
    expect(step.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(20);
    expect(canny(gray(20, 20, () => 128), 60, 150).every((v) => v === 0)).toBe(true);
  });
  it('adaptive threshold marks a dark spot darker than its surroundings', () => {
    const g = gray(21, 21, (x, y) => (Math.abs(x - 10) <= 1 && Math.abs(y - 10) <= 1 ? 50 : 150));
    const t = adaptiveThresholdInv(g, 11, 8, 'gaussian');
    expect(t[10 * 21 + 10]).toBe(1);
    expect(t[0]).toBe(0);
  });
  it('median removes an isolated pixel and dilation grows a pixel to 3x3', () => {
    const m = new Uint8Array(25);
    m[12] = 1;
    expect(medianBinary(m, 5, 5, 5).every((v) => v === 0)).toBe(true);
    expect(dilate3(m, 5, 5).reduce((a, b) => a + b, 0)).toBe(9);
  });
});

describe('hand features', () => {
  const asphalt = patch(() => [100, 100, 100]);
  // A dark car body with a bright windscreen stripe, on the same asphalt.
  const car = patch((x, y) => (x > 4 && x < 27 && y > 6 && y < 58 ? (y > 20 && y < 28 ? [200, 200, 210] : [30, 30, 40]) : [100, 100, 100]));
  it('an empty uniform slot has no edges, texture or dark pixels', () => {
    const f = handFeatures(asphalt, 100);
    for (const name of ['classic', 'adaptive', 'edges', 'gradient', 'std', 'darkShare', 'brightShare', 'meanOffset'] as const) {
      expect(feature(f, name), name).toBeCloseTo(0, 6);
    }
  });
  it('a car gives more of every cue than the empty slot', () => {
    const empty = handFeatures(asphalt, 100);
    const full = handFeatures(car, 100);
    for (const name of ['edges', 'gradient', 'std', 'laplacian', 'darkShare', 'brightShare', 'meanOffset'] as const) {
      expect(feature(full, name), name).toBeGreaterThan(feature(empty, name));
    }
  });
  it('is relative to the light: the same scene at half the light gives the same relative features', () => {
    const dim = patch((x, y) => car.data.slice((y * 32 + x) * 3, (y * 32 + x) * 3 + 3).map((v) => v / 2) as unknown as [number, number, number]);
    const a = handFeatures(car, 100);
    const b = handFeatures(dim, 50);
    for (const name of ['gradient', 'std', 'darkShare', 'brightShare', 'meanOffset'] as const) {
      expect(feature(b, name), name).toBeCloseTo(feature(a, name), 1);
    }
  });
  it('the light level is the median inner grey, floored', () => {
    expect(lightLevel([10, 200, 100])).toBe(100);
    expect(lightLevel([1, 2, 3])).toBe(20);
  });
  it('a reference vector is at distance 0 from itself and far from a car', () => {
    const r = referenceVector(asphalt, 100);
    expect(referenceDistance(r, r)).toBe(0);
    expect(referenceDistance(referenceVector(car, 100), r)).toBeGreaterThan(0.2);
  });
});

describe('box blur', () => {
  it('equals the direct separable mean, border replicated', async () => {
    const { boxBlur, separable } = await import('../../../src/evidence/image-ops.ts');
    const g = gray(13, 9, (x, y) => (x * 7 + y * 13) % 17);
    const fast = boxBlur(g, 5).data;
    const slow = separable(g, new Float32Array(5).fill(1 / 5)).data;
    fast.forEach((v, i) => expect(v).toBeCloseTo(slow[i]!, 4));
  });
});
