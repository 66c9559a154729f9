// The relay's lot history end to end: a real relay on 127.0.0.1, SQLite in a temp folder, states over HTTP and
// WebSocket, answers from GET /lots/<lot>/history. The relay's clock is a test clock, so times are exact.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/history/csv.ts';
import { SERIES_HEADER, SLOTS_HEADER } from '../../src/history/exports.ts';
import { parseHistoryReport } from '../../src/history/report-parse.ts';
import type { HistoryReport } from '../../src/history/report.ts';
import type { PublishedState } from '../../src/share/protocol.ts';
import type { HistoryEntry } from '../../relay/src/lot-store.ts';
import { DB_FILE, MIGRATIONS, SqliteLotStore, migrate } from '../../relay/src/sqlite-lot-store.ts';
import { Client, TOKEN, isType, postState, removeTempDirs, startTestRelay, tempDir, closedAfterEach, type TestRelay } from './support.ts';

const { running, clients } = closedAfterEach();
afterAll(removeTempDirs);

const at = (hhmm: string) => Date.parse(`2026-03-10T${hhmm}:00Z`);
const H = 3_600_000;

/** A relay whose clock the test sets; a publisher counts as gone after an hour of silence. */
async function relayAt(clock: { now: number }, dataDir = tempDir()): Promise<TestRelay> {
  const r = await startTestRelay({ dataDir, offlineAfterMs: H }, { now: () => clock.now });
  running.push(r);
  return r;
}

function state(slots: Record<string, boolean>, lastUpdated: number): PublishedState {
  const list = Object.entries(slots).map(([id, occupied]) => ({
    id,
    name: `Bay ${id}`,
    occupied,
    probability: occupied ? 0.9 : 0.1,
    since: new Date(lastUpdated).toISOString(),
  }));
  const occupied = list.filter((s) => s.occupied).length;
  return { total_slots: list.length, occupied_slots: occupied, available_slots: list.length - occupied, last_updated: new Date(lastUpdated).toISOString(), slots: list };
}

async function history(relay: TestRelay, query: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${relay.url}/lots/default/history?${query}`, { headers });
}

async function report(relay: TestRelay, query: string): Promise<HistoryReport> {
  const res = await history(relay, query);
  expect(res.status).toBe(200);
  const parsed = parseHistoryReport(await res.json());
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function historyRows(relay: TestRelay): { received_at: number; device_at: number; occupied: number }[] {
  const db = new Database(join(relay.dataDir, DB_FILE), { readonly: true });
  try {
    return db.prepare('SELECT received_at, device_at, occupied FROM history_states ORDER BY received_at').all() as never;
  } finally {
    db.close();
  }
}

/** Publishes over HTTP at relay time `t` (the device's own clock says `device`). */
async function publishAt(relay: TestRelay, clock: { now: number }, t: number, slots: Record<string, boolean>, device = t): Promise<void> {
  clock.now = t;
  const res = await postState(relay.url, 'default', TOKEN, state(slots, device));
  expect(res.status).toBe(200);
}

/** A publisher socket on the default lot, authenticated and ready. */
async function publisher(relay: TestRelay): Promise<Client> {
  const pub = new Client(`${relay.ws}/lots/default/publish`);
  clients.push(pub);
  await pub.opened;
  pub.send({ type: 'auth', token: TOKEN });
  await pub.waitFor(isType('ready'));
  return pub;
}

/** A morning: bay a arrives 08:30 and leaves 09:15; bay b is taken all along; heartbeats every 15 minutes. */
async function morning(relay: TestRelay, clock: { now: number }): Promise<void> {
  await publishAt(relay, clock, at('08:00'), { a: false, b: true });
  await publishAt(relay, clock, at('08:15'), { a: false, b: true }, at('08:00'));
  await publishAt(relay, clock, at('08:30'), { a: true, b: true });
  await publishAt(relay, clock, at('08:45'), { a: true, b: true }, at('08:30'));
  await publishAt(relay, clock, at('09:00'), { a: true, b: true }, at('08:30'));
  await publishAt(relay, clock, at('09:15'), { a: false, b: true });
  await publishAt(relay, clock, at('09:30'), { a: false, b: true }, at('09:15'));
  await publishAt(relay, clock, at('10:00'), { a: false, b: true }, at('09:15'));
}

describe('GET /lots/<lot>/history', () => {
  it('answers occupied/available over time, per-slot utilisation and dwell, from the states the relay received', async () => {
    const clock = { now: at('08:00') };
    const relay = await relayAt(clock);
    await morning(relay, clock);
    const res = await history(relay, 'from=2026-03-10T07:00:00Z&to=2026-03-10T10:00:00Z&step=1h');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const r = parseHistoryReport(await res.json());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = r.value;
    expect(v).toMatchObject({ lot: 'default', from: '2026-03-10T07:00:00.000Z', to: '2026-03-10T10:00:00.000Z', step: '1h', time_zone: 'UTC' });
    // 07:00–08:00 nobody counted: a gap, not a free lot.
    expect(v.series.map((p) => [p.counted, p.occupied, p.available])).toEqual([
      [0, null, null],
      [1, 1.5, 0.5],
      [1, 1.25, 0.75],
    ]);
    expect(v.slots.map((s) => [s.id, s.name, s.utilisation, s.stays, s.dwell_mean_s])).toEqual([
      ['a', 'Bay a', 0.375, 1, 45 * 60],
      ['b', 'Bay b', 1, 0, null],
    ]);
    expect(v.dwell).toMatchObject({ stays: 1, mean_s: 2700, median_s: 2700 });
    // Bay b, taken when counting started, is still taken: a censored stay, "at least" two hours.
    expect(v.current.longest).toEqual([{ id: 'b', name: 'Bay b', since: '2026-03-10T08:00:00.000Z', since_observed: false, for_s: 7200 }]);
    expect(v.current.live).toBe(true);
  });

  it('answers CSV when asked, by Accept or ?format=csv, with a header row and ISO-8601 times; ?table=slots for slots', async () => {
    const clock = { now: at('08:00') };
    const relay = await relayAt(clock);
    await morning(relay, clock);
    const q = 'from=2026-03-10T07:00:00Z&to=2026-03-10T10:00:00Z&step=1h&tz=Europe/Berlin';
    const byAccept = await history(relay, q, { Accept: 'text/csv' });
    expect(byAccept.status).toBe(200);
    expect(byAccept.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(byAccept.headers.get('content-disposition')).toBe('attachment; filename="lotwatch-default-series-2026-03-10.csv"');
    const text = await byAccept.text();
    expect(text).toBe(await (await history(relay, `${q}&format=csv`)).text());
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...SERIES_HEADER]);
    expect(rows.slice(1).map((r) => r.slice(0, 5))).toEqual([
      ['2026-03-10T07:00:00.000Z', '2026-03-10T08:00:00.000Z', '2026-03-10 08:00:00', '0', ''],
      ['2026-03-10T08:00:00.000Z', '2026-03-10T09:00:00.000Z', '2026-03-10 09:00:00', '1', '1.5'],
      ['2026-03-10T09:00:00.000Z', '2026-03-10T10:00:00.000Z', '2026-03-10 10:00:00', '1', '1.25'],
    ]);
    const slots = parseCsv(await (await history(relay, `${q}&format=csv&table=slots`)).text());
    expect(slots[0]).toEqual([...SLOTS_HEADER]);
    expect(slots[1]!.slice(0, 3)).toEqual(['a', 'Bay a', '0.375']);
  });

  it.each([
    ['from=yesterday', 400, 'invalid_query', /from: expected an ISO-8601/],
    ['from=2026-03-10T10:00:00Z&to=2026-03-10T09:00:00Z', 400, 'invalid_query', /from: must be before to/],
    ['step=1w', 400, 'invalid_query', /step: expected a duration/],
    ['tz=Nowhere/Land', 400, 'invalid_query', /not a time zone/],
    ['format=xml', 400, 'invalid_query', /format: expected json or csv/],
  ])('refuses %s with %i %s', async (query, status, code, message) => {
    const relay = await relayAt({ now: at('08:00') });
    const res = await history(relay, query);
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe(code);
    expect(body.message).toMatch(message);
  });

  it('limits history queries per client, with Retry-After', async () => {
    const relay = await startTestRelay({}, { limits: { historyRate: { perSecond: 0.01, burst: 3 } } });
    running.push(relay);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await history(relay, '')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await history(relay, '');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await limited.json()) as { error: string }).error).toBe('rate_limited');
  });

  it('says which lot is unknown or invalid, and that only GET reads history', async () => {
    const relay = await relayAt({ now: at('08:00') });
    expect((await fetch(`${relay.url}/lots/nowhere/history`)).status).toBe(404);
    expect(((await (await fetch(`${relay.url}/lots/nowhere/history`)).json()) as { error: string }).error).toBe('unknown_lot');
    expect((await fetch(`${relay.url}/lots/BAD!/history`)).status).toBe(400);
    const post = await fetch(`${relay.url}/lots/default/history`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});

describe('history storage', () => {
  it('stores the whole lot when a span starts and hourly, otherwise only what changed; a query from mid-span still knows arrivals', async () => {
    const clock = { now: at('08:00') };
    const relay = await relayAt(clock);
    await morning(relay, clock);
    const db = new Database(join(relay.dataDir, DB_FILE), { readonly: true });
    const rows = db.prepare('SELECT received_at, full, slots_json FROM history_states ORDER BY received_at').all() as { received_at: number; full: number; slots_json: string }[];
    db.close();
    expect(rows.map((r) => [r.received_at, r.full])).toEqual([
      [at('08:00'), 1],
      [at('08:30'), 0],
      [at('09:15'), 1],
    ]);
    expect(JSON.parse(rows[1]!.slots_json)).toEqual([['a', 1]]);
    expect(JSON.parse(rows[2]!.slots_json)).toEqual([
      ['a', 0, at('09:15'), null],
      ['b', 1, null, at('08:00')],
    ]);
    const r = await report(relay, 'from=2026-03-10T09:00:00Z&to=2026-03-10T10:00:00Z&step=1h');
    expect(r.dwell).toMatchObject({ stays: 1, mean_s: 2700 });
    expect(r.current.longest).toEqual([{ id: 'b', name: 'Bay b', since: '2026-03-10T08:00:00.000Z', since_observed: false, for_s: 7200 }]);
  });

  it('counts duplicate deliveries once: an HTTP retry and a resend after a socket reconnect', async () => {
    const clock = { now: at('08:00') };
    const relay = await relayAt(clock);
    await publishAt(relay, clock, at('08:00'), { a: false, b: true });
    await publishAt(relay, clock, at('08:10'), { a: true, b: true });
    // The same state delivered again (a retry) at a later relay time.
    await publishAt(relay, clock, at('08:11'), { a: true, b: true }, at('08:10'));
    // A publisher socket sends it once more, drops, reconnects and sends it again (as the app does after a reconnect).
    for (const t of ['08:20', '08:21']) {
      clock.now = at(t);
      const pub = await publisher(relay);
      pub.send({ type: 'state', seq: 1, state: state({ a: true, b: true }, at('08:10')) });
      await pub.waitFor(isType('ack'));
      pub.close();
      await pub.waitClosed();
    }
    expect(historyRows(relay).map((r) => [r.received_at, r.occupied])).toEqual([
      [at('08:00'), 1],
      [at('08:10'), 2],
    ]);
    const r = await report(relay, 'from=2026-03-10T08:00:00Z&to=2026-03-10T09:00:00Z&step=1h');
    expect(r.summary.arrivals).toBe(1);
  });

  it('orders by the relay clock and keeps the device clock for reference: a phone three hours off lands where the relay heard it', async () => {
    const clock = { now: at('08:00') };
    const relay = await relayAt(clock);
    const skew = -3 * H;
    await publishAt(relay, clock, at('08:00'), { a: false }, at('08:00') + skew);
    await publishAt(relay, clock, at('08:30'), { a: true }, at('08:30') + skew);
    await publishAt(relay, clock, at('09:00'), { a: true }, at('08:30') + skew);
    expect(historyRows(relay).map((r) => [r.received_at, r.device_at])).toEqual([
      [at('08:00'), at('05:00')],
      [at('08:30'), at('05:30')],
    ]);
    const r = await report(relay, 'from=2026-03-10T08:00:00Z&to=2026-03-10T09:00:00Z&step=30m');
    expect(r.series.map((p) => p.occupied)).toEqual([0, 1]);
    expect(r.series[1]!.arrivals).toBe(1);
  });

  it('shows the time a publisher was gone as a gap, never as free or occupied', async () => {
    const clock = { now: at('08:00') };
    const relay = await relayAt(clock);
    const session = async (t: string, slots: Record<string, boolean>, last: string) => {
      clock.now = at(t);
      const pub = await publisher(relay);
      pub.send({ type: 'state', seq: 1, state: state(slots, at(t)) });
      await pub.waitFor(isType('ack'));
      clock.now = at(last);
      pub.send({ type: 'state', seq: 2, state: state(slots, at(t)) });
      await pub.waitFor(isType('ack'), 2);
      pub.close();
      await pub.waitClosed();
    };
    await session('08:00', { a: true }, '08:30');
    await session('09:30', { a: true }, '10:00');
    const r = await report(relay, 'from=2026-03-10T08:00:00Z&to=2026-03-10T10:00:00Z&step=30m');
    expect(r.series.map((p) => p.occupied)).toEqual([1, null, null, 1]);
    expect(r.series.map((p) => p.counted)).toEqual([1, 0, 0, 1]);
    expect(r.slots[0]).toMatchObject({ utilisation: 1, counted_s: 3600, stays: 0, censored_stays: 2 });
  });

  it('keeps history across a restart; the time the relay was down is a gap', async () => {
    const clock = { now: at('08:00') };
    const dir = tempDir();
    let relay = await relayAt(clock, dir);
    await morning(relay, clock);
    const before = await report(relay, 'from=2026-03-10T08:00:00Z&to=2026-03-10T10:00:00Z&step=1h');
    await relay.close();
    running.splice(running.indexOf(relay), 1);
    clock.now = at('11:00');
    relay = await relayAt(clock, dir);
    expect(await report(relay, 'from=2026-03-10T08:00:00Z&to=2026-03-10T10:00:00Z&step=1h')).toMatchObject({
      series: before.series,
      slots: before.slots,
      dwell: before.dwell,
    });
    await publishAt(relay, clock, at('11:00'), { a: true, b: true });
    await publishAt(relay, clock, at('11:30'), { a: true, b: true }, at('11:00'));
    const after = await report(relay, 'from=2026-03-10T09:00:00Z&to=2026-03-10T12:00:00Z&step=1h');
    expect(after.series.map((p) => p.occupied)).toEqual([1.25, null, 2]);
  });
});

describe('a failing history write', () => {
  /** SQLite that stores lots and states but cannot write history while `broken` is set (a full disk, a locked file). */
  class BrokenHistoryStore extends SqliteLotStore {
    broken = true;
    override async recordHistory(lot: string, entry: HistoryEntry): Promise<boolean> {
      if (this.broken) throw new Error('SQLITE_FULL: database or disk is full');
      return super.recordHistory(lot, entry);
    }
  }

  it('costs neither viewers the live state nor the publisher its answer; it is logged, and history resumes with a new span', async () => {
    const clock = { now: at('08:00') };
    const store = new BrokenHistoryStore(tempDir());
    const warnings: string[] = [];
    const log = { info: () => {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    const relay = await startTestRelay({ offlineAfterMs: H }, { store, log, now: () => clock.now });
    running.push(relay);
    const viewer = new Client(`${relay.ws}/lots/default/live`);
    clients.push(viewer);
    await viewer.waitFor(isType('snapshot'));

    await publishAt(relay, clock, at('08:00'), { a: true });
    const [update] = await viewer.waitFor(isType('state'));
    expect(update).toMatchObject({ type: 'state', lot: 'default', state: { occupied_slots: 1 } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^lot "default": history not recorded: SQLITE_FULL/);
    expect(warnings[0]).not.toContain(TOKEN);

    store.broken = false;
    await publishAt(relay, clock, at('08:10'), { a: true }, at('08:00'));
    await publishAt(relay, clock, at('08:20'), { a: false });
    await publishAt(relay, clock, at('08:30'), { a: false }, at('08:20'));
    await viewer.waitFor(isType('state'), 4);
    const r = await report(relay, 'from=2026-03-10T08:00:00Z&to=2026-03-10T08:30:00Z&step=10m');
    // 08:00–08:10 was never written: a gap. The span starts again at 08:10.
    expect(r.series.map((p) => p.counted)).toEqual([0, 1, 1]);
    expect(r.series.map((p) => p.occupied)).toEqual([null, 1, 0]);
  });
});

describe('the history schema step', () => {
  it('upgrades a relay database written before history in place: lots, tokens and states stay', async () => {
    const dir = tempDir();
    const old = new Database(join(dir, DB_FILE));
    migrate(old, MIGRATIONS.slice(0, 1));
    old.prepare(`INSERT INTO lots (id, token_hash, created_at, state_json, received_at, revision) VALUES ('north', 'abc', '2026-03-10T08:00:00.000Z', ?, '2026-03-10T08:00:00.000Z', 3)`).run(
      JSON.stringify({ ...state({ a: true }, at('08:00')) }),
    );
    old.close();
    const store = new SqliteLotStore(dir);
    const rec = await store.get('north');
    expect(rec).toMatchObject({ tokenHash: 'abc', state: { revision: 3, metadata: { occupied_slots: 1 } } });
    expect(await store.history('north', 0, Date.now())).toEqual({ spans: [], records: [] });
    expect(await store.recordHistory('north', { metadata: rec!.state!.metadata, receivedAt: at('09:00'), deviceAt: at('08:00'), newSpan: true })).toBe(true);
    expect((await store.history('north', 0, at('10:00'))).records).toHaveLength(1);
    await store.close();
    const db = new Database(join(dir, DB_FILE), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });
});
