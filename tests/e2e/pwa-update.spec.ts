// A new deployment while the app counts: the service worker finds the second build, the app offers it and keeps
// counting, and only the user's "Reload" brings the new version in.
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { fixturesAvailable } from '../support/fixtures.ts';
import { startCamera, waitForModel } from './support/app.ts';
import { CACHE } from './support/paths.ts';
import { buildInto, DIST, publishedStatus, waitForOfflineReady } from './support/pwa.ts';
import { startStaticServer } from './support/static-server.ts';

// This spec is about the service worker (playwright.config.ts blocks it elsewhere).
test.use({ serviceWorkers: 'allow' });
test.skip(!fixturesAvailable(), 'fixtures (../shared/fixtures) not found: the fake camera needs the lot video');

test('a second build is detected and offered while counting, never forced; "Reload now" brings it in', async ({ page }) => {
  test.setTimeout(240_000);
  const second = join(CACHE, 'e2e-build-second');
  buildInto(second, 'e2e-second');
  const server = await startStaticServer(DIST);
  try {
    await page.goto(server.url);
    await waitForOfflineReady(page);
    const storagePanel = page.locator('lw-storage-panel');
    await page.getByText('Offline & storage').click();
    const versionA = (await storagePanel.locator('[data-version]').textContent())!.trim();
    expect(versionA).not.toContain('e2e-second');

    await startCamera(page);
    await waitForModel(page);
    await expect.poll(() => publishedStatus(page)).toEqual({ state: 'counting', reason: null });
    // A mark that a reload would wipe.
    await page.evaluate(() => ((window as unknown as { untouched: boolean }).untouched = true));

    // Deploy the second build; the app's "Check for updates" (also run hourly) finds it.
    server.serve(second);
    await storagePanel.getByRole('button', { name: 'Check for updates' }).click();
    const banner = page.locator('lw-update-prompt').getByRole('region', { name: 'Update' });
    await expect(banner).toContainText('A new version of lotwatch is ready', { timeout: 90_000 });
    await expect(banner).toContainText('Counting goes on until you reload');

    // Offered, not forced: the page is the same one, still counting with the old version, for as long as it likes.
    await page.waitForTimeout(5_000);
    expect(await page.evaluate(() => (window as unknown as { untouched?: boolean }).untouched)).toBe(true);
    expect(await publishedStatus(page)).toEqual({ state: 'counting', reason: null });
    await expect(storagePanel.locator('[data-version]')).toHaveText(versionA);

    // "Later" leaves a reminder within reach; it reloads only when pressed.
    await banner.getByRole('button', { name: 'Later' }).click();
    await expect(banner).toHaveCount(0);
    const remind = page.getByRole('button', { name: 'Update ready: reload' });
    await expect(remind).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { untouched?: boolean }).untouched)).toBe(true);

    await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), remind.click()]);
    await page.getByText('Offline & storage').click();
    await expect(page.locator('lw-storage-panel [data-version]')).toHaveText(`${versionA}+e2e-second`);
    expect(await page.evaluate(() => (window as unknown as { untouched?: boolean }).untouched)).toBeUndefined();
  } finally {
    await server.close();
  }
});
