// Downscales a decoded image to the app's analysis size (camera/frame.ts), averaging the source pixels each output
// pixel covers, as a smoothed canvas drawImage does. Used by the commands; the app resizes on a canvas.
import { analysisSize, type RgbaFrame } from '../../src/camera/frame.ts';

export function resizeArea(src: RgbaFrame, width: number, height: number): RgbaFrame {
  if (width === src.width && height === src.height) return src;
  const out = new Uint8Array(width * height * 4);
  const sx = src.width / width;
  const sy = src.height / height;
  const acc = new Float64Array(4);
  for (let y = 0; y < height; y++) {
    const y0 = y * sy;
    const y1 = y0 + sy;
    for (let x = 0; x < width; x++) {
      const x0 = x * sx;
      const x1 = x0 + sx;
      acc.fill(0);
      let wsum = 0;
      for (let yy = Math.floor(y0); yy < Math.min(src.height, Math.ceil(y1)); yy++) {
        const wy = Math.min(yy + 1, y1) - Math.max(yy, y0);
        for (let xx = Math.floor(x0); xx < Math.min(src.width, Math.ceil(x1)); xx++) {
          const w = wy * (Math.min(xx + 1, x1) - Math.max(xx, x0));
          const i = (yy * src.width + xx) * 4;
          for (let c = 0; c < 4; c++) acc[c] = acc[c]! + w * src.data[i + c]!;
          wsum += w;
        }
      }
      for (let c = 0; c < 4; c++) out[(y * width + x) * 4 + c] = Math.round(acc[c]! / wsum);
    }
  }
  return { width, height, data: out };
}

/** The frame the app would analyse. */
export function toAnalysisFrame(src: RgbaFrame): RgbaFrame {
  const { width, height } = analysisSize(src.width, src.height);
  return resizeArea(src, width, height);
}
