// Camera permission denied: Chromium's fake UI answers the permission prompt with "deny".
import { expect, test } from '@playwright/test';
import { CHROMIUM_PATH, QUIET_FLAGS } from '../../playwright.config.ts';

test.use({ launchOptions: { executablePath: CHROMIUM_PATH, args: [...QUIET_FLAGS, '--use-fake-ui-for-media-stream=deny', '--use-fake-device-for-media-stream'] } });

test('says the permission was denied and offers to retry or open a file', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Use camera' }).click();
  const notice = page.locator('lw-notice[data-problem="denied"]');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('Camera permission denied');
  await expect(notice.getByRole('button', { name: 'Try the camera again' })).toBeVisible();
  await expect(page.getByText('Open video…')).toBeVisible();
  await expect(page.locator('.stage video')).toHaveCount(0);
});
