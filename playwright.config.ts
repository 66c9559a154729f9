import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import { FAKE_CAMERA_FILE } from './tests/e2e/support/paths.ts';
import { LOT_VIDEO } from './tests/support/fixtures.ts';

// Debian's Chromium by default; LOTWATCH_CHROMIUM points at any other build (e.g. Playwright's own browsers).
export const CHROMIUM_PATH = process.env.LOTWATCH_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const PORT = Number(process.env.LOTWATCH_E2E_PORT ?? 4173);

/** Flags for a quiet, offline Chromium: this machine's network is closed and Chromium would keep calling home. */
export const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * The camera is a real video of a lot (converted by the global setup), fed through Chromium's fake capture. Without
 * the fixtures (a fresh clone with no ../shared) Chromium's own test pattern stands in, so the tests that only need
 * *a* camera still run; the ones that need the lot skip with a notice.
 */
export const CAMERA_FLAGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  ...(existsSync(LOT_VIDEO) ? [`--use-file-for-fake-video-capture=${FAKE_CAMERA_FILE}`] : []),
];

export default defineConfig({
  testDir: 'tests/e2e',
  globalSetup: './tests/e2e/support/global-setup.ts',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  // Two: each test's analysis runs one WASM thread, and this machine (and CI) has two cores.
  workers: Number(process.env.LOTWATCH_E2E_WORKERS ?? 2),
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: { executablePath: CHROMIUM_PATH, args: [...QUIET_FLAGS, ...CAMERA_FLAGS] },
    viewport: { width: 1280, height: 800 },
    // PWA: only the specs about the service worker (pwa-*.spec.ts) allow it; elsewhere every fresh context would
    // first download the whole 21 MB offline copy, and the model would wait for it.
    serviceWorkers: 'block',
    trace: 'retain-on-failure',
  },
  webServer: {
    // The built app, as users get it (service worker and all), not the dev server.
    command: `npm run build && npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
  },
});
