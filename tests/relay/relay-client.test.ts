// The browser relay client (src/share/relay-client.ts), driven from Node with the `ws` package against the real relay:
// reconnecting after a relay restart, resuming, and re-sending the publisher's current state.
import { afterAll, afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';
import {
  backoffDelay,
  checkRelay,
  createLot,
  createPublisher,
  toWebSocketUrl,
  viewerUrl,
  watchLot,
  type Publisher,
  type PublisherStatus,
  type ViewerSubscription,
  type ViewerView,
  type WebSocketConstructor,
} from '../../src/share/relay-client.ts';
import { TOKEN, lotState, postState, removeTempDirs, startTestRelay, tempDir, until, type TestRelay } from './support.ts';

// Both the browser's WebSocket and the ws package's fit the injected constructor.
expectTypeOf<typeof globalThis.WebSocket>().toMatchTypeOf<WebSocketConstructor>();
expectTypeOf<typeof WebSocket>().toMatchTypeOf<WebSocketConstructor>();

const fast = { baseMs: 30, maxMs: 200, maxAttempts: 100 };
const relays: TestRelay[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await Promise.all(relays.splice(0).map((r) => r.close()));
});
afterAll(removeTempDirs);

async function relayFor(...args: Parameters<typeof startTestRelay>) {
  const r = await startTestRelay(...args);
  relays.push(r);
  return r;
}

function viewer(relay: TestRelay, lot = 'default') {
  const views: ViewerView[] = [];
  const sub: ViewerSubscription = watchLot({ url: relay.url, lot, WebSocket, backoff: fast, onChange: (v) => views.push(v) });
  closers.push(() => sub.close());
  return { sub, views };
}

function publisherFor(relay: TestRelay, token = TOKEN, lot = 'default') {
  const statuses: PublisherStatus[] = [];
  const pub: Publisher = createPublisher({
    url: relay.url,
    lot,
    token,
    WebSocket,
    backoff: fast,
    minIntervalMs: 0,
    onStatus: (s) => statuses.push(s),
  });
  closers.push(() => pub.close());
  return { pub, statuses };
}

const waitView = (views: ViewerView[], ok: (v: ViewerView) => boolean, ms = 4000) =>
  until(() => views.find(ok), ms);

describe('pure helpers', () => {
  it('backoff grows, is capped, and is jittered within [half, all] of the step', () => {
    const o = { baseMs: 100, maxMs: 1000, maxAttempts: Infinity };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, o, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, o, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(backoffDelay(1e6, o, () => 0.5)).toBe(750);
  });

  it('makes WebSocket and viewer URLs from the page origin', () => {
    expect(toWebSocketUrl('http://192.168.1.5:8080', '/lots/a/live')).toBe('ws://192.168.1.5:8080/lots/a/live');
    expect(toWebSocketUrl('https://lot.example/', '/lots/a/publish')).toBe('wss://lot.example/lots/a/publish');
    expect(viewerUrl('https://lot.example', 'north')).toBe('https://lot.example/v/north');
  });
});

describe('against the relay', () => {
  it('createLot returns the token once; a second create of the same lot fails clearly', async () => {
    const relay = await relayFor();
    const created = await createLot(relay.url, 'north', fetch);
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(created.value.viewer_path).toBe('/v/north');
    expect((await postState(relay.url, 'north', created.value.token, lotState(1, 2))).status).toBe(200);
    const again = await createLot(relay.url, 'north', fetch);
    expect(again).toMatchObject({ ok: false, error: expect.stringContaining('already'), problem: { kind: 'refused', advice: expect.stringContaining('publish token') } });
    const down = await createLot('http://127.0.0.1:1', null, fetch);
    expect(down).toMatchObject({ ok: false, problem: { kind: 'unreachable', message: 'Nothing answered at http://127.0.0.1:1' } });
    expect(await checkRelay(relay.url, fetch)).toEqual({ ok: true, value: true });
  });

  it('createLot passes the operator token to a relay that lets only its operator create lots', async () => {
    const relay = await relayFor({ lotCreation: 'operator', operatorToken: 'operator-token-0123456789' });
    expect(await createLot(relay.url, 'north', fetch)).toMatchObject({
      ok: false,
      error: expect.stringContaining('needs the operator token'),
      problem: { kind: 'refused', advice: expect.stringContaining('enter the operator token') },
    });
    const created = await createLot(relay.url, 'north', fetch, 'operator-token-0123456789');
    expect(created.ok && created.value.lot).toBe('north');
  });

  it('a viewer goes live with the publisher, shows "offline since" when it leaves', async () => {
    const relay = await relayFor();
    const { views } = viewer(relay);
    await waitView(views, (v) => v.status === 'offline' && v.state === null);
    expect(views[0]?.status).toBe('offline');
    const { pub } = publisherFor(relay);
    const s = lotState(2, 4);
    expect(pub.publish(s).ok).toBe(true);
    const live = await waitView(views, (v) => v.status === 'live' && v.state?.occupied_slots === 2);
    expect(live).toMatchObject({ publisherOnline: true, offlineSince: null, state: { last_updated: s.last_updated } });
    pub.close();
    const off = await waitView(views, (v) => v.status === 'offline' && v.offlineSince !== null);
    // The last numbers stay, marked offline, not presented as live.
    expect(off).toMatchObject({ publisherOnline: false, state: { occupied_slots: 2 } });
  });

  it('the publisher refuses invalid states locally and coalesces bursts to the latest', async () => {
    const relay = await relayFor();
    const statuses: PublisherStatus[] = [];
    const pub = createPublisher({ url: relay.url, lot: 'default', token: TOKEN, WebSocket, backoff: fast, minIntervalMs: 200, onStatus: (s) => statuses.push(s) });
    closers.push(() => pub.close());
    expect(pub.publish({ ...lotState(1, 2), available_slots: 5 }).ok).toBe(false);
    await until(() => (pub.status === 'live' ? true : undefined));
    const { views } = viewer(relay);
    await waitView(views, (v) => v.status === 'live');
    for (let i = 0; i <= 10; i++) pub.publish(lotState(i, 10));
    const last = await waitView(views, (v) => v.state?.occupied_slots === 10);
    expect(last.state?.occupied_slots).toBe(10);
    // 11 publishes in a burst became far fewer sends.
    const seen = new Set(views.map((v) => v.state?.occupied_slots));
    expect(seen.size).toBeLessThan(6);
  });

  it('a viewer reconnects after the relay restarts and resumes from the stored state', async () => {
    const dataDir = tempDir();
    const first = await relayFor({ dataDir });
    const s = lotState(5, 8);
    await postState(first.url, 'default', TOKEN, s);
    const { views } = viewer(first);
    await waitView(views, (v) => v.state?.occupied_slots === 5);
    const port = first.port;
    await first.close();
    await waitView(views, (v) => v.status === 'unreachable');
    // Same port, same data folder: a restart.
    const second = await relayFor({ dataDir, port });
    const count = views.length;
    const back = await until(() => views.slice(count).find((v) => v.status !== 'unreachable'), 5000);
    expect(back).toMatchObject({ state: { occupied_slots: 5, last_updated: s.last_updated } });
    // And it is live again: new states arrive.
    await postState(second.url, 'default', TOKEN, lotState(6, 8));
    await waitView(views, (v) => v.state?.occupied_slots === 6);
  });

  it('a publisher that was cut off sends its current state again when the relay is back', async () => {
    const first = await relayFor();
    const { pub, statuses } = publisherFor(first);
    const s = lotState(3, 6);
    pub.publish(s);
    await until(async () => {
      const r = await fetch(`${first.url}/metadata`);
      return r.status === 200 ? true : undefined;
    });
    const port = first.port;
    await first.close();
    await until(() => (statuses.includes('unreachable') ? true : undefined));
    // A relay that lost everything (new data folder), started with the same token: only a re-send can restore it.
    const second = await relayFor({ port, dataDir: tempDir() });
    const restored = await until(async () => {
      const r = await fetch(`${second.url}/metadata`);
      return r.status === 200 ? ((await r.json()) as { occupied_slots: number; last_updated: string }) : undefined;
    }, 5000);
    expect(restored).toMatchObject({ occupied_slots: 3, last_updated: s.last_updated });
    expect(statuses.filter((x) => x === 'live').length).toBe(2);
  });

  it('a publisher with a wrong token stops as "refused" instead of retrying', async () => {
    const relay = await relayFor();
    const { pub, statuses } = publisherFor(relay, 'wrong-token-0123456789abcdef');
    await until(() => (statuses.includes('refused') ? true : undefined));
    expect(pub.status).toBe('refused');
    expect(statuses).not.toContain('live');
  });

  it('a viewer of an unknown lot stops with a reason instead of retrying', async () => {
    const relay = await relayFor();
    const { views } = viewer(relay, 'nope');
    const final = await waitView(views, (v) => v.error !== null);
    expect(final).toMatchObject({ status: 'unreachable', error: 'no lot "nope" on this relay' });
    expect(views).toHaveLength(1);
  });

  it('a viewer gives up after maxAttempts when the relay never answers', async () => {
    const views: ViewerView[] = [];
    const sub = watchLot({ url: 'http://127.0.0.1:1', lot: 'default', WebSocket, backoff: { baseMs: 10, maxMs: 20, maxAttempts: 3 }, onChange: (v) => views.push(v) });
    closers.push(() => sub.close());
    const final = await waitView(views, (v) => v.error !== null);
    expect(final.status).toBe('unreachable');
    // Three retries, then the final report.
    expect(views).toHaveLength(4);
  });
});

describe('a relay that accepts TCP but never answers', () => {
  it('abandons the attempt after openTimeoutMs, retries, and closes cleanly while connecting', async () => {
    const { createServer } = await import('node:net');
    const held: import('node:net').Socket[] = [];
    let closedOnServer = 0;
    const silent = createServer((s) => {
      held.push(s);
      // Read (and ignore) the upgrade request, so the client's hang-up is seen.
      s.resume();
      s.on('close', () => closedOnServer++);
    });
    await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    try {
      const views: ViewerView[] = [];
      const sub = watchLot({
        url: `http://127.0.0.1:${port}`,
        lot: 'default',
        WebSocket,
        openTimeoutMs: 100,
        backoff: { baseMs: 10, maxMs: 20, maxAttempts: 100 },
        onChange: (v) => views.push(v),
      });
      await until(() => (held.length >= 2 ? true : undefined), 3000);
      // The first attempt timed out and was reported; every report so far says the relay cannot be reached.
      expect(views.length).toBeGreaterThan(0);
      expect(views.every((v) => v.status === 'unreachable' && v.error === null)).toBe(true);
      // Closing while an attempt is still connecting drops that connection and reports nothing more.
      const reported = views.length;
      sub.close();
      await until(() => (closedOnServer === held.length ? true : undefined), 3000);
      const attempts = held.length;
      // Ten backoff periods: a subscription that kept retrying would have connected again by now.
      await new Promise((r) => setTimeout(r, 200));
      expect(held.length).toBe(attempts);
      expect(views).toHaveLength(reported);
    } finally {
      for (const s of held) s.destroy();
      silent.close();
    }
  });
});
