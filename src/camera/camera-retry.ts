// How long to wait before trying the camera again after it stopped by itself. Pure.

/** 2 s, 5 s, 10 s, 30 s, then once a minute for as long as it takes: a phone on a pole has nobody to tap "retry". */
const DELAYS_MS = [2_000, 5_000, 10_000, 30_000] as const;
export const CAMERA_RETRY_CEILING_MS = 60_000;

/** `attempt` counts from 0 (the first retry). */
export function cameraRetryDelayMs(attempt: number): number {
  return DELAYS_MS[Math.max(0, Math.floor(attempt))] ?? CAMERA_RETRY_CEILING_MS;
}
