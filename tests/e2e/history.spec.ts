// History end to end on the built app: a simulated day of counting goes through the app's own recorder (the code
// `onAnalysis` feeds) into the browser's IndexedDB; the dashboard shows it, its exports download it, and a relay's
// viewer shows the relay's history read-only.
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { parseCsv } from '../../src/history/csv.ts';
import { EVENTS_HEADER, SERIES_HEADER } from '../../src/history/exports.ts';
import { RECORDER_CONFIG } from '../../src/history/recorder-plan.ts';
import { addLocalDays, formatLocal, startOfLocalDay } from '../../src/history/zoned-time.ts';
import type { LotState } from '../../src/occupancy/types.ts';
import { DEFAULT_CONFIG } from '../../relay/src/config.ts';
import { startRelay, type RunningRelay } from '../../relay/src/relay.ts';
import { fixturesAvailable } from '../support/fixtures.ts';
import { expectedChanges, expectedOccupied, simulateLot, toLotState, toPublished } from '../support/simulated-lot.ts';
import { countWithSlots, counts, SEDAN, SKY } from './support/app.ts';
import { ROOT } from './support/paths.ts';

const TZ = 'Europe/Berlin';
test.use({ timezoneId: TZ, locale: 'en-GB' });

/** Yesterday, as a local day in the test's time zone. */
function yesterday(): { from: number; to: number; date: string } {
  const today = startOfLocalDay(Date.now(), TZ);
  const from = addLocalDays(today, -1, TZ);
  return { from, to: today, date: formatLocal(from, TZ).slice(0, 10) };
}

/**
 * Feeds lot states to the counter's history recorder, as `onAnalysis` does, and waits until they are written; then
 * runs the upkeep the counter runs at start and hourly, so the hours that are over are read from their aggregates
 * (without it, whether the start's upkeep ran before or after the states were written decided which path was read).
 */
async function record(page: Page, states: { lot: LotState; at: number }[]): Promise<void> {
  await page.locator('lw-app').evaluate(async (app, json) => {
    const states = JSON.parse(json) as { lot: unknown; at: number }[];
    // The recorder is the counter element's history controller; the test drives it with simulated frames.
    type Recorder = { store: unknown; observe(l: unknown, at: number): void; flush(): Promise<void>; maintain(): Promise<void> };
    const h = (app as unknown as { history: Recorder }).history;
    for (let i = 0; i < 100 && !h.store; i++) await new Promise((r) => setTimeout(r, 50));
    if (!h.store) throw new Error('the history store did not open');
    for (const s of states) h.observe(s.lot, s.at);
    await h.flush();
    await h.maintain();
  }, JSON.stringify(states));
}

/** Pixels within a small distance of a colour (a series' stroke). */
function colourPixels(png: Buffer, [r, g, b]: [number, number, number]): number {
  const img = PNG.sync.read(png);
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    if (Math.abs(img.data[i]! - r) + Math.abs(img.data[i + 1]! - g) + Math.abs(img.data[i + 2]! - b) < 40) n++;
  }
  return n;
}

/** Share of pixels unlike the most common one (the background): 0 for a blank picture. */
function inkShare(png: Buffer): { ink: number; colours: number } {
  const img = PNG.sync.read(png);
  const counts = new Map<number, number>();
  for (let i = 0; i < img.data.length; i += 4) {
    const key = (img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = img.width * img.height;
  return { ink: 1 - Math.max(...counts.values()) / total, colours: counts.size };
}

test('a simulated day through the app’s recorder: the dashboard shows it, and the CSV exports match it', async ({ page }, info) => {
  const day = yesterday();
  const noon = day.from + 12 * 3_600_000;
  const frames = simulateLot({ slots: 6, from: day.from, to: day.to, seed: 11, offline: [{ start: noon, end: noon + 2 * 3_600_000 }] });
  await page.goto('/');
  await record(page, frames.map((f) => ({ lot: toLotState(f), at: f.at })));

  await page.getByRole('link', { name: 'History' }).click();
  await expect(page).toHaveURL(/#\/history$/);
  await page.getByRole('button', { name: 'Custom' }).click();
  await page.getByLabel('From', { exact: true }).fill(day.date);
  await page.getByLabel('To', { exact: true }).fill(day.date);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('lw-history-dashboard [data-status]')).toHaveAttribute('data-status', 'ready');
  await expect(page.locator('lw-history-dashboard [data-status]')).toContainText(`${day.date} 00:00`);

  // The data behind the chart: one point per quarter hour, each the mean number of occupied slots, worked out here
  // from the frames themselves; the two hours the counter was off are gaps (null), not an empty lot.
  const chart = page.locator('#chart-time');
  const [x, occupied, free] = await chart.evaluate((el) => (el as unknown as { data: (number | null)[][] }).data);
  const edges: number[] = [];
  for (let t = day.from; t < day.to; t += 15 * 60_000) edges.push(t);
  expect(x).toEqual(edges.map((t) => t / 1000));
  edges.push(day.to);
  const expected = expectedOccupied(frames, edges, RECORDER_CONFIG.gapAfterMs);
  expect(occupied!.map((v) => v === null)).toEqual(expected.map((v) => v === null));
  expected.forEach((v, i) => v !== null && expect(occupied![i]).toBeCloseTo(v, 2));
  expect(expected.filter((v) => v === null).length).toBeGreaterThanOrEqual(7);
  occupied!.forEach((v, i) => v !== null && expect(v + free![i]!).toBeCloseTo(6, 2));
  await expect(chart).toHaveAttribute('data-points', String(2 * expected.filter((v) => v !== null).length));

  // Not a blank chart: lines and axes in several colours over a good part of it.
  const shot = await chart.screenshot();
  await info.attach('occupancy-chart', { body: shot, contentType: 'image/png' });
  const { ink, colours } = inkShare(shot);
  expect(ink).toBeGreaterThan(0.03);
  expect(colours).toBeGreaterThan(10);
  await info.attach('dashboard', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });

  // Aggregates CSV, through the browser's download: header row, ISO-8601 times, the chart's numbers, gaps empty.
  const download = async (name: string) => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
    const text = readFileSync((await file.path())!, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    return { name: file.suggestedFilename(), rows: parseCsv(text.slice(1)) };
  };
  const series = await download('Aggregates CSV');
  expect(series.name).toBe(`lotwatch-default-series-${day.date}.csv`);
  expect(series.rows[0]).toEqual([...SERIES_HEADER]);
  expect(series.rows).toHaveLength(97);
  expect(series.rows[1]!.slice(0, 3)).toEqual([new Date(day.from).toISOString(), new Date(day.from + 900_000).toISOString(), `${day.date} 00:00:00`]);
  expect(series.rows.slice(1).map((r) => (r[4] === '' ? null : Number(r[4])))).toEqual(occupied);

  // Events CSV: one row per slot change the recorder wrote, in time order, with its confidence.
  const events = await download('Events CSV');
  expect(events.rows[0]).toEqual([...EVENTS_HEADER]);
  expect(events.rows).toHaveLength(1 + expectedChanges(frames, RECORDER_CONFIG.gapAfterMs));
  for (const r of events.rows.slice(1)) {
    expect(r[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(r[2]).toBe('default');
    expect(['occupied', 'free']).toContain(r[5]);
    expect(Number(r[6])).toBeGreaterThan(0);
  }
  expect(events.rows.slice(1).map((r) => r[0])).toEqual(events.rows.slice(1).map((r) => r[0]).sort());

  // Storage used is shown, and the counter is one tap away.
  await expect(page.locator('lw-history-dashboard [data-storage]')).toContainText(/This site uses [\d.]+ [KMG]?B/);
  await page.getByRole('link', { name: '← Counter' }).click();
  await expect(page.locator('lw-history-page')).toHaveCount(0);
});

test('counting with the camera records history: today’s dashboard shows the slots just counted, live', async ({ page }) => {
  test.skip(!fixturesAvailable(), 'fixtures (../shared/fixtures) not found: the fake camera needs the lot video');
  await page.goto('/');
  await countWithSlots(page, [SEDAN, SKY]);
  await expect.poll(() => counts(page), { timeout: 45_000 }).toEqual({ available: 1, occupied: 1, total: 2 });
  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.locator('lw-history-dashboard [data-status]')).toHaveAttribute('data-status', 'ready');
  const chart = page.locator('#chart-time');
  await expect(chart).not.toHaveAttribute('data-points', '0');
  // A new lot has one quarter hour of data: it is drawn (as points, a line needs two), not left blank beside a summary
  // that has numbers. Occupied (red) and free (green) may sit on the same spot, the later drawn on top: either counts.
  const seriesPixels = async () => {
    const png = await chart.locator('canvas').first().screenshot();
    return colourPixels(png, [248, 113, 113]) + colourPixels(png, [74, 222, 128]);
  };
  await expect.poll(seriesPixels, { timeout: 10_000 }).toBeGreaterThan(20);
  // No empty cards: the hour-by-weekday table shows only when it has a number.
  const heat = page.locator('lw-history-dashboard #h-heat');
  if (await heat.count()) expect(await page.locator('lw-history-dashboard .heat td').filter({ hasText: /\d/ }).count()).toBeGreaterThan(0);
  // The sedan's slot is taken now (it showed free for the moment before the counter first saw it), the sky's never.
  const slots = page.locator('lw-history-dashboard [data-slots] tbody tr');
  await expect(slots).toHaveCount(2);
  await expect(slots.nth(0)).not.toContainText(/\b0 %/);
  await expect(slots.nth(1)).toContainText(/\b0 %/);
  await expect(page.locator('lw-history-dashboard h2#h-longest')).toHaveText('Occupied longest now');
  await expect(page.locator('lw-history-dashboard [data-longest] li')).toHaveCount(1);
  await expect(page.locator('lw-history-dashboard [data-longest] li')).toHaveAttribute('data-id', '1');
});

test('on a 360 px phone the dashboard fits the width and its controls are 44 px touch targets', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const day = yesterday();
  await page.goto('/');
  await record(page, simulateLot({ slots: 8, from: day.from, to: day.to, seed: 3 }).map((f) => ({ lot: toLotState(f), at: f.at })));
  await page.goto('/#/history');
  await page.getByRole('button', { name: '7 days' }).click();
  await expect(page.locator('lw-history-dashboard [data-status]')).toHaveAttribute('data-status', 'ready');
  await expect(page.locator('#chart-time')).not.toHaveAttribute('data-points', '0');
  const overflow = await page.locator('lw-history-page').evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  for (const b of await page.locator('lw-history-dashboard button').all()) expect((await b.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  // The range buttons work from the keyboard.
  await page.getByRole('button', { name: 'Today' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Today' })).toHaveAttribute('aria-pressed', 'true');
});

test('a relay viewer has a read-only history tab fed by the relay', async ({ browser }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lotwatch-e2e-history-'));
  let clock = Date.now() - 3 * 3_600_000;
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const relay: RunningRelay = await startRelay(
    {
      ...DEFAULT_CONFIG,
      port: 0, host: '127.0.0.1', lot: 'default', dataDir, token: 'e2e-history-token-0123456789', dist: join(ROOT, 'dist'), tls: null,
      offlineAfterMs: 3_600_000, pingIntervalMs: 30_000, maxLots: 10, maxConnections: 100,
    },
    { log: quiet, now: () => clock },
  );
  const context = await browser.newContext({ timezoneId: TZ });
  try {
    // Three hours of a 4-slot lot, published every 10 minutes, the last one just now.
    const frames = simulateLot({ slots: 4, from: clock, to: Date.now(), seed: 5, frameEveryMs: 600_000 });
    let last = frames[0]!;
    for (const f of frames) {
      if (f.slots.some((s, i) => s.occupied !== last.slots[i]!.occupied)) last = f;
      clock = f.at;
      const res = await fetch(`${relay.url}/lots/default/state`, {
        method: 'POST',
        headers: { Authorization: 'Bearer e2e-history-token-0123456789', 'Content-Type': 'application/json' },
        body: JSON.stringify(toPublished(f, last.at)),
      });
      expect(res.status).toBe(200);
    }
    clock = Date.now();
    const page = await context.newPage();
    await page.goto(`${relay.url}/v/default`);
    await page.getByRole('link', { name: 'History' }).click();
    await expect(page).toHaveURL(/#history$/);
    await expect(page.locator('lw-history-page')).toContainText('read-only');
    await expect(page.locator('lw-history-dashboard [data-status]')).toHaveAttribute('data-status', 'ready');
    await expect(page.locator('#chart-time')).not.toHaveAttribute('data-points', '0');
    await expect(page.locator('lw-history-dashboard [data-slots] tbody tr')).toHaveCount(4);
    await expect(page.locator('lw-history-dashboard [data-slots]')).toContainText('S1');
    // Read-only: no raw events (a relay keeps states) and no storage settings.
    await expect(page.getByRole('button', { name: 'Events CSV' })).toHaveCount(0);
    await expect(page.locator('lw-history-dashboard [data-storage]')).toHaveCount(0);
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Slots CSV' }).click()]);
    expect(parseCsv(readFileSync((await file.path())!, 'utf8').slice(1))).toHaveLength(5);
    await page.getByRole('link', { name: 'Live' }).click();
    await expect(page.locator('lw-viewer')).toBeVisible();
  } finally {
    await context.close();
    await relay.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
