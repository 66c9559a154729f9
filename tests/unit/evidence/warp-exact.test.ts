// The tile CNN and the hand features read warped bytes, so a faster warp must give the very bytes of the frozen one
// (reference-hand-features.ts warpQuad, the per-sample loop): the enlarged tiles of real lots, whose big slots are
// supersampled, random quads of every size on frames of both byte-array types, and the rounding the loop stores with.
import { describe, expect, it } from 'vitest';
import type { RgbaFrame } from '../../../src/camera/frame.ts';
import { rectifiedTile, RECTIFIED_SCALE } from '../../../src/evidence/tiles.ts';
import { roundHalfUp, scalePolygon, slotPatch, warpCorners, warpQuad } from '../../../src/evidence/warp.ts';
import { toPixels } from '../../../src/occupancy/geometry.ts';
import type { Point } from '../../../src/occupancy/types.ts';
import { loadAnalysisFrame, readLot } from '../../../scripts/lib/lots.ts';
import { fixture, fixturesAvailable } from '../../support/fixtures.ts';
import { seededRandom } from '../../support/seeded-random.ts';
import * as ref from './reference-hand-features.ts';

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `at ${i}: ${a[i]} vs ${b[i]}`;
  return null;
}

/** The supersampling warpQuad picks for a quad (the frozen loop's rule), to show which cases a test covered. */
function supersampling(c: readonly Point[], width: number, height: number): number {
  const side = (a: Point, b: Point) => Math.hypot(b[0] - a[0], b[1] - a[1]);
  const sideX = Math.max(side(c[0]!, c[1]!), side(c[3]!, c[2]!));
  const sideY = Math.max(side(c[0]!, c[3]!), side(c[1]!, c[2]!));
  return Math.max(1, Math.min(4, Math.ceil(Math.max(sideX / width, sideY / height) / 1.5)));
}

describe('roundHalfUp is Math.round on what a warp stores', () => {
  it('ties, their neighbours, random sums, NaN', () => {
    const values = [0, 0.5, 1.5, 2.5, 254.5, 255, 255.5, 0.49999999999999994, 2 ** 50 + 0.5, 2 ** 51 - 1, NaN];
    for (let k = 0; k <= 256; k++)
      for (const v of [k + 0.5, k - 0.5, k]) if (v >= 0) values.push(v, nextDown(v), nextUp(v));
    const random = seededRandom(23);
    for (let i = 0; i < 20000; i++) values.push(random() * 256, (Math.floor(random() * 1024) + 0.5) / 4, Math.floor(random() * 4096) / 16);
    const finite = values.filter((v) => !Number.isNaN(v));
    expect(firstDifference(finite.map(roundHalfUp), finite.map(Math.round))).toBeNull();
    // NaN stays NaN: stored in a byte array, 0 as Math.round's.
    expect(roundHalfUp(NaN)).toBeNaN();
  });
});

describe('warpQuad gives the frozen loop\'s bytes on random quads', () => {
  const random = seededRandom(29);
  const frames: RgbaFrame[] = [
    { width: 131, height: 77, data: Uint8Array.from({ length: 131 * 77 * 4 }, () => Math.floor(random() * 256)) },
    { width: 64, height: 200, data: Uint8ClampedArray.from({ length: 64 * 200 * 4 }, (_, i) => (i * 37 + ((i / 256) | 0)) & 255) },
  ];
  it('300 quads, sub-pixel to 4x supersampled, inside and across the border, at several patch sizes', () => {
    const seen = new Set<number>();
    for (let k = 0; k < 300; k++) {
      const frame = frames[k % 2]!;
      const size = [1, 8, 40, 120, 400][k % 5]!;
      const cx = (random() * 1.4 - 0.2) * frame.width;
      const cy = (random() * 1.4 - 0.2) * frame.height;
      // A random convex quad: four points at increasing angles around the centre.
      const start = random() * Math.PI * 2;
      const quad: Point[] = [0, 1, 2, 3].map((i) => {
        const a = start + (i + random() * 0.8) * (Math.PI / 2);
        const r = size * (0.3 + random());
        return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
      });
      const corners = warpCorners(quad);
      for (const [w, h] of [[32, 64], [17, 5]] as const) {
        seen.add(supersampling(corners, w, h));
        const want = ref.warpQuad(frame, corners, w, h).data;
        expect(firstDifference(warpQuad(frame, corners, w, h).data, want), `quad ${k} ${w}x${h}`).toBeNull();
        expect(firstDifference(warpQuad(frame, corners, w, h, new Uint8Array(w * h * 3).fill(9)).data, want), `quad ${k} ${w}x${h} reused`).toBeNull();
      }
    }
    expect([...seen].sort()).toEqual([1, 2, 3, 4]);
  });
});

describe.skipIf(!fixturesAvailable())('the tile CNN\'s enlarged tiles on real frames are the frozen warp\'s', () => {
  // acpds: big slots, supersampled; one frame of it (its frames are large).
  for (const [lot, picks] of [['pucpr', 2], ['acpds', 1], ['carpark', 2]] as const)
    it(`${lot}: every slot of ${picks} frame(s)`, () => {
      const frames = readLot(fixture('lots', lot));
      for (const k of [0, frames.length - 1].slice(0, picks)) {
        const f = frames[k]!;
        const frame = loadAnalysisFrame(f.imagePath);
        for (const s of f.slots) {
          const px = toPixels(s.polygon, frame.width, frame.height);
          const corners = warpCorners(scalePolygon(px, RECTIFIED_SCALE));
          expect(firstDifference(rectifiedTile(frame, s.polygon, 32, 64).data, ref.warpQuad(frame, corners, 32, 64).data), `${lot}#${k} ${s.id}`).toBeNull();
          // The shipped tile CNN's own supersampling step (weights.json tileCnn.sampling).
          const step2 = ref.warpQuad(frame, corners, 32, 64, undefined, 2).data;
          expect(firstDifference(rectifiedTile(frame, s.polygon, 32, 64, RECTIFIED_SCALE, 2).data, step2), `${lot}#${k} ${s.id} step 2`).toBeNull();
          expect(firstDifference(slotPatch(frame, px, 32, 64).data, ref.warpQuad(frame, warpCorners(px), 32, 64).data), `${lot}#${k} ${s.id} patch`).toBeNull();
        }
      }
    });
});

/** The doubles next to v (v > 0 finite). */
function nextUp(v: number): number {
  const b = new Float64Array([v]);
  const i = new BigInt64Array(b.buffer);
  i[0]! += v >= 0 ? 1n : -1n;
  return b[0]!;
}
function nextDown(v: number): number {
  if (v === 0) return 0;
  const b = new Float64Array([v]);
  const i = new BigInt64Array(b.buffer);
  i[0]! -= 1n;
  return b[0]!;
}
