/** Pixels of one frame, RGBA, row-major: what a canvas's ImageData holds and what a decoded image file gives. */
export interface RgbaFrame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** The largest side a frame is analysed at: enough for slots a few dozen pixels wide, small enough to stay fast. */
export const ANALYSIS_MAX_SIDE = 1280;

/** The size a frame of the given size is analysed at (never upscaled). */
export function analysisSize(width: number, height: number, maxSide = ANALYSIS_MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
