// History figures: events written per second to IndexedDB (headless Chromium), the dashboard's query for 30 days
// of a simulated 100-slot lot on the device, and the relay's history query for the same lot (SQLite, over HTTP).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../relay/src/config.ts';
import { silentLogger } from '../../relay/src/log.ts';
import { startRelay } from '../../relay/src/relay.ts';
import { SqliteLotStore } from '../../relay/src/sqlite-lot-store.ts';
import type { HistoryBenchConfig } from '../../tests/bench/history-bench.ts';
import { lotFrames, toPublished } from '../../tests/support/simulated-lot.ts';
import { runBenchPage } from '../lib/browser.ts';
import { numFlag } from './child.ts';

const ms = (v: number) => `${v.toFixed(1)} ms`;
const per = (v: number) => `${Math.round(v).toLocaleString('en-US')}/s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;

export async function benchHistory(args: string[]): Promise<unknown> {
  const cfg: HistoryBenchConfig = {
    slots: numFlag(args, '--slots', 100),
    days: numFlag(args, '--days', 30),
    writeEvents: numFlag(args, '--write-events', 20_000),
    batch: numFlag(args, '--batch', 200),
    singleWrites: numFlag(args, '--single-writes', 500),
    queryRuns: numFlag(args, '--runs', 5),
    retentionDays: numFlag(args, '--retention', 7),
  };
  const device = await benchDevice(cfg);
  const relay = args.includes('--device-only') ? null : await benchRelay(cfg);
  return { config: cfg, device, relay };
}

async function benchDevice(cfg: HistoryBenchConfig) {
  const r = await runBenchPage<HistoryBenchConfig, DeviceBench>('/tests/bench/history.html', cfg);
  const q = r.query;
  console.log(`${r.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium'}, IndexedDB`);
  console.log(`events written: ${per(r.writes.batched)} in batches of ${cfg.batch} (the recorder's way); ${per(r.writes.single)} one transaction each`);
  console.log(
    `${cfg.days} days of a ${cfg.slots}-slot lot: ${q.counts.events.toLocaleString('en-US')} events + ${q.counts.snapshots.toLocaleString('en-US')} snapshots ` +
      `(written in ${ms(q.recordMs)}), site storage ${q.usageRaw === null ? '?' : `${(q.usageRaw / 1048576).toFixed(1)} MB`}`,
  );
  console.log(
    `dashboard query, 30 days hourly (${q.aggregated.points} points), finished hours aggregated (as a counting device has it): ` +
      `median ${ms(q.aggregated.medianMs)} (min ${ms(q.aggregated.minMs)}, ${cfg.queryRuns} runs)`,
  );
  console.log(`  the same from raw events only (before any hour is aggregated): median ${ms(q.raw.medianMs)} (min ${ms(q.raw.minMs)})`);
  console.log(`  aggregating the ${q.aggregation.hours} hours (a month's catch-up): ${ms(q.aggregation.ms)}`);
  console.log(
    `  after dropping raw events older than ${cfg.retentionDays} days (${ms(q.compaction.ms)}): ${q.compaction.left.events.toLocaleString('en-US')} events, ` +
      `${q.compaction.left.snapshots.toLocaleString('en-US')} snapshots, ${q.compaction.left.aggregates} hours left, site storage ` +
      `${q.compaction.usage === null ? '?' : `${(q.compaction.usage / 1048576).toFixed(1)} MB`}; query median ${ms(q.compacted.medianMs)}`,
  );
  return r;
}

interface Timed {
  medianMs: number;
  minMs: number;
  points: number;
}
interface DeviceBench {
  userAgent: string;
  writes: { batched: number; single: number };
  query: {
    counts: { frames: number; events: number; snapshots: number };
    recordMs: number;
    raw: Timed;
    usageRaw: number | null;
    aggregation: { hours: number; ms: number };
    aggregated: Timed;
    compaction: { ms: number; left: { events: number; snapshots: number; aggregates: number }; usage: number | null };
    compacted: Timed;
  };
}

async function benchRelay(cfg: HistoryBenchConfig) {
  const dir = mkdtempSync(join(tmpdir(), 'lotwatch-bench-history-'));
  const now = Date.UTC(2026, 10, 28, 12);
  const from = now - cfg.days * 86_400_000;
  try {
    // The relay's store fed as the relay feeds it: one call per received state (a state a minute, and every change).
    const store = new SqliteLotStore(dir);
    await store.ensure('default', new Date(from).toISOString());
    let states = 0;
    let last = -1;
    let lastChanged = from;
    let prevKey = '';
    let metadata = toPublished({ at: from, slots: [] }, from);
    const t0 = performance.now();
    for (const f of lotFrames({ slots: cfg.slots, from, to: now, seed: 42 })) {
      const key = f.slots.map((s) => (s.occupied ? 1 : 0)).join('');
      if (key !== prevKey) (lastChanged = f.at), (prevKey = key);
      metadata = toPublished(f, lastChanged);
      await store.recordHistory('default', { metadata, receivedAt: f.at, deviceAt: lastChanged, newSpan: last < 0 || f.at - last > 30 * 60_000 });
      last = f.at;
      states++;
    }
    const insertMs = performance.now() - t0;
    // The lot's current state, for slot names.
    await store.saveState('default', { metadata, receivedAt: new Date(now).toISOString() });
    const relay = await startRelay({ ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', dataDir: dir, dist: dir, token: null }, { store, log: silentLogger, now: () => now });
    try {
      const url = `${relay.url}/lots/default/history?from=${new Date(from).toISOString()}&to=${new Date(now).toISOString()}&step=1h&tz=Europe/Berlin`;
      const time = async (u: string) => {
        const runs: number[] = [];
        let bytes = 0;
        for (let i = 0; i < cfg.queryRuns; i++) {
          const t = performance.now();
          const res = await fetch(u);
          bytes = (await res.arrayBuffer()).byteLength;
          runs.push(performance.now() - t);
        }
        return { medianMs: median(runs), minMs: Math.min(...runs), bytes };
      };
      const json = await time(url);
      const csv = await time(`${url}&format=csv`);
      const rows = (await store.history('default', from, now)).records.length;
      console.log(`relay: ${states.toLocaleString('en-US')} states recorded in ${ms(insertMs)} (${per(states / (insertMs / 1000))}), ${rows.toLocaleString('en-US')} distinct states stored`);
      console.log(`relay GET /lots/<lot>/history, 30 days hourly: JSON median ${ms(json.medianMs)} (min ${ms(json.minMs)}, ${(json.bytes / 1024).toFixed(0)} KB); CSV median ${ms(csv.medianMs)}`);
      return { states, insertMs, rows, json, csv };
    } finally {
      await relay.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
