import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../relay/src/auth.ts';
import { DB_FILE, MIGRATIONS, SqliteLotStore, migrate } from '../../relay/src/sqlite-lot-store.ts';
import type { Layout, LotMetadata } from '../../src/share/protocol.ts';
import { removeTempDirs, tempDir } from './support.ts';

afterAll(removeTempDirs);

const at = '2025-08-07T14:20:30.000Z';
const metadata = (occupied: number): LotMetadata => ({
  total_slots: 4,
  occupied_slots: occupied,
  available_slots: 4 - occupied,
  last_updated: at,
  slots: [],
});
const layout: Layout = { slots: [{ id: 'a', name: 'A', polygon: [[0, 0], [1, 0], [1, 1]] }] };

describe('SqliteLotStore on a damaged or foreign file', () => {
  it('refuses an existing file with no lotwatch schema (0 bytes), unless told to initialise it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, DB_FILE), '');
    expect(() => new SqliteLotStore(dir)).toThrow(/lotwatch\.sqlite exists but holds no lotwatch data.*--init-db/);
    expect(readFileSync(join(dir, DB_FILE))).toHaveLength(0);
    const s = new SqliteLotStore(dir, () => {}, { initialise: true });
    expect(await s.claim('north', hashToken('one-token-0123456789'), at, 10)).toBe('claimed');
    await s.close();
    // Now it is a lotwatch store: opened without the flag, and its lot is there.
    const again = new SqliteLotStore(dir);
    expect(await again.get('north')).not.toBeNull();
    await again.close();
  });

  it('refuses a file that is not a database at all, naming it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, DB_FILE), 'this is not SQLite, it is a text file that was copied over the database');
    expect(() => new SqliteLotStore(dir)).toThrow(/lotwatch\.sqlite: file is not a database/);
  });

  it('reports the quick check and the sync mode', async () => {
    const normal = new SqliteLotStore(tempDir());
    expect(await normal.integrity()).toEqual({ ok: true, detail: expect.stringMatching(/lotwatch\.sqlite: PRAGMA quick_check ok; synchronous=NORMAL$/) });
    await normal.close();
    const full = new SqliteLotStore(tempDir(), () => {}, { synchronous: 'full' });
    expect((await full.integrity()).detail).toMatch(/synchronous=FULL$/);
    await full.close();
  });
});

describe('SqliteLotStore', () => {
  it('deletes a lot with its state and history', async () => {
    const s = new SqliteLotStore(':memory:');
    await s.claim('north', hashToken('one-token-0123456789'), at, 10);
    await s.claim('south', hashToken('two-token-0123456789'), at, 10);
    for (const lot of ['north', 'south']) {
      await s.saveState(lot, { metadata: metadata(1), receivedAt: at });
      await s.recordHistory(lot, { metadata: metadata(1), receivedAt: 1000, deviceAt: 1000, newSpan: true });
    }
    expect(await s.delete('north')).toBe(true);
    expect(await s.delete('north')).toBe(false);
    expect(await s.get('north')).toBeNull();
    expect(await s.history('north', 0, 10_000)).toEqual({ spans: [], records: [] });
    expect((await s.history('south', 0, 10_000)).records).toHaveLength(1);
    // The name is free again, and its history starts afresh (whole-lot rows, nothing remembered from before).
    expect(await s.claim('north', hashToken('three-token-0123456789'), at, 10)).toBe('claimed');
    expect(await s.recordHistory('north', { metadata: metadata(2), receivedAt: 2000, deviceAt: 2000, newSpan: false })).toBe(true);
    expect((await s.history('north', 0, 10_000)).records).toEqual([{ kind: 'counts', at: 2000, total: 4, occupied: 2 }]);
    await s.close();
  });

  it('expires lots never published to, created before the cutoff, but never the one kept', async () => {
    const s = new SqliteLotStore(':memory:');
    await s.ensure('default', '2025-01-01T00:00:00.000Z');
    await s.claim('old-empty', hashToken('a-token-0123456789'), '2025-01-01T00:00:00.000Z', 10);
    await s.claim('old-used', hashToken('b-token-0123456789'), '2025-01-01T00:00:00.000Z', 10);
    await s.saveState('old-used', { metadata: metadata(1), receivedAt: at });
    await s.claim('new-empty', hashToken('c-token-0123456789'), '2025-01-03T00:00:00.000Z', 10);
    expect(await s.expireUnpublished('2025-01-02T00:00:00.000Z', 'default')).toEqual(['old-empty']);
    expect(await s.get('old-empty')).toBeNull();
    for (const lot of ['default', 'old-used', 'new-empty']) expect(await s.get(lot)).not.toBeNull();
    await s.close();
  });

  it('claims a new lot once, refuses a second claim, and respects the lot limit', async () => {
    const s = new SqliteLotStore(':memory:');
    expect(await s.claim('north', hashToken('one-token-0123456789'), at, 2)).toBe('claimed');
    expect(await s.claim('north', hashToken('two-token-0123456789'), at, 2)).toBe('taken');
    expect(await s.claim('south', hashToken('x-token-0123456789'), at, 2)).toBe('claimed');
    expect(await s.claim('east', hashToken('y-token-0123456789'), at, 2)).toBe('full');
    expect((await s.get('north'))?.tokenHash).toBe(hashToken('one-token-0123456789'));
    expect(await s.get('east')).toBeNull();
    await s.close();
  });

  it('lets an unclaimed lot (ensure) be claimed, and setToken replace any token', async () => {
    const s = new SqliteLotStore(':memory:');
    await s.ensure('default', at);
    expect((await s.get('default'))?.tokenHash).toBeNull();
    expect(await s.claim('default', hashToken('claim-token-0123456789'), at, 10)).toBe('claimed');
    await s.setToken('default', hashToken('operator-token-0123456789'), at);
    expect((await s.get('default'))?.tokenHash).toBe(hashToken('operator-token-0123456789'));
    await s.ensure('default', at);
    expect((await s.get('default'))?.tokenHash).toBe(hashToken('operator-token-0123456789'));
    await s.close();
  });

  it('stores states with increasing revisions, and keeps the layout unless a new one comes', async () => {
    const s = new SqliteLotStore(':memory:');
    await s.ensure('north', at);
    expect(await s.saveState('nowhere', { metadata: metadata(1), receivedAt: at })).toBeNull();
    expect(await s.saveState('north', { metadata: metadata(1), layout, receivedAt: at })).toEqual({ revision: 1, layout, layoutChanged: true });
    expect(await s.saveState('north', { metadata: metadata(2), receivedAt: at })).toEqual({ revision: 2, layout, layoutChanged: false });
    expect(await s.saveState('north', { metadata: metadata(3), layout, receivedAt: at })).toEqual({ revision: 3, layout, layoutChanged: false });
    const empty: Layout = { slots: [] };
    expect(await s.saveState('north', { metadata: metadata(3), layout: empty, receivedAt: at })).toMatchObject({ layoutChanged: true });
    const rec = await s.get('north');
    expect(rec?.state).toEqual({ metadata: metadata(3), layout: empty, receivedAt: at, revision: 4 });
    expect(rec?.publisherSeenAt).toBe(at);
    await s.close();
  });

  it('survives reopening, and keeps tokens only as hashes', async () => {
    const dir = tempDir();
    const token = 'clear-token-never-stored-0123';
    const a = new SqliteLotStore(dir);
    await a.claim('north', hashToken(token), at, 10);
    await a.saveState('north', { metadata: metadata(2), layout, receivedAt: at });
    await a.close();
    const b = new SqliteLotStore(dir);
    expect((await b.get('north'))?.state?.metadata).toEqual(metadata(2));
    await b.close();
    // Nothing on disk (database or WAL) contains the token itself.
    const files = [DB_FILE, `${DB_FILE}-wal`].map((f) => join(dir, f));
    const bytes = files.map((f) => { try { return readFileSync(f).toString('latin1'); } catch { return ''; } }).join('');
    expect(bytes).toContain(hashToken(token));
    expect(bytes).not.toContain(token);
  });

  it('reads a damaged state row as "no state" and warns, instead of failing', async () => {
    const dir = tempDir();
    const a = new SqliteLotStore(dir);
    await a.ensure('north', at);
    await a.saveState('north', { metadata: metadata(1), receivedAt: at });
    await a.close();
    const raw = new Database(join(dir, DB_FILE));
    raw.prepare("UPDATE lots SET state_json = '{\"total_slots\":\"many\"}' WHERE id = 'north'").run();
    raw.close();
    const warnings: string[] = [];
    const b = new SqliteLotStore(dir, (m) => warnings.push(m));
    expect((await b.get('north'))?.state).toBeNull();
    expect(warnings.join()).toContain('stored state unreadable');
    await b.close();
  });

  it('migrates by user_version, step by step, and refuses a newer database', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    // A later step runs once on an existing database, and only that step.
    const later = [...MIGRATIONS, 'CREATE TABLE lot_history (lot TEXT NOT NULL, revision INTEGER NOT NULL, PRIMARY KEY (lot, revision)) STRICT;'];
    expect(migrate(db, later)).toBe(later.length);
    expect(migrate(db, later)).toBe(later.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'lot_history'").get()).toBeTruthy();
    expect(() => migrate(db, MIGRATIONS)).toThrow(/newer than this relay knows/);
    db.close();
  });
});
