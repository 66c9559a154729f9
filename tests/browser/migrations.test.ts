// Every schema version the app ever shipped, opened by the current code in real Chromium IndexedDB: slots, lots and
// settings survive the upgrade. When DB_VERSION goes up, add a fixture of the new version (db-fixtures/vN.ts) next to
// the old ones: the first test fails until every version from 1 to DB_VERSION has one.
import { describe, expect, it } from 'vitest';
import { DB_NAME, DB_VERSION, DEFAULT_LOT_ID } from '../../src/storage/db.ts';
import { loadScene } from '../../src/storage/scene-store.ts';
import { loadSettings } from '../../src/storage/settings-store.ts';
import { SlotStore } from '../../src/storage/slot-store.ts';
import { DEFAULT_SETTINGS } from '../../src/settings/settings.ts';
import type { SchemaFixture } from './db-fixtures/schema-fixture.ts';
import { v1 } from './db-fixtures/v1.ts';
import { v2 } from './db-fixtures/v2.ts';
import { v3 } from './db-fixtures/v3.ts';
import { v4 } from './db-fixtures/v4.ts';
import { tempDatabases } from './support/temp-db.ts';

const FIXTURES: readonly SchemaFixture[] = [v1, v2, v3, v4];

const { fresh, open } = tempDatabases(`${DB_NAME}-migration`);

it('has a fixture for every schema version from 1 to the current one', () => {
  expect(FIXTURES.map((f) => f.version)).toEqual(Array.from({ length: DB_VERSION }, (_, i) => i + 1));
});

describe.each(FIXTURES.map((f) => [f.version, f] as const))('a database written by schema version %i', (_version, fixture) => {
  it('opens at the current version with every lot, slot and setting intact', async () => {
    const name = fresh();
    await fixture.create(name);
    const db = await open(name);
    expect(db.version).toBe(DB_VERSION);
    expect((await db.getAllKeys('lots')).sort()).toEqual([...fixture.lots].sort());
    for (const [lotId, slots] of Object.entries(fixture.slots)) {
      expect(await new SlotStore(db, lotId).list()).toEqual(slots);
      // A layout from before scene references has none: the next frame takes it.
      expect(await loadScene(db, lotId)).toEqual(fixture.scenes?.[lotId] ?? null);
    }
    expect(await loadSettings(db)).toEqual(fixture.settings);
    expect(await db.count('events')).toBe(fixture.history?.events ?? 0);
    expect(await db.count('snapshots')).toBe(fixture.history?.snapshots ?? 0);
  });

  it('takes new writes after the upgrade, and keeps them and the old data across another reopen', async () => {
    const name = fresh();
    await fixture.create(name);
    const db = await open(name);
    const store = new SlotStore(db, DEFAULT_LOT_ID);
    await store.put({ id: '99', name: 'new', polygon: [[0, 0], [0.1, 0], [0.1, 0.1], [0, 0.1]] });
    db.close();
    const again = await open(name);
    const slots = await new SlotStore(again, DEFAULT_LOT_ID).list();
    expect(slots.map((s) => s.id)).toEqual([...(fixture.slots[DEFAULT_LOT_ID] ?? []).map((s) => s.id), '99']);
  });
});

it('the v3 step gives every older slot row a kind (standard), no zone and no closure, and nothing else changes', async () => {
  const name = fresh();
  await v1.create(name);
  const db = await open(name);
  const rows = await db.getAll('slots');
  expect(rows).toHaveLength(4);
  for (const r of rows) expect([r.zone, r.kind, r.closed]).toEqual([null, 'standard', null]);
  expect(rows.find((r) => r.lotId === 'default' && r.id === '3')).toMatchObject({ name: 'Disabled bay', order: 2, updatedAt: 1_700_000_200_000 });
});

it('a fresh database gets every store, the default lot, no slots and the default settings', async () => {
  const db = await open(fresh());
  expect(db.version).toBe(DB_VERSION);
  expect([...db.objectStoreNames].sort()).toEqual(['aggregates', 'events', 'lots', 'scenes', 'settings', 'slots', 'snapshots']);
  expect(await db.getAllKeys('lots')).toEqual([DEFAULT_LOT_ID]);
  expect(await new SlotStore(db, DEFAULT_LOT_ID).list()).toEqual([]);
  expect(await loadSettings(db)).toEqual(DEFAULT_SETTINGS);
});
