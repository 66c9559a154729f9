// Who may create and delete lots, and how --max-lots stays usable: creation open on loopback within a per-address
// quota, only for the operator beyond; deletion with the lot's or the operator's token; lots never published to
// expire; and the relay's `too_many_lots` answer end to end.
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLOSE } from '../../src/share/protocol.ts';
import type { RelayConfig } from '../../relay/src/config.ts';
import type { RelayDeps } from '../../relay/src/relay.ts';
import { DB_FILE } from '../../relay/src/sqlite-lot-store.ts';
import { Client, TOKEN, isType, lotState, postState, removeTempDirs, startTestRelay, tempDir, closedAfterEach, type TestRelay } from './support.ts';

const OPERATOR = 'operator-token-0123456789abcdef';
const { running, clients } = closedAfterEach();
afterAll(removeTempDirs);

async function relay(config: Partial<RelayConfig> = {}, deps: RelayDeps = {}): Promise<TestRelay> {
  const r = await startTestRelay(config, deps);
  running.push(r);
  return r;
}

/** An API request from a chosen loopback address (fetch cannot pick one). */
function call(
  url: string,
  method: string,
  o: { body?: unknown; token?: string; from?: string } = {},
): Promise<{ status: number; json: { error?: string; message?: string; lot?: string; token?: string } | null }> {
  const text = o.body === undefined ? '' : JSON.stringify(o.body);
  return new Promise((ok, fail) => {
    const req = request(url, {
      method,
      localAddress: o.from ?? '127.0.0.1',
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
        ...(o.token ? { Authorization: `Bearer ${o.token}` } : {}),
      },
    });
    req.on('response', (res) => {
      let got = '';
      res.on('data', (d: Buffer) => (got += d.toString()));
      res.on('end', () => ok({ status: res.statusCode ?? 0, json: got ? (JSON.parse(got) as never) : null }));
    });
    req.on('error', fail);
    req.end(text);
  });
}
const create = (r: TestRelay, lot: string | null, o: { token?: string; from?: string } = {}) =>
  call(`${r.url}/lots`, 'POST', { ...o, body: lot === null ? {} : { lot } });
const remove = (r: TestRelay, lot: string, token?: string) => call(`${r.url}/lots/${lot}`, 'DELETE', token ? { token } : {});

describe('creating lots', () => {
  it('on loopback anyone may, within a quota per address; the operator is not counted', async () => {
    const r = await relay({ operatorToken: OPERATOR }, { limits: { lotCreationRate: { perSecond: 0.001, burst: 2 } } });
    expect((await create(r, 'a')).status).toBe(201);
    expect((await create(r, 'b')).status).toBe(201);
    const third = await create(r, 'c');
    expect(third.status).toBe(429);
    expect(third.json).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('its share of lots') });
    expect((await create(r, 'c', { from: '127.0.0.2' })).status).toBe(201);
    for (const lot of ['d', 'e', 'f']) expect((await create(r, lot, { token: OPERATOR })).status).toBe(201);
  });

  it('beyond loopback only the operator may, the default lot included', async () => {
    const r = await relay({ lotCreation: 'operator', operatorToken: OPERATOR, token: null });
    for (const [lot, token] of [[null, undefined], ['north', undefined], ['north', TOKEN], ['default', 'not-the-operator-token']] as const) {
      const res = await create(r, lot, token ? { token } : {});
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ error: 'unauthorized', message: expect.stringContaining('operator token') });
    }
    const made = await create(r, 'north', { token: OPERATOR });
    expect(made.status).toBe(201);
    expect(made.json?.token).toMatch(/^[\w-]{43}$/);
    expect((await create(r, 'default', { token: OPERATOR })).status).toBe(201);
  });

  it('beyond loopback without an operator token, nobody may, and the answer says what to set', async () => {
    const r = await relay({ lotCreation: 'operator' });
    const res = await create(r, 'north');
    expect(res.status).toBe(401);
    expect(res.json?.message).toContain('LOTWATCH_OPERATOR_TOKEN');
  });

  it('answers 503 too_many_lots at --max-lots, and a deleted lot frees its place', async () => {
    // The default lot is one of the two.
    const r = await relay({ maxLots: 2 });
    const first = await create(r, null);
    expect(first.status).toBe(201);
    const full = await create(r, 'more');
    expect(full.status).toBe(503);
    expect(full.json).toEqual({ error: 'too_many_lots', message: 'this relay holds its maximum of 2 lots' });
    expect((await remove(r, first.json!.lot!, first.json!.token)).status).toBe(204);
    expect((await create(r, 'more')).status).toBe(201);
  });
});

describe('deleting lots', () => {
  it('with the lot’s token: its state, history and sockets go, and the name is free again', async () => {
    const r = await relay({ operatorToken: OPERATOR });
    const made = await create(r, 'north');
    const token = made.json!.token!;
    expect((await postState(r.url, 'north', token, lotState(1, 2))).status).toBe(200);
    const viewer = new Client(`${r.ws}/lots/north/live`);
    const raw = new Client(`${r.ws}/ws?lot=north`);
    clients.push(viewer, raw);
    await viewer.waitFor(isType('snapshot'));
    await raw.opened;
    expect((await remove(r, 'north', 'wrong-token-0123456789')).status).toBe(401);
    expect((await remove(r, 'north')).status).toBe(401);
    expect((await remove(r, 'north', token)).status).toBe(204);
    expect((await viewer.waitClosed()).code).toBe(CLOSE.unknownLot);
    expect(viewer.messages).toContainEqual({ type: 'error', code: 'unknown_lot', message: 'lot "north" was deleted' });
    expect((await raw.waitClosed()).code).toBe(CLOSE.unknownLot);
    expect((await fetch(`${r.url}/lots/north/metadata`)).status).toBe(404);
    expect((await fetch(`${r.url}/lots/north/history`)).status).toBe(404);
    expect((await remove(r, 'north', token)).status).toBe(404);
    expect((await create(r, 'north')).status).toBe(201);
  });

  it('with the operator’s token, any lot; the default lot comes back empty and unclaimed', async () => {
    const r = await relay({ operatorToken: OPERATOR });
    expect((await postState(r.url, 'default', TOKEN, lotState(1, 2))).status).toBe(200);
    expect((await remove(r, 'default', OPERATOR)).status).toBe(204);
    expect(await (await fetch(`${r.url}/metadata`)).json()).toMatchObject({ error: 'no_state' });
    expect((await postState(r.url, 'default', TOKEN, lotState(1, 2))).status).toBe(401);
    expect((await create(r, 'default')).status).toBe(201);
  });

  it('only with DELETE, and only lots with a valid id', async () => {
    const r = await relay();
    expect((await call(`${r.url}/lots/default`, 'GET')).status).toBe(405);
    expect((await remove(r, 'Not!Valid', TOKEN)).status).toBe(400);
    expect((await remove(r, 'nowhere', TOKEN)).status).toBe(404);
  });
});

it('removes lots nobody published to once their time is up, and keeps the others', async () => {
  const clock = { now: Date.parse('2026-03-10T08:00:00Z') };
  const dataDir = tempDir();
  const config = { dataDir, unpublishedTtlMs: 3_600_000 };
  let r = await relay(config, { now: () => clock.now });
  const idle = await create(r, 'idle');
  const used = await create(r, 'used');
  expect((await postState(r.url, 'used', used.json!.token!, lotState(1, 2))).status).toBe(200);
  await r.close();
  clock.now += 3_600_001;
  // The relay checks at start (and hourly).
  r = await relay(config, { now: () => clock.now });
  expect((await fetch(`${r.url}/lots/used/metadata`)).status).toBe(200);
  expect((await postState(r.url, 'idle', idle.json!.token!, lotState(1, 2))).status).toBe(404);
  // The default lot stays, published to or not.
  expect(await (await fetch(`${r.url}/metadata`)).json()).toMatchObject({ error: 'no_state' });
});

it('will not start over an empty database file, and logs the database check when it starts', async () => {
  const dataDir = tempDir();
  writeFileSync(join(dataDir, DB_FILE), '');
  await expect(startTestRelay({ dataDir })).rejects.toThrow('--init-db');
  const lines: string[] = [];
  const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
  await relay({ dataDir, initDb: true }, { log });
  expect(lines).toContainEqual(expect.stringMatching(/^database check: .*lotwatch\.sqlite: PRAGMA quick_check ok; synchronous=NORMAL$/));
});
