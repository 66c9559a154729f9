// Alerts on a real relay, delivered to a real HTTP receiver on 127.0.0.1: signatures, retries with backoff, the
// delivery log, dedup by event id, hysteresis for a lot hovering at 0/1 free, overstays per kind, presence, SSRF.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { stepAlerts, DEFAULT_RULES, INITIAL_ALERT_STATE, parseAlertRules, type AlertEvent, type AlertState } from '../../relay/src/alerts.ts';
import type { DeliveryRecord } from '../../relay/src/ops-store.ts';
import { isPrivateAddress, SIGNATURE_HEADER, verifySignature } from '../../relay/src/webhooks.ts';
import type { LotMetadata, SlotMetadata } from '../../src/share/metadata.ts';
import { isType, postState, publisher, removeTempDirs, startTestRelay, TOKEN, until, type TestRelay } from './support.ts';

interface Received {
  body: string;
  event: AlertEvent;
  headers: IncomingMessage['headers'];
}

/** A webhook receiver: answers each request with the next status of `statuses` (then 200) and records them all. */
async function receiver(statuses: number[] = []): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ body, event: JSON.parse(body) as AlertEvent, headers: req.headers });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, server };
}

const servers: Server[] = [];
let relay: TestRelay | null = null;
afterEach(async () => {
  await relay?.close();
  relay = null;
  for (const s of servers.splice(0)) s.close();
  removeTempDirs();
});

const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
const api = (r: TestRelay, path: string, method = 'GET', body?: unknown) =>
  fetch(`${r.url}/lots/default/${path}`, { method, headers: auth, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

let clock = Date.parse('2026-05-04T08:00:00Z');
/** A lot of `total` slots with `occupied` taken; slot 1 is a disabled bay, occupied since `since` when taken. */
function lot(occupied: number, total = 4, since = clock - 60_000): LotMetadata {
  clock += 1000;
  const slots: SlotMetadata[] = Array.from({ length: total }, (_, i) => ({
    id: String(i + 1), name: `B${i + 1}`, occupied: i < occupied, probability: 0.5, since: new Date(since).toISOString(), ...(i === 0 ? { kind: 'disabled' as const } : {}),
  }));
  return { total_slots: total, occupied_slots: occupied, available_slots: total - occupied, last_updated: new Date(clock).toISOString(), slots };
}

async function allowPrivateRelay(retryBaseMs = 30): Promise<TestRelay> {
  relay = await startTestRelay({ allowPrivateWebhooks: true }, { operations: { retry: { attempts: 3, baseDelayMs: retryBaseMs }, webhookTimeoutMs: 2000 } });
  return relay;
}

const deliveries = async (r: TestRelay) => ((await (await api(r, 'deliveries')).json()) as { deliveries: DeliveryRecord[] }).deliveries;

describe('webhooks', () => {
  it('signs each delivery (HMAC-SHA256 over timestamp and body), retries with backoff after failures and logs every attempt', async () => {
    const r = await allowPrivateRelay();
    const hook = await receiver([500, 503]);
    const created = await api(r, 'webhooks', 'POST', { url: hook.url, events: ['lot_full'] });
    expect(created.status).toBe(201);
    const { secret, id } = (await created.json()) as { secret: string; id: string };
    expect(secret).toMatch(/^whsec_/);
    // The list never shows the secret again.
    expect(JSON.stringify(await (await api(r, 'webhooks')).json())).not.toContain(secret);

    expect((await postState(r.url, 'default', TOKEN, lot(4))).status).toBe(200);
    await until(() => (hook.got.length >= 3 ? true : undefined), 5000);
    await r.ops.alerts.settled();
    expect(hook.got.map((g) => g.event.type)).toEqual(['lot_full', 'lot_full', 'lot_full']);
    // One event, the same id on every retry (receivers drop repeats by it), each attempt signed afresh.
    expect(new Set(hook.got.map((g) => g.event.id)).size).toBe(1);
    for (const g of hook.got) {
      expect(g.headers['x-lotwatch-delivery']).toBe(g.event.id);
      expect(verifySignature(secret, g.headers[SIGNATURE_HEADER.toLowerCase()] as string, g.body, Date.now())).toBe(true);
      expect(verifySignature('whsec_wrong', g.headers[SIGNATURE_HEADER.toLowerCase()] as string, g.body, Date.now())).toBe(false);
      expect(verifySignature(secret, g.headers[SIGNATURE_HEADER.toLowerCase()] as string, g.body, Date.now() + 600_000)).toBe(false);
    }
    expect(hook.got[0]!.event).toMatchObject({ type: 'lot_full', lot: 'default', available: 0, occupied: 4, total: 4, partial: false });
    const log = await deliveries(r);
    expect(log.map((d) => [d.attempt, d.outcome, d.http_status])).toEqual([[3, 'delivered', 200], [2, 'retrying', 503], [1, 'retrying', 500]]);
    expect(log.every((d) => d.webhook_id === id)).toBe(true);
    // Backoff: the second wait is twice the first.
    const t = log.map((d) => Date.parse(d.at)).reverse();
    expect(t[2]! - t[1]!).toBeGreaterThanOrEqual(2 * 30 - 5);
  });

  it('gives up after the last attempt, and at once on an answer that retrying cannot change (4xx)', async () => {
    const r = await allowPrivateRelay();
    const down = await receiver([500, 500, 500]);
    const gone = await receiver([410]);
    await api(r, 'webhooks', 'POST', { url: down.url, events: ['lot_full'] });
    await api(r, 'webhooks', 'POST', { url: gone.url, events: ['lot_full'] });
    await postState(r.url, 'default', TOKEN, lot(4));
    await until(() => (down.got.length >= 3 && gone.got.length >= 1 ? true : undefined), 5000);
    await r.ops.alerts.settled();
    expect([down.got.length, gone.got.length]).toEqual([3, 1]);
    const outcomes = (await deliveries(r)).map((d) => `${d.outcome}:${d.http_status}`).sort();
    expect(outcomes).toEqual(['failed:410', 'failed:500', 'retrying:500', 'retrying:500']);
  });

  it('a lot hovering at 0/1 free sends one lot_full, and available_again only once 2 are free; a re-sent state raises nothing', async () => {
    const r = await allowPrivateRelay();
    const hook = await receiver();
    await api(r, 'webhooks', 'POST', { url: hook.url });
    expect((await api(r, 'alerts', 'PUT', { available_below: 2 })).status).toBe(200);
    const p = await publisher(r);
    let seq = 0;
    const send = async (m: LotMetadata) => {
      p.send({ type: 'state', seq: ++seq, state: m });
      await p.waitFor((x) => isType('ack')(x) && (x as { seq: number }).seq === seq);
    };
    for (const occupied of [3, 4, 3, 4, 3, 4, 3]) await send(lot(occupied));
    const again = lot(4);
    await send(again);
    await send(again);
    await send(lot(2));
    await r.ops.alerts.settled();
    p.close();
    expect(hook.got.map((g) => g.event.type)).toEqual(['available_below', 'lot_full', 'available_again']);
    expect(hook.got[0]!.event.threshold).toBe(2);
  });

  it('refuses loopback and private targets unless the operator allows them', async () => {
    relay = await startTestRelay();
    const r = relay;
    const hook = await receiver();
    for (const url of [hook.url, 'http://localhost:9/x', 'http://10.1.2.3/x', 'http://[::1]/x', 'http://169.254.169.254/latest']) {
      const res = await api(r, 'webhooks', 'POST', { url });
      expect(res.status, url).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('refused_target');
    }
    expect((await api(r, 'webhooks', 'POST', { url: 'ftp://example.org/x' })).status).toBe(400);
    expect((await api(r, 'webhooks', 'POST', { url: 'https://example.org/x', events: ['lot_empty'] })).status).toBe(400);
    expect((await fetch(`${r.url}/lots/default/webhooks`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect([isPrivateAddress('::ffff:192.168.1.1'), isPrivateAddress('100.64.0.1'), isPrivateAddress('93.184.216.34'), isPrivateAddress('2606:4700::1111')]).toEqual([true, true, false, false]);
  });

  it('counter_offline only after the grace period (a quick reconnect raises nothing), then counter_online; events reach listeners too', async () => {
    const r = await allowPrivateRelay();
    const hook = await receiver();
    await api(r, 'webhooks', 'POST', { url: hook.url, events: ['counter_offline', 'counter_online'] });
    // Two seconds: ample for a reconnect on a loaded machine, short for a test.
    await api(r, 'alerts', 'PUT', { offline_grace_s: 2 });
    const seen: string[] = [];
    r.ops.alerts.onEvent((e) => seen.push(e.type));
    let p = await publisher(r);
    p.close();
    p = await publisher(r);
    p.close();
    await until(() => (hook.got.length >= 1 ? true : undefined), 4000);
    p = await publisher(r);
    await until(() => (hook.got.length >= 2 ? true : undefined), 3000);
    p.close();
    await r.ops.alerts.settled();
    expect(hook.got.map((g) => g.event.type)).toEqual(['counter_offline', 'counter_online']);
    expect(seen.slice(0, 2)).toEqual(['counter_offline', 'counter_online']);
  });

  it('leaves nothing of a deleted lot to the next lot claimed under its name: no webhooks, rules, cameras or deliveries', async () => {
    const r = await allowPrivateRelay();
    const hook = await receiver();
    const json = { 'Content-Type': 'application/json' };
    const claim = async () => {
      const res = await fetch(`${r.url}/lots`, { method: 'POST', headers: json, body: JSON.stringify({ lot: 'north' }) });
      expect(res.status).toBe(201);
      return ((await res.json()) as { token: string }).token;
    };
    const call = (token: string, path: string, method = 'GET', body?: unknown) =>
      fetch(`${r.url}/lots/north/${path}`, { method, headers: { ...json, Authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const old = await claim();
    expect((await call(old, 'webhooks', 'POST', { url: hook.url, events: ['lot_full'] })).status).toBe(201);
    expect((await call(old, 'alerts', 'PUT', { available_below: 1 })).status).toBe(200);
    expect((await call(old, 'cameras/gate/token', 'POST')).status).toBe(201);
    expect((await fetch(`${r.url}/lots/north/state?camera=gate`, { method: 'POST', headers: { ...json, Authorization: `Bearer ${old}` }, body: JSON.stringify(lot(4)) })).status).toBe(200);
    await until(() => (hook.got.length >= 1 ? true : undefined), 5000);
    await r.ops.alerts.settled();
    expect((await fetch(`${r.url}/lots/north`, { method: 'DELETE', headers: { ...json, Authorization: `Bearer ${old}` } })).status).toBe(204);
    const fresh = await claim();
    const read = async (path: string) => (await (await call(fresh, path)).json()) as Record<string, unknown>;
    await until(async () => ((await read('cameras')).cameras as unknown[]).length === 0 || undefined);
    expect(await read('webhooks')).toMatchObject({ webhooks: [] });
    expect(await read('deliveries')).toMatchObject({ deliveries: [] });
    expect(await read('alerts')).toMatchObject({ rules: { available_below: null } });
  });

  it('slot_overstay per kind: a disabled bay has its own limit, and each stay is reported once', async () => {
    const r = await allowPrivateRelay();
    const hook = await receiver();
    await api(r, 'webhooks', 'POST', { url: hook.url, events: ['slot_overstay'] });
    await api(r, 'alerts', 'PUT', { overstay_minutes: { disabled: 30, default: 600 } });
    const since = clock - 45 * 60_000;
    await postState(r.url, 'default', TOKEN, lot(2, 4, since));
    await postState(r.url, 'default', TOKEN, lot(2, 4, since));
    await r.ops.alerts.settled();
    expect(hook.got.map((g) => g.event.slot)).toEqual([expect.objectContaining({ id: '1', kind: 'disabled', limit_minutes: 30, minutes: 45 })]);
  });
});

describe('alert rules (pure)', () => {
  const m = (free: number, total = 10): LotMetadata => ({ ...lot(total - free, total) });
  const run = (frees: number[], rules = DEFAULT_RULES) => {
    let s: AlertState = INITIAL_ALERT_STATE;
    const out: string[] = [];
    for (const f of frees) {
      const r = stepAlerts(s, rules, m(f), 0, 0);
      s = r.state;
      out.push(...r.raised.map((e) => e.type + (e.threshold ? `<${e.threshold}` : '')));
    }
    return out;
  };
  it.each([
    ['full once while hovering', [1, 0, 1, 0, 1, 0], DEFAULT_RULES, ['lot_full']],
    ['again at the margin, then full again', [0, 1, 2, 1, 0], DEFAULT_RULES, ['lot_full', 'available_again', 'lot_full']],
    ['a wider margin', [0, 2, 3], { ...DEFAULT_RULES, margin: 3 }, ['lot_full', 'available_again']],
    ['below 5 with hysteresis', [6, 4, 5, 4, 5, 6, 4], { ...DEFAULT_RULES, available_below: 5 }, ['available_below<5', 'available_below<5']],
  ])('%s', (_name, frees, rules, expected) => expect(run(frees, rules)).toEqual(expected));

  it('camera_moved once per report, again only after the counter said it is back in place; per camera in a lot of several', () => {
    let s: AlertState = INITIAL_ALERT_STATE;
    const types: string[] = [];
    for (const moved of [false, true, true, false, true]) {
      const r = stepAlerts(s, DEFAULT_RULES, { ...m(5), ...(moved ? { camera_moved: true } : {}) }, 0, 0);
      s = r.state;
      types.push(...r.raised.map((e) => e.type));
    }
    expect(types).toEqual(['camera_moved', 'camera_moved']);
    const cams = { a: { online: true, since: null, total: 1, occupied: 0, available: 1, camera_moved: true }, b: { online: true, since: null, total: 1, occupied: 0, available: 1 } };
    expect(stepAlerts(INITIAL_ALERT_STATE, DEFAULT_RULES, { ...m(5), camera_moved: true, cameras: cams }, 0, 0).raised).toEqual([{ type: 'camera_moved', camera: 'a' }]);
  });

  it('checks what owners send', () => {
    expect(parseAlertRules({ available_below: 3, overstay_minutes: { ev: 120 } })).toEqual({ ok: true, value: { ...DEFAULT_RULES, available_below: 3, overstay_minutes: { ev: 120 } } });
    expect(parseAlertRules({ overstay_minutes: { vip: 1 } })).toMatchObject({ ok: false, error: expect.stringContaining('"vip" is not default or one of') });
    expect(parseAlertRules({ margin: 0 })).toMatchObject({ ok: false });
    expect(parseAlertRules({ nope: 1 })).toMatchObject({ ok: false, error: expect.stringContaining('unknown key "nope"') });
  });
});
