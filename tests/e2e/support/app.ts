// Intent-level helpers for driving the app in a real browser: plain functions taking the page.
import { expect, type Locator, type Page } from '@playwright/test';

export type NormPoint = [number, number];

// What is really in the fixture video (640x360, 20 s, a still camera), labelled by hand on its frames at 0, 5, 10
// and 19 s (`ffmpeg -ss <t> -i parking-lot-oblique-640x360.mp4 -frames:v 1`, on a 20 px grid): pixel boxes of
// vehicles that stay parked the whole 20 s, and a patch of sky that never holds a car. (The SUV in the bottom-left
// bay leaves within the first 10 s, so no test uses that bay.)
const PARKED_ALL_VIDEO = {
  /** The black sedan, second from the right in the front row. */
  sedan: { x: 455, y: 262, w: 87, h: 77 },
  /** The black car, second from the left in the front row. */
  car: { x: 135, y: 262, w: 83, h: 68 },
} as const;
const NEVER_A_CAR = { sky: { x: 20, y: 5, w: 100, h: 45 } } as const;
const VIDEO = { width: 640, height: 360 };

/** A slot over a parked car as a user marks it: the car's footprint on the ground, the lower 70 % of its box. */
function slotOver(b: { x: number; y: number; w: number; h: number }, ground = 0.7): [NormPoint, NormPoint] {
  return [
    [b.x / VIDEO.width, (b.y + (1 - ground) * b.h) / VIDEO.height],
    [(b.x + b.w) / VIDEO.width, (b.y + b.h) / VIDEO.height],
  ];
}

export const SEDAN = slotOver(PARKED_ALL_VIDEO.sedan);
export const CAR = slotOver(PARKED_ALL_VIDEO.car);
export const SKY = slotOver(NEVER_A_CAR.sky, 1);

export function overlay(page: Page): Locator {
  return page.locator('lw-slot-overlay');
}

/**
 * Starts the camera. Chromium's fake camera UI reports the permission as granted, so the app may already have started
 * it by itself (a phone left on a pole does after a restart); then the source buttons have folded away.
 */
export async function startCamera(page: Page): Promise<void> {
  const use = page.getByRole('button', { name: 'Use camera' });
  const video = page.locator('.stage video');
  await expect(use.or(video).first()).toBeVisible();
  if (await use.isVisible()) await use.click({ timeout: 5_000 }).catch(() => {});
  await expect(video).toBeVisible();
}

/**
 * A first visit: the camera permission has not been given yet, so the app waits for "Use camera" instead of starting
 * the camera by itself (Chromium's fake media UI would otherwise report it as granted).
 */
export async function asFirstVisit(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const query = navigator.permissions.query.bind(navigator.permissions);
    navigator.permissions.query = (d: PermissionDescriptor) =>
      d.name === ('camera' as PermissionName) ? Promise.resolve({ state: 'prompt' } as PermissionStatus) : query(d);
  });
}

/** Opens the folded source menu (a source runs) and picks one of its buttons. */
export async function sourceMenu(page: Page, item: 'Use camera' | 'Open video…' | 'Open photo…' | 'Stop counting'): Promise<void> {
  await page.getByRole('button', { name: /^Source: / }).click();
  await page.getByRole('button', { name: item }).click();
}

/** Shows the detector's vehicle boxes over the picture (off by default), through Settings. */
export async function showDetections(page: Page): Promise<void> {
  await page.getByText('Settings', { exact: true }).click();
  await page.getByLabel('Show detected vehicles').check();
  await page.getByText('Settings', { exact: true }).click();
}

export async function waitForModel(page: Page): Promise<string> {
  const line = page.locator('.model[data-backend]');
  await expect(line).toBeVisible({ timeout: 90_000 });
  return (await line.getAttribute('data-backend')) ?? '';
}

/** Drags with the mouse from a to b, in coordinates normalised to the picture. */
export async function drag(page: Page, a: NormPoint, b: NormPoint): Promise<void> {
  // The mouse does not scroll: a page scrolled down (say, to the Share panel) would drag above the viewport.
  await overlay(page).scrollIntoViewIfNeeded();
  const box = await overlay(page).boundingBox();
  if (!box) throw new Error('overlay not visible');
  const at = ([x, y]: NormPoint) => [box.x + x * box.width, box.y + y * box.height] as const;
  await page.mouse.move(...at(a));
  await page.mouse.down();
  await page.mouse.move(...at([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]), { steps: 4 });
  await page.mouse.move(...at(b), { steps: 4 });
  await page.mouse.up();
}

/** Draws a rectangle slot by dragging across empty ground (in edit mode). */
export const drawRect = drag;

export async function slotStates(page: Page): Promise<Record<string, string>> {
  const slots = overlay(page).locator('g.slot');
  const out: Record<string, string> = {};
  for (const g of await slots.all()) out[(await g.getAttribute('data-id'))!] = (await g.getAttribute('data-state'))!;
  return out;
}

export async function counts(page: Page): Promise<{ available: number; occupied: number; total: number }> {
  const read = async (k: string) => Number(await page.locator(`lw-status-bar [data-count="${k}"]`).textContent());
  return { available: await read('available'), occupied: await read('occupied'), total: await read('total') };
}

/** Marks the given slots (rectangles): enters edit mode, draws them, leaves edit mode. */
export async function markSlots(page: Page, slots: readonly (readonly [NormPoint, NormPoint])[]): Promise<void> {
  await page.getByRole('button', { name: 'Edit slots' }).click();
  for (const [a, b] of slots) await drawRect(page, a, b);
  await page.getByRole('button', { name: 'Done editing' }).click();
}

/** Stops counting, as a user does. */
export async function stopCounting(page: Page): Promise<void> {
  await sourceMenu(page, 'Stop counting');
}

/** Starts the camera, waits for the model and marks the given slots (rectangles), leaving edit mode. */
export async function countWithSlots(page: Page, slots: readonly (readonly [NormPoint, NormPoint])[]): Promise<void> {
  await startCamera(page);
  await waitForModel(page);
  await markSlots(page, slots);
}

/** The counts a read-only viewer page shows. */
export async function viewerCounts(page: Page): Promise<{ available: number; occupied: number; total: number }> {
  return counts(page);
}

/**
 * Records, inside the page, when each "available/occupied/total" first appears in its status bar (epoch ms). Reading
 * it from the test would add the test's own polling delay, which on a busy machine is itself about a second.
 */
export async function recordCountTimes(page: Page): Promise<void> {
  // A string, not a function: the benches run this file through tsx, whose esbuild wraps named functions in a
  // helper (`__name`) that does not exist in the page.
  await page.addInitScript(`(() => {
    const seen = {};
    window.__countTimes = seen;
    const find = (root) => {
      const bar = root.querySelector('lw-status-bar');
      if (bar) return bar;
      for (const el of root.querySelectorAll('*')) {
        const found = el.shadowRoot ? find(el.shadowRoot) : null;
        if (found) return found;
      }
      return null;
    };
    setInterval(() => {
      const bar = find(document);
      const text = (k) => (bar && bar.shadowRoot && bar.shadowRoot.querySelector('[data-count="' + k + '"]')?.textContent) || '';
      const key = ['available', 'occupied', 'total'].map(text).join('/');
      if (bar && !(key in seen)) seen[key] = Date.now();
    }, 25);
  })()`);
}

/** When the page's status bar first showed this total (whatever was free), as recorded by `recordCountTimes`. */
export function firstShownWithTotal(page: Page, total: number): Promise<number | undefined> {
  return page.evaluate((t) => {
    const times = Object.entries((window as unknown as { __countTimes: Record<string, number> }).__countTimes)
      .filter(([key]) => key.endsWith(`/${t}`))
      .map(([, at]) => at);
    return times.length > 0 ? Math.min(...times) : undefined;
  }, total);
}
