// The installed app with no network: the built app is served by a small server of our own, which the test closes;
// the browser context goes offline too. Real service worker, real Cache Storage, real weights, fake camera.
import { expect, test } from '@playwright/test';
import { fixturesAvailable } from '../support/fixtures.ts';
import { CAR, counts, markSlots, overlay, SEDAN, SKY, startCamera, waitForModel } from './support/app.ts';
import { builtAppFiles, cachedPaths, precacheProgress, recordServiceWorkerMessages, waitForOfflineReady } from './support/pwa.ts';
import { startStaticServer, type StaticServer } from './support/static-server.ts';

// This spec is about the service worker (playwright.config.ts blocks it elsewhere).
test.use({ serviceWorkers: 'allow' });
test.skip(!fixturesAvailable(), 'fixtures (../shared/fixtures) not found: the fake camera needs the lot video');

/** Two cars that stay in the fixture video, and the sky: a lot whose counts are known. */
const SLOTS = [SEDAN, CAR, SKY];

let server: StaticServer;
test.beforeEach(async () => {
  server = await startStaticServer('dist');
});
test.afterEach(async () => {
  await server.close();
});

test('first visit caches the shell and every model file, with progress; offline, a reload opens, loads the model from the cache and counts', async ({
  page,
  context,
}) => {
  test.setTimeout(240_000);
  await recordServiceWorkerMessages(page);
  await page.goto(server.url);
  await waitForOfflineReady(page);

  // The download reported its progress in bytes, up to all of it.
  const progress = await precacheProgress(page);
  expect(progress.length).toBeGreaterThan(2);
  const last = progress.at(-1)!;
  expect(last.bytesTotal).toBeGreaterThan(18 * 1024 * 1024);
  expect(last.bytesDone).toBe(last.bytesTotal);
  expect(progress.map((p) => p.bytesDone)).toEqual([...progress.map((p) => p.bytesDone)].sort((a, b) => a - b));

  // Everything the build produced is in the cache: shell, worker chunk, all WASM binaries, all six model files.
  const expected = builtAppFiles();
  expect(expected.filter((p) => p.startsWith('/models/coco-ssd/'))).toHaveLength(6);
  expect(expected.filter((p) => p.endsWith('.wasm'))).toHaveLength(3);
  expect(new Set(await cachedPaths(page))).toEqual(new Set(expected));

  // The relay's API on the same origin is left to the network: the server answers, not the cached shell.
  const api = await page.goto(`${server.url}/metadata`);
  expect(api?.status()).toBe(404);
  expect(api?.fromServiceWorker()).toBe(false);

  await page.goto(server.url);
  await startCamera(page);
  expect(await waitForModel(page)).toBe('wasm');
  await markSlots(page, SLOTS);
  await expect(overlay(page).locator('g.slot')).toHaveCount(3);
  // The model was downloaded once, by the service worker; the detector read it from the cache.
  const shards = server.requests.filter((p) => p.startsWith('/models/coco-ssd/group1-shard'));
  expect(shards.sort()).toEqual([1, 2, 3, 4, 5].map((i) => `/models/coco-ssd/group1-shard${i}of5`));

  // No network at all from here: the server is gone and the browser is offline.
  await server.close();
  await context.setOffline(true);
  const served = server.requests.length;

  const reload = await page.reload();
  expect(reload?.fromServiceWorker()).toBe(true);
  await expect(page.getByRole('heading', { name: 'lotwatch' })).toBeVisible();
  await expect(page.locator('lw-offline-status [data-network="offline"]')).toBeVisible();
  await startCamera(page);
  expect(await waitForModel(page)).toBe('wasm');
  await expect(overlay(page).locator('g.slot')).toHaveCount(3);
  await expect.poll(() => counts(page), { timeout: 60_000 }).toEqual({ available: 1, occupied: 2, total: 3 });

  // The viewer's address opens the app offline too; the API path does not get the shell.
  const viewer = await page.goto(`${server.url}/v/default`);
  expect(viewer?.fromServiceWorker()).toBe(true);
  await expect(page.getByRole('heading', { name: 'lotwatch' })).toBeVisible();
  await expect(page.goto(`${server.url}/metadata`)).rejects.toThrow(/ERR_INTERNET_DISCONNECTED|ERR_FAILED|ERR_CONNECTION_REFUSED/);
  expect(server.requests.length).toBe(served);
});
