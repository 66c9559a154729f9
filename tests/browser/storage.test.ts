// Storage in real Chromium with the browser's own IndexedDB (vitest browser mode, Playwright provider).
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { DB_VERSION, DEFAULT_LOT_ID, openLotwatchDB } from '../../src/storage/db.ts';
import { clearScene, loadScene, saveScene } from '../../src/storage/scene-store.ts';
import { loadSettings, saveSettings } from '../../src/storage/settings-store.ts';
import { SlotStore } from '../../src/storage/slot-store.ts';
import { DEFAULT_SETTINGS } from '../../src/settings/settings.ts';
import type { Slot } from '../../src/occupancy/types.ts';
import { tempDatabases } from './support/temp-db.ts';

const { fresh, open } = tempDatabases('lotwatch-test');

const slot = (id: string, x = 0.1): Slot => ({
  id,
  name: `Slot ${id}`,
  polygon: [
    [x, 0.1],
    [x + 0.1, 0.1],
    [x + 0.1, 0.2],
    [x, 0.2],
  ],
});

describe('openLotwatchDB', () => {
  it('creates every store of the current version and the default lot', async () => {
    const db = await open(fresh());
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['aggregates', 'events', 'lots', 'scenes', 'settings', 'slots', 'snapshots']);
    expect(await db.get('lots', DEFAULT_LOT_ID)).toMatchObject({ id: DEFAULT_LOT_ID });
  });

  it('refuses nothing that is already there: reopening keeps the data', async () => {
    const name = fresh();
    const db = await open(name);
    await new SlotStore(db, DEFAULT_LOT_ID).put(slot('1'));
    db.close();
    const again = await open(name);
    expect(await new SlotStore(again, DEFAULT_LOT_ID).list()).toEqual([slot('1')]);
  });

  it('does not open a database written by a newer version of the app, and says so', async () => {
    const name = fresh();
    (await openDB(name, DB_VERSION + 1)).close();
    await expect(openLotwatchDB(name)).rejects.toThrow(/version/i);
  });
});

describe('SlotStore', () => {
  it('keeps slots in the order they were made, per lot, and updates in place', async () => {
    const db = await open(fresh());
    const a = new SlotStore(db, DEFAULT_LOT_ID);
    const b = new SlotStore(db, 'other');
    await a.put(slot('2', 0.5));
    await a.put(slot('1'));
    await b.put(slot('9'));
    await a.put({ ...slot('2', 0.6), name: 'renamed' });
    expect((await a.list()).map((s) => [s.id, s.name, s.polygon[0]![0]])).toEqual([
      ['2', 'renamed', 0.6],
      ['1', 'Slot 1', 0.1],
    ]);
    expect((await b.list()).map((s) => s.id)).toEqual(['9']);
    await a.delete('2');
    expect((await a.list()).map((s) => s.id)).toEqual(['1']);
  });

  it('replaces a whole layout in one go, and a failed replacement changes nothing', async () => {
    const db = await open(fresh());
    const store = new SlotStore(db, DEFAULT_LOT_ID);
    // Lots whose ids sort right before and after this one keep their slots.
    const neighbours = [`${DEFAULT_LOT_ID.slice(0, -1)}`, `${DEFAULT_LOT_ID}-2`, `${DEFAULT_LOT_ID}\u0000`].map((id) => new SlotStore(db, id));
    for (const n of neighbours) await n.put(slot('1'));
    await store.put(slot('1'));
    await store.replaceAll([slot('7'), slot('8', 0.4)]);
    expect((await store.list()).map((s) => s.id)).toEqual(['7', '8']);
    for (const n of neighbours) expect((await n.list()).map((s) => s.id), n.lotId).toEqual(['1']);
    // A slot that cannot be stored (a function is not cloneable) aborts the transaction.
    const bad = { ...slot('9'), polygon: [[0, 0], [1, 0], [1, 1], [0, () => 0]] } as unknown as Slot;
    await expect(store.replaceAll([slot('1'), bad])).rejects.toThrow();
    expect((await store.list()).map((s) => s.id)).toEqual(['7', '8']);
  });
});

describe('settings', () => {
  it('round-trips and repairs what an older version stored', async () => {
    const db = await open(fresh());
    expect(await loadSettings(db)).toEqual(DEFAULT_SETTINGS);
    await saveSettings(db, { ...DEFAULT_SETTINGS, minScore: 0.45 });
    expect((await loadSettings(db)).minScore).toBe(0.45);
    await db.put('settings', { minScore: 'high', holdFrames: 5 }, 'settings');
    expect(await loadSettings(db)).toEqual({ ...DEFAULT_SETTINGS, holdFrames: 5 });
  });
});

describe('scene references', () => {
  it('keeps one per lot, clears it, and reads one this version cannot use as none', async () => {
    const db = await open(fresh());
    const scene = { width: 240, height: 180, data: Uint8Array.from({ length: 240 * 180 }, (_, i) => i % 256), takenAt: 1_800_000_000_000, layout: '3:9c1e2f0a' };
    expect(await loadScene(db, DEFAULT_LOT_ID)).toBeNull();
    await saveScene(db, DEFAULT_LOT_ID, scene);
    expect(await loadScene(db, DEFAULT_LOT_ID)).toEqual(scene);
    expect(await loadScene(db, 'north')).toBeNull();
    await clearScene(db, DEFAULT_LOT_ID);
    expect(await loadScene(db, DEFAULT_LOT_ID)).toBeNull();
    // A 160 px picture (another version's size) is not compared at the wrong scale: it is taken again.
    await db.put('scenes', { lotId: DEFAULT_LOT_ID, width: 160, height: 120, data: new Uint8Array(160 * 120), takenAt: 0, layout: '' });
    expect(await loadScene(db, DEFAULT_LOT_ID)).toBeNull();
  });
});
