import { LitElement, css, html, type PropertyValues } from 'lit';
import type { Point } from '../occupancy/types.ts';

/**
 * A loupe: the picture's pixels around a point, enlarged, with a crosshair on the point. Shown while a finger drags
 * a corner or a divider, where the finger itself hides what it is placing.
 */
export class LwMagnifier extends LitElement {
  static override properties = {
    source: { attribute: false },
    at: { attribute: false },
    frameWidth: { type: Number, attribute: 'frame-width' },
    frameHeight: { type: Number, attribute: 'frame-height' },
    scale: { type: Number },
    size: { type: Number },
  };

  /** The picture being edited: the frozen frame, the video, or the photo. */
  declare source: CanvasImageSource | null;
  /** The point under the finger, normalised to the frame. */
  declare at: Point;
  declare frameWidth: number;
  declare frameHeight: number;
  /** CSS pixels per frame pixel inside the loupe. */
  declare scale: number;
  /** The loupe's side in CSS pixels. */
  declare size: number;

  constructor() {
    super();
    this.source = null;
    this.at = [0.5, 0.5];
    this.frameWidth = 1280;
    this.frameHeight = 720;
    this.scale = 3;
    this.size = 112;
  }

  static override styles = css`
    :host {
      display: block;
      pointer-events: none;
      border-radius: 50%;
      overflow: hidden;
      border: 2px solid #facc15;
      box-shadow: 0 2px 10px rgb(0 0 0 / 0.6);
      background: #000;
    }
    canvas {
      display: block;
      width: 100%;
      height: 100%;
    }
  `;

  override render() {
    return html`<canvas aria-hidden="true"></canvas>`;
  }

  protected override updated(_changed: PropertyValues<this>): void {
    this.draw();
  }

  private draw(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas) return;
    const dpr = window.devicePixelRatio || 1;
    const side = Math.round(this.size * dpr);
    if (canvas.width !== side) {
      canvas.width = side;
      canvas.height = side;
    }
    this.style.width = `${this.size}px`;
    this.style.height = `${this.size}px`;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, side, side);
    const span = this.size / this.scale; // frame pixels across the loupe
    const cx = this.at[0] * this.frameWidth;
    const cy = this.at[1] * this.frameHeight;
    if (this.source) {
      // Whole pixels stay whole: the point is to see edges exactly.
      ctx.imageSmoothingEnabled = false;
      try {
        ctx.drawImage(this.source, cx - span / 2, cy - span / 2, span, span, 0, 0, side, side);
      } catch {
        // A video without a frame yet: the loupe stays dark.
      }
    }
    const c = side / 2;
    ctx.lineWidth = Math.max(1, dpr);
    for (const [color, width] of [
      ['rgb(0 0 0 / 0.7)', 3],
      ['#facc15', 1],
    ] as const) {
      ctx.strokeStyle = color;
      ctx.lineWidth = width * dpr;
      ctx.beginPath();
      ctx.moveTo(c, c - side * 0.3);
      ctx.lineTo(c, c - 4 * dpr);
      ctx.moveTo(c, c + 4 * dpr);
      ctx.lineTo(c, c + side * 0.3);
      ctx.moveTo(c - side * 0.3, c);
      ctx.lineTo(c - 4 * dpr, c);
      ctx.moveTo(c + 4 * dpr, c);
      ctx.lineTo(c + side * 0.3, c);
      ctx.stroke();
    }
  }
}

customElements.define('lw-magnifier', LwMagnifier);

declare global {
  interface HTMLElementTagNameMap {
    'lw-magnifier': LwMagnifier;
  }
}
