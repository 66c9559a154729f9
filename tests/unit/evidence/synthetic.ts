// Small synthetic frames with known content, for the evidence tests.
import type { RgbaFrame } from '../../../src/camera/frame.ts';
import type { Point } from '../../../src/occupancy/types.ts';

export type Rgb = readonly [number, number, number];

/** A frame filled with one colour, with optional filled axis-aligned rectangles (pixels) painted on top. */
export function paintFrame(width: number, height: number, bg: Rgb, rects: readonly { x: number; y: number; w: number; h: number; c: Rgb }[] = []): RgbaFrame {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...bg, 255], i * 4);
  for (const r of rects)
    for (let y = Math.max(0, r.y); y < Math.min(height, r.y + r.h); y++)
      for (let x = Math.max(0, r.x); x < Math.min(width, r.x + r.w); x++) data.set([...r.c, 255], (y * width + x) * 4);
  return { width, height, data };
}

/** Deterministic pseudo-random noise added to a frame (a small LCG), so textures are reproducible. */
export function addNoise(frame: RgbaFrame, amplitude: number, seed = 1): RgbaFrame {
  let s = seed >>> 0;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const data = new Uint8Array(frame.data);
  for (let i = 0; i < data.length; i++) if (i % 4 !== 3) data[i] = Math.max(0, Math.min(255, Math.round(data[i]! + rnd() * amplitude)));
  return { ...frame, data };
}

export const rectPoly = (x: number, y: number, w: number, h: number): Point[] => [
  [x, y],
  [x + w, y],
  [x + w, y + h],
  [x, y + h],
];
