// What a user sees when things go wrong: never a blank page, always words and a way forward.
import { expect, test } from '@playwright/test';
import { asFirstVisit, startCamera, waitForModel } from './support/app.ts';
import { publishedStatus } from './support/pwa.ts';

test('a model that cannot be loaded is reported, with a retry that works', async ({ page }) => {
  let failing = true;
  await page.route('**/models/coco-ssd/model.json', (route) => (failing ? route.fulfill({ status: 503, body: 'down' }) : route.continue()));
  await page.goto('/');
  await startCamera(page);
  const notice = page.locator('lw-notice[data-problem="model"]');
  await expect(notice).toBeVisible({ timeout: 60_000 });
  await expect(notice).toContainText('could not be loaded');
  failing = false;
  await notice.getByRole('button', { name: 'Retry' }).click();
  await expect(page.locator('.model[data-backend]')).toBeVisible({ timeout: 90_000 });
  await expect(notice).toHaveCount(0);
});

test('a file that is not a picture says so in words that fit, and leaves the counting that was running', async ({ page }) => {
  await asFirstVisit(page);
  await page.goto('/');
  const bad = { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('this is not a picture') };
  await page.locator('lw-source-picker input[accept="image/*"]').setInputFiles(bad);
  const notice = page.locator('lw-notice[data-problem="bad-file"]');
  await expect(notice).toContainText('“notes.png” is not a photo or a video we can read');
  await expect(page.getByRole('button', { name: 'Use camera' })).toBeEnabled();

  // While the camera counts, a wrong file changes nothing but the notice: no "camera" wording, no button to retry it.
  await startCamera(page);
  await expect(notice).toHaveCount(0);
  await page.locator('lw-source-picker input[accept="video/*"]').setInputFiles({ ...bad, name: 'clip.mp4', mimeType: 'video/mp4' });
  await expect(notice).toContainText('“clip.mp4” is not a photo or a video we can read');
  await expect(notice).toContainText('Counting goes on');
  await expect(notice.getByRole('button')).toHaveCount(0);
  await expect(page.locator('.stage video')).toBeVisible();
  await expect.poll(() => page.locator('.stage video').evaluate((v: HTMLVideoElement) => v.srcObject !== null && !v.paused)).toBe(true);
  await expect(page.getByRole('button', { name: 'Source: Camera' })).toBeVisible();
});

// The real loss of a WebGL context is detected in tests/browser/webgl-context.test.ts (every run), and the whole
// chain on SwiftShader in pwa-unattended.spec.ts (LOTWATCH_E2E_SLOW=1: minutes per model load). This runs the
// recovery on every run, on WASM: the worker reports the loss exactly as watchWebglContext makes it report it, and
// the app must replace the worker, load the model again and count on. Any camera picture will do.
test('a detector that lost its graphics context is replaced by itself, and counting goes on', async ({ page }) => {
  const messages: string[] = [];
  page.on('console', (m) => messages.push(m.text()));
  await page.goto('/?backend=wasm');
  await startCamera(page);
  expect(await waitForModel(page)).toBe('wasm');
  await expect.poll(() => publishedStatus(page)).toEqual({ state: 'counting', reason: null });
  const lost = page.workers().find((w) => w.url().includes('analysis.worker'));
  expect(lost).toBeDefined();
  const replaced = page.waitForEvent('worker', (w) => w.url().includes('analysis.worker'));
  const lostClosed = new Promise<void>((resolve) => lost!.once('close', () => resolve()));
  await lost!.evaluate(() => self.postMessage({ type: 'context-lost' }));
  await expect.poll(() => messages.some((m) => m.includes('lost its WebGL context'))).toBe(true);
  // The old worker is terminated and a fresh one loads the model again; the app says so.
  await lostClosed;
  await replaced;
  await expect(page.locator('.model[data-backend="wasm"][data-restarts="1"]')).toBeVisible({ timeout: 90_000 });
  await expect(page.locator('.model[data-backend]')).toContainText('restarted once');
  await expect.poll(() => publishedStatus(page), { timeout: 30_000 }).toEqual({ state: 'counting', reason: null });
  // Frames flow through the new worker.
  const framesSeen = () => page.evaluate(() => (document.querySelector('lw-app') as unknown as { counter: { lot: { observedAt: number } | null } }).counter.lot?.observedAt ?? 0);
  const before = await framesSeen();
  await expect.poll(framesSeen, { timeout: 30_000 }).toBeGreaterThan(before);
});
