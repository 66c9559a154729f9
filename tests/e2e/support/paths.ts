import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CACHE = join(ROOT, '.cache');
/** The fixture video, converted for Chromium's fake camera (MJPEG plays as a camera). */
export const FAKE_CAMERA_FILE = join(CACHE, 'lot-camera.mjpeg');
/** One frame of the same video, for the "open a photo" path. */
export const STILL_FRAME_FILE = join(CACHE, 'lot-frame.png');
