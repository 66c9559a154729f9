import { describe, expect, it } from 'vitest';
import { applySensitivity, baseLogits, fusedLogit, fusionInputs, modeOf, type BaseLogits } from '../../../src/evidence/fusion.ts';
import { choleskySolve, fitLogistic, predictLogit, sigmoid } from '../../../src/evidence/logistic.ts';
import { MOSAIC_SIZE, packMosaic, poolTiles, type ProbeConfig } from '../../../src/evidence/probe.ts';
import type { SlotFeatures } from '../../../src/evidence/slot-features.ts';
import { testWeights } from './test-weights.ts';
import { heldOutSessions, parseHoldOut, reproducingArgs, sessionFolds } from '../../../scripts/lib/dataset.ts';
import type { LotFrame } from '../../../scripts/lib/lots.ts';

/** Deterministic samples: y = 1 when 2·x0 - x1 + noise > 0.5. */
function toyData(n: number, extra = 0, seed = 7) {
  let s = seed;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const xs: number[][] = [];
  const ys: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const x = [rnd() * 3, rnd() * 3 + 10, ...Array.from({ length: extra }, () => rnd())];
    xs.push(x);
    ys.push(2 * x[0]! - (x[1]! - 10) + rnd() * 0.5 > 0.5);
  }
  return { xs, ys };
}
const accuracy = (m: { w: readonly number[]; b: number }, xs: number[][], ys: boolean[]) => xs.filter((x, i) => predictLogit(m, x) >= 0 === ys[i]).length / xs.length;

describe('logistic regression', () => {
  it('solves a small SPD system', () => {
    const x = choleskySolve(new Float64Array([4, 2, 2, 3]), new Float64Array([2, 1]), 2);
    expect(x[0]).toBeCloseTo(0.5);
    expect(x[1]).toBeCloseTo(0);
  });
  it('learns a known linear boundary on raw (unstandardised) features', () => {
    const { xs, ys } = toyData(400);
    const m = fitLogistic(xs, ys, { l2: 0.01 });
    expect(accuracy(m, xs, ys)).toBeGreaterThan(0.97);
    // The boundary is 2·x0 - x1 + 10 = 0.5: the ratio of the weights is about -2.
    expect(m.w[0]! / m.w[1]!).toBeCloseTo(-2, 0);
  });
  it('the wide solver (L-BFGS) agrees with Newton on the same problem', () => {
    const { xs, ys } = toyData(300, 70);
    const wide = fitLogistic(xs, ys, { l2: 5 });
    const narrow = fitLogistic(xs.map((x) => x.slice(0, 2)), ys, { l2: 5 });
    expect(accuracy(wide, xs, ys)).toBeGreaterThan(0.93);
    expect(wide.w[0]! / wide.w[1]!).toBeCloseTo(narrow.w[0]! / narrow.w[1]!, 0);
  });
  it('a strong penalty keeps the fit at its prior', () => {
    const { xs, ys } = toyData(50);
    const prior = { w: [0.5, -0.25], b: 1 };
    const m = fitLogistic(xs, ys, { l2: 1e7, prior });
    expect(m.w[0]).toBeCloseTo(0.5, 3);
    expect(m.w[1]).toBeCloseTo(-0.25, 3);
  });
  it('sample weights count like repeated samples', () => {
    const { xs, ys } = toyData(60);
    const a = fitLogistic([...xs, ...xs.slice(0, 10)], [...ys, ...ys.slice(0, 10)], { l2: 1, standardise: false });
    const b = fitLogistic(xs, ys, { l2: 1, standardise: false, weights: xs.map((_, i) => (i < 10 ? 2 : 1)) });
    expect(b.b).toBeCloseTo(a.b, 4);
    expect(b.w[0]).toBeCloseTo(a.w[0]!, 4);
  });
});

describe('fusion and sensitivity', () => {
  const w = testWeights();
  const full: BaseLogits = { hand: 1, square: null, rectified: 2, detection: 0.5 };
  const patchOnly: BaseLogits = { hand: -1, square: null, rectified: null, detection: 0 };
  it.each([
    { name: 'full', b: full, mode: 'full', logit: 0.5 * 1 + 1 * 2 + 2 * 0.5 - 0.25 },
    { name: 'patch-only', b: patchOnly, mode: 'patch-only', logit: 1.5 * -1 + 0.1 },
  ])('$name logits fuse with their own weights', ({ b, mode, logit }) => {
    expect(modeOf(b)).toBe(mode);
    expect(fusedLogit(b, w)).toBeCloseTo(logit, 9);
  });
  it('fusion inputs need the probe', () => {
    expect(fusionInputs(full)).toEqual([1, 0, 2, 0.5]);
    expect(() => fusionInputs(patchOnly)).toThrow();
  });
  it('base logits follow the features', () => {
    const f: SlotFeatures = { id: 'a', hand: new Array(11).fill(1), square: null, rectified: new Float32Array(4).fill(1), detection: 0.3, reference: [] };
    const b = baseLogits(f, w);
    expect(b.hand).toBeCloseTo(11 * 0.1 - 0.5);
    expect(b.rectified).toBeCloseTo(4 * 0.25);
    expect(b.square).toBeNull();
  });
  it.each([-2, -1, 0, 1, 2])('sensitivity %d is a monotone logit offset', (s) => {
    expect(applySensitivity(0, s)).toBeCloseTo(sigmoid(s), 12);
    expect(applySensitivity(0.3, s + 0.5)).toBeGreaterThan(applySensitivity(0.3, s));
  });
});

describe('probe mosaics (pure parts)', () => {
  const cfg: ProbeConfig = { node: 'n', tile: 75, grid: 4, crops: ['rectified'] };
  const tile = (v: number) => ({ width: 75, height: 75, data: new Uint8Array(75 * 75 * 3).fill(v) });
  it('packs tiles row by row and pads the rest with zeros', () => {
    const m = packMosaic([tile(1), tile(2), tile(3), tile(4), tile(5)], cfg);
    expect(m.length).toBe(MOSAIC_SIZE * MOSAIC_SIZE * 3);
    expect(m[(10 * 300 + 10) * 3]).toBe(1);
    expect(m[(10 * 300 + 3 * 75 + 10) * 3]).toBe(4);
    expect(m[(80 * 300 + 10) * 3]).toBe(5);
    expect(m[(80 * 300 + 80) * 3]).toBe(0);
  });
  it('packs non-square tiles: 5 columns of 60 x 4 rows of 75', () => {
    const tall: ProbeConfig = { node: 'n', tile: 60, grid: 5, tileHeight: 75, rows: 4, crops: ['rectified'] };
    const t = (v: number) => ({ width: 60, height: 75, data: new Uint8Array(60 * 75 * 3).fill(v) });
    const m = packMosaic(Array.from({ length: 20 }, (_, i) => t(i + 1)), tall);
    expect(m[(10 * 300 + 4 * 60 + 10) * 3]).toBe(5);
    expect(m[(3 * 75 + 10) * 300 * 3]).toBe(16);
    expect(() => packMosaic([tile(1)], tall)).toThrow(/expected 60x75/);
  });
  it('pools each tile over the cells whose centres it holds', () => {
    // A 19x19x2 activation whose channel 0 is the tile index and channel 1 is 1.
    const h = 19;
    const act = new Float32Array(h * h * 2);
    for (let r = 0; r < h; r++)
      for (let c = 0; c < h; c++) {
        const centre = (i: number) => (300 / h) * i + 300 / h / 2;
        act[(r * h + c) * 2] = Math.floor(centre(r) / 75) * 4 + Math.floor(centre(c) / 75);
        act[(r * h + c) * 2 + 1] = 1;
      }
    const pooled = poolTiles(act, h, h, 2, 16, cfg);
    pooled.forEach((p, k) => {
      expect(p[0]).toBeCloseTo(k);
      expect(p[1]).toBeCloseTo(1);
    });
  });
});

describe('cross-validation folds grouped by recording session', () => {
  const frame = (lot: string, image: string, captured?: string) => ({
    lot,
    source: { image, label: captured ? { captured } : {} } as unknown as LotFrame,
  });
  it("cuts each lot's frames, in recording order, into k contiguous blocks", () => {
    // File order is not recording order: the number in the name (or the capture time) decides.
    const frames = [
      frame('a', 'images/GOPR0107.jpg'),
      frame('a', 'images/GOPR0024.jpg'),
      frame('a', 'images/GOPR6549.jpg'),
      frame('a', 'images/GOPR0090.jpg'),
      frame('b', 'x.jpg', '2012-10-01T10:00:00'),
      frame('b', 'y.jpg', '2012-09-01T10:00:00'),
    ];
    expect(sessionFolds(frames, 2)).toEqual([1, 0, 1, 0, 1, 0]);
    expect(sessionFolds(frames, 3)).toEqual([1, 0, 2, 0, 1, 0]);
  });

  it('--hold-out LOT:N holds out every Nth block of N consecutive frames of that lot, by position only', () => {
    // Twelve frames of lot a in reverse file order, two of lot b: with N = 2, blocks {0,1} {2,3} … and blocks 0, 2, 4
    // are held out, as sessions 0, 1, 2; lot b is always trained on.
    const frames = [...Array.from({ length: 12 }, (_, i) => frame('a', `images/GOPR${String(100 - i).padStart(4, '0')}.jpg`)), frame('b', 'x1.jpg'), frame('b', 'x2.jpg')];
    const s = heldOutSessions(frames, parseHoldOut('a:2'));
    // frame i has rank 11 - i in recording order.
    expect(s).toEqual([null, null, 2, 2, null, null, 1, 1, null, null, 0, 0, null, null]);
    expect(() => parseHoldOut('a')).toThrow(/LOT:N/);
    expect(() => parseHoldOut('a:1')).toThrow(/N >= 2/);
    expect(parseHoldOut('acpds-train:8')).toEqual({ lot: 'acpds-train', n: 8 });
  });

  it("records train's command without where the file went or how the run reported", () => {
    const args = ['--lot', 'a', '--out', '/tmp/w.json', '--cv', '5', '--json', '--out=/x.json', '--tile-sampling', '2'];
    expect(reproducingArgs(args)).toEqual(['--lot', 'a', '--cv', '5', '--tile-sampling', '2']);
    expect(reproducingArgs(['--lot', 'a'])).toEqual(['--lot', 'a']);
  });
});
