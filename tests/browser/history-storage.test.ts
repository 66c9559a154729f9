// History storage in real Chromium with the browser's own IndexedDB: the v1 → v2 upgrade keeps everything, raw
// history is written and read by lot and time, and compaction shrinks it without changing what the dashboard shows.
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { parseStep } from '../../src/history/buckets.ts';
import { planRecord, type RecorderMemory } from '../../src/history/recorder-plan.ts';
import type { LotSnapshot, SlotEvent } from '../../src/history/types.ts';
import { DeviceHistory } from '../../src/storage/device-history.ts';
import { DB_VERSION, DEFAULT_LOT_ID } from '../../src/storage/db.ts';
import { aggregateHistory, compactHistory, maintainHistory } from '../../src/storage/history-maintenance.ts';
import { HistoryStore } from '../../src/storage/history-store.ts';
import { loadRelayConfig } from '../../src/storage/relay-config-store.ts';
import { loadSettings } from '../../src/storage/settings-store.ts';
import { SlotStore } from '../../src/storage/slot-store.ts';
import { simulateLot, toLotState } from '../support/simulated-lot.ts';
import { tempDatabases } from './support/temp-db.ts';

const { fresh, open } = tempDatabases('lotwatch-history-test');

const at = (s: string) => Date.parse(s);

describe('the upgrade from version 1', () => {
  it('keeps every v1 store and record, and adds the empty history stores', async () => {
    const name = fresh();
    // Version 1 exactly as db.ts created it before history: lots (with the default lot), slots by lot, settings.
    const v1 = await openDB(name, 1, {
      upgrade(db, _old, _new, tx) {
        db.createObjectStore('lots', { keyPath: 'id' });
        const slots = db.createObjectStore('slots', { keyPath: ['lotId', 'id'] });
        slots.createIndex('by-lot', 'lotId');
        db.createObjectStore('settings');
        void tx.objectStore('lots').put({ id: DEFAULT_LOT_ID, name: 'My lot', createdAt: 1_700_000_000_000 });
      },
    });
    const square = (x: number) => [[x, 0.1], [x + 0.1, 0.1], [x + 0.1, 0.2], [x, 0.2]];
    await v1.put('lots', { id: 'north', name: 'North gate', createdAt: 1_700_000_000_001 });
    await v1.put('slots', { lotId: DEFAULT_LOT_ID, id: '1', name: 'A-01', polygon: square(0.1), order: 0, updatedAt: 5 });
    await v1.put('slots', { lotId: DEFAULT_LOT_ID, id: '2', name: 'A-02', polygon: square(0.3), order: 1, updatedAt: 6 });
    await v1.put('slots', { lotId: 'north', id: '9', name: 'N-09', polygon: square(0.5), order: 0, updatedAt: 7 });
    await v1.put('settings', { backend: 'wasm', minScore: 0.4, maxBoxes: 50, threshold: 0.6, holdFrames: 4, holdMs: 3000, showDetections: false, cadenceMs: 1000 }, 'settings');
    await v1.put('settings', { url: 'https://relay.example', lot: 'north', token: 'secret-token-0123456789' }, 'relay');
    const before = {
      lots: await v1.getAll('lots'),
      slots: await v1.getAll('slots'),
      settings: await v1.getAll('settings'),
      settingKeys: await v1.getAllKeys('settings'),
    };
    v1.close();

    const db = await open(name);
    expect(db.version).toBe(DB_VERSION);
    expect(DB_VERSION).toBe(4);
    // Version 4 added the scene references (empty: the next frame of each layout takes one).
    expect([...db.objectStoreNames].sort()).toEqual(['aggregates', 'events', 'lots', 'scenes', 'settings', 'slots', 'snapshots']);
    expect(await db.count('scenes')).toBe(0);
    expect(await db.getAll('lots')).toEqual(before.lots);
    // v3 gave every slot a kind, no zone and no closure; nothing else changed.
    expect(await db.getAll('slots')).toEqual(before.slots.map((s) => ({ ...s, zone: null, kind: 'standard', closed: null })));
    expect(await db.getAll('settings')).toEqual(before.settings);
    expect(await db.getAllKeys('settings')).toEqual(before.settingKeys);
    expect([...db.transaction('slots').store.indexNames]).toEqual(['by-lot']);
    // And the app reads them as before.
    expect((await new SlotStore(db, DEFAULT_LOT_ID).list()).map((s) => s.name)).toEqual(['A-01', 'A-02']);
    expect(await loadSettings(db)).toMatchObject({ backend: 'wasm', minScore: 0.4, holdFrames: 4, cadenceMs: 1000 });
    expect(await loadRelayConfig(db)).toEqual({ url: 'https://relay.example', lot: 'north', token: 'secret-token-0123456789' });
    expect(await new HistoryStore(db, DEFAULT_LOT_ID).counts()).toEqual({ events: 0, snapshots: 0, aggregates: 0 });
  });
});

function record(frames: ReturnType<typeof simulateLot>, lot = DEFAULT_LOT_ID): { events: SlotEvent[]; snapshots: LotSnapshot[] } {
  const events: SlotEvent[] = [];
  const snapshots: LotSnapshot[] = [];
  let mem: RecorderMemory | null = null;
  for (const f of frames) {
    const p = planRecord(mem, lot, toLotState(f), f.at);
    mem = p.memory;
    events.push(...p.events);
    if (p.snapshot) snapshots.push(p.snapshot);
  }
  return { events, snapshots };
}

describe('HistoryStore', () => {
  it('reads a lot’s records by time, [from, to), apart from other lots', async () => {
    const db = await open(fresh());
    const store = new HistoryStore(db, 'default');
    const ev = (lotId: string, t: number, slotId = 'a'): SlotEvent => ({ lotId, at: t, slotId, state: 'occupied', probability: 0.9 });
    await store.append([ev('default', 100), ev('default', 200, 'a'), ev('default', 200, 'b'), ev('default', 300), ev('other', 200)], [
      { lotId: 'default', at: 100, total: 2, occupied: 0 },
      { lotId: 'default', at: 300, total: 2, occupied: 1 },
      { lotId: 'other', at: 150, total: 1, occupied: 1 },
    ]);
    const r = await store.raw(200, 300);
    expect(r.events.map((e) => [e.at, e.slotId])).toEqual([
      [200, 'a'],
      [200, 'b'],
    ]);
    expect(r.snapshots).toEqual([]);
    expect((await store.raw(0, 1000)).snapshots.map((s) => s.at)).toEqual([100, 300]);
    expect(await store.counts()).toEqual({ events: 4, snapshots: 2, aggregates: 0 });
    expect(await store.firstRecordAt()).toBe(100);
    // Writing the same event again (a retried batch) does not duplicate it.
    await store.append([ev('default', 100)], []);
    expect((await store.counts()).events).toBe(4);
  });

  it('lands a batch whole or not at all', async () => {
    const db = await open(fresh());
    const store = new HistoryStore(db, 'default');
    const bad = { lotId: 'default', at: 5, slotId: 'x', state: 'free', probability: () => 0 } as unknown as SlotEvent;
    await expect(store.append([{ lotId: 'default', at: 1, slotId: 'a', state: 'free', probability: 0.1 }, bad], [])).rejects.toThrow();
    expect(await store.counts()).toEqual({ events: 0, snapshots: 0, aggregates: 0 });
  });

  it('aggregates finished hours and drops raw events past retention: far fewer records, the same dashboard', async () => {
    const db = await open(fresh());
    const store = new HistoryStore(db, 'default');
    const from = at('2026-03-26T00:00:00Z');
    const to = at('2026-03-30T00:00:00Z');
    const frames = simulateLot({ slots: 10, from, to, seed: 21, offline: [{ start: at('2026-03-27T09:00:00Z'), end: at('2026-03-27T11:30:00Z') }] });
    const { events, snapshots } = record(frames);
    await store.append(events, snapshots);
    const source = new DeviceHistory(store, { names: () => new Map(), now: () => to + 2 * 3_600_000 });
    const query = { from, to, step: parseStep('3h')!, timeZone: 'Europe/Berlin' };
    const before = await source.report(query);
    const countsBefore = await store.counts();

    // Up to the hour before "now" every hour gets its aggregate (hours without counting get none: unknown).
    const now = at('2026-03-28T00:30:00Z');
    expect(await aggregateHistory(store, now)).toBe(48 - 2);
    expect(await store.aggregatedUntil()).toBe(at('2026-03-28T00:00:00Z'));
    expect(await aggregateHistory(store, now)).toBe(0);
    // Events are kept for one day: the first day's raw records go, except the state carried at the cut.
    expect(await compactHistory(store, now, 1)).toEqual({ cutoff: at('2026-03-27T00:00:00Z') });
    expect(await store.compactedUntil()).toBe(at('2026-03-27T00:00:00Z'));
    expect(await compactHistory(store, now, 1)).toBeNull();
    const countsAfter = await store.counts();
    expect(countsAfter.aggregates).toBe(46);
    expect(countsAfter.events + countsAfter.snapshots).toBeLessThan(countsBefore.events + countsBefore.snapshots - 1000);
    expect((await store.raw(0, at('2026-03-27T00:00:00Z'))).snapshots).toEqual([]);
    // The rest of the days get aggregated later; nothing changes in the report either way.
    await maintainHistory(store, to + 2 * 3_600_000, 30);

    const after = await source.report(query);
    expect(after.series.map((p) => [p.start, p.counted, p.occupied, p.peak, p.arrivals])).toEqual(
      before.series.map((p) => [p.start, p.counted, p.occupied, p.peak, p.arrivals]),
    );
    expect(after.slots).toEqual(before.slots);
    expect(after.dwell).toEqual(before.dwell);
    expect(after.by_hour).toEqual(before.by_hour);
    // Raw events of the compacted day are gone; the event export says so by having none.
    expect(await source.events({ ...query, to: at('2026-03-27T00:00:00Z') })).toEqual([]);
    expect((await source.events(query)).length).toBeGreaterThan(0);
  });

  it('keeps the retention setting, and says how much the site stores', async () => {
    const db = await open(fresh());
    const store = new HistoryStore(db, 'default');
    expect(await store.settings()).toEqual({ retentionDays: 30 });
    await store.saveSettings({ retentionDays: 7 });
    expect(await store.settings()).toEqual({ retentionDays: 7 });
    const info = await new DeviceHistory(store, { names: () => new Map() }).storage();
    expect(info).toMatchObject({ events: 0, snapshots: 0, aggregates: 0, compactedUntil: null });
    expect(info.usageBytes).toBeGreaterThanOrEqual(0);
    expect(info.quotaBytes).toBeGreaterThan(0);
  });
});
