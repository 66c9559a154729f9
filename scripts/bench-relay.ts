// Relay benchmark: one publisher at 10 updates/s and 1,000 viewer sockets on loopback for 30 s.
// Reports updates delivered vs sent (must be all), p50/p99 publish-to-viewer latency and the relay's memory.
//
//   npm run bench:relay                       # the full scenario
//   npm run bench:relay -- --seconds 5        # shorter
//   npm run bench:relay -- --json             # also one JSON line at the end
//   options: --viewers N (1000), --rate N (10 per second), --route ws|live (ws)
//
// The relay runs as its own process (so its memory is its own), started exactly as `npm run relay` starts it, on
// 127.0.0.1 with a throwaway data folder. Publisher and viewers share this process and one clock.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { startRelayProcess } from './bench/relay-process.ts';
import { cpuSecondsOf, mb, memoryOf } from './bench/proc.ts';


const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    viewers: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '10' },
    route: { type: 'string', default: 'ws' },
    json: { type: 'boolean', default: false },
  },
});
const positive = (name: string, raw: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const seconds = positive('seconds', values.seconds);
const viewerCount = positive('viewers', values.viewers);
const rate = positive('rate', values.rate);
const route = values.route === 'live' ? 'live' : 'ws';
const updates = seconds * rate;
if (rate > 20) console.warn(`note: the relay allows a publisher 20 states/s sustained; --rate ${rate} will be cut off`);
const LOT = 'default';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


function open(url: string): Promise<WebSocket> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      fail(new Error(`timed out opening ${url}`));
    }, 10_000);
    ws.once('open', () => {
      clearTimeout(timer);
      ok(ws);
    });
    ws.once('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const stateAt = (i: number, at: string) => {
  const total = 50;
  const occupied = i % (total + 1);
  return { total_slots: total, occupied_slots: occupied, available_slots: total - occupied, last_updated: at, slots: [] };
};

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lotwatch-bench-'));
  const token = randomBytes(24).toString('base64url');
  // Every viewer comes from 127.0.0.1, and viewers may take nine tenths of the connections.
  const { child, url } = await startRelayProcess(dataDir, token, [
    '--max-connections', String(Math.ceil(viewerCount * 1.2) + 100),
    '--max-connections-per-address', String(viewerCount + 10),
  ]);
  const pid = child.pid ?? 0;
  const sockets: WebSocket[] = [];
  try {
    const wsBase = url.replace(/^http/, 'ws');
    const publisher = await open(`${wsBase}/lots/${LOT}/publish`);
    sockets.push(publisher);
    let acked = 0;
    publisher.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { type: string };
      if (m.type === 'ack') acked++;
      else if (m.type === 'error') console.error(`publisher error: ${d.toString()}`);
    });
    publisher.send(JSON.stringify({ type: 'auth', token }));
    // A first state, so every viewer gets a snapshot on connect (not counted).
    publisher.send(JSON.stringify({ type: 'state', state: stateAt(0, new Date(0).toISOString()) }));
    await sleep(200);
    const idle = memoryOf(pid);

    // Viewers, opened 50 at a time.
    const sentAt = new Map<string, number>();
    const latencies = new Float64Array(viewerCount * updates);
    let delivered = 0;
    let unexpected = 0;
    const received = new Uint32Array(viewerCount);
    const path = route === 'ws' ? `/ws?lot=${LOT}` : `/lots/${LOT}/live`;
    for (let i = 0; i < viewerCount; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, viewerCount - i) }, () => open(wsBase + path)));
      batch.forEach((ws, j) => {
        const index = i + j;
        ws.on('message', (d) => {
          const now = performance.now();
          const m = JSON.parse(d.toString()) as { data?: { last_updated: string }; state?: { last_updated: string }; type?: string };
          const stamp = route === 'ws' ? m.data?.last_updated : m.type === 'state' ? m.state?.last_updated : undefined;
          if (stamp === undefined) return; // snapshot, presence
          const t0 = sentAt.get(stamp);
          if (t0 === undefined) {
            if (stamp !== new Date(0).toISOString()) unexpected++;
            return;
          }
          received[index] = (received[index] ?? 0) + 1;
          if (delivered < latencies.length) latencies[delivered] = now - t0;
          delivered++;
        });
        sockets.push(ws);
      });
    }
    await sleep(500);
    const connected = memoryOf(pid);
    const cpuStart = cpuSecondsOf(pid);

    // The publisher: `rate` states a second for `seconds`, each with a distinct last_updated to match receipts.
    let peak = connected?.rss ?? 0;
    const sampler = setInterval(() => {
      const m = memoryOf(pid);
      if (m) peak = Math.max(peak, m.rss);
    }, 250);
    const start = performance.now();
    const base = Date.parse('2030-01-01T00:00:00Z');
    for (let i = 1; i <= updates; i++) {
      const wait = start + (i - 1) * (1000 / rate) - performance.now();
      if (wait > 0) await sleep(wait);
      const stamp = new Date(base + i).toISOString();
      sentAt.set(stamp, performance.now());
      publisher.send(JSON.stringify({ type: 'state', seq: i, state: stateAt(i, stamp) }));
    }
    const expected = viewerCount * updates;
    // Drain: wait for stragglers, at most 10 s.
    const drainEnd = performance.now() + 10_000;
    while (delivered < expected && performance.now() < drainEnd) await sleep(50);
    const elapsed = (performance.now() - start) / 1000;
    clearInterval(sampler);
    const cpuEnd = cpuSecondsOf(pid);
    const end = memoryOf(pid);

    const lat = latencies.slice(0, Math.min(delivered, latencies.length)).sort();
    const worstViewer = received.reduce((a, b) => Math.min(a, b), Number.MAX_SAFE_INTEGER);
    const result = {
      viewers: viewerCount,
      route: route === 'ws' ? '/ws' : '/lots/<lot>/live',
      seconds,
      rate_per_s: rate,
      updates_sent: updates,
      updates_acked: acked - 1,
      deliveries: delivered,
      deliveries_expected: expected,
      all_delivered: delivered === expected && unexpected === 0,
      fewest_per_viewer: worstViewer,
      latency_ms: {
        min: Math.round((lat[0] ?? NaN) * 100) / 100,
        p50: Math.round(percentile(lat, 50) * 100) / 100,
        p99: Math.round(percentile(lat, 99) * 100) / 100,
        max: Math.round((lat[lat.length - 1] ?? NaN) * 100) / 100,
      },
      relay_memory_mb: {
        idle: idle ? mb(idle.rss) : null,
        with_viewers: connected ? mb(connected.rss) : null,
        peak_during_run: mb(peak),
        end: end ? mb(end.rss) : null,
      },
      relay_cpu_percent_of_one_core:
        cpuStart !== null && cpuEnd !== null ? Math.round(((cpuEnd - cpuStart) / elapsed) * 1000) / 10 : null,
      node: process.version,
    };

    console.log(`lotwatch relay benchmark: 1 publisher at ${rate}/s, ${viewerCount} viewers on ${result.route}, ${seconds} s, loopback`);
    console.log(`  updates sent              ${updates} (acked ${result.updates_acked})`);
    console.log(
      `  delivered                 ${delivered} of ${expected} (${((delivered / expected) * 100).toFixed(2)} %)` +
        `${result.all_delivered ? ' — all' : ' — MISSING SOME'}; fewest per viewer ${worstViewer} of ${updates}`,
    );
    const l = result.latency_ms;
    console.log(`  publish → viewer latency  p50 ${l.p50} ms, p99 ${l.p99} ms (min ${l.min} ms, max ${l.max} ms)`);
    const mem = result.relay_memory_mb;
    console.log(
      `  relay memory (RSS)        ${mem.idle} MB idle, ${mem.with_viewers} MB with ${viewerCount} viewers, ` +
        `peak ${mem.peak_during_run} MB, ${mem.end} MB at the end`,
    );
    if (result.relay_cpu_percent_of_one_core !== null) console.log(`  relay CPU                 ${result.relay_cpu_percent_of_one_core} % of one core`);
    if (values.json) console.log(JSON.stringify(result));
    if (!result.all_delivered) process.exitCode = 1;
  } finally {
    for (const ws of sockets) ws.terminate();
    child.kill('SIGTERM');
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(5000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
