// Setting up a real lot on a phone: a 360x740 touch screen in real Chromium, the PUCPR fixture frame as the picture,
// fingers through Chromium's own touch events, the layout in the browser's IndexedDB.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { applyHomography, invertHomography, squareToQuad, type Quad } from '../../src/occupancy/homography.ts';
import { analysisSize } from '../../src/camera/frame.ts';
import { containsPoint } from '../../src/occupancy/geometry.ts';
import { smallSlots } from '../../src/occupancy/slot-size.ts';
import type { Point } from '../../src/occupancy/types.ts';
import { fixture, fixturesAvailable } from '../support/fixtures.ts';
import { asFirstVisit } from './support/app.ts';
import { dividers, overlaySlots, stageGeometry, Touch, type Px } from './support/touch.ts';

test.skip(!fixturesAvailable(), 'fixtures (../shared/fixtures) not found: these tests mark the PUCPR lot');

test.use({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });

const FRAME = '2012-09-13_17_00_33';
const IMAGE = fixture('lots', 'pucpr', 'images', `${FRAME}.jpg`);
const LABELS = fixture('lots', 'pucpr', 'labels', `${FRAME}.json`);
interface Labelled {
  image: string;
  width: number;
  height: number;
  slots: { id: string; polygon: [number, number][]; occupied: boolean | null }[];
}
const labels = (): Labelled => JSON.parse(readFileSync(LABELS, 'utf8')) as Labelled;
const label = (id: string) => labels().slots.find((s) => s.id === id)!.polygon;

// The front row of the frame, slots 89-100: its outer corners as the labels give them.
const ROW: Px[] = [
  [71, 501],
  [683, 507],
  [679, 570],
  [42, 555],
];

async function openLot(page: Page): Promise<Touch> {
  // The detector plays no part in marking slots: its model request is held, so the two shared cores stay free.
  await page.route('**/models/coco-ssd/model.json', () => {});
  await page.goto('/');
  await page.locator('lw-source-picker input[accept="image/*"]').setInputFiles(IMAGE);
  await expect(page.locator('.stage img')).toBeVisible();
  const touch = await Touch.on(page);
  await touch.tapOn(page.getByRole('button', { name: 'Edit slots' }));
  return touch;
}

/** The mean of some corners: a bay's middle, or the middle of the line between two bays. */
const centroid = (p: readonly Px[]): Px => [p.reduce((s, q) => s + q[0], 0) / p.length, p.reduce((s, q) => s + q[1], 0) / p.length];

async function markRow(page: Page, touch: Touch, corners: readonly Px[]): Promise<void> {
  const g = await stageGeometry(page);
  for (const c of corners) await touch.tap(g.toPage(c));
}

test('a row: four taps and a count give its slots in order; a dragged divider stays where it is put', async ({ page }) => {
  const touch = await openLot(page);
  await touch.tapOn(page.getByRole('button', { name: 'Row', exact: true }));
  await markRow(page, touch, ROW);

  const count = page.getByRole('spinbutton', { name: 'Slots in the row' });
  await expect(count).toBeVisible();
  await touch.tapOn(count);
  await page.keyboard.type('12');
  await page.keyboard.press('Enter');

  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(12);
  const slots = await overlaySlots(page);
  expect(slots.map((s) => s.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12']);
  // Numbered left to right, and each lands on its labelled bay (89-100).
  slots.forEach((s, k) => expect(containsPoint(label(String(89 + k)), centroid(s.polygon)), `slot ${s.id} on bay ${89 + k}`).toBe(true));

  // The divider furthest from the painted line it stands for (between bays 88+k and 89+k) goes onto that line.
  let g = await stageGeometry(page);
  const boundaryOf = (index: number): Px => {
    const [a, b] = [label(String(89 + index)), label(String(90 + index))];
    return centroid([a[2]!, a[3]!, b[0]!, b[1]!]);
  };
  const offBy = (d: { index: number; mid: Px }) => {
    const at = g.toFrame(d.mid);
    const t = boundaryOf(d.index);
    return Math.hypot(at[0] - t[0], at[1] - t[1]);
  };
  const worst = (await dividers(page)).reduce((w, d) => (offBy(d) > offBy(w) ? d : w));
  expect(offBy(worst)).toBeGreaterThan(3);
  const boundary = boundaryOf(worst.index);
  let loupe = false;
  await touch.drag(worst.mid, g.toPage(boundary), 8, async () => {
    loupe = await page.locator('lw-slot-overlay lw-magnifier').isVisible();
  });
  expect(loupe).toBe(true);
  g = await stageGeometry(page);
  const after = await dividers(page);
  const moved = after.find((d) => d.index === worst.index)!;
  expect(moved.pinned).toBe(true);
  expect(offBy(moved)).toBeLessThan(1.5);
  // The dividers on either side spread evenly between it and the row's ends; none is pinned but it.
  expect(after.filter((d) => d.pinned)).toHaveLength(1);
  // Evenly in the ground plane: mapped back through the row's homography, they are equal steps along the row.
  const outline = (await page.locator('lw-slot-overlay polygon.group-outline').getAttribute('points'))!
    .split(' ')
    .map((p) => p.split(',').map(Number) as unknown as Point);
  const ground = invertHomography(squareToQuad(outline as unknown as Quad));
  const u = after.map((d) => applyHomography(ground, g.toFrame(d.mid))[0]);
  const step = u[worst.index]! / (worst.index + 1);
  u.slice(0, worst.index + 1).forEach((v, i) => expect(v).toBeCloseTo(step * (i + 1), 3));
  const rest = (1 - u[worst.index]!) / (u.length - worst.index);
  u.slice(worst.index).forEach((v, i) => expect(v).toBeCloseTo(u[worst.index]! + rest * i, 3));
  // Ids stay as they were.
  expect((await overlaySlots(page)).map((s) => s.id)).toEqual(slots.map((s) => s.id));

  await touch.tapOn(page.getByRole('button', { name: 'Done', exact: true }));
  await expect(page.locator('lw-slot-overlay line.divider')).toHaveCount(0);
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(12);
});

test('pinch to zoom, two fingers to pan, then a corner marked to the pixel with the loupe', async ({ page }) => {
  const touch = await openLot(page);
  await touch.tapOn(page.getByRole('button', { name: '4 corners' }));
  // A bay in the middle of the front row, so that it stays in view at 4x.
  const bay = label('95');
  let g = await stageGeometry(page);
  const fitScale = g.scale;

  await touch.pinch(g.toPage(centroid(bay)), 30, g.toPage(centroid(bay)), 120);
  await expect.poll(async () => Number(await page.locator('lw-slot-overlay svg').getAttribute('data-zoom'))).toBeCloseTo(4, 1);
  // A pinch is not a tap: no corner was placed.
  await expect(page.locator('lw-slot-overlay .tap')).toHaveCount(0);

  // Two fingers moving together (both on the picture) pan: the bay follows them.
  g = await stageGeometry(page);
  const c = g.toPage(centroid(bay));
  const mid: Px = [g.box.x + g.box.width / 2, g.box.y + g.box.height / 2];
  await touch.pinch(mid, 100, [mid[0] - 20, mid[1] - 10], 100);
  const g2 = await stageGeometry(page);
  const c2 = g2.toPage(centroid(bay));
  expect(c2[0] - c[0]).toBeCloseTo(-20, -0.5);
  expect(c2[1] - c[1]).toBeCloseTo(-10, -0.5);
  expect(g2.scale / fitScale).toBeCloseTo(4, 1);

  // Each corner: the finger lands a little off, slides onto the corner watching the loupe, lifts.
  for (const [i, corner] of bay.entries()) {
    const p = g2.toPage(corner);
    await touch.drag([p[0] + 6, p[1] + 5], p, 5, async () => {
      if (i === 0) await expect(page.locator('lw-slot-overlay lw-magnifier')).toBeVisible();
    });
  }
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(1);
  const [slot] = await overlaySlots(page);
  // The same corners, in clockwise order from the top left, each within a pixel of the label.
  for (const corner of bay) {
    const d = Math.min(...slot!.polygon.map((q) => Math.hypot(q[0] - corner[0], q[1] - corner[1])));
    expect(d).toBeLessThan(1);
  }
});

test('undo and redo every edit, with the buttons and with Ctrl+Z / Ctrl+Shift+Z; the history ends when editing is done', async ({ page }) => {
  const touch = await openLot(page);
  await touch.tapOn(page.getByRole('button', { name: 'Row', exact: true }));
  await markRow(page, touch, ROW);
  const slots = page.locator('lw-slot-overlay g.slot');
  // The first row of a lot: nothing to go by, so no made-up count; the editor asks.
  await expect(page.getByText('How many slots are in this row?')).toBeVisible();
  const n = await slots.count();
  expect(n).toBe(1);
  await touch.tapOn(page.getByRole('button', { name: 'Slots in the row: one more' }));
  await expect(slots).toHaveCount(n + 1);

  const undo = page.getByRole('button', { name: 'Undo' });
  const redo = page.getByRole('button', { name: 'Redo' });
  await touch.tapOn(undo);
  await expect(slots).toHaveCount(n);
  await touch.tapOn(undo);
  await expect(slots).toHaveCount(0);
  await expect(undo).toBeDisabled();
  await touch.tapOn(redo);
  await expect(slots).toHaveCount(n);
  await page.keyboard.press('Control+Shift+Z');
  await expect(slots).toHaveCount(n + 1);
  await page.keyboard.press('Control+Z');
  await expect(slots).toHaveCount(n);
  await expect(redo).toBeEnabled();

  // Each step is stored as it happens: a reload shows the layout as it stands after the last undo.
  await page.reload();
  await page.locator('lw-source-picker input[accept="image/*"]').setInputFiles(IMAGE);
  await expect(slots).toHaveCount(n);
  await touch.tapOn(page.getByRole('button', { name: 'Edit slots' }));
  await expect(page.getByRole('button', { name: 'Undo' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Redo' })).toBeDisabled();
});

test('a labelled fixture frame imports onto the overlay, exports back to the same file, and survives a reload', async ({ page }) => {
  const touch = await openLot(page);
  const files = page.locator('details[data-panel="layout-files"]');
  await touch.tapOn(files.locator('summary'));

  // A file that fails validation changes nothing and says why.
  await files.locator('input[type="file"]').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"width": 1280, "slots": [') });
  await expect(files.getByRole('alert')).toContainText('Nothing was changed: broken.json is not a JSON file');
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(0);

  await files.locator('input[type="file"]').setInputFiles(LABELS);
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(100);
  await expect(page.getByRole('status').filter({ hasText: 'Imported 100 slots' })).toBeVisible();
  const original = labels();
  const shown = await overlaySlots(page);
  expect(shown.map((s) => s.id)).toEqual(original.slots.map((s) => s.id));
  shown.forEach((s, i) => s.polygon.forEach((p, k) => expect(p).toEqual(original.slots[i]!.polygon[k]!.map((v) => expect.closeTo(v, 6)))));

  // Into a lot that has slots, a file waits until the user chose, with the numbers in front of them: replace, or add.
  await files.locator('input[type="file"]').setInputFiles(LABELS);
  const confirm = files.getByRole('group', { name: /holds 100 slots; this lot has 100 slots/ });
  await expect(confirm.locator('[data-outcome="add"]')).toContainText('100 of the file’s slots lie on slots this lot has');
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(100);
  await touch.tapOn(confirm.getByRole('button', { name: 'Add 100 slots' }));
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(200);
  await expect(page.getByRole('status').filter({ hasText: 'Added 100 slots' })).toBeVisible();
  await touch.tapOn(page.getByRole('button', { name: 'Undo' }));
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(100);

  // Exported as a labelled frame: the same file, with the states left unknown.
  const [download] = await Promise.all([page.waitForEvent('download'), touch.tapOn(files.getByRole('button', { name: 'Export labelled frame' }))]);
  expect(download.suggestedFilename()).toBe(`${FRAME}.json`);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as Labelled;
  expect({ ...exported, slots: exported.slots.map((s) => ({ ...s, occupied: true })) }).toEqual({
    ...original,
    lot: null,
    captured: null,
    weather: null,
    slots: original.slots.map((s) => ({ ...s, occupied: true })),
  });
  expect(exported.slots.every((s) => s.occupied === null)).toBe(true);

  // Ultralytics' bounding_boxes.json goes the same way; the app asks for its picture size, this picture's by default.
  const [boxes] = await Promise.all([page.waitForEvent('download'), touch.tapOn(files.getByRole('button', { name: 'Export Ultralytics' }))]);
  await touch.tapOn(page.getByRole('button', { name: 'Undo' }));
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(0);
  await files.locator('input[type="file"]').setInputFiles({ name: 'bounding_boxes.json', mimeType: 'application/json', buffer: readFileSync((await boxes.path())!) });
  await expect(files.getByLabel('width')).toHaveValue('1280');
  await touch.tapOn(files.getByRole('button', { name: 'Import', exact: true }));
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(100);

  await touch.tapOn(page.getByRole('button', { name: 'Done editing' }));
  const before = await overlaySlots(page);
  await page.reload();
  await page.locator('lw-source-picker input[accept="image/*"]').setInputFiles(IMAGE);
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(100);
  expect(await overlaySlots(page)).toEqual(before);
});

test('slots small in the picture are marked, said with what they cost, and selected in one tap', async ({ page }) => {
  const touch = await openLot(page);
  const files = page.locator('details[data-panel="layout-files"]');
  await touch.tapOn(files.locator('summary'));
  await files.locator('input[type="file"]').setInputFiles(LABELS);
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(100);

  // Which ones, worked out here from the labels at the size the app analyses the frame at (1280x720: not reduced).
  const l = labels();
  const size = analysisSize(l.width, l.height);
  const slots = l.slots.map((s) => ({ id: s.id, name: s.id, polygon: s.polygon.map(([x, y]) => [x / l.width, y / l.height] as Point) }));
  const small = smallSlots(slots, size.width, size.height, Date.now()).map((s) => s.id);
  // PUCPR's far rows are small, its front rows are not: both kinds are on this frame.
  expect(small.length).toBeGreaterThan(10);
  expect(small.length).toBeLessThan(90);

  const list = page.locator('lw-slot-list');
  const note = list.locator('[data-small-slots]');
  await expect(note).toHaveAttribute('data-small-slots', String(small.length));
  await expect(note).toContainText(`${small.length} slots are small in the picture (under 45 px across, dashed)`);
  await expect(list.locator('li.small')).toHaveCount(small.length);
  expect(await list.locator('li.small').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-id')))).toEqual(small);

  await touch.tapOn(note.getByRole('button', { name: 'Select them' }));
  await expect(page.locator('lw-selection-bar').getByRole('status')).toHaveText(`${small.length} selected`);
  // Deleted, the note goes: what is left is big enough.
  await touch.tapOn(page.locator('lw-selection-bar').getByRole('button', { name: `Delete ${small.length} slots` }));
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(100 - small.length);
  await expect(note).toHaveCount(0);
});

test('bulk edits: a lasso and shift-click select, then the slots are renumbered, moved and deleted together', async ({ page }) => {
  const touch = await openLot(page);
  await page.locator('details[data-panel="layout-files"]').locator('input[type="file"]').setInputFiles(LABELS);
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(100);
  await touch.tapOn(page.getByRole('button', { name: 'Select', exact: true }));

  // A loop around the front row (bays 89-100).
  const g = await stageGeometry(page);
  const loop = ([[30, 490], [700, 490], [700, 585], [30, 585], [30, 495]] as Px[]).map((p) => g.toPage(p));
  await touch.trace(loop);
  await expect(page.getByRole('status').filter({ hasText: 'selected' })).toHaveText('12 selected');
  // Shift-click adds one more (mouse and keyboard work on the same page).
  await page.keyboard.down('Shift');
  await page.mouse.click(...g.toPage(centroid(label('88'))));
  await page.keyboard.up('Shift');
  await expect(page.getByRole('status').filter({ hasText: 'selected' })).toHaveText('13 selected');

  await touch.tapOn(page.getByRole('button', { name: 'Renumber…' }));
  await touch.tapOn(page.getByLabel('Prefix', { exact: true }));
  await page.keyboard.type('E');
  await page.getByLabel('From', { exact: true }).fill('1');
  await touch.tapOn(page.getByRole('button', { name: 'Renumber', exact: true }));
  const named = new Map((await overlaySlots(page)).map((s) => [s.id, s.name]));
  // In layout order: bay 88 comes before 89-100.
  expect(['88', ...Array.from({ length: 12 }, (_, i) => String(89 + i))].map((id) => named.get(id))).toEqual(
    Array.from({ length: 13 }, (_, i) => `E${i + 1}`),
  );
  expect(named.get('87')).toBe('87');

  // Dragging one selected slot moves all of them by the same amount.
  const before = new Map((await overlaySlots(page)).map((s) => [s.id, s.polygon]));
  const here = await stageGeometry(page);
  const from = here.toPage(centroid(label('95')));
  await touch.drag(from, [from[0] + 10, from[1] - 6], 6);
  const after = new Map((await overlaySlots(page)).map((s) => [s.id, s.polygon]));
  const shift = (id: string) => [after.get(id)![0]![0] - before.get(id)![0]![0], after.get(id)![0]![1] - before.get(id)![0]![1]];
  const [dx, dy] = shift('95');
  expect(dx).toBeCloseTo(10 / here.scale, 0);
  expect(dy).toBeCloseTo(-6 / here.scale, 0);
  for (const id of ['88', '89', '100']) expect(shift(id)).toEqual([expect.closeTo(dx!, 6), expect.closeTo(dy!, 6)]);
  expect(shift('1')).toEqual([0, 0]);

  await touch.tapOn(page.getByRole('button', { name: 'Delete 13 slots' }));
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(87);
  await page.keyboard.press('Control+Z');
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(100);
});

test('with the keyboard alone: a row by a reticle moved with the arrows and placed with Enter', async ({ page }) => {
  await openLot(page);
  await page.getByRole('button', { name: 'Row', exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.locator('lw-slot-overlay svg').focus();
  // The reticle starts in the middle (640, 360); Shift+arrow moves it 8% of the width or height in view.
  const press = async (key: string, times: number) => {
    for (let i = 0; i < times; i++) await page.keyboard.press(key);
  };
  await press('Shift+ArrowLeft', 3);
  await page.keyboard.press('Enter');
  await press('Shift+ArrowRight', 6);
  await page.keyboard.press('Enter');
  await press('Shift+ArrowDown', 2);
  await page.keyboard.press('Enter');
  await press('Shift+ArrowLeft', 6);
  await page.keyboard.press('Enter');
  const outline = (await page.locator('lw-slot-overlay polygon.group-outline').getAttribute('points'))!.split(' ').map((p) => p.split(',').map(Number));
  const x0 = 640 - 3 * 0.08 * 1280;
  const x1 = 640 + 3 * 0.08 * 1280;
  const y1 = 360 + 2 * 0.08 * 720;
  expect(outline.map((p) => p.map((v) => Math.round(v)))).toEqual([
    [Math.round(x0), 360],
    [Math.round(x1), 360],
    [Math.round(x1), Math.round(y1)],
    [Math.round(x0), Math.round(y1)],
  ]);
  await expect(page.locator('lw-slot-overlay g.slot')).not.toHaveCount(0);
  // The count from the keyboard, then Enter on the row's outline finishes it.
  await page.getByRole('spinbutton', { name: 'Slots in the row' }).fill('7');
  await page.keyboard.press('Enter');
  await expect(page.locator('lw-slot-overlay g.slot')).toHaveCount(7);
  await page.locator('lw-slot-overlay polygon.group-outline').focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('lw-slot-overlay polygon.group-outline')).toHaveCount(0);
});

test('freeze frame: editing on a still of the camera while the live picture keeps going', async ({ page }) => {
  await page.route('**/models/coco-ssd/model.json', () => {});
  await asFirstVisit(page);
  await page.goto('/');
  const touch = await Touch.on(page);
  await touch.tapOn(page.getByRole('button', { name: 'Use camera' }));
  const video = page.locator('.stage video');
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState >= 2 && !v.paused)).toBe(true);
  await touch.tapOn(page.getByRole('button', { name: 'Edit slots' }));
  await touch.tapOn(page.getByRole('button', { name: 'Freeze frame' }));

  const still = page.locator('.stage .picture canvas');
  await expect(still).toBeVisible();
  await expect(page.locator('[data-still]')).toContainText('Still');
  await expect(page.getByText('counting goes on with the live picture')).toBeVisible();
  // The still is the camera's picture at its own size, not a blank canvas; the video keeps playing under it.
  const stats = await still.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < d.length; i += 4) {
      sum += d[i]!;
      sq += d[i]! * d[i]!;
    }
    const n = d.length / 4;
    return { w: c.width, h: c.height, sd: Math.sqrt(sq / n - (sum / n) ** 2) };
  });
  expect([stats.w, stats.h]).toEqual([640, 360]);
  expect(stats.sd).toBeGreaterThan(10);
  const t0 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(t0);

  await touch.tapOn(page.getByRole('button', { name: 'Back to live' }));
  await expect(still).toHaveCount(0);
});
