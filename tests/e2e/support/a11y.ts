// Accessibility checks: axe-core's rules (serious and critical findings fail), touch target sizes, horizontal scroll.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** axe over the whole page, shadow DOM included; returns the serious and critical violations, summarised. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Visible controls smaller than 44x44 CSS px, searched through every shadow root. */
export function smallTouchTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const selector = 'button, summary, select, a[href], label.button, input:not([type="checkbox"]):not([type="radio"]):not([type="file"])';
    const visit = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll<HTMLElement>(selector)) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || !el.checkVisibility()) continue;
        if (r.width < 44 - 0.5 || r.height < 44 - 0.5) found.push(`${el.tagName.toLowerCase()} "${el.textContent?.trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
      }
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) visit(el.shadowRoot);
    };
    visit(document);
    return found;
  });
}

export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll, 'page is wider than the screen').toBeLessThanOrEqual(client);
}

export async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
  expect(await smallTouchTargets(page)).toEqual([]);
  await expectNoHorizontalScroll(page);
}

/**
 * The counts (free, occupied, total) are on screen without scrolling: from the top of the page, their box lies inside
 * the viewport.
 */
export async function expectCountsOnScreen(page: Page, state: string): Promise<void> {
  await page.evaluate(() => scrollTo(0, 0));
  const numbers = page.locator('lw-app .counts lw-status-bar .numbers');
  await expect(numbers, state).toBeVisible();
  const box = (await numbers.boundingBox())!;
  const view = page.viewportSize()!;
  const inside = box.x >= 0 && box.y >= 0 && box.x + box.width <= view.width && box.y + box.height <= view.height;
  expect(inside, `${state}: counts at ${JSON.stringify(box)} in a ${view.width}x${view.height} viewport`).toBe(true);
}
