// A 360 px phone with a touch screen, turned both ways, and a desktop with a keyboard: slots drawn and corrected
// with a finger, no sideways scrolling, 44 px targets, and no serious or critical axe finding in any state.
import { devices, expect, test } from '@playwright/test';
import { fixturesAvailable } from '../support/fixtures.ts';
import { expectAccessible, expectCountsOnScreen, expectNoHorizontalScroll } from './support/a11y.ts';
import { asFirstVisit, overlay, startCamera, stopCounting, waitForModel, type NormPoint } from './support/app.ts';
import { touchDrag, touchTap } from './support/touch.ts';

test.skip(!fixturesAvailable(), 'fixtures (../shared/fixtures) not found: the fake camera needs the lot video');

test.describe('on a 360x740 touch phone', () => {
  test.use({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, userAgent: devices['Pixel 7'].userAgent });

  test('slots are drawn and corrected with a finger, in portrait and landscape, and every state passes axe', async ({ page }) => {
    test.setTimeout(180_000);
    await asFirstVisit(page);
    await page.goto('/');
    await expectAccessible(page);
    await expectFirstScreenFits(page, 'first screen');

    await startCamera(page);
    // The source buttons fold into one once a source runs.
    await expect(page.getByRole('button', { name: 'Open video…' })).toBeHidden();
    await expect(page.getByRole('button', { name: 'Source: Camera' })).toBeVisible();
    await expectCountsOnScreen(page, 'counting');
    await page.getByRole('button', { name: 'Edit slots' }).tap();
    const ov = overlay(page);

    // Draw a rectangle with one finger…
    await touchDrag(page, ov, [0.1, 0.6], [0.3, 0.85]);
    await expect(ov.locator('g.slot')).toHaveCount(1);
    // …and a slot in perspective by tapping its four corners.
    await page.getByRole('button', { name: '4 corners' }).tap();
    const corners: NormPoint[] = [
      [0.5, 0.6],
      [0.7, 0.62],
      [0.72, 0.85],
      [0.48, 0.83],
    ];
    for (const p of corners) await touchTap(page, ov, p);
    await expect(ov.locator('g.slot')).toHaveCount(2);
    // A row: its bar (count, other way, even out, done) opens under the picture; the counts stay on screen.
    await page.getByRole('button', { name: 'Row', exact: true }).tap();
    for (const p of [[0.1, 0.1], [0.6, 0.1], [0.6, 0.3], [0.1, 0.3]] as NormPoint[]) await touchTap(page, ov, p);
    await expect(page.getByRole('spinbutton', { name: 'Slots in the row' })).toBeVisible();
    await expectCountsOnScreen(page, 'editing a row');
    await page.getByRole('button', { name: 'Undo' }).tap();
    await expect(ov.locator('g.slot')).toHaveCount(2);
    await page.getByRole('button', { name: 'Rectangle' }).tap();

    // Correct slot 1: tap to select it, drag it with a finger, then drag its corner.
    const slot1 = ov.locator('g.slot[data-id="1"] polygon');
    const points = async () => (await slot1.getAttribute('points'))!.split(' ').map((p) => p.split(',').map(Number));
    const before = await points();
    await touchTap(page, ov, [0.2, 0.72]);
    await expect(ov.locator('g.slot[data-id="1"]')).toHaveAttribute('aria-pressed', 'true');
    await touchDrag(page, ov, [0.2, 0.72], [0.25, 0.67]);
    await expect.poll(async () => (await points())[0]![0]! - before[0]![0]!).toBeGreaterThan(0.03 * 640);
    const moved = await points();
    const frame = (await ov.boundingBox())!;
    const corner: [number, number] = [moved[2]![0]! / 640, moved[2]![1]! / 360];
    await touchDrag(page, ov, corner, [corner[0] + 0.05, corner[1] + 0.04]);
    await expect.poll(async () => (await points())[2]![0]! - moved[2]![0]!).toBeGreaterThan(0.03 * 640);
    expect(frame.width).toBeLessThanOrEqual(360);
    await page.getByRole('button', { name: 'Done editing' }).tap();

    // A slot tapped while counting opens the correction bar under the picture: the counts stay on screen; a second
    // tap lets go of it.
    expect(await waitForModel(page)).toBe('wasm');
    await touchTap(page, ov, [0.2, 0.72]);
    await expect(page.getByRole('button', { name: 'Occupied', exact: true })).toBeVisible();
    await expectCountsOnScreen(page, 'slot tapped');
    await touchTap(page, ov, [0.2, 0.72]);
    await expect(page.getByRole('button', { name: 'Occupied', exact: true })).toHaveCount(0);

    // Counting, with the panels open: still accessible, still no sideways scroll.
    await page.getByText('Settings', { exact: true }).tap();
    await page.getByText('Offline & storage').tap();
    await expectAccessible(page);

    // Landscape: the same app, nothing wider than the screen, the counts beside a picture that fits the height.
    await page.setViewportSize({ width: 740, height: 360 });
    await expect(page.locator('.stage video')).toBeVisible();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page);
    await expectCountsOnScreen(page, 'landscape');
    const stage = (await page.locator('.stage').boundingBox())!;
    expect(stage.y + stage.height).toBeLessThanOrEqual(360);
    await touchTap(page, ov, [0.2, 0.72]);
    await expect(page.getByRole('button', { name: 'Occupied', exact: true })).toBeVisible();
    await expectCountsOnScreen(page, 'landscape, slot tapped');
    await touchTap(page, ov, [0.2, 0.72]);

    // Monitor mode on the phone.
    await page.setViewportSize({ width: 360, height: 740 });
    await page.getByRole('button', { name: 'Monitor mode' }).tap();
    await expect(page.locator('lw-monitor-view')).toBeVisible();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Show the picture' }).tap();

    // Stopped: the first screen again, in both orientations.
    await stopCounting(page);
    await expectFirstScreenFits(page, 'stopped');
    await page.setViewportSize({ width: 740, height: 360 });
    await expectFirstScreenFits(page, 'stopped, landscape');
  });
});

/** The first screen: the counts on screen, and the "Aim the phone…" box no wider than the screen, its text whole. */
async function expectFirstScreenFits(page: import('@playwright/test').Page, state: string): Promise<void> {
  const box = page.locator('.placeholder');
  await expect(box).toBeVisible();
  await expectCountsOnScreen(page, state);
  const fits = await box.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.left >= 0 && r.right <= document.documentElement.clientWidth && el.scrollWidth <= el.clientWidth;
  });
  expect(fits, `${state}: the first screen's box fits the screen`).toBe(true);
  await expectNoHorizontalScroll(page);
}

test('on a desktop, the keyboard alone starts counting, opens monitor mode and leaves it; axe finds nothing serious', async ({ page }) => {
  await asFirstVisit(page);
  await page.goto('/');
  await expectAccessible(page);
  // Tab to the first control and start the camera with the keyboard.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Use camera' })).toBeFocused();
  await page.keyboard.press('Enter');
  await startCamera(page);
  await expectCountsOnScreen(page, 'desktop, counting');
  const monitor = page.getByRole('button', { name: 'Monitor mode' });
  await monitor.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('lw-monitor-view').getByRole('button', { name: 'Show the picture' })).toBeFocused();
  await expectAccessible(page);
  await page.keyboard.press('Escape');
  await expect(page.locator('lw-monitor-view')).toHaveCount(0);
  await expectAccessible(page);
});
