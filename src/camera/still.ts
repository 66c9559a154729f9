/** A still of what a source shows now, at its full size: the picture slots are marked on while cars keep moving. */
export interface Still {
  readonly canvas: HTMLCanvasElement;
  /** Epoch ms when it was taken. */
  readonly takenAt: number;
}

export function takeStill(element: HTMLVideoElement | HTMLImageElement, width: number, height: number, now = Date.now()): Still {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw a still of the picture');
  ctx.drawImage(element, 0, 0, width, height);
  return { canvas, takenAt: now };
}
