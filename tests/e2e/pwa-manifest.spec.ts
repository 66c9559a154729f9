// The web app manifest as Chromium itself reads it: no parse errors, installable, every field the issue asks for,
// every icon and screenshot reachable and of the size it claims.
import { expect, test } from '@playwright/test';
import { PNG } from 'pngjs';

interface ImageResource {
  src: string;
  sizes: string;
  type?: string;
  purpose?: string;
  form_factor?: string;
}
interface Manifest {
  name: string;
  short_name: string;
  description: string;
  theme_color: string;
  background_color: string;
  display: string;
  start_url: string;
  scope: string;
  icons: ImageResource[];
  screenshots: ImageResource[];
  shortcuts: { name: string; url: string; icons?: ImageResource[] }[];
}

// The app's own service worker is part of what makes it installable.
test.use({ serviceWorkers: 'allow' });

test('the manifest is valid, complete and installable; icons and screenshots are reachable, a maskable icon is there', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('lw-app')).toBeAttached();
  const cdp = await page.context().newCDPSession(page);
  const { url, errors, data } = (await cdp.send('Page.getAppManifest')) as { url: string; errors: { message: string }[]; data?: string };
  expect(url).toMatch(/\/manifest\.webmanifest$/);
  expect(errors).toEqual([]);
  const m = JSON.parse(data!) as Manifest;

  expect(m).toMatchObject({ short_name: 'lotwatch', display: 'standalone', start_url: '/', scope: '/', theme_color: '#020617', background_color: '#020617' });
  expect(m.name).toContain('lotwatch');
  expect(m.description.length).toBeGreaterThan(20);
  expect(m.shortcuts.map((s) => s.name)).toEqual(['Start counting', 'Viewer']);
  expect(m.icons.some((i) => i.purpose === 'maskable')).toBe(true);
  expect(m.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
  expect(m.screenshots.map((s) => s.form_factor).sort()).toEqual(['narrow', 'wide']);

  const images = [...m.icons, ...m.screenshots, ...m.shortcuts.flatMap((s) => s.icons ?? [])];
  for (const img of images) {
    const res = await page.request.get(new URL(img.src, url).href);
    expect(res.status(), img.src).toBe(200);
    expect(res.headers()['content-type'], img.src).toContain('image/png');
    const png = PNG.sync.read(await res.body());
    expect(`${png.width}x${png.height}`, img.src).toBe(img.sizes);
  }

  // Chromium's own install check (manifest, icons, service worker, secure origin) has nothing to object to but the
  // test's browser context itself: Playwright's contexts are incognito, where nothing can be installed.
  const installability = async () =>
    ((await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] }).installabilityErrors.map((e) => e.errorId);
  await expect.poll(installability, { timeout: 60_000 }).toEqual(['in-incognito']);
});
