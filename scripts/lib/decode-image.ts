// Image files to RGBA frames in Node, with pure-JS decoders (no native binaries to download).
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { readFileSync } from 'node:fs';
import type { RgbaFrame } from '../../src/camera/frame.ts';

export function decodeImage(path: string): RgbaFrame {
  const bytes = readFileSync(path);
  if (bytes[0] === 0x89 && bytes[1] === 0x50) {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024, maxResolutionInMP: 200 });
    return { width: img.width, height: img.height, data: img.data };
  }
  throw new Error(`${path}: not a PNG or JPEG file`);
}
