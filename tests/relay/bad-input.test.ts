// Malformed JSON, oversized frames, wrong types, unknown lots, floods: the relay answers or drops the offender,
// keeps serving everyone else, and loses no state.
import { connect } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE, LIMITS } from '../../src/share/protocol.ts';
import {
  Client,
  TOKEN,
  isType,
  isUpdate,
  lotState,
  postState,
  publisher,
  removeTempDirs,
  startTestRelay,
  until,
  type TestRelay,
} from './support.ts';

let relay: TestRelay;
let watcher: Client;
let good: ReturnType<typeof lotState>;
const clients: Client[] = [];
const client = (url: string) => {
  const c = new Client(url);
  clients.push(c);
  return c;
};

beforeEach(async () => {
  relay = await startTestRelay({}, { limits: { authTimeoutMs: 300 } });
  good = lotState(2, 5);
  expect((await postState(relay.url, 'default', TOKEN, good)).status).toBe(200);
  // A well-behaved viewer that must keep being served whatever happens to the others.
  watcher = client(`${relay.ws}/ws`);
  await watcher.waitFor(isUpdate);
});

afterEach(async () => {
  // Everyone else is still served and nothing was lost: the stored state is the last good one,
  // and a new good state still reaches the watcher.
  expect(await (await fetch(`${relay.url}/metadata`)).json()).toEqual({
    total_slots: 5,
    occupied_slots: 2,
    available_slots: 3,
    last_updated: good.last_updated,
  });
  const next = lotState(3, 5);
  expect((await postState(relay.url, 'default', TOKEN, next)).status).toBe(200);
  const [update] = await watcher.waitFor((m) => isUpdate(m) && (m as { data: { last_updated: string } }).data.last_updated === next.last_updated);
  expect(update).toMatchObject({ data: { occupied: 3, available: 2, total: 5 } });
  for (const c of clients.splice(0)) c.close();
  await relay.close();
});
afterAll(removeTempDirs);

async function errorOf(res: Response): Promise<{ error: string; message: string }> {
  return (await res.json()) as { error: string; message: string };
}

describe('over HTTP', () => {
  it('malformed JSON → 400 bad_json', async () => {
    const res = await postState(relay.url, 'default', TOKEN, '{"total_slots": 5,');
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ error: 'bad_json', message: expect.stringContaining('not valid JSON') });
  });

  it.each([
    [{ ...lotState(1, 5), total_slots: '5' }, 'total_slots'],
    [{ ...lotState(1, 5), available_slots: 9 }, 'occupied_slots + available_slots = total_slots'],
    [{ ...lotState(1, 5), last_updated: 12 }, 'last_updated'],
    [[1, 2, 3], 'expected an object'],
    ['"a string"', 'expected an object'],
    ['null', 'expected an object'],
  ])('wrong types → 400 invalid_state naming the field (%j)', async (body, field) => {
    const res = await postState(relay.url, 'default', TOKEN, body);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ error: 'invalid_state', message: expect.stringContaining(field) });
  });

  it('an oversized body → 413, declared or not', async () => {
    const huge = JSON.stringify({ ...lotState(1, 5), pad: 'x'.repeat(LIMITS.maxPublisherMessageBytes) });
    const res = await postState(relay.url, 'default', TOKEN, huge);
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ error: 'too_large' });
    // Chunked, without a Content-Length, written on a raw socket so that nothing is hidden: the upload stops past the
    // limit and the relay must answer 413 (a cut connection with no answer fails).
    const reply = await new Promise<string>((ok) => {
      const s = connect(relay.port, '127.0.0.1', () => {
        s.write(
          `POST /lots/default/state HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\n` +
            'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
        );
        const chunk = 'x'.repeat(10_000);
        for (let i = 0; i < 40; i++) s.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      });
      let got = '';
      s.on('data', (d) => {
        got += d.toString();
        if (got.includes('\r\n\r\n{')) s.destroy();
      });
      s.on('close', () => ok(got));
      s.on('error', () => ok(got));
      s.setTimeout(5000, () => s.destroy());
    });
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toContain('"error":"too_large"');
  });

  it('unknown and invalid lots → 404 / 400', async () => {
    expect(await errorOf(await fetch(`${relay.url}/lots/nope/metadata`))).toMatchObject({ error: 'unknown_lot' });
    const res = await postState(relay.url, 'nope', TOKEN, lotState(1, 1));
    expect(res.status).toBe(404);
    expect((await fetch(`${relay.url}/lots/NOT..OK/metadata`)).status).toBe(400);
    expect((await fetch(`${relay.url}/lots/${'a'.repeat(65)}/metadata`)).status).toBe(400);
    expect((await fetch(`${relay.url}/lots/default/nothing`)).status).toBe(404);
    expect((await fetch(`${relay.url}/metadata`, { method: 'DELETE' })).status).toBe(405);
    const create = await fetch(`${relay.url}/lots`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"lot":"Bad Lot!"}' });
    expect(create.status).toBe(400);
    expect(await errorOf(create)).toMatchObject({ error: 'invalid_lot' });
  });

  it('changes only from JSON bodies: text/plain, forms and no type → 415 (a page cannot send JSON across origins unasked)', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', null]) {
      const headers: Record<string, string> = type === null ? {} : { 'Content-Type': type };
      const create = await fetch(`${relay.url}/lots`, { method: 'POST', headers, body: '{"lot":"default"}' });
      expect(create.status).toBe(415);
      expect(await errorOf(create)).toMatchObject({ error: 'unsupported_media_type' });
      const publish = await fetch(`${relay.url}/lots/default/state`, {
        method: 'POST',
        headers: { ...headers, Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ ...lotState(5, 5), last_updated: '2030-01-01T00:00:00Z' }),
      });
      expect(publish.status).toBe(415);
    }
    // Parameters are fine.
    expect((await postState(relay.url, 'default', 'wrong-token-0123456789', good)).status).toBe(401);
  });

  it('lets pages on other origins read, but not create, publish or delete', async () => {
    const evil = { Origin: 'http://evil.example' };
    const json = { 'Content-Type': 'application/json' };
    const claim = await fetch(`${relay.url}/lots`, { method: 'POST', headers: { ...evil, ...json }, body: '{"lot":"default"}' });
    expect(claim.status).toBe(403);
    expect(claim.headers.get('access-control-allow-origin')).toBeNull();
    expect(await errorOf(claim)).toMatchObject({ error: 'forbidden_origin', message: expect.stringContaining('--allow-origin') });
    const publish = await fetch(`${relay.url}/lots/default/state`, {
      method: 'POST',
      headers: { ...evil, ...json, Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ ...lotState(5, 5), last_updated: '2030-01-01T00:00:00Z' }),
    });
    expect(publish.status).toBe(403);
    expect((await fetch(`${relay.url}/lots/default`, { method: 'DELETE', headers: { ...evil, Authorization: `Bearer ${TOKEN}` } })).status).toBe(403);
    // The operators' API (cameras, alerts, webhooks) too.
    const alerts = await fetch(`${relay.url}/lots/default/alerts`, { method: 'PUT', headers: { ...evil, ...json, Authorization: `Bearer ${TOKEN}` }, body: '{}' });
    expect(alerts.status).toBe(403);
    expect((await fetch(`${relay.url}/lots/default/cameras/north/token`, { method: 'POST', headers: { ...evil, Authorization: `Bearer ${TOKEN}` } })).status).toBe(403);
    expect((await fetch(`${relay.url}/lots/default/cameras`, { headers: evil })).headers.get('access-control-allow-origin')).toBe('*');
    // The browser asks first; a stranger is told reads only.
    const asked = await fetch(`${relay.url}/lots`, {
      method: 'OPTIONS',
      headers: { ...evil, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(asked.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS');
    expect(asked.headers.get('access-control-allow-headers')).not.toMatch(/content-type|authorization/i);
    // Reads stay open to every page.
    const read = await fetch(`${relay.url}/metadata`, { headers: evil });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe('*');
    expect((await fetch(`${relay.url}/lots/default/history`, { headers: evil })).headers.get('access-control-allow-origin')).toBe('*');
  });

  it('lets the relay’s own pages and the origins the operator allowed change things', async () => {
    const allowed = await startTestRelay({ allowedOrigins: ['https://dashboard.example'] });
    try {
      for (const origin of [allowed.url, 'https://dashboard.example']) {
        const asked = await fetch(`${allowed.url}/lots`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
        expect(asked.headers.get('access-control-allow-origin')).toBe(origin);
        expect(asked.headers.get('access-control-allow-methods')).toContain('POST');
        expect(asked.headers.get('access-control-allow-headers')).toMatch(/Authorization, Content-Type/);
        const s = lotState(1, 5);
        const res = await fetch(`${allowed.url}/lots/default/state`, {
          method: 'POST',
          headers: { Origin: origin, 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify(s),
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      }
    } finally {
      await allowed.close();
    }
  });

  it('impossible dates and control characters in names → 400 invalid_state', async () => {
    for (const last_updated of ['2025-02-30T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) {
      const res = await postState(relay.url, 'default', TOKEN, { ...lotState(1, 5), last_updated });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ error: 'invalid_state', message: expect.stringContaining('last_updated') });
    }
    for (const name of ['A\u0000', 'A\u001b[2J', 'A\rB']) {
      const slots = [{ id: 'a', name, occupied: true, probability: 0.9, since: good.last_updated }];
      const res = await postState(relay.url, 'default', TOKEN, { ...lotState(1, 1), slots });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ error: 'invalid_state', message: expect.stringContaining('slots[0].name') });
    }
  });

  it('a slot name built to be a formula in a ;-separated spreadsheet comes back from the history CSV quoted', async () => {
    const other = await startTestRelay();
    try {
      const name = "a;=cmd|' /C calc'!A0;";
      const at = new Date(Date.now() - 60_000).toISOString();
      const slots = [{ id: 'a', name, occupied: true, probability: 0.9, since: at }];
      expect((await postState(other.url, 'default', TOKEN, { ...lotState(1, 1), last_updated: at, slots })).status).toBe(200);
      const csv = await (await fetch(`${other.url}/lots/default/history?format=csv&table=slots`)).text();
      expect(csv).toContain(`"${name}"`);
    } finally {
      await other.close();
    }
  });

  it('garbage that is not HTTP → 400, and the server carries on', async () => {
    const reply = await new Promise<string>((ok) => {
      const s = connect(relay.port, '127.0.0.1', () => s.write('\x16\x03\x01 not http at all\r\n\r\n'));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => ok(got));
      s.on('error', () => ok(got));
      s.setTimeout(2000, () => s.destroy());
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
  });

  it('a flood of POSTs from one client → 429 with Retry-After', async () => {
    const strict = await startTestRelay({}, { limits: { httpPostRate: { perSecond: 1, burst: 5 } } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 12; i++) codes.push((await postState(strict.url, 'default', 'wrong-token-0123456789abcd', good)).status);
      expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(5);
      const limited = await postState(strict.url, 'default', TOKEN, good);
      expect(limited.status).toBe(429);
      expect(await errorOf(limited)).toMatchObject({ error: 'rate_limited' });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await strict.close();
    }
  });
});

describe('over WebSocket', () => {
  it('a publisher gets an error for malformed JSON, wrong types and binary frames, and stays connected', async () => {
    const pub = await publisher(relay);
    pub.send('{"type":"state",');
    pub.send({ type: 'state', seq: 9, state: { ...lotState(1, 5), occupied_slots: 'one' } });
    pub.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    pub.send({ type: 'launch' });
    const errors = await pub.waitFor(isType('error'), 4);
    expect(errors.map((e) => (e as { code: string }).code)).toEqual(['bad_json', 'invalid_state', 'invalid_message', 'invalid_message']);
    expect(errors[1]).toMatchObject({ seq: 9, message: expect.stringContaining('state.occupied_slots') });
    expect(pub.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('an oversized frame closes that connection (1009) only', async () => {
    const pub = await publisher(relay);
    pub.send('x'.repeat(LIMITS.maxPublisherMessageBytes + 1));
    expect((await pub.waitClosed()).code).toBe(1009);
    const v = client(`${relay.ws}/lots/default/live`);
    await v.waitFor(isType('snapshot'));
    v.send('x'.repeat(LIMITS.maxViewerMessageBytes + 1));
    expect((await v.waitClosed()).code).toBe(1009);
  });

  it('a flooding publisher is cut off (4429); what it stored before is intact', async () => {
    const pub = await publisher(relay);
    // Sent without waiting: far beyond the burst. Every one of them is a valid state equal to `good`.
    for (let i = 0; i < 200; i++) pub.send({ type: 'state', seq: i, state: good });
    const { code } = await pub.waitClosed();
    expect(code).toBe(CLOSE.rateLimited);
    expect(pub.messages.filter(isType('error'))).toContainEqual(expect.objectContaining({ code: 'rate_limited' }));
  });

  it('a chatty viewer is told it is read-only, and cut off if it floods', async () => {
    const v = client(`${relay.ws}/lots/default/live`);
    await v.waitFor(isType('snapshot'));
    v.send({ type: 'state', state: lotState(5, 5) });
    const [err] = await v.waitFor(isType('error'));
    expect(err).toMatchObject({ code: 'read_only' });
    for (let i = 0; i < 50; i++) v.send('hello');
    expect((await v.waitClosed()).code).toBe(CLOSE.rateLimited);
    const raw = client(`${relay.ws}/ws`);
    await raw.waitFor(isUpdate);
    for (let i = 0; i < 50; i++) raw.send('{"not":"used"}');
    expect((await raw.waitClosed()).code).toBe(CLOSE.rateLimited);
  });

  it('a publisher that never authenticates is closed (4408)', async () => {
    const ws = client(`${relay.ws}/lots/default/publish`);
    await ws.opened;
    expect((await ws.waitClosed()).code).toBe(CLOSE.authTimeout);
  });

  it('malformed first messages close a publisher socket with a reason', async () => {
    for (const first of ['{', JSON.stringify({ type: 'auth' }), JSON.stringify({ type: 'auth', token: 42 })]) {
      const ws = client(`${relay.ws}/lots/default/publish`);
      await ws.opened;
      ws.send(first);
      expect((await ws.waitClosed()).code).toBe(CLOSE.badMessage);
      expect(ws.messages[0]).toMatchObject({ type: 'error' });
    }
  });

  it('unknown lots, invalid lots and unknown paths are refused with a clear status', async () => {
    const statusOf = (url: string) =>
      new Promise<number>((ok) => {
        const ws = new WebSocket(url);
        ws.on('unexpected-response', (_req, res) => {
          ok(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('open', () => {
          ok(101);
          ws.terminate();
        });
        ws.on('error', () => ok(-1));
      });
    expect(await statusOf(`${relay.ws}/ws?lot=nope`)).toBe(404);
    // The app's routes answer in-band, since browsers cannot read an upgrade's HTTP status.
    for (const path of ['/lots/nope/live', '/lots/nope/publish']) {
      const c = client(relay.ws + path);
      expect((await c.waitClosed()).code).toBe(CLOSE.unknownLot);
      expect(c.messages).toEqual([{ type: 'error', code: 'unknown_lot', message: 'no lot "nope" on this relay' }]);
    }
    expect(await statusOf(`${relay.ws}/ws?lot=Nope!`)).toBe(400);
    expect(await statusOf(`${relay.ws}/elsewhere`)).toBe(404);
  });

  it('caps the number of connections (503 beyond --max-connections)', async () => {
    const small = await startTestRelay({ maxConnections: 2 });
    try {
      const a = client(`${small.ws}/ws`);
      const b = client(`${small.ws}/ws`);
      await Promise.all([a.opened, b.opened]);
      const c = client(`${small.ws}/ws`);
      await expect(c.opened).rejects.toThrow('HTTP 503');
    } finally {
      await small.close();
    }
  });

  it('caps the connections from one address (429), and frees its places as they close', async () => {
    const small = await startTestRelay({ maxConnectionsPerAddress: 3 });
    try {
      const mine = [0, 1, 2].map(() => client(`${small.ws}/lots/default/live`));
      await Promise.all(mine.map((c) => c.opened));
      await expect(client(`${small.ws}/ws`).opened).rejects.toThrow('HTTP 429');
      // Publishers count too: one address cannot open a publisher either.
      await expect(client(`${small.ws}/lots/default/publish`).opened).rejects.toThrow('HTTP 429');
      // Another address is not affected.
      const other = new Client(`${small.ws}/ws`, { localAddress: '127.0.0.2' });
      clients.push(other);
      await other.opened;
      mine[0]!.close();
      await mine[0]!.waitClosed();
      await until(async () => {
        const again = client(`${small.ws}/ws`);
        return (await again.opened.then(() => true, () => false)) || undefined;
      });
    } finally {
      await small.close();
    }
  });

  it('keeps a tenth of the connections for publishers: viewers cannot lock the counting device out', async () => {
    const small = await startTestRelay({ maxConnections: 10 });
    try {
      // Nine viewers from nine addresses take every place viewers may have.
      const viewers = Array.from({ length: 9 }, (_, i) => new Client(`${small.ws}/ws`, { localAddress: `127.0.0.${i + 2}` }));
      clients.push(...viewers);
      await Promise.all(viewers.map((v) => v.opened));
      const late = new Client(`${small.ws}/lots/default/live`, { localAddress: '127.0.0.20' });
      clients.push(late);
      await expect(late.opened).rejects.toThrow('HTTP 503');
      const pub = await publisher(small);
      clients.push(pub);
      const s = lotState(4, 5);
      pub.send({ type: 'state', seq: 1, state: s });
      const [update] = await viewers[0]!.waitFor((m) => isUpdate(m) && (m as { data: { last_updated: string } }).data.last_updated === s.last_updated);
      expect(update).toMatchObject({ data: { occupied: 4 } });
    } finally {
      await small.close();
    }
  });

  it('behind a trusted proxy, caps by the address in X-Forwarded-For', async () => {
    const proxied = await startTestRelay({ maxConnectionsPerAddress: 1, trustedProxies: ['127.0.0.1'] });
    const via = (client: string) => {
      const c = new Client(`${proxied.ws}/ws`, { headers: { 'X-Forwarded-For': `10.1.1.1, ${client}` } });
      clients.push(c);
      return c.opened;
    };
    try {
      await via('203.0.113.1');
      await expect(via('203.0.113.1')).rejects.toThrow('HTTP 429');
      await via('203.0.113.2');
    } finally {
      await proxied.close();
    }
  });
});
