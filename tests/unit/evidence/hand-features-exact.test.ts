// The trained weights read the hand features, so making them faster must not move one bit: warpQuad's bytes, the
// patch's grey and Sobel pictures, the frame's light, handFeatures' and referenceVector's numbers, and each image op,
// all compared (Object.is on every number) with the frozen copy of the code before issue 13's speed work
// (reference-hand-features.ts), on real lot frames and on synthetic patches and quads that hit the corner cases.
import { describe, expect, it } from 'vitest';
import type { RgbaFrame } from '../../../src/camera/frame.ts';
import { framePatches } from '../../../src/evidence/slot-features.ts';
import { handFeatures, innerGray, patchGray, referenceVector } from '../../../src/evidence/hand-features.ts';
import * as ops from '../../../src/evidence/image-ops.ts';
import { slotPatch, warpCorners, warpQuad, type RgbPatch } from '../../../src/evidence/warp.ts';
import { toPixels } from '../../../src/occupancy/geometry.ts';
import type { Point } from '../../../src/occupancy/types.ts';
import { loadAnalysisFrame, readLot } from '../../../scripts/lib/lots.ts';
import { fixture, fixturesAvailable } from '../../support/fixtures.ts';
import { seededRandom } from '../../support/seeded-random.ts';
import * as ref from './reference-hand-features.ts';

/** The first index where two number sequences differ (Object.is, so -0 and NaN count), or null. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `at ${i}: ${a[i]} vs ${b[i]}`;
  return null;
}
const expectSame = (what: string, a: ArrayLike<number>, b: ArrayLike<number>) => expect(firstDifference(a, b), what).toBeNull();

function expectSameFeatures(what: string, patch: RgbPatch, lum: number): void {
  const pg = patchGray(patch);
  const pr = ref.patchGray(patch);
  expectSame(`${what} grey`, pg.g.data, pr.g.data);
  expectSame(`${what} dx`, pg.dx, pr.dx);
  expectSame(`${what} dy`, pg.dy, pr.dy);
  expect(Object.is(innerGray(patch, pg), ref.innerGray(patch, pr)), `${what} inner grey`).toBe(true);
  expectSame(`${what} hand`, handFeatures(patch, lum, pg), ref.handFeatures(patch, lum, pr));
  expectSame(`${what} hand (own grey)`, handFeatures(patch, lum), ref.handFeatures(patch, lum));
  expectSame(`${what} reference`, referenceVector(patch, lum, pg), ref.referenceVector(patch, lum, pr));
}

const LOTS = ['pucpr', 'acpds', 'acpds-train', 'carpark'] as const;
const FRAMES_PER_LOT = 3;

describe.skipIf(!fixturesAvailable())('hand features on real frames are those of the frozen reference', () => {
  for (const lot of LOTS)
    it(`${lot}: every slot of ${FRAMES_PER_LOT} frames`, () => {
      const frames = readLot(fixture('lots', lot));
      // Spread over the recording: first, middle, last.
      const picked = [0, frames.length >> 1, frames.length - 1].slice(0, Math.min(FRAMES_PER_LOT, frames.length));
      for (const k of picked) {
        const f = frames[k]!;
        const frame = loadAnalysisFrame(f.imagePath);
        const fp = framePatches(frame, f.slots);
        const fr = ref.framePatchesReference(frame, f.slots.map((s) => warpCorners(toPixels(s.polygon, frame.width, frame.height))));
        expect(Object.is(fp.lum, fr.lum), `${lot}#${k} lum ${fp.lum} vs ${fr.lum}`).toBe(true);
        expect(fp.patches.length).toBe(f.slots.length);
        fp.patches.forEach((p, i) => {
          const what = `${lot}#${k} slot ${f.slots[i]!.id}`;
          expectSame(`${what} patch`, p.data, fr.patches[i]!.data);
          expectSame(`${what} grey`, fp.grays[i]!.g.data, fr.grays[i]!.g.data);
          expectSame(`${what} dx`, fp.grays[i]!.dx, fr.grays[i]!.dx);
          expectSame(`${what} dy`, fp.grays[i]!.dy, fr.grays[i]!.dy);
          expectSame(`${what} hand`, handFeatures(p, fp.lum, fp.grays[i]), ref.handFeatures(p, fr.lum, fr.grays[i]));
          expectSame(`${what} reference`, referenceVector(p, fp.lum, fp.grays[i]), ref.referenceVector(p, fr.lum, fr.grays[i]));
        });
      }
    });
});

const W = 32;
const H = 64;
const patchOf = (f: (i: number, c: number) => number): RgbPatch => ({ width: W, height: H, data: Uint8Array.from({ length: W * H * 3 }, (_, k) => f((k / 3) | 0, k % 3)) });

describe('hand features on synthetic patches are those of the frozen reference', () => {
  const random = seededRandom(13);
  const patches: Record<string, RgbPatch> = {
    flat: patchOf(() => 117),
    black: patchOf(() => 0),
    white: patchOf(() => 255),
    'saturated red': patchOf((_, c) => (c === 0 ? 255 : 0)),
    'saturated, mixed': patchOf((i, c) => ((i * 7 + c) % 5 === 0 ? 255 : (i + c) % 3 === 0 ? 0 : 128)),
    noise: patchOf(() => Math.floor(random() * 256)),
    'dark noise': patchOf(() => Math.floor(random() * 12)),
    checker: patchOf((i) => (((i % W) + ((i / W) | 0)) % 2 ? 250 : 5)),
    // A car-like dark block with sharp edges on asphalt: strong Canny edges, the classic threshold fires.
    block: patchOf((i) => {
      const x = i % W;
      const y = (i / W) | 0;
      return x > 6 && x < 25 && y > 12 && y < 50 ? 30 + ((x * y) % 7) : 140 + ((x + y) % 5);
    }),
    // Edges along the border only: what hysteresis and the median see at the patch's edge.
    'border lines': patchOf((i) => {
      const x = i % W;
      const y = (i / W) | 0;
      return x < 3 || x > 28 || y < 4 || y > 59 ? 250 : 90;
    }),
    stripes: patchOf((i) => ((i % W) % 6 < 3 ? 200 : 60)),
    gradient: patchOf((i) => ((i % W) * 8 + ((i / W) | 0) * 2) & 255),
  };
  for (const [name, patch] of Object.entries(patches))
    it(name, () => {
      for (const lum of [20, 55.5, 100, 117, 180, 250]) expectSameFeatures(`${name} lum ${lum}`, patch, lum);
    });
  it('40 random patches of random smooth blobs and noise', () => {
    for (let rep = 0; rep < 40; rep++) {
      const cx = random() * W;
      const cy = random() * H;
      const rad = 3 + random() * 20;
      const base = random() * 255;
      const amp = (random() - 0.5) * 400;
      const noise = random() * 40;
      const patch = patchOf((i, c) => {
        const d = Math.hypot((i % W) - cx, ((i / W) | 0) - cy);
        return Math.max(0, Math.min(255, Math.round(base + (d < rad ? amp : 0) + (random() - 0.5) * noise + c * 3)));
      });
      expectSameFeatures(`random #${rep}`, patch, 20 + random() * 200);
    }
  });
});

describe('image ops are those of the frozen reference', () => {
  const random = seededRandom(17);
  for (const [width, height] of [
    [32, 64],
    [5, 7],
    [1, 12],
    [40, 3],
    [2, 2],
  ] as const)
    it(`${width}x${height}`, () => {
      for (let rep = 0; rep < 6; rep++) {
        const scale = [255, 4, 600][rep % 3]!;
        const g: ops.Gray = { width, height, data: Float32Array.from({ length: width * height }, () => Math.round(random() * scale * 4) / 4) };
        const mask = Uint8Array.from({ length: width * height }, () => (random() < [0.1, 0.4, 0.8][rep % 3]! ? 1 : 0));
        const rgb = Uint8Array.from({ length: width * height * 3 }, () => Math.floor(random() * 256));
        expectSame('toGray', ops.toGray(rgb, width, height).data, ref.toGray(rgb, width, height).data);
        expectSame('sobel dx', ops.sobel(g).dx, ref.sobel(g).dx);
        expectSame('sobel dy', ops.sobel(g).dy, ref.sobel(g).dy);
        expectSame('laplacian', ops.laplacian(g), ref.laplacian(g));
        expectSame('dilate3', ops.dilate3(mask, width, height), ref.dilate3(mask, width, height));
        expectSame('median 5', ops.medianBinary(mask, width, height, 5), ref.medianBinary(mask, width, height, 5));
        expectSame('box 25', ops.boxBlur(g, 25).data, ref.boxBlur(g, 25).data);
        for (const [block, c, method] of [[25, 16, 'mean'], [11, 8, 'gaussian']] as const)
          expectSame(`adaptive ${block}`, ops.adaptiveThresholdInv(g, block, c, method), ref.adaptiveThresholdInv(g, block, c, method));
        for (const [low, high] of [[60, 150], [1, 2], [0, 1000]] as const) expectSame(`canny ${low} ${high}`, ops.canny(g, low, high), ref.canny(g, low, high));
      }
    });
});

describe('warpQuad is the frozen reference on any quad', () => {
  const random = seededRandom(19);
  const frame: RgbaFrame = { width: 97, height: 61, data: Uint8Array.from({ length: 97 * 61 * 4 }, () => Math.floor(random() * 256)) };
  const quads: Record<string, Point[]> = {
    'upright slot': [[20, 10], [40, 10], [40, 50], [20, 50]],
    'skewed slot': [[21.3, 8.7], [38.2, 12.1], [44.9, 55.5], [17.4, 49.8]],
    'big: supersampled x4': [[0, 0], [96, 0], [96, 60], [0, 60]],
    'half outside the frame': [[-30, -10], [50, -20], [120, 80], [-10, 70]],
    'far outside': [[500, 500], [510, 500], [510, 520], [500, 520]],
    'thin sliver': [[30, 5], [30.4, 5], [30.4, 55], [30, 55]],
    'one pixel': [[10.2, 10.7], [11.2, 10.7], [11.2, 11.7], [10.2, 11.7]],
    'strong perspective': [[40, 20], [44, 20], [96, 60], [0, 60]],
    'at the far border': [[95.5, 59.5], [96.9, 59.5], [96.9, 60.9], [95.5, 60.9]],
  };
  const degenerate: Record<string, Point[]> = {
    line: [[5, 5], [50, 5], [50, 5], [5, 5]],
    point: [[9, 9], [9, 9], [9, 9], [9, 9]],
    'bow tie': [[10, 10], [40, 40], [40, 10], [10, 40]],
    triangle: [[10, 10], [40, 10], [25, 40]],
    'not finite': [[10, 10], [NaN, 10], [40, 40], [10, Infinity]],
    'thin, 0.1 px': [[10, 10], [60, 10.1], [60, 10.2], [10, 10.1]],
  };
  for (const [name, polygon] of Object.entries(degenerate)) quads[`warpCorners of ${name}`] = warpCorners(polygon);
  for (const [name, corners] of Object.entries(quads))
    it(name, () => {
      for (const [w, h] of [[32, 64], [64, 64], [16, 8], [1, 1], [3, 50]] as const) {
        const a = warpQuad(frame, corners, w, h);
        const b = ref.warpQuad(frame, corners, w, h);
        expectSame(`${name} ${w}x${h}`, a.data, b.data);
        // Into a reused buffer with stale bytes: every byte is written.
        const out = new Uint8Array(w * h * 3).fill(77);
        expectSame(`${name} ${w}x${h} reused`, warpQuad(frame, corners, w, h, out).data, b.data);
        if (w === 32 && h === 64) expectSameFeatures(name, a, 90);
      }
    });
  // slotPatch reuses warpCorners' homography for a 32x64 patch: the bytes of warping its corners the frozen way.
  for (const [name, polygon] of Object.entries({ ...quads, ...degenerate, 'reversed skewed slot': [...quads['skewed slot']!].reverse() }))
    it(`slotPatch of ${name}`, () => {
      for (const [w, h] of [[32, 64], [16, 8]] as const) expectSame(`${name} ${w}x${h}`, slotPatch(frame, polygon, w, h).data, ref.warpQuad(frame, warpCorners(polygon), w, h).data);
    });
});
