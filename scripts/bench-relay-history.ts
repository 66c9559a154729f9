// Does history cost everyone else? A lot filled with 600 states of 1,000 slots (what anyone could publish in 13 s),
// then bursts of history queries on it, while `/healthz` is polled and a publisher on another lot streams states to
// a viewer. Reports `/healthz` and live-delivery latency per phase, and how the history queries were answered.
//
//   npm run bench -- relay-history                        # as a section of the benchmark
//   npx tsx scripts/bench-relay-history.ts [--json]       # alone; --states N (600) --slots N (1000) --burst N (12)
//   npx tsx scripts/bench-relay-history.ts --postgres     # the relay on a throwaway PostgreSQL instead of SQLite
//
// Phases: idle; a burst of N concurrent queries from one address; 2 queries/s from one address for 10 s; a burst of
// N queries from N addresses (127.0.0.2, 127.0.0.3, …). The relay runs as its own process, started as
// `npm run relay` starts it; the lot is written straight into its database first, through the relay's own store.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { startRelayProcess } from './bench/relay-process.ts';
import { hashToken } from '../relay/src/auth.ts';
import type { LotStore } from '../relay/src/lot-store.ts';
import { PgLotStore } from '../relay/src/pg-lot-store.ts';
import { SqliteLotStore } from '../relay/src/sqlite-lot-store.ts';
import { enginesAvailable, startPostgres, type Postgres } from '../tests/support/engines.ts';
import type { LotMetadata } from '../src/share/protocol.ts';

const { values } = parseArgs({
  options: {
    states: { type: 'string', default: '600' },
    slots: { type: 'string', default: '1000' },
    burst: { type: 'string', default: '12' },
    json: { type: 'boolean', default: false },
    postgres: { type: 'boolean', default: false },
  },
});
const states = Number(values.states);
const slotCount = Number(values.slots);
const burst = Number(values.burst);
const BIG = 'big';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The attacker's lot: every state flips every slot, so each stored row holds all of them. */
async function fill(store: LotStore, end: number): Promise<void> {
  await store.claim(BIG, hashToken(randomBytes(16).toString('hex')), new Date(end).toISOString(), 1000);
  let last: LotMetadata | null = null;
  for (let i = 0; i < states; i++) {
    const at = end - (states - i) * 1000;
    const iso = new Date(at).toISOString();
    const slots = Array.from({ length: slotCount }, (_, s) => ({
      id: `s${s}`,
      name: `Slot ${s}`,
      occupied: (s + i) % 2 === 0,
      probability: 0.5,
      since: iso,
    }));
    const occupied = slots.filter((s) => s.occupied).length;
    last = { total_slots: slotCount, occupied_slots: occupied, available_slots: slotCount - occupied, last_updated: iso, slots };
    await store.recordHistory(BIG, { metadata: last, receivedAt: at, deviceAt: at, newSpan: i === 0 });
  }
  if (last) await store.saveState(BIG, { metadata: last, receivedAt: new Date(end).toISOString() });
  await store.close();
}


/** A GET from a chosen loopback source address; resolves with the status and the milliseconds to the last byte. */
function get(url: string, localAddress = '127.0.0.1'): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((ok) => {
    const req = request(url, { localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => ok({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    });
    req.on('error', () => ok({ status: -1, ms: performance.now() - t0 }));
    req.setTimeout(60_000, () => req.destroy());
    req.end();
  });
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

interface PhaseResult {
  phase: string;
  healthz: { n: number; p50: number; p99: number; max: number };
  live: { n: number; p50: number; p99: number; max: number };
  history: { sent: number; statuses: Record<string, number>; okMsMedian: number; okMsMax: number };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lotwatch-bench-history-'));
  const token = randomBytes(24).toString('base64url');
  const end = Date.now();
  const t0 = performance.now();
  let pg: Postgres | null = null;
  if (values.postgres) {
    if (!enginesAvailable('postgres')) throw new Error('--postgres: PostgreSQL is not installed');
    pg = await startPostgres();
    await pg.createDatabase('lotwatch');
  }
  await fill(pg ? await PgLotStore.open(pg.url('lotwatch')) : new SqliteLotStore(dataDir), end);
  console.log(`filled lot "${BIG}" with ${states} states of ${slotCount} slots in ${r1((performance.now() - t0) / 1000)} s (${pg ? 'PostgreSQL' : 'SQLite'})`);
  const { child, url } = await startRelayProcess(dataDir, token, pg ? ['--database-url', pg.url('lotwatch')] : []);
  const sockets: WebSocket[] = [];
  const results: PhaseResult[] = [];
  try {
    const wsBase = url.replace(/^http/, 'ws');
    const open = (path: string) =>
      new Promise<WebSocket>((ok, fail) => {
        const ws = new WebSocket(wsBase + path, { perMessageDeflate: false });
        sockets.push(ws);
        ws.once('open', () => ok(ws));
        ws.once('error', fail);
      });
    const pub = await open('/lots/default/publish');
    pub.send(JSON.stringify({ type: 'auth', token }));
    const viewer = await open('/lots/default/live');
    const sentAt = new Map<string, number>();
    let liveLatencies: number[] = [];
    viewer.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { type: string; state?: { last_updated: string } };
      const at = m.type === 'state' && m.state ? sentAt.get(m.state.last_updated) : undefined;
      if (at !== undefined) liveLatencies.push(performance.now() - at);
    });
    let seq = 0;
    let clock = Date.now();
    const streamer = setInterval(() => {
      clock += 1000;
      const iso = new Date(clock).toISOString();
      sentAt.set(iso, performance.now());
      const occupied = seq % 11;
      pub.send(JSON.stringify({ type: 'state', seq: ++seq, state: { total_slots: 10, occupied_slots: occupied, available_slots: 10 - occupied, last_updated: iso, slots: [] } }));
    }, 100);
    let healthLatencies: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        healthLatencies.push((await get(`${url}/healthz`)).ms);
        await sleep(50);
      }
    })();

    const from = new Date(end - (states + 60) * 1000).toISOString();
    const to = new Date(end + 60_000).toISOString();
    const historyUrl = `${url}/lots/${BIG}/history?from=${from}&to=${to}&step=5m`;
    const phase = async (name: string, run: () => Promise<{ status: number; ms: number }[]>) => {
      liveLatencies = [];
      healthLatencies = [];
      const answers = await run();
      await sleep(500);
      const statuses: Record<string, number> = {};
      for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      const okMs = answers.filter((a) => a.status === 200).map((a) => a.ms);
      const stat = (xs: number[]) => ({ n: xs.length, p50: r1(pct(xs, 50)), p99: r1(pct(xs, 99)), max: r1(Math.max(...xs)) });
      const r: PhaseResult = {
        phase: name,
        healthz: stat(healthLatencies),
        live: stat(liveLatencies),
        history: { sent: answers.length, statuses, okMsMedian: r1(pct(okMs, 50)), okMsMax: r1(okMs.length ? Math.max(...okMs) : NaN) },
      };
      results.push(r);
      console.log(
        `${name.padEnd(34)} /healthz p50 ${r.healthz.p50} p99 ${r.healthz.p99} max ${r.healthz.max} ms (n ${r.healthz.n}) | ` +
          `live p50 ${r.live.p50} p99 ${r.live.p99} max ${r.live.max} ms (n ${r.live.n}) | ` +
          `history ${JSON.stringify(statuses)}, 200s median ${r.history.okMsMedian} max ${r.history.okMsMax} ms`,
      );
    };

    await sleep(1000);
    await phase('idle, 3 s', async () => {
      await sleep(3000);
      return [];
    });
    await phase(`burst of ${burst} from one address`, () => Promise.all(Array.from({ length: burst }, () => get(historyUrl))));
    // Let the per-address bucket refill before the sustained phase.
    await sleep(5000);
    await phase('2/s from one address for 10 s', async () => {
      const pending: Promise<{ status: number; ms: number }>[] = [];
      for (let i = 0; i < 20; i++) {
        pending.push(get(historyUrl));
        await sleep(500);
      }
      return Promise.all(pending);
    });
    await sleep(5000);
    await phase(`burst of ${burst} from ${burst} addresses`, () =>
      Promise.all(Array.from({ length: burst }, (_, i) => get(historyUrl, `127.0.0.${i + 2}`))),
    );
    clearInterval(streamer);
    polling = false;
    await poller;
  } finally {
    for (const s of sockets) s.terminate();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (values.json) console.log(JSON.stringify({ store: pg ? 'postgres' : 'sqlite', states, slots: slotCount, burst, phases: results }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
