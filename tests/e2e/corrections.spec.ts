// Corrections: the user taps a slot and says what it holds; the counter learns, shows it, keeps it after a reload,
// and can undo it.
import { expect, test } from '@playwright/test';
import { fixturesAvailable } from '../support/fixtures.ts';
import { asFirstVisit, counts, markSlots, overlay, SEDAN, SKY, slotStates, waitForModel, type NormPoint } from './support/app.ts';
import { STILL_FRAME_FILE } from './support/paths.ts';

test.skip(!fixturesAvailable(), 'fixtures (../shared/fixtures) not found: the fake camera needs the lot video');

// A still photo of the lot (a frame of the fixture video): a correction holds while the slot looks as it did, and
// the looping video moves its camera every 20 s.
async function openStill(page: import('@playwright/test').Page): Promise<void> {
  await page.locator('lw-source-picker input[accept="image/*"]').setInputFiles(STILL_FRAME_FILE);
  await expect(page.locator('.stage img')).toBeVisible();
}

/**
 * The photo as the only source (the camera must not start by itself, as it does where permission was given), slot 1
 * on the sedan and slot 2 on the sky, both seen by the model.
 */
async function openMarkedStill(page: import('@playwright/test').Page): Promise<void> {
  await asFirstVisit(page);
  await page.goto('/');
  await openStill(page);
  await waitForModel(page);
  await markSlots(page, [SEDAN, SKY]);
  await expect.poll(() => slotStates(page), { timeout: 60_000 }).toEqual({ '1': 'occupied', '2': 'free' });
}

test('tapping a slot to correct it changes its state, survives a reload, and can be undone', async ({ page }) => {
  await openMarkedStill(page);

  // Slot 2 holds no car; the user says it is occupied (say, a skip parked there that the model does not know).
  await overlay(page).locator('g.slot[data-id="2"]').click();
  await page.getByRole('button', { name: 'Occupied', exact: true }).click();
  await expect(page.getByText('Learned: slot 2 is occupied.')).toBeVisible();
  await expect(page.locator('[data-learned="1"]')).toBeVisible();
  await expect.poll(() => slotStates(page), { timeout: 60_000 }).toEqual({ '1': 'occupied', '2': 'occupied' });
  await expect.poll(() => counts(page)).toEqual({ available: 0, occupied: 2, total: 2 });

  // What it learned is stored with the lot.
  await page.reload();
  await openStill(page);
  await expect(page.locator('[data-learned="1"]')).toBeVisible();
  await expect.poll(() => slotStates(page), { timeout: 60_000 }).toEqual({ '1': 'occupied', '2': 'occupied' });

  await page.getByRole('button', { name: 'Undo correction' }).click();
  await expect(page.locator('[data-learned]')).toHaveCount(0);
  await expect.poll(() => slotStates(page), { timeout: 60_000 }).toEqual({ '1': 'occupied', '2': 'free' });

  // A photo is not the lot as it is now: no history is recorded from it, and the history page says why.
  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.locator('lw-history-dashboard [data-empty]')).toContainText('records history only while its camera counts');
});

test('after tapping the wrong slot, "All slots right" confirms the rest in one step; the tap keeps its word; undo takes the step back', async ({ page }) => {
  await openMarkedStill(page);

  // Slot 2 is wrong (say a skip stands there): tapped, let go, and at once the rest confirmed, before the picture
  // shows the tap. The confirmation says what it will do, and asks.
  await overlay(page).locator('g.slot[data-id="2"]').click();
  await page.getByRole('button', { name: 'Occupied', exact: true }).click();
  await page.getByRole('button', { name: 'Let go of slot 2' }).click();
  await page.getByRole('button', { name: 'All slots right…' }).click();
  const ask = page.getByRole('group', { name: /Learn all 2 slots as shown now\?/ });
  await expect(ask).toBeVisible();
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(ask).toHaveCount(0);
  await expect(page.locator('[data-learned="1"]')).toBeVisible();
  await page.getByRole('button', { name: 'All slots right…' }).click();
  await page.getByRole('group', { name: /Learn all 2 slots/ }).getByRole('button', { name: 'Learn' }).click();
  await expect(page.getByText('Learned: 2 slots as shown')).toBeVisible();
  const learned = async () => Number(await page.locator('[data-learned]').getAttribute('data-learned'));
  expect(await learned()).toBeGreaterThanOrEqual(2);
  // Slot 2 stays what the tap said, whatever the picture showed when the rest was confirmed.
  await expect.poll(() => slotStates(page), { timeout: 60_000 }).toEqual({ '1': 'occupied', '2': 'occupied' });

  // One undo takes back the whole confirmation; the tap before it stays.
  await page.getByRole('button', { name: 'Undo correction' }).click();
  await expect(page.locator('[data-learned="1"]')).toBeVisible();
  await expect.poll(() => slotStates(page), { timeout: 60_000 }).toEqual({ '1': 'occupied', '2': 'occupied' });
  await page.getByRole('button', { name: 'Undo correction' }).click();
  await expect(page.locator('[data-learned]')).toHaveCount(0);
  await expect.poll(() => slotStates(page), { timeout: 60_000 }).toEqual({ '1': 'occupied', '2': 'free' });
});

test('slots the evidence is unsure of are outlined dotted, and "Next unsure" walks through them for checking', async ({ page }) => {
  await asFirstVisit(page);
  await page.goto('/');
  await openStill(page);
  await waitForModel(page);
  // Two 60x50 px boxes in the busy middle distance of the 640x360 still, where the back rows, the trees and the aisle
  // meet: with today's weights their evidence sits within half a logit of even (-0.05 and +0.26 in Node, the same
  // again 5 px to any side). A retrain may move them; then pick boxes whose logit is near 0 again.
  const box = (x: number, y: number): [NormPoint, NormPoint] => [
    [x / 640, y / 360],
    [(x + 60) / 640, (y + 50) / 360],
  ];
  await markSlots(page, [SEDAN, SKY, box(550, 170), box(310, 150)]);
  await expect.poll(() => slotStates(page), { timeout: 60_000 }).toMatchObject({ '1': 'occupied', '2': 'free' });

  // A slot near even may change state once more while the layout settles (a new slot changes the frame's light, so
  // its neighbours' evidence moves a little), and a slot in the middle of a change is not marked: wait until nothing
  // is changing and the same slots stay unsure for two seconds.
  const unsure = overlay(page).locator('g.slot.unsure');
  const unsureIds = () => unsure.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-id')!));
  let ids: string[] = [];
  await expect
    .poll(
      async () => {
        const before = await unsureIds();
        await page.waitForTimeout(2000);
        const pending = await overlay(page).locator('g.slot.pending').count();
        ids = await unsureIds();
        return pending === 0 && ids.length > 0 && ids.join() === before.join();
      },
      { timeout: 60_000, intervals: [0] },
    )
    .toBe(true);
  // The car and the sky are sure; an unsure slot says so to a screen reader too.
  await expect(overlay(page).locator('g.slot.unsure[data-id="1"], g.slot.unsure[data-id="2"]')).toHaveCount(0);
  for (const id of ids) {
    await expect(overlay(page).locator(`g.slot[data-id="${id}"]`)).toHaveAttribute('aria-label', /, unsure$/);
    // The Slots list says it as well: "occupied?" on screen, ", unsure" to a screen reader.
    await expect(page.locator(`lw-slot-list li.unsure[data-id="${id}"]`)).toContainText(/(free|occupied)\?, unsure/);
  }
  await expect(page.locator('lw-slot-list li.unsure')).toHaveCount(ids.length);
  await expect(page.getByText('Dotted yellow slots are the ones it is least sure of: check those first.')).toBeVisible();

  // "Next unsure" selects each in layout order, so it can be checked and corrected where it stands.
  const next = page.locator('lw-correction-bar [data-next-unsure]');
  await expect(next).toHaveAttribute('data-next-unsure', String(ids.length));
  expect((await next.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await next.click();
  await expect(page.getByText(`Slot ${ids[0]} is now:`)).toBeVisible();
  if (ids.length > 1) {
    await next.click();
    await expect(page.getByText(`Slot ${ids[1]} is now:`)).toBeVisible();
  } else {
    // The only unsure slot is selected: nothing to go on to.
    await expect(next).toHaveCount(0);
  }
});
