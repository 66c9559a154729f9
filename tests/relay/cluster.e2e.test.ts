// Several relays as an operator runs them (deploy/): PostgreSQL, Redis, three relays started with the systemd unit's
// command line and environment, nginx with the deploy template, all on 127.0.0.1. Clients are the app's own relay
// client (its backoff included), raw WebSockets, and the original system's web page in Chromium.
import { chromium } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AlertEvent } from '../../relay/src/alerts.ts';
import type { DeliveryRecord } from '../../relay/src/ops-store.ts';
import { CHROMIUM_PATH, QUIET_FLAGS } from '../../playwright.config.ts';
import { createPublisher, watchLot, type Publisher, type ViewerSubscription, type ViewerView } from '../../src/share/relay-client.ts';
import { CLOSE, type PublishedState } from '../../src/share/protocol.ts';
import { OPERATOR_TOKEN, startCluster, type Cluster } from '../support/cluster.ts';
import { enginesAvailable } from '../support/engines.ts';
import { mosquittoAvailable, startMosquitto, type Broker } from './mosquitto.ts';
import { Client, isType, isUpdate, until } from './support.ts';

const ready = enginesAvailable('postgres', 'redis', 'nginx');
// Without mosquitto (outside CI) the cluster is tested without MQTT.
const withMqtt = ready && mosquittoAvailable();
let cluster: Cluster;
let broker: Broker | null = null;
/** Every MQTT message the relays sent, as `<topic> <payload>`, in order. */
const mqttSeen: string[] = [];
let mqttWatcher: MqttClient | null = null;
const closers: (() => void)[] = [];

beforeAll(async () => {
  if (!ready) return;
  if (withMqtt) {
    broker = await startMosquitto();
    mqttWatcher = await connectAsync(broker.url);
    mqttWatcher.on('message', (topic, payload) => mqttSeen.push(`${topic} ${payload.toString()}`));
    await mqttWatcher.subscribeAsync(['lotwatch/status', 'lotwatch/+/event', 'lotwatch/+/state']);
  }
  cluster = await startCluster({
    // Webhooks to a receiver on 127.0.0.1; every relay with the same MQTT broker (one environment file for all).
    env: { LOTWATCH_ALLOW_PRIVATE_WEBHOOKS: '1', ...(broker ? { LOTWATCH_MQTT_URL: broker.url } : {}) },
  });
}, 180_000);
afterAll(async () => {
  for (const c of closers.splice(0)) c();
  await cluster?.stop();
  await mqttWatcher?.endAsync();
  await broker?.stop();
}, 60_000);

const LOT = 'north';
let lotToken = '';
let clock = Date.parse('2026-03-10T08:00:00Z');
const published: PublishedState[] = [];

/** Each call a later state of four bays, distinct by its `last_updated`. */
function nextState(): PublishedState {
  clock += 1000;
  const n = published.length;
  const slots = ['a', 'b', 'c', 'd'].map((id, i) => ({ id, name: id.toUpperCase(), occupied: ((n >> i) & 1) === 1, probability: 0.9, since: new Date(clock).toISOString() }));
  const occupied = slots.filter((s) => s.occupied).length;
  const s = { total_slots: 4, occupied_slots: occupied, available_slots: 4 - occupied, last_updated: new Date(clock).toISOString(), slots };
  published.push(s);
  return s;
}

function post(base: string, path: string, body: unknown, token: string): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
}

function client(url: string): Client {
  const c = new Client(url);
  closers.push(() => c.close());
  return c;
}

/** The app's publisher through `base`, with each publish awaiting its acknowledgement. */
function publisherVia(base: string) {
  const acks: ((seq: number | null) => void)[] = [];
  const pub: Publisher = createPublisher({
    url: base, lot: LOT, token: lotToken, WebSocket: WebSocket as never,
    onAck: (_rev, seq) => acks.shift()?.(seq),
  });
  closers.push(() => pub.close());
  return {
    pub,
    /** Publishes the next state and resolves with it once stored (across reconnects), at most `timeoutMs`. */
    async send(timeoutMs = 15_000): Promise<PublishedState> {
      const s = nextState();
      const acked = new Promise<void>((ok, fail) => {
        const t = setTimeout(() => fail(new Error(`no ack for ${s.last_updated}`)), timeoutMs);
        acks.push(() => {
          clearTimeout(t);
          ok();
        });
      });
      pub.publish(s);
      await acked;
      return s;
    },
  };
}

const stampsOf = (c: Client, type: 'state' | 'update') =>
  c.messages
    .filter(type === 'state' ? isType('state') : isUpdate)
    .map((m) => (type === 'state' ? (m as { state: PublishedState }).state.last_updated : (m as { data: { last_updated: string } }).data.last_updated));

/** The history report for a range that has ended, so every relay computes it from the same data. */
async function historyAt(base: string, from: number, to: number): Promise<unknown> {
  const res = await fetch(`${base}/lots/${LOT}/history?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&step=1m`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as Record<string, unknown>;
  return { series: body.series, slots: body.slots, summary: body.summary };
}

describe.runIf(ready)('a relay cluster: 3 relays, nginx, Redis, PostgreSQL', () => {
  let historyWindow: [number, number] = [0, 0];
  let pubVia: ReturnType<typeof publisherVia>;

  it('serves a lot created through nginx from every relay: each relay\'s viewers get every state in order, metadata and history are the same everywhere', async () => {
    const res = await post(cluster.nginx.url, '/lots', { lot: LOT }, OPERATOR_TOKEN);
    expect(res.status).toBe(201);
    lotToken = ((await res.json()) as { token: string }).token;

    const live = cluster.relays.map((r) => client(`${r.ws}/lots/${LOT}/live`));
    const raw = cluster.relays.map((r) => client(`${r.ws}/ws?lot=${LOT}`));
    await Promise.all([...live, ...raw].map((c) => c.opened));
    await Promise.all(live.map((c) => c.waitFor(isType('snapshot'))));

    pubVia = publisherVia(cluster.nginx.url);
    const sent: PublishedState[] = [];
    for (let i = 0; i < 12; i++) sent.push(await pubVia.send());
    const stamps = sent.map((s) => s.last_updated);
    for (const c of live) await until(() => (stampsOf(c, 'state').length >= sent.length ? true : undefined), 5000);
    for (const c of raw) await until(() => (stampsOf(c, 'update').length >= sent.length ? true : undefined), 5000);
    for (const c of live) expect(stampsOf(c, 'state')).toEqual(stamps);
    for (const c of raw) expect(stampsOf(c, 'update')).toEqual(stamps);
    // Presence is the same on every relay: online, whichever relay the publisher is on.
    for (const c of live) expect(c.messages.filter(isType('presence')).at(-1)).toMatchObject({ publisher: { online: true } });

    const bodies = await Promise.all(cluster.relays.map(async (r) => (await fetch(`${r.url}/lots/${LOT}/metadata`)).json()));
    expect(bodies[0]).toMatchObject({ lot: LOT, last_updated: stamps.at(-1), publisher: { online: true } });
    for (const b of bodies) expect(b).toEqual(bodies[0]);

    // A range that has ended: every relay answers it from the same rows.
    const rows = await cluster.pg.sql('SELECT min(received_at) AS a, max(received_at) AS b FROM history_states WHERE lot = $1', [LOT], 'lotwatch');
    historyWindow = [Number(rows.rows[0].a) - 60_000, Number(rows.rows[0].b) + 1];
    const reports = await Promise.all(cluster.relays.map((r) => historyAt(r.url, ...historyWindow)));
    expect((reports[0] as { summary: unknown }).summary).toBeTruthy();
    for (const r of reports) expect(r).toEqual(reports[0]);
  });

  it('lets exactly one of two relays create a lot both are asked for at the same moment', async () => {
    for (let i = 0; i < 4; i++) {
      const [a, b] = await Promise.all([0, 1].map((k) => post(cluster.relays[k]!.url, '/lots', { lot: `race-${i}` }, OPERATOR_TOKEN)));
      expect([a!.status, b!.status].sort()).toEqual([201, 409]);
    }
  });

  it('applies the open-internet rules across relays: lots are created with the operator token behind nginx, one client\'s budget is shared by the relays, and a lot deleted on one relay closes its sockets on all', async () => {
    const json = { 'Content-Type': 'application/json' };
    // The relays trust nginx (--trust-proxy 127.0.0.1): creation is the operator's.
    const anon = await fetch(`${cluster.nginx.url}/lots`, { method: 'POST', headers: json, body: JSON.stringify({ lot: 'anonymous' }) });
    expect(anon.status).toBe(401);
    // One client (its address from X-Forwarded-For, as nginx passes it) spread over the three relays: the POST budget
    // (a burst of 40, 20/s) is one budget, not three.
    const t0 = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        fetch(`${cluster.relays[i % 3]!.url}/lots/${LOT}/state`, { method: 'POST', headers: { ...json, 'X-Forwarded-For': '198.51.100.7' }, body: '{}' }).then((r) => r.status),
      ),
    );
    const allowed = statuses.filter((st) => st !== 429).length;
    expect(allowed).toBeLessThanOrEqual(40 + Math.ceil(((Date.now() - t0) / 1000) * 20));
    expect(statuses.filter((st) => st === 429).length).toBeGreaterThan(0);

    const made = await post(cluster.nginx.url, '/lots', { lot: 'doomed' }, OPERATOR_TOKEN);
    const token = ((await made.json()) as { token: string }).token;
    const viewers = cluster.relays.map((r) => client(`${r.ws}/lots/doomed/live`));
    await Promise.all(viewers.map((v) => v.waitFor(isType('snapshot'))));
    const gone = await fetch(`${cluster.relays[1]!.url}/lots/doomed`, { method: 'DELETE', headers: { ...json, Authorization: `Bearer ${token}` } });
    expect(gone.status).toBe(204);
    for (const v of viewers) expect((await v.waitClosed(5000)).code).toBe(CLOSE.unknownLot);
    for (const r of cluster.relays) expect((await fetch(`${r.url}/lots/doomed/metadata`)).status).toBe(404);
  });

  it('shares the operators\' data and sends each alert once: two cameras on two relays merge into one lot, and each lot_full gives one webhook delivery and one MQTT event', async () => {
    const made = await post(cluster.nginx.url, '/lots', { lot: 'cams' }, OPERATOR_TOKEN);
    const token = ((await made.json()) as { token: string }).token;
    const got: AlertEvent[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        got.push(JSON.parse(body) as AlertEvent);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    closers.push(() => receiver.close());
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    // Set up on one relay, used by the others.
    expect((await post(cluster.relays[0]!.url, '/lots/cams/webhooks', { url: hookUrl, events: ['lot_full', 'available_again'] }, token)).status).toBe(201);

    // Camera "east" publishes through relay 1, "west" through relay 2, both at the same moment.
    const camState = (occupied: boolean) => {
      clock += 1000;
      const slots = ['1', '2'].map((id) => ({ id, name: id, occupied, probability: 0.9, since: new Date(clock).toISOString() }));
      const n = occupied ? 2 : 0;
      return { total_slots: 2, occupied_slots: n, available_slots: 2 - n, last_updated: new Date(clock).toISOString(), slots };
    };
    const both = async (occupied: boolean) => {
      const r = await Promise.all(['east', 'west'].map((cam, i) => post(cluster.relays[i + 1]!.url, `/lots/cams/state?camera=${cam}`, camState(occupied), token)));
      expect(r.map((x) => x.status)).toEqual([200, 200]);
    };
    const rounds = 3;
    for (let i = 0; i < rounds; i++) {
      await both(true);
      await until(() => (got.filter((e) => e.type === 'lot_full').length > i ? true : undefined), 10_000);
      await both(false);
      await until(() => (got.filter((e) => e.type === 'available_again').length > i ? true : undefined), 10_000);
    }
    // Every relay shows the merged lot and both cameras.
    const metas = await Promise.all(cluster.relays.map(async (r) => (await fetch(`${r.url}/lots/cams/metadata`)).json()));
    for (const m of metas) expect(m).toMatchObject({ total_slots: 4, available_slots: 4 });
    const cams = await Promise.all(cluster.relays.map(async (r) => ((await (await fetch(`${r.url}/lots/cams/cameras`)).json()) as { cameras: { camera: string }[] }).cameras.map((c) => c.camera)));
    for (const c of cams) expect(c).toEqual(['east', 'west']);

    // Once per transition: no relay sent an event twice, and the log (read on any relay) has one delivery per event.
    const types = got.map((e) => e.type);
    expect(types).toEqual(Array.from({ length: rounds }, () => ['lot_full', 'available_again']).flat());
    expect(new Set(got.map((e) => e.id)).size).toBe(got.length);
    for (const r of cluster.relays) {
      const res = await fetch(`${r.url}/lots/cams/deliveries`, { headers: { Authorization: `Bearer ${token}` } });
      const log = ((await res.json()) as { deliveries: DeliveryRecord[] }).deliveries;
      expect(log.map((d) => d.event_id).sort()).toEqual(got.map((e) => e.id).sort());
    }
    if (withMqtt) {
      const events = () => mqttSeen.filter((m) => m.startsWith('lotwatch/cams/event '));
      await until(() => (events().length >= got.length ? true : undefined), 5000);
      expect(events().map((m) => (JSON.parse(m.slice(m.indexOf(' ') + 1)) as AlertEvent).id).sort()).toEqual(got.map((e) => e.id).sort());
      // Each stored state of the lot went to the broker once, not once per relay.
      const rows = await cluster.pg.sql("SELECT revision FROM lots WHERE id = 'cams'", [], 'lotwatch');
      const revision = Number(rows.rows[0].revision);
      const states = () => mqttSeen.filter((m) => m.startsWith('lotwatch/cams/state '));
      await until(() => (states().length >= revision ? true : undefined), 5000);
      expect(states()).toHaveLength(revision);
    }
  });

  it('survives kill -9 of the publisher\'s relay: everyone is back through nginx within 10 s, nothing acknowledged is lost, history has no gap', async () => {
    const holders = cluster.relays.filter((r) => r.log().includes(`lot "${LOT}": publisher connected`));
    expect(holders).toHaveLength(1);
    const victim = holders[0]!;
    const survivors = cluster.relays.filter((r) => r !== victim);
    // Viewers through nginx (spread over the relays), and viewers pinned to the relays that stay.
    const views: { sub: ViewerSubscription; last: ViewerView | null; lostAt: number | null; backAt: number | null }[] = [];
    for (let i = 0; i < 6; i++) {
      const v = { sub: null as unknown as ViewerSubscription, last: null as ViewerView | null, lostAt: null as number | null, backAt: null as number | null };
      v.sub = watchLot({
        url: cluster.nginx.url, lot: LOT, WebSocket: WebSocket as never,
        onChange: (view) => {
          if (view.status === 'unreachable' && v.lostAt === null) v.lostAt = Date.now();
          if (view.status === 'live' && v.lostAt !== null && v.backAt === null) v.backAt = Date.now();
          v.last = view;
        },
      });
      closers.push(() => v.sub.close());
      views.push(v);
    }
    const pinned = survivors.map((r) => client(`${r.ws}/lots/${LOT}/live`));
    await Promise.all(pinned.map((c) => c.waitFor(isType('snapshot'))));
    await until(() => (views.every((v) => v.last?.status === 'live') ? true : undefined), 5000);

    const acked: PublishedState[] = [];
    for (let i = 0; i < 4; i++) acked.push(await pubVia.send());
    const killedAt = Date.now();
    await victim.kill();
    // Plain requests go on too: nginx marks the dead relay down on its first refused connection and asks the next.
    const answers = await Promise.all(Array.from({ length: 6 }, () => fetch(`${cluster.nginx.url}/lots/${LOT}/metadata`).then((r) => r.status)));
    expect(answers).toEqual(Array(6).fill(200));
    for (let i = 0; i < 6; i++) acked.push(await pubVia.send());

    // Everyone who lost the killed relay came back (to another, through nginx) within 10 s.
    const lost = views.filter((v) => v.lostAt !== null);
    expect(lost.length).toBeGreaterThan(0);
    await until(() => (lost.every((v) => v.backAt !== null) ? true : undefined), 10_000);
    for (const v of lost) expect(v.backAt! - killedAt).toBeLessThan(10_000);
    const last = acked.at(-1)!.last_updated;
    await until(() => (views.every((v) => v.last?.state?.last_updated === last) ? true : undefined), 5000);

    // Viewers on the other relays got every acknowledged state, in order, and never saw the counter go offline.
    for (const c of pinned) {
      await until(() => (stampsOf(c, 'state').includes(last) ? true : undefined), 5000);
      const got = stampsOf(c, 'state');
      for (const s of acked) expect(got).toContain(s.last_updated);
      expect([...got].sort()).toEqual(got);
      expect(c.messages.filter(isType('presence')).some((m) => !(m as { publisher: { online: boolean } }).publisher.online)).toBe(false);
    }
    // Every acknowledged state is in the history, in one unbroken span.
    const rows = await cluster.pg.sql('SELECT device_at FROM history_states WHERE lot = $1', [LOT], 'lotwatch');
    const stored = new Set(rows.rows.map((r) => Number(r.device_at)));
    expect(acked.filter((s) => !stored.has(Date.parse(s.last_updated)))).toEqual([]);
    const spans = await cluster.pg.sql('SELECT count(*)::int AS n FROM history_spans WHERE lot = $1', [LOT], 'lotwatch');
    expect(spans.rows[0].n).toBe(1);

    if (withMqtt) {
      // The dead relay's last will said "offline"; the relays alive answered "online".
      const status = () => mqttSeen.filter((m) => m.startsWith('lotwatch/status '));
      await until(() => (status().includes('lotwatch/status offline') && status().at(-1) === 'lotwatch/status online' ? true : undefined), 5000);
    }

    const i = cluster.relays.indexOf(victim);
    await cluster.restartRelay(i);
  });

  it('serves the same state and history after everything restarts', async () => {
    const before = await historyAt(cluster.nginx.url, ...historyWindow);
    for (const c of closers.splice(0)) c();
    await cluster.restartAll();
    const res = await fetch(`${cluster.nginx.url}/lots/${LOT}/metadata`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ lot: LOT, last_updated: published.at(-1)!.last_updated, publisher: { online: false } });
    expect(await historyAt(cluster.nginx.url, ...historyWindow)).toEqual(before);
    const viewer = client(`${cluster.nginx.url.replace('http', 'ws')}/lots/${LOT}/live`);
    const [snapshot] = await viewer.waitFor(isType('snapshot'), 1, 5000);
    expect(snapshot).toMatchObject({ state: { last_updated: published.at(-1)!.last_updated } });
  });

  it('keeps the original web page working through nginx: /ws updates and /metadata in their original shape', async () => {
    const res = await post(cluster.nginx.url, '/lots', { lot: 'default' }, OPERATOR_TOKEN);
    expect(res.status).toBe(201);
    const token = ((await res.json()) as { token: string }).token;
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: QUIET_FLAGS });
    try {
      const page = await browser.newPage();
      await page.setContent(ORIGINAL_INDEX_HTML.replace('ws://localhost:8000/ws', `${cluster.nginx.url.replace('http', 'ws')}/ws`));
      await page.waitForFunction(() => (window as unknown as { lotwatchSocketOpen?: boolean }).lotwatchSocketOpen === true, undefined, { timeout: 10_000 });
      const state = { total_slots: 50, occupied_slots: 18, available_slots: 32, last_updated: '2025-08-07T14:20:30.000Z', slots: [] };
      // Published to one relay, shown by a page whose socket nginx gave to any relay.
      expect((await post(cluster.relays[2]!.url, '/lots/default/state', state, token)).status).toBe(200);
      await page.waitForFunction(() => document.getElementById('occupied')?.textContent === '18', undefined, { timeout: 5_000 });
      expect(await page.textContent('#available')).toBe('32');
      const meta = await fetch(`${cluster.nginx.url}/metadata`);
      expect(await meta.text()).toBe('{"total_slots":50,"occupied_slots":18,"available_slots":32,"last_updated":"2025-08-07T14:20:30.000Z"}');
    } finally {
      await browser.close();
    }
  });
});

/**
 * templates/index.html of the original FastAPI system (its README), as it was; the one line added records that the
 * socket opened, so the test knows when to publish.
 */
const ORIGINAL_INDEX_HTML = `<!DOCTYPE html>
<html>
<head>
  <title>Parking Space Counter</title>
</head>
<body>
  <h1>Parking Monitor</h1>
  <p>Occupied: <span id="occupied">--</span></p>
  <p>Available: <span id="available">--</span></p>

  <script>
    const ws = new WebSocket("ws://localhost:8000/ws");
    ws.onopen = () => { window.lotwatchSocketOpen = true; };

    ws.onmessage = function(event) {
      const msg = JSON.parse(event.data);
      if (msg.event === "update") {
        document.getElementById("occupied").textContent = msg.data.occupied;
        document.getElementById("available").textContent = msg.data.available;
      }
    };
  </script>
</body>
</html>`;
