// Real touch input through Chromium's DevTools protocol: touchstart, moves, touchend, as a finger would.
import type { Locator, Page } from '@playwright/test';
import type { NormPoint } from './app.ts';

async function at(target: Locator, [x, y]: NormPoint): Promise<{ x: number; y: number }> {
  const box = await target.boundingBox();
  if (!box) throw new Error('target not visible');
  return { x: box.x + x * box.width, y: box.y + y * box.height };
}

/** Drags one finger from a to b (coordinates normalised to the target's box). */
export async function touchDrag(page: Page, target: Locator, a: NormPoint, b: NormPoint, steps = 6): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const from = await at(target, a);
  const to = await at(target, b);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [from] });
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t }] });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/** Taps with a finger at a point normalised to the target's box. */
export async function touchTap(page: Page, target: Locator, p: NormPoint): Promise<void> {
  const { x, y } = await at(target, p);
  await page.touchscreen.tap(x, y);
}
