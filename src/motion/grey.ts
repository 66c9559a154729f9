// A small grey copy of a frame: what the camera-motion estimate works on (never the full frame).
import type { RgbaFrame } from '../camera/frame.ts';

/** A grey picture, row-major, one byte a pixel. */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** The longer side of the grey picture motion is estimated on: small enough to cost a few ms, fine enough for ~0.1 % of the width. */
export const MOTION_SIDE = 240;

/** The size a frame of `width` x `height` is reduced to (never enlarged): the aspect ratio is kept. */
export function greySize(width: number, height: number, side = MOTION_SIDE): { width: number; height: number } {
  const scale = Math.min(1, side / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * The frame in grey (BT.601 luma), reduced so its longer side is `side`: each output pixel averages up to 4 x 4 source
 * pixels spread evenly over the cell it covers. Smooth enough not to alias, and it reads ~16 pixels per output pixel
 * instead of the whole frame (a 1280 x 720 frame: ~0.3 MB read, not 3.7 MB).
 */
export function downscaleGrey(frame: RgbaFrame, side = MOTION_SIDE): GreyImage {
  const { width: sw, height: sh, data: src } = frame;
  const { width, height } = greySize(sw, sh, side);
  const xs = samplePoints(sw, width);
  const ys = samplePoints(sh, height);
  const nx = xs.length / width;
  const ny = ys.length / height;
  const data = new Uint8Array(width * height);
  const acc = new Uint32Array(width);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    // Source row by source row, left to right: the reads run along memory.
    for (let j = 0; j < ny; j++) {
      const row = ys[y * ny + j]! * sw;
      for (let x = 0, k = 0; x < width; x++) {
        let a = 0;
        for (let i = 0; i < nx; i++, k++) {
          const p = (row + xs[k]!) * 4;
          // BT.601 luma in integers (77, 150, 29 of 256): the float weights' grey to within a level.
          a += 77 * src[p]! + 150 * src[p + 1]! + 29 * src[p + 2]!;
        }
        acc[x] = acc[x]! + a;
      }
    }
    const norm = 256 * nx * ny;
    for (let x = 0; x < width; x++) data[y * width + x] = Math.round(acc[x]! / norm);
  }
  return { width, height, data };
}

/** For each of the `m` output cells over `n` source pixels, the same number (≤ 4) of source indices spread over it. */
function samplePoints(n: number, m: number): Int32Array {
  const step = n / m;
  const k = Math.max(1, Math.min(4, Math.round(step)));
  const out = new Int32Array(m * k);
  for (let o = 0; o < m; o++) {
    for (let i = 0; i < k; i++) out[o * k + i] = Math.min(n - 1, Math.floor(o * step + ((i + 0.5) * step) / k));
  }
  return out;
}
