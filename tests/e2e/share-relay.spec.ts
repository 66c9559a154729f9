// The relay end to end: the built app served by a real relay on 127.0.0.1 publishes; a viewer page, a raw WebSocket
// client on /ws and GET /metadata follow; the viewer comes back by itself after the relay restarts.
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startRelay, type RunningRelay } from '../../relay/src/relay.ts';
import { DEFAULT_CONFIG, type RelayConfig } from '../../relay/src/config.ts';
import { fixturesAvailable } from '../support/fixtures.ts';
import { recordCspViolations } from './support/csp.ts';
import { CAR, countWithSlots, counts, drawRect, SEDAN, SKY, stopCounting } from './support/app.ts';
import { setPageHidden } from './support/pwa.ts';
import { ROOT } from './support/paths.ts';

test.skip(!fixturesAvailable(), 'fixtures (../shared/fixtures) not found: the fake camera needs the lot video');

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
let dataDir = '';
test.beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'lotwatch-e2e-relay-'));
});
test.afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function relayConfig(port: number): RelayConfig {
  return {
    ...DEFAULT_CONFIG,
    port,
    host: '127.0.0.1',
    lot: 'default',
    dataDir,
    token: null,
    dist: join(ROOT, 'dist'),
    tls: null,
    offlineAfterMs: 30_000,
    pingIntervalMs: 30_000,
    maxLots: 10,
    maxConnections: 100,
  };
}

/** A port on 127.0.0.1 where nothing listens (taken from the system, then let go). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * A relay that does not let this page's origin in, as one limited to its own origin does: it answers every request
 * (with the relay's Cross-Origin-Resource-Policy), but without CORS headers, so the page may not read the answers.
 */
async function startStranger(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(201, { 'Content-Type': 'application/json', 'Cross-Origin-Resource-Policy': 'cross-origin' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  // close() alone waits for Chromium's open sockets to this server, which it sometimes keeps for minutes (one CI
  // run hung here for the whole test timeout): end them, as the relay does when it stops.
  const close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return { url: `http://127.0.0.1:${port}`, close };
}

/** Collects the JSON messages of a raw WebSocket client, like the original system's web page. */
function listen(url: string): { messages: unknown[]; close(): void } {
  const messages: unknown[] = [];
  const ws = new WebSocket(url);
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  return { messages, close: () => ws.close() };
}

test('counting app → relay → viewer link, /ws and /metadata; the viewer reconnects after a relay restart', async ({ browser }) => {
  // Two counting phases, a relay restart and both clients' reconnect backoff: more than the default 2 minutes.
  test.setTimeout(240_000);
  let relay: RunningRelay = await startRelay(relayConfig(0), { log: quiet });
  const port = relay.port;
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    const app = await context.newPage();
    // The relay serves the app under its Content-Security-Policy: counting, publishing and viewing must not need
    // anything it blocks.
    const appCsp = await recordCspViolations(app);
    await app.goto(`${relay.url}/`);
    await countWithSlots(app, [SEDAN, SKY]);
    await expect.poll(() => counts(app), { timeout: 45_000 }).toEqual({ available: 1, occupied: 1, total: 2 });

    // Set up publishing from the Share panel. Addresses that are not a usable relay say which case it is and what to
    // try, never a bare "Failed to fetch": nothing listening, and a server that answers but not to this page (CORS).
    await app.getByText('Share', { exact: true }).click();
    const problem = app.locator('lw-share-panel [data-relay-problem]');
    const closed = await closedPort();
    await app.getByLabel('Relay address').fill(`http://127.0.0.1:${closed}`);
    await app.getByRole('button', { name: 'Create lot and publish' }).click();
    await expect(problem).toHaveAttribute('data-relay-problem', 'unreachable');
    await expect(problem).toContainText(`Nothing answered at http://127.0.0.1:${closed}`);
    const stranger = await startStranger();
    try {
      await app.getByLabel('Relay address').fill(stranger.url);
      await app.getByRole('button', { name: 'Create lot and publish' }).click();
      await expect(problem).toHaveAttribute('data-relay-problem', 'cors');
      await expect(problem).toContainText(`does not let this page (${relay.url}) read its answers`);
    } finally {
      await stranger.close();
    }
    await expect(app.locator('lw-share-panel')).not.toContainText('Failed to fetch');

    // The relay creates the lot and shows its token once.
    await app.getByLabel('Relay address').fill(relay.url);
    await app.getByRole('button', { name: 'Create lot and publish' }).click();
    await expect(app.locator('lw-share-panel [data-token]')).toHaveText(/^[A-Za-z0-9_-]{16,}$/);
    // The token is shown once: one tap copies it.
    await app.getByRole('button', { name: 'Copy token' }).click();
    expect(await app.evaluate(() => navigator.clipboard.readText())).toBe(await app.locator('lw-share-panel [data-token]').textContent());
    await expect(app.locator('lw-share-panel .status')).toHaveAttribute('data-status', 'live');
    const link = await app.locator('lw-share-panel [data-viewer-link]').getAttribute('href');
    expect(link).toBe(`${relay.url}/v/default`);
    await expect(app.locator('lw-share-panel .qr svg')).toBeVisible();

    // The original API: GET /metadata with exactly its four keys, and /ws with the current state then updates.
    await expect.poll(async () => (await fetch(`${relay.url}/metadata`)).status).toBe(200);
    const original = await (await fetch(`${relay.url}/metadata`)).json();
    expect(Object.keys(original).sort()).toEqual(['available_slots', 'last_updated', 'occupied_slots', 'total_slots']);
    expect(original).toMatchObject({ total_slots: 2, occupied_slots: 1, available_slots: 1 });
    const rich = await (await fetch(`${relay.url}/lots/default/metadata`)).json();
    expect(rich.slots).toHaveLength(2);
    expect(rich.layout.slots).toHaveLength(2);
    expect(rich.publisher.online).toBe(true);
    const ws = listen(`ws://127.0.0.1:${port}/ws`);

    // A viewer anywhere: the link opens a read-only live view.
    const viewer = await context.newPage();
    const viewerCsp = await recordCspViolations(viewer);
    await viewer.goto(link!);
    await expect(viewer.locator('lw-viewer .badge')).toHaveAttribute('data-status', 'live');
    await expect.poll(() => counts(viewer)).toEqual({ available: 1, occupied: 1, total: 2 });
    await expect(viewer.locator('lw-lot-map g[data-state="occupied"]')).toHaveCount(1);

    // A change on the counter reaches the viewer and the raw /ws client.
    await app.bringToFront();
    await app.getByRole('button', { name: 'Edit slots' }).click();
    await drawRect(app, CAR[0], CAR[1]);
    await app.getByRole('button', { name: 'Done editing' }).click();
    await expect.poll(() => counts(viewer), { timeout: 45_000 }).toEqual({ available: 1, occupied: 2, total: 3 });
    await expect
      .poll(() => ws.messages.at(-1), { timeout: 10_000 })
      .toEqual({ event: 'update', data: { occupied: 2, available: 1, total: 3, last_updated: expect.any(String) } });
    expect(ws.messages[0]).toMatchObject({ event: 'update', data: { total: 2 } });
    ws.close();
    expect(await appCsp()).toEqual([]);
    expect(await viewerCsp()).toEqual([]);

    // The relay goes away: the viewer says so instead of presenting stale numbers as live…
    await relay.close();
    await expect(viewer.locator('lw-viewer .badge')).toHaveAttribute('data-status', 'unreachable', { timeout: 15_000 });
    // …and comes back by itself when the relay restarts with the same data; the state survived the restart.
    relay = await startRelay(relayConfig(port), { log: quiet });
    await expect(viewer.locator('lw-viewer .badge')).toHaveAttribute('data-status', 'live', { timeout: 45_000 });
    await expect.poll(() => counts(viewer)).toEqual({ available: 1, occupied: 2, total: 3 });
    await expect(app.locator('lw-share-panel .status')).toHaveAttribute('data-status', 'live', { timeout: 45_000 });

    // The counter goes to the background, then stops with its tab left open: viewers, the presence, the rich metadata
    // and the original API's header say so within 5 s, instead of "live" with frozen numbers.
    const says = async () => {
      const res = await fetch(`${relay.url}/metadata`);
      const rich = await (await fetch(`${relay.url}/lots/default/metadata`)).json();
      return { header: res.headers.get('x-lotwatch-publisher'), status: rich.status?.state, presence: rich.publisher.status?.state };
    };
    await setPageHidden(app, true);
    await expect(viewer.locator('lw-viewer .badge')).toHaveAttribute('data-status', 'paused', { timeout: 5_000 });
    await expect(viewer.locator('lw-notice[data-problem="paused"]')).toContainText('in the background');
    expect(await says()).toEqual({ header: 'online; status=paused; reason=page-hidden', status: 'paused', presence: 'paused' });
    await setPageHidden(app, false);
    await expect(viewer.locator('lw-viewer .badge')).toHaveAttribute('data-status', 'live', { timeout: 5_000 });
    await stopCounting(app);
    await expect(viewer.locator('lw-viewer .badge')).toHaveAttribute('data-status', 'stopped', { timeout: 5_000 });
    await expect(viewer.locator('lw-status-bar [data-counting]')).toHaveAttribute('data-counting', 'stopped');
    await expect.poll(says, { timeout: 5_000 }).toEqual({ header: 'online; status=stopped', status: 'stopped', presence: 'stopped' });
    // The last numbers stay on show, marked as not live.
    expect(await counts(viewer)).toEqual({ available: 1, occupied: 2, total: 3 });
  } finally {
    await context.close();
    await relay.close();
  }
});

test('a relay that faces the internet: the Share panel creates the lot with the operator token; no site can frame the app', async ({ browser }) => {
  const operatorToken = 'e2e-operator-token-0123456789';
  const relay = await startRelay({ ...relayConfig(0), lotCreation: 'operator', operatorToken }, { log: quiet });
  const context = await browser.newContext();
  try {
    const app = await context.newPage();
    await app.goto(`${relay.url}/`);
    await app.getByText('Share', { exact: true }).click();
    await app.getByLabel('Relay address').fill(relay.url);
    await app.getByLabel('Lot name').fill('gate');
    await app.getByRole('button', { name: 'Create lot and publish' }).click();
    await expect(app.locator('lw-share-panel [role=alert]')).toContainText('needs the operator token');
    await app.getByLabel('Operator token').fill(operatorToken);
    await app.getByRole('button', { name: 'Create lot and publish' }).click();
    await expect(app.locator('lw-share-panel [data-token]')).toHaveText(/^[A-Za-z0-9_-]{43}$/);
    await expect(app.locator('lw-share-panel .status')).toHaveAttribute('data-status', 'live');
    await expect.poll(async () => (await (await fetch(`${relay.url}/lots/gate/metadata`)).json()).lot).toBe('gate');

    // Another site framing the app gets nothing: frame-ancestors 'none'.
    const framer = await context.newPage();
    const framed = await recordCspViolations(framer);
    await framer.setContent(`<iframe src="${relay.url}/"></iframe>`);
    await expect.poll(framed).toContainEqual(expect.stringContaining("frame-ancestors 'none'"));
  } finally {
    await context.close();
    await relay.close();
  }
});
