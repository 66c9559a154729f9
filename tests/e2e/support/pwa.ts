// Helpers for the installed-app tests: service worker, caches, builds, visibility and the wake lock, as plain
// functions taking the page.
import { expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './paths.ts';

export const DIST = join(ROOT, 'dist');

/** Waits until the first install stored everything and the service worker controls the page. */
export async function waitForOfflineReady(page: Page): Promise<void> {
  await expect(page.locator('lw-offline-status [data-offline="ready"]')).toHaveText('Ready to work offline', { timeout: 90_000 });
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
}

/** Keeps every message the service worker posts to the page, from before the app starts. */
export async function recordServiceWorkerMessages(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const log: unknown[] = [];
    (window as unknown as { __swMessages: unknown[] }).__swMessages = log;
    navigator.serviceWorker?.addEventListener('message', (e) => log.push(e.data));
    navigator.serviceWorker?.startMessages();
  });
}

export interface Progress {
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
}

/** The precache progress the service worker reported during its first install, in order. */
export function precacheProgress(page: Page): Promise<Progress[]> {
  return page.evaluate(() =>
    (window as unknown as { __swMessages: { type?: string; progress?: Progress }[] }).__swMessages
      .filter((m) => m.type === 'precache-progress' && m.progress)
      .map((m) => m.progress!),
  );
}

/** Every path in the page's caches (without Workbox's revision parameter). */
export function cachedPaths(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const paths: string[] = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) paths.push(new URL(req.url).pathname);
    }
    return paths;
  });
}

/** The files a first visit must have to work offline: everything built except maps, sw.js and the screenshots. */
export function builtAppFiles(dir = DIST): string[] {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  return walk(dir)
    .map((f) => `/${relative(dir, f).split('\\').join('/')}`)
    .filter((p) => !p.endsWith('.map') && !/^\/(sw\.js|screenshots\/)/.test(p));
}

/** `vite build` into another folder, with a build id, as a second deployment. */
export function buildInto(outDir: string, buildId: string): void {
  execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
    cwd: ROOT,
    env: { ...process.env, LOTWATCH_BUILD_ID: buildId },
    stdio: 'pipe',
  });
}

/** Pretends the user switched apps (or back): the Page Visibility API reports hidden and fires its event. */
export async function setPageHidden(page: Page, hidden: boolean): Promise<void> {
  // A string, not a function: the bench runs this file through tsx, whose esbuild names the getters with a helper
  // (`__name`) that does not exist in the page.
  await page.evaluate(`(() => {
    const h = ${hidden};
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);
}

/** What the page asked of the analysis worker so far: camera frames grabbed, frames sent, and answers received. */
export interface AnalysisTraffic {
  grabbed: number;
  posted: number;
  answered: number;
}

/**
 * Counts, before the app loads, every frame grabbed from a video (`createImageBitmap`), every frame sent to a worker
 * and every answer,
 * so a test can tell "nothing in flight" from "a slow frame" without guessing how long a frame takes.
 */
export async function recordAnalysisTraffic(page: Page): Promise<void> {
  // A string for the same reason as setPageHidden.
  await page.addInitScript(`(() => {
    const t = { grabbed: 0, posted: 0, answered: 0 };
    window.__analysisTraffic = t;
    const grab = window.createImageBitmap.bind(window);
    window.createImageBitmap = (...args) => { if (args[0] instanceof HTMLVideoElement) t.grabbed++; return grab(...args); };
    const Native = window.Worker;
    window.Worker = class extends Native {
      constructor(url, options) {
        super(url, options);
        this.addEventListener('message', (e) => { if (e.data && (e.data.type === 'analysis' || e.data.type === 'failed')) t.answered++; });
      }
      postMessage(message, transfer) {
        if (message && message.type === 'analyze') t.posted++;
        return super.postMessage(message, transfer);
      }
    };
  })()`);
}

export function analysisTraffic(page: Page): Promise<AnalysisTraffic> {
  return page.evaluate(() => ({ ...(window as unknown as { __analysisTraffic: AnalysisTraffic }).__analysisTraffic }));
}

export type WakeLockEvent = 'request' | 'granted' | 'refused' | 'released';

/** Wraps the real `navigator.wakeLock.request` before the app loads, logging requests and releases. */
export async function recordWakeLock(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const log: string[] = [];
    (window as unknown as { __wakeLockLog: string[] }).__wakeLockLog = log;
    const wakeLock = navigator.wakeLock;
    const real = wakeLock.request.bind(wakeLock);
    wakeLock.request = async (type?: 'screen') => {
      log.push('request');
      try {
        const sentinel = await real(type);
        log.push('granted');
        sentinel.addEventListener('release', () => log.push('released'));
        return sentinel;
      } catch (err) {
        log.push('refused');
        throw err;
      }
    };
  });
}

export function wakeLockLog(page: Page): Promise<WakeLockEvent[]> {
  return page.evaluate(() => [...(window as unknown as { __wakeLockLog: WakeLockEvent[] }).__wakeLockLog]);
}

/** The state the app publishes for viewers (`lw-app.statusMetadata`). */
export function publishedStatus(page: Page): Promise<{ state: string; reason: string | null }> {
  return page.evaluate(() => {
    const { state, reason } = (document.querySelector('lw-app') as unknown as { statusMetadata: { state: string; reason: string | null } }).statusMetadata;
    return { state, reason };
  });
}
