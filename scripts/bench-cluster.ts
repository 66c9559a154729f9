// Cluster benchmark (issue 16): 100 lots, one publisher each at 1 state/s, and 10,000 viewer WebSockets spread over 3
// relays behind nginx (PostgreSQL + Redis), for 60 s on loopback; then the same 60 s with one relay killed (kill -9)
// at 30 s; then one relay alone (SQLite, in process) at the same load, for the ratio.
//
//   npm run bench -- cluster [--json]                 # the full run (about 5 minutes)
//   tsx scripts/bench-cluster.ts --seconds 20 --viewers 2000 --kill-at 10 [--skip-single] [--json]
//
// Publishers are the app's own client (createPublisher: its backoff, its resend after a reconnect). Viewers are raw
// sockets on /lots/<lot>/live that reconnect with the client's backoff (backoffDelay, DEFAULT_BACKOFF); they read the
// state's time from the text without parsing all of it, so 10,000 of them fit in this one process. Latency is from
// the publisher's send to a viewer's message event, everything sharing this machine's cores. "Acknowledged" is what a
// publisher got an ack for; "lost" is an acknowledged state missing from PostgreSQL afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { backoffDelay, createPublisher, DEFAULT_BACKOFF, type Publisher } from '../src/share/relay-client.ts';
import { OPERATOR_TOKEN, startCluster, startUnitRelay, type Cluster, type ClusterRelay } from '../tests/support/cluster.ts';
import { enginesAvailable, freePort } from '../tests/support/engines.ts';
import { groupCpuSeconds, mb, memoryOf } from './bench/proc.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    lots: { type: 'string', default: '100' },
    viewers: { type: 'string', default: '10000' },
    relays: { type: 'string', default: '3' },
    'kill-at': { type: 'string', default: '30' },
    'skip-single': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const int = (name: string, raw: string, min: number) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return n;
};
const SECONDS = int('seconds', values.seconds, 2);
const LOTS = int('lots', values.lots, 1);
const VIEWERS = int('viewers', values.viewers, 1);
const RELAYS = int('relays', values.relays, 2);
const KILL_AT = int('kill-at', values['kill-at'], 1);
if (LOTS > 999) throw new Error('--lots must be below 1000');
if (KILL_AT >= SECONDS) throw new Error('--kill-at must be within --seconds');

const say = (m: string) => process.stderr.write(`[bench cluster] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

// A state's `last_updated` encodes which lot and which second it is: BASE + second * 1000 + lot (ms).
const BASE = Date.parse('2030-01-01T00:00:00Z');
const stampOf = (lot: number, i: number) => new Date(BASE + i * 1000 + lot).toISOString();
const STAMP_KEY = '"last_updated":"';

/** What was sent and acknowledged, per lot and second. */
class Ledger {
  readonly sentAt: Float64Array[];
  readonly acked: Uint8Array[];
  constructor(lots: number, seconds: number) {
    this.sentAt = Array.from({ length: lots }, () => new Float64Array(seconds).fill(NaN));
    this.acked = Array.from({ length: lots }, () => new Uint8Array(seconds));
  }
}

interface Viewer {
  lot: number;
  ws: WebSocket | null;
  /** Highest second received, for in-order counting. */
  last: number;
  attempt: number;
  /** Has had its snapshot (is following the lot). */
  synced: boolean;
  failures: number;
  lostAt: number | null;
  backAt: number | null;
}

interface Window {
  from: number;
  to: number;
  delivered: number;
  outOfOrder: number;
  latencies: number[];
}

class Load {
  readonly viewers: Viewer[] = [];
  readonly publishers: Publisher[] = [];
  readonly ledger: Ledger;
  window: Window | null = null;
  #closing = false;

  constructor(
    private readonly viewerBase: () => string,
    private readonly publisherBase: string,
    private readonly tokens: string[],
    readonly totalSeconds: number,
  ) {
    this.ledger = new Ledger(LOTS, totalSeconds);
  }

  async connect(): Promise<void> {
    const ledger = this.ledger;
    for (let k = 0; k < LOTS; k++) {
      const seqs = new Map<number, number>();
      // The app's publisher over a socket that notes what it sends (seq → second), to know what each ack covers.
      const Tapped = class extends WebSocket {
        constructor(url: string) {
          super(url, { perMessageDeflate: false });
        }
        override send(data: unknown, ...rest: unknown[]): void {
          if (typeof data === 'string' && data.startsWith('{"type":"state"')) {
            const m = JSON.parse(data) as { seq: number; state: { last_updated: string } };
            const i = Math.floor((Date.parse(m.state.last_updated) - BASE) / 1000);
            seqs.set(m.seq, i);
            if (Number.isNaN(ledger.sentAt[k]![i])) ledger.sentAt[k]![i] = performance.now();
          }
          (super.send as (...a: unknown[]) => void)(data, ...rest);
        }
      };
      this.publishers.push(
        createPublisher({
          url: this.publisherBase, lot: lotName(k), token: this.tokens[k]!, WebSocket: Tapped as never,
          onAck: (_rev, seq) => {
            const i = seq === null ? undefined : seqs.get(seq);
            if (i !== undefined) ledger.acked[k]![i] = 1;
          },
        }),
      );
    }
    for (let i = 0; i < VIEWERS; i++) this.viewers.push({ lot: i % LOTS, ws: null, last: -1, attempt: 0, synced: false, failures: 0, lostAt: null, backAt: null });
    for (let i = 0; i < VIEWERS; i += 200) {
      await Promise.all(this.viewers.slice(i, i + 200).map((v) => this.#open(v)));
      if (i % 2000 === 0) say(`${i + 200} viewers connecting`);
    }
    // Those refused at first retry with backoff: start only when every viewer follows its lot.
    const end = Date.now() + 120_000;
    while (this.viewers.some((v) => !v.synced)) {
      if (Date.now() > end) throw new Error(`${this.viewers.filter((v) => !v.synced).length} viewers could not connect in 2 minutes`);
      await sleep(200);
    }
    this.failedConnects = this.viewers.reduce((n, v) => n + v.failures, 0);
    say(`${VIEWERS} viewers following their lots (${this.failedConnects} refused attempts on the way)`);
  }

  failedConnects = 0;
  /** Failed attempts by HTTP status or close code. */
  readonly refusals = new Map<number, number>();

  /** Publishes seconds [from, to) of every lot, spread over each second, then waits `drainMs` for stragglers. */
  async publish(from: number, to: number, at: (second: number) => void = () => {}, drainMs = 10_000): Promise<Window> {
    const w: Window = { from, to, delivered: 0, outOfOrder: 0, latencies: [] };
    this.window = w;
    const start = performance.now();
    for (let i = from; i < to; i++) {
      at(i - from);
      for (let k = 0; k < LOTS; k++) {
        const wait = start + (i - from) * 1000 + (k * 1000) / LOTS - performance.now();
        if (wait > 0) await sleep(wait);
        const occupied = (i + k) % 51;
        this.publishers[k]!.publish({ total_slots: 50, occupied_slots: occupied, available_slots: 50 - occupied, last_updated: stampOf(k, i), slots: [] });
      }
    }
    // Stragglers: until every viewer has every state of the window, at most `drainMs`.
    const expected = this.expected(w);
    const end = performance.now() + drainMs;
    while (w.delivered < expected && performance.now() < end) await sleep(50);
    this.window = null;
    return w;
  }

  /** How many deliveries a window should have had: every state sent, to every viewer of its lot. */
  expected(w: Window): number {
    const perLot = Math.floor(VIEWERS / LOTS);
    let n = 0;
    for (let k = 0; k < LOTS; k++) {
      const viewers = perLot + (k < VIEWERS % LOTS ? 1 : 0);
      for (let i = w.from; i < w.to; i++) if (!Number.isNaN(this.ledger.sentAt[k]![i])) n += viewers;
    }
    return n;
  }

  close(): void {
    this.#closing = true;
    for (const p of this.publishers) p.close();
    for (const v of this.viewers) v.ws?.terminate();
  }

  #open(v: Viewer): Promise<void> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`${this.viewerBase()}/lots/${lotName(v.lot)}/live`, { perMessageDeflate: false });
      v.ws = ws;
      let settled = false;
      const settle = () => {
        if (!settled) {
          settled = true;
          resolve();
        }
      };
      ws.on('message', (data: Buffer) => {
        const text = data.toString();
        if (text.startsWith('{"type":"snapshot"')) {
          v.attempt = 0;
          v.synced = true;
          if (v.lostAt !== null && v.backAt === null) v.backAt = Date.now();
          settle();
          return;
        }
        if (!text.startsWith('{"type":"state"')) return;
        const p = text.indexOf(STAMP_KEY);
        const t = Date.parse(text.slice(p + STAMP_KEY.length, p + STAMP_KEY.length + 24));
        const i = Math.floor((t - BASE) / 1000);
        const w = this.window;
        if (i <= v.last) {
          if (w) w.outOfOrder++;
          return;
        }
        v.last = i;
        const sent = this.ledger.sentAt[t - BASE - i * 1000]?.[i];
        if (w && i >= w.from && i < w.to && sent !== undefined && !Number.isNaN(sent)) {
          w.delivered++;
          w.latencies.push(performance.now() - sent);
        }
      });
      ws.on('error', () => {});
      ws.on('unexpected-response', (_req, res) => {
        this.refusals.set(res.statusCode ?? 0, (this.refusals.get(res.statusCode ?? 0) ?? 0) + 1);
        ws.terminate();
      });
      ws.on('close', (code: number) => {
        settle();
        if (this.#closing) return;
        if (!v.synced || v.lostAt !== null) {
          v.failures++;
          this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
        }
        if (v.lostAt === null && v.synced) v.lostAt = Date.now();
        // The client's backoff: 0.5 s doubling to 30 s, with jitter.
        setTimeout(() => void this.#open(v), backoffDelay(v.attempt++, DEFAULT_BACKOFF, Math.random));
      });
    });
  }
}

const lotName = (k: number) => `bench-${String(k).padStart(3, '0')}`;

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN);
}

function latencyOf(w: Window) {
  const l = Float64Array.from(w.latencies).sort();
  return { p50: round(percentile(l, 50), 1), p99: round(percentile(l, 99), 1), max: round(l[l.length - 1] ?? NaN, 1) };
}

/** RSS and CPU of servers (each a process group: nginx's workers, PostgreSQL's backends) over a window. */
function meter(pids: Record<string, number>) {
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, groupCpuSeconds(pid)]));
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const peak: Record<string, number> = Object.fromEntries(Object.keys(pids).map((k) => [k, 0]));
  const timer = setInterval(() => {
    for (const [k, pid] of Object.entries(pids)) peak[k] = Math.max(peak[k] ?? 0, memoryOf(pid)?.rss ?? 0);
  }, 500);
  return () => {
    clearInterval(timer);
    const seconds = (performance.now() - t0) / 1000;
    const out: Record<string, { rssMb: number; peakRssMb: number; cpuPercent: number | null }> = {};
    for (const [k, pid] of Object.entries(pids)) {
      const end = groupCpuSeconds(pid);
      const s = start[k];
      out[k] = {
        rssMb: mb(memoryOf(pid)?.rss ?? NaN),
        peakRssMb: mb(peak[k] ?? NaN),
        cpuPercent: end !== null && s !== null && s !== undefined ? round(((end - s) / seconds) * 100, 1) : null,
      };
    }
    const self = process.cpuUsage(self0);
    out.loadGenerator = { rssMb: mb(process.memoryUsage().rss / 1024), peakRssMb: mb(memoryOf(process.pid)?.hwm ?? NaN), cpuPercent: round(((self.user + self.system) / 1e6 / seconds) * 100, 1) };
    return out;
  };
}

async function createLots(base: string): Promise<string[]> {
  const tokens: string[] = [];
  for (let k = 0; k < LOTS; k++) {
    const create = () =>
      fetch(`${base}/lots`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${OPERATOR_TOKEN}` },
        body: JSON.stringify({ lot: lotName(k) }),
      });
    let res = await create();
    // The relays' POST limit per address (shared between them): wait as told, a few times.
    for (let tries = 0; res.status === 429 && tries < 10; tries++) {
      await sleep(Number(res.headers.get('retry-after') ?? '1') * 1000);
      res = await create();
    }
    if (res.status !== 201) throw new Error(`creating ${lotName(k)}: HTTP ${res.status} ${await res.text()}`);
    tokens.push(((await res.json()) as { token: string }).token);
  }
  return tokens;
}

// Relays take this many sockets, all of them from one address (every viewer here comes from 127.0.0.1, through nginx).
const SOCKETS = String(VIEWERS + LOTS + 1000);
const RELAY_ARGS = ['--max-connections', SOCKETS, '--max-connections-per-address', SOCKETS, '--max-lots', String(LOTS + 100)];

async function runCluster() {
  say(`starting PostgreSQL, Redis, ${RELAYS} relays and nginx`);
  const cluster: Cluster = await startCluster({ relays: RELAYS, relayArgs: RELAY_ARGS, nginxConnections: 2 * (VIEWERS + LOTS) + 1000, nginxWorkers: 2 });
  try {
    const tokens = await createLots(cluster.nginx.url);
    const wsBase = cluster.nginx.url.replace('http', 'ws');
    const load = new Load(() => wsBase, cluster.nginx.url, tokens, 2 * SECONDS + 5);
    await load.connect();
    // A first state for every lot, so every later one counts (viewers are all in by now).
    await load.publish(0, 1, undefined, 1500);
    const pids = {
      ...Object.fromEntries(cluster.relays.map((r, i) => [`relay${i + 1}`, r.pid])),
      nginx: cluster.nginx.pid,
      postgres: cluster.pg.pid,
      redis: cluster.redis.pid,
    };
    say(`steady: ${SECONDS} s`);
    let stop = meter(pids);
    const steady = await load.publish(1, 1 + SECONDS);
    const steadyCost = stop();

    say(`kill: ${SECONDS} s, relay1 killed at ${KILL_AT} s`);
    const victim: ClusterRelay = cluster.relays[0]!;
    let killedAt = 0;
    stop = meter(Object.fromEntries(Object.entries(pids).filter(([k]) => k !== 'relay1')));
    const killed = await load.publish(1 + SECONDS, 1 + 2 * SECONDS, (s) => {
      if (s === KILL_AT) {
        killedAt = Date.now();
        void victim.kill();
      }
    });
    const killCost = stop();
    const lostViewers = load.viewers.filter((v) => v.lostAt !== null && v.lostAt >= killedAt);
    const back = lostViewers.filter((v) => v.backAt !== null);
    const reconnectS = back.length === lostViewers.length && lostViewers.length > 0 ? round((Math.max(...back.map((v) => v.backAt!)) - killedAt) / 1000, 2) : null;

    // Every acknowledged state must be in PostgreSQL (the history keeps each distinct state).
    let acked = 0;
    let lost = 0;
    for (let k = 0; k < LOTS; k++) {
      const rows = await cluster.pg.sql('SELECT device_at FROM history_states WHERE lot = $1', [lotName(k)], 'lotwatch');
      const stored = new Set(rows.rows.map((r) => Number(r.device_at)));
      load.ledger.acked[k]!.forEach((a, i) => {
        if (!a) return;
        acked++;
        if (!stored.has(Date.parse(stampOf(k, i)))) lost++;
      });
    }
    const size = await cluster.pg.sql(
      `SELECT pg_total_relation_size('history_states')::float8 / greatest(count(*), 1) AS per_row, count(*)::int AS rows FROM history_states`, [], 'lotwatch');
    load.close();
    const historyBytesPerRow = Math.round(Number(size.rows[0].per_row));
    return { steady, steadyCost, killed, killCost, load, lostViewers: lostViewers.length, reconnectS, acked, lost, historyBytesPerRow };
  } finally {
    say('stopping the cluster');
    await cluster.stop();
  }
}

async function runSingle() {
  say('one relay alone (SQLite, in process), same load, no nginx');
  const dataDir = mkdtempSync(join(tmpdir(), 'lotwatch-bench-single-'));
  const port = await freePort();
  const relay = await startUnitRelay(port, { LOTWATCH_DATABASE_URL: '', LOTWATCH_REDIS_URL: '', LOTWATCH_OPERATOR_TOKEN: OPERATOR_TOKEN }, [
    ...RELAY_ARGS, '--data-dir', dataDir,
  ]);
  try {
    const tokens = await createLots(relay.url);
    const load = new Load(() => relay.ws, relay.url, tokens, SECONDS + 3);
    await load.connect();
    await load.publish(0, 1, undefined, 1500);
    const stop = meter({ relay: relay.pid });
    const w = await load.publish(1, 1 + SECONDS);
    const cost = stop();
    load.close();
    return { w, cost, load };
  } finally {
    await relay.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!enginesAvailable('postgres', 'redis', 'nginx')) {
    console.log('skipped: PostgreSQL, Redis and nginx are needed');
    if (values.json) console.log(JSON.stringify({ skipped: true }));
    return;
  }
  const load0 = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim();
  const c = await runCluster();
  const single = values['skip-single'] ? null : await runSingle();
  const load1 = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim();

  const steadyExpected = c.load.expected(c.steady);
  const killExpected = c.load.expected(c.killed);
  const lat = latencyOf(c.steady);
  const result = {
    lots: LOTS,
    viewers: VIEWERS,
    relays: RELAYS,
    seconds: SECONDS,
    delivered: round(c.steady.delivered / steadyExpected, 5),
    p50Ms: lat.p50,
    p99Ms: lat.p99,
    maxMs: lat.max,
    outOfOrder: c.steady.outOfOrder,
    perRelay: c.steadyCost,
    kill: {
      atS: KILL_AT,
      viewersCut: c.lostViewers,
      reconnectS: c.reconnectS,
      delivered: round(c.killed.delivered / killExpected, 5),
      latency: latencyOf(c.killed),
      perRelay: c.killCost,
    },
    acknowledged: c.acked,
    lostAcknowledged: c.lost,
    historyBytesPerRow: c.historyBytesPerRow,
    reconnectS: c.reconnectS,
    single: single
      ? { delivered: round(single.w.delivered / single.load.expected(single.w), 5), ...latencyOf(single.w), relay: single.cost.relay }
      : null,
    loadavg: { before: load0, after: load1 },
    node: process.version,
  };
  const cpuSum = Object.values(c.steadyCost).reduce((a, r) => a + (r.cpuPercent ?? 0), 0);
  console.log(`lotwatch cluster benchmark: ${LOTS} lots × 1 state/s, ${VIEWERS} viewers over ${RELAYS} relays behind nginx, ${SECONDS} s, loopback`);
  console.log(`  delivered            ${c.steady.delivered} of ${steadyExpected} (${(result.delivered * 100).toFixed(3)} %), out of order ${c.steady.outOfOrder}`);
  console.log(`  publish → viewer     p50 ${lat.p50} ms, p99 ${lat.p99} ms, max ${lat.max} ms`);
  for (const [k, r] of Object.entries(c.steadyCost)) console.log(`  ${k.padEnd(20)} RSS ${r.rssMb} MB (peak ${r.peakRssMb}), CPU ${r.cpuPercent} % of one core`);
  if (single) {
    const s = result.single!;
    console.log(`  one relay alone      delivered ${(s.delivered * 100).toFixed(3)} %, p50 ${s.p50} ms, p99 ${s.p99} ms; RSS ${s.relay?.rssMb} MB, CPU ${s.relay?.cpuPercent} %`);
    console.log(`  ratio cluster/alone  p99 ${round(lat.p99 / s.p99, 2)}×, relay CPU summed ${round(cpuSum / (s.relay?.cpuPercent ?? NaN), 2)}×`);
  }
  console.log(`  kill -9 relay1 at ${KILL_AT} s: ${c.lostViewers} viewers cut, all back after ${c.reconnectS ?? 'NOT ALL BACK'} s; delivered ${(result.kill.delivered * 100).toFixed(3)} % in that minute`);
  console.log(`  failed attempts      ${JSON.stringify(Object.fromEntries(c.load.refusals))} (HTTP status or close code: count)`);
  console.log(`  acknowledged states  ${c.acked}, missing from PostgreSQL afterwards: ${c.lost}`);
  console.log(`  history in PostgreSQL ${c.historyBytesPerRow} bytes per state (table, indexes; counts-only states)`);
  console.log(`  load average         before ${load0}; after ${load1}`);
  if (values.json) console.log(JSON.stringify(result));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
