// The scene reference: a small grey picture of the lot taken when the slots were marked (or last confirmed), kept with
// the layout. Frames are compared with it to tell whether the camera moved since. Pure: no DOM, no storage.
import type { RgbaFrame } from '../camera/frame.ts';
import { downscaleGrey, greySize, MOTION_SIDE, type GreyImage } from './grey.ts';

export interface SceneReference extends GreyImage {
  /** Epoch ms the picture was taken. */
  readonly takenAt: number;
}

export function takeScene(frame: RgbaFrame, at: number): SceneReference {
  return { ...downscaleGrey(frame), takenAt: at };
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

/** Reads a scene from a file (or storage); throws a message in words when it is not one this version can use. */
export function parseSceneFile(v: unknown): SceneReference {
  if (typeof v !== 'object' || v === null) throw new Error('scene is not an object');
  const r = v as Record<string, unknown>;
  const { width, height } = r;
  if (!Number.isInteger(width) || !Number.isInteger(height) || (width as number) < 8 || (height as number) < 8) {
    throw new Error('scene needs a whole width and height of at least 8');
  }
  const w = width as number;
  const h = height as number;
  // Only the size this version estimates motion at; another size is re-taken from the next frame.
  if (Math.max(w, h) !== MOTION_SIDE) throw new Error(`scene is ${w}x${h}; this version keeps ${MOTION_SIDE} px on the longer side`);
  if (typeof r['grey'] !== 'string') throw new Error('scene.grey must be base64 text');
  let data: Uint8Array;
  try {
    data = fromBase64(r['grey']);
  } catch {
    throw new Error('scene.grey is not base64');
  }
  if (data.length !== w * h) throw new Error(`scene.grey holds ${data.length} pixels, not ${w}x${h}`);
  const takenAt = typeof r['taken_at'] === 'string' ? Date.parse(r['taken_at']) : NaN;
  return { width: w, height: h, data, takenAt: Number.isFinite(takenAt) ? takenAt : 0 };
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
