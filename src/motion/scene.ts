// The scene reference: a small grey picture of the lot taken when the slots were marked (or last confirmed), kept with
// the layout. Frames are compared with it to tell whether the camera moved since. Pure: no DOM, no storage.
import type { Slot } from '../occupancy/types.ts';
import { greySize, MOTION_SIDE, type GreyImage } from './grey.ts';

export interface SceneReference extends GreyImage {
  /** Epoch ms the picture was taken. */
  readonly takenAt: number;
  /**
   * The layout it belongs to (layoutKey of the slots it was taken with): when the slots are redrawn, moved or
   * imported, the reference is taken again from the view they were drawn on. Empty: not known (a layout file's).
   */
  readonly layout: string;
}

/**
 * A short fingerprint of the slots' shapes (FNV-1a over the corners, to a millionth): equal for the same layout,
 * different once any slot is added, removed, moved or reshaped. Names do not count.
 */
export function layoutKey(slots: readonly Slot[]): string {
  let h = 0x811c9dc5;
  const mix = (n: number) => {
    h ^= n;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const s of slots) {
    for (const [x, y] of s.polygon) {
      mix(Math.round(x * 1e6) | 0);
      mix(Math.round(y * 1e6) | 0);
    }
    mix(0x5eed);
  }
  return `${slots.length}:${h.toString(16)}`;
}

/** The scene as a layout file carries it: the grey pixels in base64 (a 240 x 135 picture is ~43 KB of text). */
export interface SceneFile {
  width: number;
  height: number;
  taken_at: string;
  grey: string;
}

export function toSceneFile(s: SceneReference): SceneFile {
  return { width: s.width, height: s.height, taken_at: new Date(s.takenAt).toISOString(), grey: toBase64(s.data) };
}

/**
 * Reads a scene from a layout file. Null when it is well formed but of a size this version does not estimate at
 * (another version's): the next frame is taken instead. Throws a message in words when it is not a scene at all.
 */
export function parseSceneFile(v: unknown): SceneReference | null {
  if (typeof v !== 'object' || v === null) throw new Error('scene is not an object');
  const r = v as Record<string, unknown>;
  if (typeof r['grey'] !== 'string') throw new Error('scene.grey must be base64 text');
  let data: Uint8Array;
  try {
    data = fromBase64(r['grey']);
  } catch {
    throw new Error('scene.grey is not base64');
  }
  const takenAt = typeof r['taken_at'] === 'string' ? Date.parse(r['taken_at']) : NaN;
  return checkScene({ width: r['width'], height: r['height'], data, takenAt: Number.isFinite(takenAt) ? takenAt : 0, layout: '' });
}

/** A scene as read back (a file, storage); null when it is of another size (see parseSceneFile). Throws why not. */
export function checkScene(s: { width: unknown; height: unknown; data: unknown; takenAt: unknown; layout: unknown }): SceneReference | null {
  const { width: w, height: h, data, takenAt, layout } = s;
  if (!Number.isInteger(w) || !Number.isInteger(h) || (w as number) < 8 || (h as number) < 8) {
    throw new Error('scene needs a whole width and height of at least 8');
  }
  const [width, height] = [w as number, h as number];
  if (!(data instanceof Uint8Array)) throw new Error('scene has no pixels');
  if (data.length !== width * height) throw new Error(`scene.grey holds ${data.length} pixels, not ${width}x${height}`);
  // Another size (another version's) is taken again from the next frame rather than compared at the wrong scale.
  if (Math.max(width, height) !== MOTION_SIDE) return null;
  return {
    width,
    height,
    data,
    takenAt: typeof takenAt === 'number' && Number.isFinite(takenAt) ? takenAt : 0,
    layout: typeof layout === 'string' ? layout : '',
  };
}

/** Whether a stored scene fits frames of this size (same aspect ratio at the motion size). */
export function sceneFits(s: GreyImage, frameWidth: number, frameHeight: number): boolean {
  const g = greySize(frameWidth, frameHeight);
  return g.width === s.width && g.height === s.height;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
