// The tile CNN's input (the frame's light and each tile's scaled pixels) must stay bit for bit what the trained weights
// saw: lightStats and tileCnnInput against frozen copies of the code before issue 13's second speed pass (cd7e3d8), with
// Object.is on every value, on real slot tiles and on tiles at the extremes.
import { describe, expect, it } from 'vitest';
import { lightStats, MIN_SPREAD, normaliseTiles, type LightStats } from '../../../src/evidence/slot-cnn.ts';
import { framePatches } from '../../../src/evidence/slot-features.ts';
import { rectifiedTile } from '../../../src/evidence/tiles.ts';
import { STEM_CENTRE, STEM_GAIN, tileCnnInput } from '../../../src/evidence/tile-cnn.ts';
import type { RgbPatch } from '../../../src/evidence/warp.ts';
import { loadAnalysisFrame, readLot } from '../../../scripts/lib/lots.ts';
import { fixture, fixturesAvailable } from '../../support/fixtures.ts';
import { seededRandom } from '../../support/seeded-random.ts';

// ---- FROZEN: src/evidence/slot-cnn.ts lightStats and scalePixels, tile-cnn.ts tileCnnInput at cd7e3d8 ----
function lightStatsRef(tiles: readonly RgbPatch[]): LightStats {
  const sum = [0, 0, 0];
  let sq = 0;
  let n = 0;
  for (const t of tiles) {
    const d = t.data;
    for (let i = 0; i < d.length; i += 3) {
      for (let c = 0; c < 3; c++) {
        const v = d[i + c]!;
        sum[c]! += v;
        sq += v * v;
      }
      n++;
    }
  }
  if (n === 0) return { mean: [128, 128, 128], spread: MIN_SPREAD };
  const mean = [sum[0]! / n, sum[1]! / n, sum[2]! / n] as const;
  const all = (sum[0]! + sum[1]! + sum[2]!) / (3 * n);
  const variance = Math.max(0, sq / (3 * n) - all * all);
  return { mean, spread: Math.max(MIN_SPREAD, Math.sqrt(variance)) };
}
function scalePixelsRef(data: ArrayLike<number>, light: LightStats, out: Float32Array, offset = 0, centre = 0, gain = 1): void {
  let o = offset;
  for (let i = 0; i < data.length; i += 3) for (let c = 0; c < 3; c++) out[o++] = centre + (gain * (data[i + c]! - light.mean[c]!)) / light.spread;
}
function tileCnnInputRef(tiles: readonly RgbPatch[], norm: 'tile' | 'frame' | 'raw', stem: boolean, frame?: LightStats): Float32Array {
  const out = new Float32Array(tiles.reduce((n, t) => n + t.data.length, 0));
  const [centre, gain] = norm === 'raw' ? [0, 1] : stem ? [STEM_CENTRE, STEM_GAIN] : [0, 1];
  const raw: LightStats = { mean: [0, 0, 0], spread: 1 };
  let o = 0;
  for (const t of tiles) {
    scalePixelsRef(t.data, norm === 'raw' ? raw : norm === 'frame' ? frame! : lightStatsRef([t]), out, o, centre, gain);
    o += t.data.length;
  }
  return out;
}
// ---- end of the frozen copy ----

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `at ${i}: ${a[i]} vs ${b[i]}`;
  return null;
}
const sameLight = (a: LightStats, b: LightStats) => firstDifference([...a.mean, a.spread], [...b.mean, b.spread]);

function expectSameInputs(what: string, tiles: readonly RgbPatch[], frame: LightStats): void {
  expect(sameLight(lightStats(tiles), lightStatsRef(tiles)), `${what} light`).toBeNull();
  for (const norm of ['tile', 'frame', 'raw'] as const)
    for (const stem of [true, false]) expect(firstDifference(tileCnnInput(tiles, norm, stem, frame), tileCnnInputRef(tiles, norm, stem, frame)), `${what} ${norm} stem ${stem}`).toBeNull();
  expect(firstDifference(normaliseTiles(tiles, 'frame'), tileCnnInputRef(tiles, 'frame', false, lightStatsRef(tiles))), `${what} normaliseTiles`).toBeNull();
}

const patchOf = (f: (k: number) => number): RgbPatch => ({ width: 32, height: 64, data: Uint8Array.from({ length: 32 * 64 * 3 }, (_, k) => f(k)) });

describe('tile inputs are those of the frozen code', () => {
  it('flat, black, white, saturated, noise; alone and together', () => {
    const random = seededRandom(31);
    const tiles = [patchOf(() => 0), patchOf(() => 255), patchOf(() => 117), patchOf((k) => (k % 3 === 0 ? 255 : 0)), patchOf(() => Math.floor(random() * 256)), patchOf(() => Math.floor(random() * 3))];
    for (const t of tiles) expectSameInputs('one tile', [t], lightStatsRef(tiles));
    expectSameInputs('all tiles', tiles, lightStatsRef(tiles));
    expect(sameLight(lightStats([]), lightStatsRef([]))).toBeNull();
  });
});

describe.skipIf(!fixturesAvailable())('tile inputs of real slots are those of the frozen code', () => {
  it('pucpr and acpds frames: the frame light from every patch, every slot\'s 1.2x tile', () => {
    for (const lot of ['pucpr', 'acpds'] as const) {
      const f = readLot(fixture('lots', lot))[0]!;
      const frame = loadAnalysisFrame(f.imagePath);
      const fp = framePatches(frame, f.slots);
      expect(sameLight(lightStats(fp.patches), lightStatsRef(fp.patches)), `${lot} frame light`).toBeNull();
      const tiles = f.slots.map((s) => rectifiedTile(frame, s.polygon, 32, 64));
      expectSameInputs(lot, tiles, lightStatsRef(fp.patches));
    }
  });
});
