// `npm run screenshots`: the web app manifest's screenshots, taken from the real built app counting the fixture lot
// video through Chromium's fake camera: public/screenshots/wide.png (1280x800) and narrow.png (360x740 at 2x).
import { chromium, expect, type Browser, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CAMERA_FLAGS, CHROMIUM_PATH, QUIET_FLAGS } from '../playwright.config.ts';
import globalSetup from '../tests/e2e/support/global-setup.ts';
import { counts, countWithSlots, type NormPoint } from '../tests/e2e/support/app.ts';
import { waitForOfflineReady } from '../tests/e2e/support/pwa.ts';
import { startStaticServer } from '../tests/e2e/support/static-server.ts';
import { fixturesAvailable } from '../tests/support/fixtures.ts';
import { PROJECT_ROOT } from './lib/node-tf.ts';

/** The front row of the fixture video (640x360): cars that stay, and the walkway in front of them. */
const SLOTS: [NormPoint, NormPoint][] = [
  [
    [133 / 640, 280 / 360],
    [217 / 640, 335 / 360],
  ],
  [
    [222 / 640, 280 / 360],
    [290 / 640, 335 / 360],
  ],
  [
    [380 / 640, 280 / 360],
    [445 / 640, 335 / 360],
  ],
  [
    [455 / 640, 290 / 360],
    [545 / 640, 345 / 360],
  ],
  [
    [20 / 640, 236 / 360],
    [110 / 640, 256 / 360],
  ],
];

async function shoot(browser: Browser, url: string, file: string, options: Parameters<Browser['newContext']>[0]): Promise<void> {
  const context = await browser.newContext(options);
  const page: Page = await context.newPage();
  await page.goto(url);
  await waitForOfflineReady(page);
  await countWithSlots(page, SLOTS);
  await expect.poll(() => counts(page).then((c) => c.total), { timeout: 60_000 }).toBe(SLOTS.length);
  // Let the hysteresis settle so the picture shows steady states.
  await page.waitForTimeout(8_000);
  await page.screenshot({ path: file });
  await context.close();
  console.log(`wrote ${file}`);
}

if (!fixturesAvailable()) process.exit(1);
globalSetup();
execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
const out = join(PROJECT_ROOT, 'public', 'screenshots');
mkdirSync(out, { recursive: true });
const server = await startStaticServer(join(PROJECT_ROOT, 'dist'));
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...QUIET_FLAGS, ...CAMERA_FLAGS] });
try {
  await shoot(browser, server.url, join(out, 'wide.png'), { viewport: { width: 1280, height: 800 } });
  await shoot(browser, server.url, join(out, 'narrow.png'), {
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
} finally {
  await browser.close();
  await server.close();
}
