// For lot operators, in the real app: zones, kinds and closed slots set on selected slots in the editor show in the
// status panel and Monitor mode; a relay viewer of a lot seen by three cameras says how many are online, draws one
// map per camera and says when the counts are partial.
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { DEFAULT_CONFIG } from '../../relay/src/config.ts';
import { startRelay } from '../../relay/src/relay.ts';
import { breakdown, type SlotMetadata } from '../../src/share/metadata.ts';
import type { PublishedState } from '../../src/share/protocol.ts';
import { fixturesAvailable } from '../support/fixtures.ts';
import { countWithSlots, counts, overlay, SEDAN, SKY } from './support/app.ts';
import { ROOT } from './support/paths.ts';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

test('zone, kind and closure set on selected slots: the closed slot is grey and out of the counts, zones and kinds are shown', async ({ page }) => {
  test.skip(!fixturesAvailable(), 'fixtures (../shared/fixtures) not found: the fake camera needs the lot video');
  await page.goto('/');
  await countWithSlots(page, [SEDAN, SKY]);
  await expect.poll(() => counts(page), { timeout: 45_000 }).toEqual({ available: 1, occupied: 1, total: 2 });

  await page.getByRole('button', { name: 'Edit slots' }).click();
  await overlay(page).locator('g.slot[data-id="1"]').focus();
  await page.getByRole('button', { name: 'Zone, kind, closed…' }).click();
  const form = page.getByRole('form', { name: /Zone, kind and closure/ });
  await form.getByLabel('Zone').fill('Front row');
  await form.getByLabel('Kind').selectOption('disabled');
  await form.getByRole('button', { name: 'Apply' }).click();
  await overlay(page).locator('g.slot[data-id="2"]').focus();
  await form.getByLabel('Closed').check();
  await form.getByLabel('Reason').fill('resurfacing');
  await form.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('button', { name: 'Done editing' }).click();

  await expect(overlay(page).locator('g.slot[data-id="2"]')).toHaveAttribute('data-state', 'closed');
  await expect.poll(() => counts(page), { timeout: 20_000 }).toEqual({ available: 0, occupied: 1, total: 1 });
  const b = page.locator('lw-app .counts lw-breakdown');
  await expect(b.locator('[data-breakdown="zone:Front row"]')).toHaveText('Front row: 0 free of 1');
  await expect(b.locator('[data-breakdown="kind:disabled"]')).toHaveText('Disabled: 0 free of 1');
  await expect(b.locator('[data-breakdown="cameras"]')).toHaveText('1 closed');

  await page.getByRole('button', { name: 'Monitor mode' }).click();
  await expect(page.locator('lw-monitor-view lw-breakdown [data-breakdown="zone:Front row"]')).toBeVisible();
});

let clock = Date.now();
function cameraState(prefix: string, occupied: number): PublishedState {
  clock += 1000;
  const square = (i: number): [number, number][] => [[0.1 + i * 0.3, 0.3], [0.3 + i * 0.3, 0.3], [0.3 + i * 0.3, 0.6], [0.1 + i * 0.3, 0.6]];
  const slots: SlotMetadata[] = [0, 1].map((i) => ({
    id: String(i + 1), name: `${prefix}${i + 1}`, occupied: i < occupied, probability: 0.5, since: new Date(clock - 60_000).toISOString(), zone: `Row ${prefix}`,
  }));
  const b = breakdown(slots);
  return {
    total_slots: b.counts.total, occupied_slots: b.counts.occupied, available_slots: b.counts.available, last_updated: new Date(clock).toISOString(),
    slots, zones: b.zones, kinds: b.kinds,
    layout: { slots: slots.map((s, i) => ({ id: s.id, name: s.name, polygon: square(i), zone: s.zone })), frame: { width: 640, height: 360 } },
  };
}

test('a relay viewer of a lot seen by three cameras: "3 of 3 cameras online", one map each; a camera gone makes it partial', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lotwatch-e2e-cameras-'));
  const token = 'e2e-cameras-token-0123456789';
  const relay = await startRelay({ ...DEFAULT_CONFIG, port: 0, dataDir, token, dist: join(ROOT, 'dist') }, { log: quiet });
  const sockets: WebSocket[] = [];
  // Each camera on its own socket: going and coming back are events, not timeouts, however loaded the machine is.
  const camera = async (cam: string, occupied: number): Promise<WebSocket> => {
    const ws = new WebSocket(`${relay.url.replace('http', 'ws')}/lots/default/publish?camera=${cam}`);
    sockets.push(ws);
    await new Promise((r) => ws.once('open', r));
    const acked = new Promise((r) => ws.on('message', (d) => String(d).includes('"ack"') && r(null)));
    ws.send(JSON.stringify({ type: 'auth', token }));
    ws.send(JSON.stringify({ type: 'state', seq: 1, state: cameraState(cam.toUpperCase(), occupied) }));
    await acked;
    return ws;
  };
  try {
    await camera('a', 1);
    await camera('b', 1);
    const c = await camera('c', 0);

    await page.goto(`${relay.url}/v/default`);
    const badge = page.locator('lw-viewer header .badge');
    await expect(badge).toContainText('3 of 3 cameras online');
    await expect(page.locator('lw-lot-map h3')).toHaveText(['Camera a · online', 'Camera b · online', 'Camera c · online']);
    await expect(page.locator('lw-viewer lw-breakdown [data-breakdown="zone:Row C"]')).toHaveText('Row C: 2 free of 2');

    // Camera c is gone: its slots are unknown, never free.
    c.terminate();
    await expect(badge).toContainText('2 of 3 cameras online');
    await expect(page.locator('lw-viewer lw-breakdown [data-breakdown="cameras"]')).toContainText('partial counts');
    await expect(page.locator('lw-lot-map g[data-id="c/1"]')).toHaveAttribute('data-state', 'unknown');
    await expect.poll(() => counts(page)).toEqual({ available: 2, occupied: 2, total: 4 });

    await camera('c', 0);
    await expect(badge).toContainText('3 of 3 cameras online');
    await expect.poll(() => counts(page)).toEqual({ available: 4, occupied: 2, total: 6 });
  } finally {
    for (const s of sockets) s.terminate();
    await relay.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
