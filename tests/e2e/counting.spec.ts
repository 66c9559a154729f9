// The counter end to end in real Chromium: the camera is Chromium's fake device playing the fixture lot video,
// the model is the real COCO-SSD served by the built app, storage is the browser's IndexedDB.
import { expect, test } from '@playwright/test';
import { fixturesAvailable } from '../support/fixtures.ts';
import { recordCspViolations } from './support/csp.ts';
import { CAR, counts, drag, drawRect, overlay, SEDAN, showDetections, SKY, slotStates, startCamera, waitForModel } from './support/app.ts';

test.skip(!fixturesAvailable(), 'fixtures (../shared/fixtures) not found: the fake camera needs the lot video');

test('camera → detections → slots drawn with the mouse → live counts that match the overlay, kept after reload', async ({ page }) => {
  // Under the relay's Content-Security-Policy (vite preview sends it too): nothing the app needs may be blocked.
  const cspViolations = await recordCspViolations(page);
  const served = await page.goto('/');
  expect(served?.headers()['content-security-policy']).toContain("script-src 'self'");
  await startCamera(page);
  const video = page.locator('.stage video');
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => [v.videoWidth, v.videoHeight, v.readyState >= 2, !v.paused]))
    .toEqual([640, 360, true, true]);

  // The app picks WASM here because Chromium's WebGL is SwiftShader (software), and says so.
  expect(await waitForModel(page)).toBe('wasm');
  await expect(page.locator('.model[data-backend]')).toContainText('software-rendered');
  await expect(page.locator('.model[data-mode="full"]')).toBeVisible();

  // Vehicles are detected; their boxes are off by default (they cover the slots) and drawn when Settings asks for them.
  await expect(overlay(page).locator('rect.detection')).toHaveCount(0);
  await showDetections(page);
  await expect.poll(() => overlay(page).locator('rect.detection').count()).toBeGreaterThan(3);

  await page.getByRole('button', { name: 'Edit slots' }).click();
  // Never while editing: they would cover the rows being marked.
  await expect(overlay(page).locator('rect.detection')).toHaveCount(0);
  for (const [a, b] of [SEDAN, CAR, SKY]) await drawRect(page, a, b);
  await expect(overlay(page).locator('g.slot')).toHaveCount(3);
  await page.getByRole('button', { name: 'Done editing' }).click();

  await expect.poll(() => slotStates(page), { timeout: 45_000 }).toEqual({ '1': 'occupied', '2': 'occupied', '3': 'free' });
  // The numbers people read match what the overlay shows.
  await expect.poll(() => counts(page)).toEqual({ available: 1, occupied: 2, total: 3 });
  await expect(page.locator('lw-status-bar [data-last-changed]')).toBeVisible();
  expect(await cspViolations()).toEqual([]);

  // Slots live in IndexedDB: a reload brings them back, with their names and shapes.
  const before = await overlay(page).locator('g.slot polygon').evaluateAll((ps) => ps.map((p) => p.getAttribute('points')));
  await page.reload();
  await startCamera(page);
  await expect(overlay(page).locator('g.slot')).toHaveCount(3);
  const after = await overlay(page).locator('g.slot polygon').evaluateAll((ps) => ps.map((p) => p.getAttribute('points')));
  expect(after).toEqual(before);
  await expect(page.getByRole('list', { name: 'Slots' }).getByRole('listitem')).toHaveCount(3);
  await expect.poll(() => counts(page), { timeout: 60_000 }).toEqual({ available: 1, occupied: 2, total: 3 });
  expect(await cspViolations()).toEqual([]);
});

test('slots can be moved, resized, renamed and deleted, with the mouse and with the keyboard', async ({ page }) => {
  await page.goto('/');
  await startCamera(page);
  await page.getByRole('button', { name: 'Edit slots' }).click();
  await drawRect(page, [0.1, 0.1], [0.3, 0.3]);
  await drawRect(page, [0.5, 0.5], [0.7, 0.7]);
  const slot1 = overlay(page).locator('g.slot[data-id="1"] polygon');
  const pointsOf = async () => (await slot1.getAttribute('points'))!.split(' ').map((p) => p.split(',').map(Number));

  // Move slot 1 by dragging its body.
  await overlay(page).locator('g.slot[data-id="1"]').click();
  await drag(page, [0.2, 0.2], [0.3, 0.25]);
  const moved = await pointsOf();
  expect(moved[0]![0]).toBeCloseTo(0.2 * 640, -1);
  expect(moved[0]![1]).toBeCloseTo(0.15 * 360, -1);

  // Resize it by dragging its bottom-right corner handle: it stays a rectangle.
  await drag(page, [0.4, 0.35], [0.45, 0.45]);
  const resized = await pointsOf();
  expect(resized[2]![0]).toBeCloseTo(0.45 * 640, -1);
  expect(resized[2]![1]).toBeCloseTo(0.45 * 360, -1);
  expect(resized[1]![1]).toBeCloseTo(resized[0]![1]!, 5);

  // Keyboard: focus slot 1, nudge it right with an arrow key.
  await overlay(page).locator('g.slot[data-id="1"]').focus();
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await pointsOf())[0]![0]).toBeCloseTo(resized[0]![0]! + 0.005 * 640, 0);

  // Rename in the list.
  const name = page.getByLabel('Name of slot 1');
  await name.fill('A-01');
  await name.press('Enter');
  await expect(overlay(page).locator('g.slot[data-id="1"] text')).toHaveText('A-01');

  // Delete slot 2 with the keyboard.
  await overlay(page).locator('g.slot[data-id="2"]').focus();
  await page.keyboard.press('Delete');
  await expect(overlay(page).locator('g.slot')).toHaveCount(1);

  // All of it was stored.
  await page.reload();
  await startCamera(page);
  await expect(overlay(page).locator('g.slot')).toHaveCount(1);
  await expect(overlay(page).locator('g.slot[data-id="1"] text')).toHaveText('A-01');
  expect((await pointsOf())[2]![0]).toBeCloseTo(resized[2]![0]! + 0.005 * 640, 0);
});
