// Converts the fixture video with Debian's ffmpeg once: an MJPEG for the fake camera and a PNG still.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fixturesAvailable, LOT_VIDEO } from '../../support/fixtures.ts';
import { CACHE, FAKE_CAMERA_FILE, STILL_FRAME_FILE } from './paths.ts';

export default function globalSetup(): void {
  if (!fixturesAvailable()) return;
  const video = LOT_VIDEO;
  mkdirSync(CACHE, { recursive: true });
  const fresh = (out: string) => existsSync(out) && statSync(out).mtimeMs >= statSync(video).mtimeMs;
  if (!fresh(FAKE_CAMERA_FILE)) {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', video, '-r', '12', '-q:v', '4', FAKE_CAMERA_FILE]);
  }
  if (!fresh(STILL_FRAME_FILE)) {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', '5', '-i', video, '-frames:v', '1', STILL_FRAME_FILE]);
  }
}
