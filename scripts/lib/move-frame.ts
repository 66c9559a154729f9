// A camera move made synthetically on a real frame: what the camera would have seen had it moved by `move` (bilinear,
// the border it would newly see filled with the nearest edge pixels). For the camera-moved tests and `eval-motion`.
import type { RgbaFrame } from '../../src/camera/frame.ts';
import { inverseMove, moveHomography, type CameraMove } from '../../src/motion/camera-move.ts';
import { applyHomography } from '../../src/occupancy/homography.ts';

export function moveFrame(frame: RgbaFrame, move: CameraMove): RgbaFrame {
  const { width, height, data } = frame;
  const back = moveHomography(inverseMove(move), height / width);
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [u, v] = applyHomography(back, [(x + 0.5) / width, (y + 0.5) / height]);
      const sx = Math.min(width - 1, Math.max(0, u * width - 0.5));
      const sy = Math.min(height - 1, Math.max(0, v * height - 0.5));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(width - 1, x0 + 1);
      const y1 = Math.min(height - 1, y0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (y * width + x) * 4;
      for (let c = 0; c < 4; c++) {
        const top = data[(y0 * width + x0) * 4 + c]! * (1 - fx) + data[(y0 * width + x1) * 4 + c]! * fx;
        const bottom = data[(y1 * width + x0) * 4 + c]! * (1 - fx) + data[(y1 * width + x1) * 4 + c]! * fx;
        out[o + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { width, height, data: out };
}
