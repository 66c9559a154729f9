// Other tabs of the same browser: a viewer follows the counter through BroadcastChannel, and only one tab counts a lot.
import { expect, test } from '@playwright/test';
import { fixturesAvailable } from '../support/fixtures.ts';
import { CAR, countWithSlots, counts, drawRect, SEDAN, SKY, startCamera } from './support/app.ts';

test.skip(!fixturesAvailable(), 'fixtures (../shared/fixtures) not found: the fake camera needs the lot video');

test('a viewer tab follows the counting tab, without camera or model', async ({ context }) => {
  const counter = await context.newPage();
  await counter.goto('/');
  await countWithSlots(counter, [SEDAN, SKY]);
  await expect.poll(() => counts(counter), { timeout: 45_000 }).toEqual({ available: 1, occupied: 1, total: 2 });

  const viewer = await context.newPage();
  const viewerRequests: string[] = [];
  viewer.on('request', (r) => viewerRequests.push(r.url()));
  await viewer.goto('/#/view/default');
  await expect(viewer.locator('lw-viewer .badge')).toHaveAttribute('data-status', 'live');
  await expect.poll(() => counts(viewer)).toEqual({ available: 1, occupied: 1, total: 2 });
  await expect(viewer.locator('lw-lot-map g[data-state="occupied"]')).toHaveCount(1);
  await expect(viewer.locator('lw-lot-map g[data-state="free"]')).toHaveCount(1);

  // A change on the counter reaches the viewer (how fast: `npm run bench -- tabs`).
  await counter.bringToFront();
  await counter.getByRole('button', { name: 'Edit slots' }).click();
  await drawRect(counter, CAR[0], CAR[1]);
  await counter.getByRole('button', { name: 'Done editing' }).click();
  const changed = { available: 1, occupied: 2, total: 3 };
  await expect.poll(() => counts(counter), { timeout: 45_000 }).toEqual(changed);
  await expect.poll(() => counts(viewer)).toEqual(changed);

  // The viewer never asked for the model or a camera.
  expect(viewerRequests.filter((u) => u.includes('/models/') || u.includes('analysis.worker'))).toEqual([]);
  await expect(viewer.locator('video')).toHaveCount(0);
});

test('a second counting tab says another tab is counting, and can take over', async ({ context }) => {
  const first = await context.newPage();
  await first.goto('/');
  await startCamera(first);

  const second = await context.newPage();
  await second.goto('/');
  await second.getByRole('button', { name: 'Use camera' }).click();
  const notice = second.locator('lw-notice[data-problem="counting-elsewhere"]');
  await expect(notice).toContainText('Already counting in another tab');
  await expect(second.locator('.stage video')).toHaveCount(0);

  await notice.getByRole('button', { name: 'Count here instead' }).click();
  await expect(second.locator('.stage video')).toBeVisible();
  await expect(first.locator('lw-notice[data-problem="counting-elsewhere"]')).toContainText('Counting moved to another tab');
  await expect(first.locator('.stage video')).toHaveCount(0);
});

test('the metadata downloads as the original API shape with per-slot detail and the layout', async ({ page }) => {
  await page.goto('/');
  await countWithSlots(page, [SEDAN, SKY]);
  await expect.poll(() => counts(page), { timeout: 45_000 }).toEqual({ available: 1, occupied: 1, total: 2 });
  await page.getByText('Share', { exact: true }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
  const data = JSON.parse(await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8')));
  expect(download.suggestedFilename()).toMatch(/^lotwatch-default-.*\.json$/);
  expect(data).toMatchObject({ total_slots: 2, occupied_slots: 1, available_slots: 1 });
  expect(Date.parse(data.last_updated)).not.toBeNaN();
  expect(data.slots.map((s: { id: string; occupied: boolean }) => [s.id, s.occupied])).toEqual([
    ['1', true],
    ['2', false],
  ]);
  expect(data.layout.frame).toEqual({ width: 640, height: 360 });
  expect(data.layout.slots[0].polygon[0][0]).toBeCloseTo(SEDAN[0][0], 1);
});
