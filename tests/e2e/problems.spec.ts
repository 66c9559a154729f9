// What a user sees when things go wrong: never a blank page, always words and a way forward.
import { expect, test } from '@playwright/test';

test('a model that cannot be loaded is reported, with a retry that works', async ({ page }) => {
  let failing = true;
  await page.route('**/models/coco-ssd/model.json', (route) => (failing ? route.fulfill({ status: 503, body: 'down' }) : route.continue()));
  await page.goto('/');
  await page.getByRole('button', { name: 'Use camera' }).click();
  const notice = page.locator('lw-notice[data-problem="model"]');
  await expect(notice).toBeVisible({ timeout: 60_000 });
  await expect(notice).toContainText('could not be loaded');
  failing = false;
  await notice.getByRole('button', { name: 'Retry' }).click();
  await expect(page.locator('.model[data-backend]')).toBeVisible({ timeout: 90_000 });
  await expect(notice).toHaveCount(0);
});

test('a file that is not an image says so and keeps the app usable', async ({ page }) => {
  await page.goto('/');
  await page.locator('lw-source-picker input[accept="image/*"]').setInputFiles({
    name: 'notes.png',
    mimeType: 'image/png',
    buffer: Buffer.from('this is not a picture'),
  });
  const notice = page.locator('lw-notice[data-problem="bad-file"]');
  await expect(notice).toBeVisible();
  await expect(page.getByRole('button', { name: 'Use camera' })).toBeEnabled();
});
