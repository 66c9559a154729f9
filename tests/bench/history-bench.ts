// Runs in headless Chromium, driven by scripts/bench.ts: the device side of history in the browser's IndexedDB.
// Events written per second, and the dashboard's query for 30 days of a simulated 100-slot lot.
import { parseStep } from '../../src/history/buckets.ts';
import { presetQuery } from '../../src/history/query.ts';
import { planRecord, type RecorderMemory } from '../../src/history/recorder-plan.ts';
import type { LotSnapshot, SlotEvent } from '../../src/history/types.ts';
import { DeviceHistory } from '../../src/storage/device-history.ts';
import { openLotwatchDB } from '../../src/storage/db.ts';
import { aggregateHistory, compactHistory } from '../../src/storage/history-maintenance.ts';
import { HistoryStore } from '../../src/storage/history-store.ts';
import { lotFrames, toLotState } from '../support/simulated-lot.ts';

export interface HistoryBenchConfig {
  slots: number;
  days: number;
  /** Events for the write figures. */
  writeEvents: number;
  batch: number;
  singleWrites: number;
  queryRuns: number;
  /** Retention for the compacted variant. */
  retentionDays: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;

async function fresh(name: string) {
  await new Promise((r) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = req.onerror = r;
  });
  return openLotwatchDB(name);
}

async function writes(cfg: HistoryBenchConfig) {
  const db = await fresh('lotwatch-bench-writes');
  const store = new HistoryStore(db, 'bench');
  const t0 = Date.UTC(2026, 0, 1);
  const ev = (i: number): SlotEvent => ({ lotId: 'bench', at: t0 + i * 1000, slotId: String(i % 100), state: i % 2 ? 'occupied' : 'free', probability: 0.9 });
  let start = performance.now();
  for (let i = 0; i < cfg.writeEvents; i += cfg.batch) {
    await store.append(Array.from({ length: Math.min(cfg.batch, cfg.writeEvents - i) }, (_, j) => ev(i + j)), []);
  }
  const batched = cfg.writeEvents / ((performance.now() - start) / 1000);
  start = performance.now();
  for (let i = 0; i < cfg.singleWrites; i++) await store.append([ev(cfg.writeEvents + i)], []);
  const single = cfg.singleWrites / ((performance.now() - start) / 1000);
  db.close();
  return { batched, single };
}

async function query(cfg: HistoryBenchConfig) {
  const db = await fresh('lotwatch-bench-query');
  const store = new HistoryStore(db, 'default');
  const now = Date.UTC(2026, 10, 28, 12);
  const timeZone = 'Europe/Berlin';
  const q = presetQuery('30d', now, timeZone);
  // A month of a lot, recorded as the app records it (events + minute heartbeats + hourly full snapshots).
  let mem: RecorderMemory | null = null;
  let events: SlotEvent[] = [];
  let snapshots: LotSnapshot[] = [];
  let counts = { frames: 0, events: 0, snapshots: 0 };
  let recordMs = 0;
  for (const f of lotFrames({ slots: cfg.slots, from: now - cfg.days * 86_400_000, to: now, seed: 42 })) {
    const p = planRecord(mem, 'default', toLotState(f), f.at);
    mem = p.memory;
    events.push(...p.events);
    if (p.snapshot) snapshots.push(p.snapshot);
    counts.frames++;
    if (events.length + snapshots.length >= 2000) {
      const t = performance.now();
      await store.append(events, snapshots);
      recordMs += performance.now() - t;
      counts = { ...counts, events: counts.events + events.length, snapshots: counts.snapshots + snapshots.length };
      events = [];
      snapshots = [];
    }
  }
  await store.append(events, snapshots);
  counts = { ...counts, events: counts.events + events.length, snapshots: counts.snapshots + snapshots.length };
  const names = new Map(Array.from({ length: cfg.slots }, (_, i) => [String(i + 1), `S${i + 1}`]));
  const source = new DeviceHistory(store, { names: () => names, now: () => now });
  const time = async () => {
    const runs: number[] = [];
    let points = 0;
    for (let i = 0; i < cfg.queryRuns; i++) {
      const t = performance.now();
      const r = await source.report({ ...q, step: parseStep('1h')! });
      runs.push(performance.now() - t);
      points = r.series.length;
    }
    return { medianMs: median(runs), minMs: Math.min(...runs), points };
  };
  // Before any hour is aggregated (a device that has not run its hourly upkeep yet): every event and snapshot.
  const raw = await time();
  const usageRaw = (await navigator.storage.estimate()).usage ?? null;
  let t = performance.now();
  const hours = await aggregateHistory(store, now);
  const aggregateMs = performance.now() - t;
  // As a counting device has it: every finished hour aggregated, the last hour raw.
  const aggregated = await time();
  t = performance.now();
  await compactHistory(store, now, cfg.retentionDays);
  const compactMs = performance.now() - t;
  const compacted = await time();
  const left = await store.counts();
  const usageCompacted = (await navigator.storage.estimate()).usage ?? null;
  db.close();
  return { counts, recordMs, raw, usageRaw, aggregation: { hours, ms: aggregateMs }, aggregated, compaction: { ms: compactMs, left, usage: usageCompacted }, compacted };
}

async function runBench(cfg: HistoryBenchConfig) {
  return { userAgent: navigator.userAgent, writes: await writes(cfg), query: await query(cfg) };
}

(window as unknown as { runBench: typeof runBench }).runBench = runBench;
document.getElementById('status')!.textContent = 'ready';
