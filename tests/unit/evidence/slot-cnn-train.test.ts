// The training-time resolution drop (slot-cnn-train.ts resampleTile): a near slot's sharp tile made to look like a far
// slot's stretched one. Pure arithmetic, no fixtures.
import { describe, expect, it } from 'vitest';
import { resampleTile, tileInput, type TileSet } from '../../../scripts/lib/slot-cnn-train.ts';
import { seededRandom } from '../../support/seeded-random.ts';

const W = 32;
const H = 64;

function tile(f: (x: number, y: number, c: number) => number): Float32Array {
  const px = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) px[(y * W + x) * 3 + c] = f(x, y, c);
  return px;
}

const checker = (x: number, y: number, c: number) => ((x + y) % 2 === 0 ? 200 : 40) + c;

describe('resampleTile', () => {
  it('leaves a tile as it is at full resolution', () => {
    const px = tile(checker);
    const before = px.slice();
    resampleTile(px, W, H, 1, 1);
    expect(Array.from(px)).toEqual(Array.from(before));
  });

  it('keeps a flat tile flat and a tile’s mean light', () => {
    const flat = tile((_, __, c) => 90 + 10 * c);
    resampleTile(flat, W, H, 1.7, 2.3);
    for (let i = 0; i < flat.length; i++) expect(flat[i]).toBeCloseTo(90 + 10 * (i % 3), 4);
    const px = tile(checker);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    const m0 = mean(px);
    resampleTile(px, W, H, 2, 2.5);
    expect(Math.abs(mean(px) - m0)).toBeLessThan(2);
  });

  it('takes away the detail a far slot does not have, more the more it drops', () => {
    const detail = (a: Float32Array) => {
      let s = 0;
      for (let y = 0; y < H; y++) for (let x = 1; x < W; x++) s += Math.abs(a[(y * W + x) * 3]! - a[(y * W + x - 1) * 3]!);
      return s;
    };
    const sharp = tile(checker);
    const some = sharp.slice();
    const more = sharp.slice();
    resampleTile(some, W, H, 1.5, 1.5);
    resampleTile(more, W, H, 2, 2.5);
    expect(detail(some)).toBeLessThan(detail(sharp) / 2);
    expect(detail(more)).toBeLessThan(detail(some));
  });

  it('is off unless asked for: the augmented copies are as before at a share of 0', () => {
    const pixels = Uint8Array.from(tile(checker));
    const set: TileSet = { width: W, height: H, pixels, labels: new Uint8Array(1), frameLight: Float32Array.of(0, 0, 0, 1) };
    const a = new Float32Array(W * H * 3);
    const b = new Float32Array(W * H * 3);
    const c = new Float32Array(W * H * 3);
    tileInput(set, 0, 'frame', a, 0, seededRandom(7));
    tileInput(set, 0, 'frame', b, 0, seededRandom(7), 0);
    tileInput(set, 0, 'frame', c, 0, seededRandom(7), 1);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });
});
