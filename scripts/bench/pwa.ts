// Installed-app figures, measured on the built app in headless Chromium with the fake camera playing the fixture
// lot video:
// - `cadence`: CPU seconds per minute of counting at each detection cadence (and with detection paused), the
//   browser's whole process tree from /proc: what the battery and the heat see.
// - `offline-start`: time from opening the installed app with no network to its first count, median of several runs.
// - `tabs`: how long after the counting tab shows a new count a viewer tab (BroadcastChannel) shows it.
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CAMERA_FLAGS, CHROMIUM_PATH, QUIET_FLAGS } from '../../playwright.config.ts';
import globalSetup from '../../tests/e2e/support/global-setup.ts';
import { CAR, counts, countWithSlots, firstShownWithTotal, markSlots, recordCountTimes, SEDAN, SKY, type NormPoint } from '../../tests/e2e/support/app.ts';
import { setPageHidden, waitForOfflineReady } from '../../tests/e2e/support/pwa.ts';
import { startStaticServer, type StaticServer } from '../../tests/e2e/support/static-server.ts';
import { fixturesAvailable } from '../../tests/support/fixtures.ts';
import { PROJECT_ROOT } from '../lib/node-tf.ts';
import { descendantCpuSeconds } from '../lib/process-cpu.ts';
import { numFlag } from './child.ts';

/** Two cars that stay in the fixture video, and the sky: a lot whose counts are known. */
const SLOTS = [SEDAN, CAR, SKY];

interface Rig {
  server: StaticServer;
  browser: Browser;
  close(): Promise<void>;
}

async function rig(args: string[]): Promise<Rig | null> {
  if (!fixturesAvailable()) return null;
  globalSetup();
  const dist = join(PROJECT_ROOT, 'dist');
  if (!existsSync(join(dist, 'sw.js')) || args.includes('--build')) execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
  const server = await startStaticServer(dist);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...QUIET_FLAGS, ...CAMERA_FLAGS] });
  return { server, browser, close: async () => (await browser.close(), await server.close()) };
}

/** First visit: offline copy stored, camera on, model loaded, the three slots drawn and counted. */
async function firstVisit(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await waitForOfflineReady(page);
  await countWithSlots(page, SLOTS);
  const deadline = Date.now() + 90_000;
  while ((await counts(page)).total !== SLOTS.length && Date.now() < deadline) await page.waitForTimeout(250);
  return page;
}

const CADENCES: readonly [string, number | 'paused'][] = [
  ['detection paused (page hidden), camera on', 'paused'],
  ['every 5 s', 5000],
  ['once a second', 1000],
  ['continuous', 0],
];

export async function benchCadence(args: string[]): Promise<unknown> {
  const r = await rig(args);
  if (!r) return { skipped: 'fixtures not found' };
  const seconds = numFlag(args, '--cadence-seconds', 30);
  try {
    const context = await r.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await firstVisit(context, r.server.url);
    await page.getByText('Settings', { exact: true }).click();
    const rows: { cadence: string; cpuSecondsPerMinute: number; framesPerMinute: number }[] = [];
    for (const [label, cadence] of CADENCES) {
      if (cadence === 'paused') await setPageHidden(page, true);
      else {
        await setPageHidden(page, false);
        await page.locator('lw-settings-panel select[name="cadenceMs"]').selectOption(String(cadence));
      }
      await page.waitForTimeout(5_000);
      const frames = await countFrames(page, async () => {
        const cpu0 = descendantCpuSeconds();
        const t0 = performance.now();
        await page.waitForTimeout(seconds * 1000);
        return { cpu: descendantCpuSeconds() - cpu0, wall: (performance.now() - t0) / 1000 };
      });
      const row = { cadence: label, cpuSecondsPerMinute: (frames.cpu / frames.wall) * 60, framesPerMinute: (frames.count / frames.wall) * 60 };
      rows.push(row);
      console.log(`${label.padEnd(44)} ${row.cpuSecondsPerMinute.toFixed(1).padStart(6)} CPU s/min   ${row.framesPerMinute.toFixed(1).padStart(6)} frames/min`);
    }
    console.log(`(${seconds} s each, browser process tree, ${(await page.evaluate(() => navigator.hardwareConcurrency))} cores shared with other work)`);
    return { seconds, rows };
  } finally {
    await r.close();
  }
}

/** Runs `measure` while counting how many frames the app processes (each one gives the lot a new `observedAt`). */
async function countFrames<T extends object>(page: Page, measure: () => Promise<T>): Promise<T & { count: number }> {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number; __frameTimer: number };
    w.__frames = 0;
    let last = 0;
    w.__frameTimer = window.setInterval(() => {
      const at = (document.querySelector('lw-app') as unknown as { counter: { lot: { observedAt: number } | null } }).counter.lot?.observedAt ?? 0;
      if (at !== last) {
        last = at;
        w.__frames++;
      }
    }, 50);
  });
  const before = await page.evaluate(() => (window as unknown as { __frames: number }).__frames);
  const result = await measure();
  const after = await page.evaluate(() => {
    const w = window as unknown as { __frames: number; __frameTimer: number };
    clearInterval(w.__frameTimer);
    return w.__frames;
  });
  return { ...result, count: after - before };
}

export async function benchOfflineStart(args: string[]): Promise<unknown> {
  const r = await rig(args);
  if (!r) return { skipped: 'fixtures not found' };
  const runs = numFlag(args, '--offline-runs', 5);
  try {
    // The installed app keeps its camera permission: it starts counting by itself when opened.
    const context = await r.browser.newContext({ viewport: { width: 1280, height: 800 }, permissions: ['camera'] });
    const setup = await firstVisit(context, r.server.url);
    await setup.close();
    await r.server.close();
    await context.setOffline(true);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const page = await context.newPage();
      // Start from a stopped service worker, as after the phone slept.
      const cdp = await context.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await page.goto(r.server.url);
      // Polled in the page at every animation frame; performance.now() counts from the start of the navigation.
      const ms = await page.waitForFunction(
        (total) => {
          const el = document.querySelector('lw-app')?.shadowRoot?.querySelector('lw-status-bar')?.shadowRoot?.querySelector('[data-count="total"]');
          return el?.textContent === String(total) ? performance.now() : false;
        },
        SLOTS.length,
        { timeout: 120_000 },
      );
      times.push((await ms.jsonValue()) as number);
      console.log(`run ${i + 1}: first count ${(times.at(-1)! / 1000).toFixed(2)} s after opening, offline`);
      await page.close();
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(`offline open → first count: median ${(median / 1000).toFixed(2)} s over ${runs} runs (min ${(sorted[0]! / 1000).toFixed(2)}, max ${(sorted.at(-1)! / 1000).toFixed(2)})`);
    return { runs, medianMs: median, timesMs: times };
  } finally {
    await r.close().catch(() => {});
  }
}

/** More slots along the top of the picture, side by side: each one added makes a new total (whatever its state). */
const topSlot = (i: number): [NormPoint, NormPoint] => [
  [SKY[0][0] + i * 0.18, SKY[0][1]],
  [SKY[1][0] + i * 0.18, SKY[1][1]],
];

export async function benchTabs(args: string[]): Promise<unknown> {
  const r = await rig(args);
  if (!r) return { skipped: 'fixtures not found' };
  const changes = numFlag(args, '--tab-changes', 4);
  try {
    const context = await r.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const counter = await context.newPage();
    await recordCountTimes(counter);
    await counter.goto(r.server.url);
    await countWithSlots(counter, SLOTS);
    const viewer = await context.newPage();
    await recordCountTimes(viewer);
    await viewer.goto(`${r.server.url}/#/view/default`);
    const lags: number[] = [];
    for (let i = 1; i <= changes; i++) {
      await counter.bringToFront();
      await markSlots(counter, [topSlot(i)]);
      const total = SLOTS.length + i;
      const deadline = Date.now() + 90_000;
      let a: number | undefined;
      let b: number | undefined;
      while ((a === undefined || b === undefined) && Date.now() < deadline) {
        await counter.waitForTimeout(250);
        a = await firstShownWithTotal(counter, total);
        b = await firstShownWithTotal(viewer, total);
      }
      if (a === undefined || b === undefined) throw new Error(`a total of ${total} never showed on both tabs`);
      lags.push(b - a);
      console.log(`change ${i}: the viewer tab showed it ${b - a} ms after the counting tab`);
    }
    const sorted = [...lags].sort((x, y) => x - y);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(`counting tab → viewer tab: median ${median} ms, max ${sorted.at(-1)} ms over ${changes} changes (each page samples its own status bar every 25 ms)`);
    return { changes, medianMs: median, maxMs: sorted.at(-1), lagsMs: lags };
  } finally {
    await r.close();
  }
}
