// `npm run screenshots`: the web app manifest's screenshots and the README's, taken from the real built app counting the
// fixture lot video through Chromium's fake camera: public/screenshots/wide.png (1280x800, also docs/screenshot.png)
// and narrow.png (360x740 at 2x). A picture is taken only while every slot shows what is really there (labelled by
// hand, below), checked before and after: a screenshot with a wrong slot fails the script instead.
import { chromium, expect, type Browser, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CAMERA_FLAGS, CHROMIUM_PATH, QUIET_FLAGS } from '../playwright.config.ts';
import globalSetup from '../tests/e2e/support/global-setup.ts';
import { asFirstVisit, counts, countWithSlots, slotStates, type NormPoint } from '../tests/e2e/support/app.ts';
import { waitForOfflineReady } from '../tests/e2e/support/pwa.ts';
import { startStaticServer } from '../tests/e2e/support/static-server.ts';
import { fixturesAvailable } from '../tests/support/fixtures.ts';
import { PROJECT_ROOT } from './lib/node-tf.ts';

// The front row of the fixture video (640x360, 20 s, looped by the fake camera), labelled by hand on its frames at
// 0, 4, 6, 8, 10, 12 and 19 s: the bottom-left bay's SUV backs out between 6 and 8 s (the bay is empty from about 9 s
// to the loop's end), the five cars beside it stay all 20 s. Slots as a user marks them, over each bay's ground.
const box = (x0: number, y0: number, x1: number, y1: number): [NormPoint, NormPoint] => [
  [x0 / 640, y0 / 360],
  [x1 / 640, y1 / 360],
];
const SLOTS: [NormPoint, NormPoint][] = [
  box(25, 280, 128, 335), // the bay the SUV leaves
  box(135, 282, 218, 330), // black car
  box(222, 282, 280, 330), // navy car
  box(302, 282, 363, 330), // red car
  box(382, 282, 450, 335), // black sedan
  box(455, 285, 542, 339), // black sedan
];
/** What is there late in each loop (13 to 19 s: the SUV gone for seconds, the counter's hold over): one free bay. */
const TRUTH = { '1': 'free', '2': 'occupied', '3': 'occupied', '4': 'occupied', '5': 'occupied', '6': 'occupied' };
const TRUE_COUNTS = { available: 1, occupied: 5, total: 6 };
const WINDOW_S: [number, number] = [13, 19];

/** Where the looped video is now (s into its 20 s), as the camera plays it from the start when it opens. */
const loopTime = (page: Page) =>
  page.evaluate(() => {
    const v = document.querySelector('lw-app')?.shadowRoot?.querySelector('.stage video') as HTMLVideoElement | null;
    return v ? v.currentTime % 20 : -1;
  });

/** The overlay and the counts agree with what is in the picture, at a moment the picture is known. */
async function showsTruth(page: Page): Promise<boolean> {
  const t = await loopTime(page);
  if (t < WINDOW_S[0] || t > WINDOW_S[1]) return false;
  return JSON.stringify(await slotStates(page)) === JSON.stringify(TRUTH) && JSON.stringify(await counts(page)) === JSON.stringify(TRUE_COUNTS);
}

async function shoot(browser: Browser, url: string, file: string, options: Parameters<Browser['newContext']>[0]): Promise<void> {
  const context = await browser.newContext(options);
  const page: Page = await context.newPage();
  await asFirstVisit(page);
  await page.goto(url);
  await waitForOfflineReady(page);
  await countWithSlots(page, SLOTS);
  await expect.poll(() => showsTruth(page), { timeout: 180_000, intervals: [250] }).toBe(true);
  await page.screenshot({ path: file });
  // Still right after the picture was taken (and the video still in the window): it shows the lot as it is.
  expect(await showsTruth(page), 'the states changed while the picture was taken').toBe(true);
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
  copyFileSync(join(out, 'wide.png'), join(PROJECT_ROOT, 'docs', 'screenshot.png'));
  console.log('wrote docs/screenshot.png (the README picture)');
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
