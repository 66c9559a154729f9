// The LotStore contract: the same cases against SQLite (a temp folder) and PostgreSQL (a throwaway cluster started
// here, one schema per case). A case that needs several stores on one database (two relays) opens a second store.
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../relay/src/auth.ts';
import type { HistoryEntry, LotStore } from '../../relay/src/lot-store.ts';
import { PG_MIGRATIONS, PgLotStore, migratePg } from '../../relay/src/pg-lot-store.ts';
import { DB_FILE, MIGRATIONS, SqliteLotStore, migrate } from '../../relay/src/sqlite-lot-store.ts';
import type { HistoryRecord } from '../../src/history/types.ts';
import type { Layout, LotMetadata } from '../../src/share/protocol.ts';
import { enginesAvailable, startPostgres, type Postgres } from '../support/engines.ts';
import { removeTempDirs, tempDir } from './support.ts';

/** One database behind one or more stores. */
interface Backing {
  open(warn?: (m: string) => void): Promise<LotStore>;
  /** Everything the database holds, as text (to look for what must not be there). */
  dump(): Promise<string>;
  /** Overwrites a lot's stored state with something that is not a state. */
  damageState(lot: string): Promise<void>;
  /** Pretends a newer relay migrated the database. */
  setSchemaVersion(v: number): Promise<void>;
  /** Runs the store's migration function with these steps. */
  migrate(steps: readonly string[]): Promise<number>;
  tableExists(name: string): Promise<boolean>;
}

interface Kind {
  name: string;
  migrations: readonly string[];
  /** A step that adds a table `extra_step`, in the store's dialect. */
  extraStep: string;
  /** Several relays may share it: stores on one database see each other's writes at once. */
  shared: boolean;
  available: () => boolean;
  setup?: () => Promise<void>;
  teardown?: () => Promise<void>;
  fresh(): Promise<Backing>;
}

let pgServer: Postgres | null = null;
let schemas = 0;

const kinds: Kind[] = [
  {
    name: 'SQLite',
    migrations: MIGRATIONS,
    extraStep: 'CREATE TABLE extra_step (lot TEXT NOT NULL) STRICT;',
    shared: false,
    available: () => true,
    fresh: async () => {
      const dir = tempDir();
      const file = join(dir, DB_FILE);
      return {
        open: async (warn) => new SqliteLotStore(dir, warn),
        dump: async () => ['', '-wal'].map((s) => { try { return readFileSync(file + s).toString('latin1'); } catch { return ''; } }).join(''),
        damageState: async (lot) => {
          const db = new Database(file);
          db.prepare(`UPDATE lots SET state_json = '{"total_slots":"many"}' WHERE id = ?`).run(lot);
          db.close();
        },
        setSchemaVersion: async (v) => {
          const db = new Database(file);
          db.pragma(`user_version = ${v}`);
          db.close();
        },
        migrate: async (steps) => {
          const db = new Database(file);
          try {
            return migrate(db, steps);
          } finally {
            db.close();
          }
        },
        tableExists: async (name) => {
          const db = new Database(file);
          try {
            return db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(name) !== undefined;
          } finally {
            db.close();
          }
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    migrations: PG_MIGRATIONS,
    extraStep: 'CREATE TABLE extra_step (lot text NOT NULL);',
    shared: true,
    available: () => enginesAvailable('postgres'),
    setup: async () => {
      pgServer = await startPostgres();
    },
    teardown: async () => {
      await pgServer?.stop();
    },
    fresh: async () => {
      const server = pgServer!;
      const schema = `case_${++schemas}`;
      const url = await server.schemaUrl(schema);
      return {
        open: (warn) => PgLotStore.open(url, warn ? { warn } : {}),
        dump: async () => {
          const tables = ['lots', 'history_states', 'history_spans'];
          const parts = await Promise.all(tables.map((t) => server.sql(`SELECT coalesce(string_agg(t::text, ' '), '') AS s FROM ${schema}.${t} t`)));
          return parts.map((p) => String(p.rows[0]?.s ?? '')).join(' ');
        },
        damageState: async (lot) => {
          await server.sql(`UPDATE ${schema}.lots SET state = '{"total_slots":"many"}'::jsonb WHERE id = $1`, [lot]);
        },
        setSchemaVersion: async (v) => {
          await server.sql(`UPDATE ${schema}.lotwatch_schema SET version = $1`, [v]);
        },
        migrate: async (steps) => {
          const pool = new pg.Pool({ connectionString: url });
          try {
            return await migratePg(pool, steps);
          } finally {
            await pool.end();
          }
        },
        tableExists: async (name) => (await server.sql('SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2', [schema, name])).rowCount === 1,
      };
    },
  },
];

afterAll(removeTempDirs);

const at = '2025-08-07T14:20:30.000Z';
const later = (s: number) => new Date(Date.parse(at) + s * 1000).toISOString();
const metadata = (occupied: number, lastUpdated = at): LotMetadata => ({
  total_slots: 4,
  occupied_slots: occupied,
  available_slots: 4 - occupied,
  last_updated: lastUpdated,
  slots: [],
});
const layout: Layout = { slots: [{ id: 'a', name: 'A', polygon: [[0, 0], [1, 0], [1, 1]] }] };

const T0 = Date.parse('2026-03-10T08:00:00Z');
const MIN = 60_000;
/** A state with per-slot detail, as a publisher sends it, entered into history at relay time `t`. */
function entry(slots: Record<string, boolean>, t: number, newSpan: boolean, device = t): HistoryEntry {
  const list = Object.entries(slots).map(([id, occupied]) => ({ id, name: id, occupied, probability: occupied ? 0.9 : 0.1, since: new Date(device).toISOString() }));
  const occupied = list.filter((s) => s.occupied).length;
  return {
    metadata: { total_slots: list.length, occupied_slots: occupied, available_slots: list.length - occupied, last_updated: new Date(device).toISOString(), slots: list },
    receivedAt: t,
    deviceAt: device,
    newSpan,
  };
}

/** Each slot's occupancy after replaying the records (whole-lot rows replace, changes patch). */
function replay(records: readonly HistoryRecord[]): Record<string, boolean> {
  let slots: Record<string, boolean> = {};
  for (const r of records) {
    if (r.kind === 'state') slots = Object.fromEntries(r.slots.map((s) => [s.id, s.occupied]));
    else if (r.kind === 'change') {
      if (r.state === 'removed') delete slots[r.slotId];
      else slots[r.slotId] = r.state === 'occupied';
    }
  }
  return slots;
}

describe.each(kinds)('LotStore on $name', (kind) => {
  const ready = kind.available();
  const stores: LotStore[] = [];
  let backing: Backing;
  const open = async (warn?: (m: string) => void) => {
    const s = await backing.open(warn);
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    if (ready) await kind.setup?.();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await kind.teardown?.();
  });

  describe.runIf(ready)('lots and states', () => {
    beforeAll(async () => {
      backing = await kind.fresh();
    });

    it('claims a new lot once, refuses a second claim, and respects the lot limit', async () => {
      const s = await open();
      expect(await s.claim('north', hashToken('one-token-0123456789'), at, 2)).toBe('claimed');
      expect(await s.claim('north', hashToken('two-token-0123456789'), at, 2)).toBe('taken');
      expect(await s.claim('south', hashToken('x-token-0123456789'), at, 2)).toBe('claimed');
      expect(await s.claim('east', hashToken('y-token-0123456789'), at, 2)).toBe('full');
      expect((await s.get('north'))?.tokenHash).toBe(hashToken('one-token-0123456789'));
      expect(await s.get('east')).toBeNull();
      expect(await s.check()).toBeNull();
    });

    it('lets an unclaimed lot (ensure) be claimed, and setToken replace any token', async () => {
      const s = await open();
      await s.ensure('default', at);
      expect((await s.get('default'))?.tokenHash).toBeNull();
      expect(await s.claim('default', hashToken('claim-token-0123456789'), at, 10)).toBe('claimed');
      await s.setToken('default', hashToken('operator-token-0123456789'), at);
      expect((await s.get('default'))?.tokenHash).toBe(hashToken('operator-token-0123456789'));
      await s.ensure('default', at);
      expect((await s.get('default'))?.tokenHash).toBe(hashToken('operator-token-0123456789'));
      await s.setToken('fresh', hashToken('operator-token-0123456789'), at);
      expect(await s.get('fresh')).toMatchObject({ lot: 'fresh', createdAt: at, state: null, publisherSeenAt: null });
    });

    it('stores states with increasing revisions, keeps the layout unless a new one comes, and tells what came before', async () => {
      const s = await open();
      await s.ensure('west', at);
      expect(await s.saveState('nowhere', { metadata: metadata(1), receivedAt: at })).toBeNull();
      expect(await s.saveState('west', { metadata: metadata(1), layout, receivedAt: at })).toEqual({
        revision: 1, layout, layoutChanged: true, previous: { receivedAt: null, publisherSeenAt: null },
      });
      expect(await s.saveState('west', { metadata: metadata(2), receivedAt: later(1) })).toEqual({
        revision: 2, layout, layoutChanged: false, previous: { receivedAt: at, publisherSeenAt: at },
      });
      await s.markPublisherSeen('west', later(2));
      expect(await s.saveState('west', { metadata: metadata(3), layout, receivedAt: later(3) })).toEqual({
        revision: 3, layout, layoutChanged: false, previous: { receivedAt: later(1), publisherSeenAt: later(2) },
      });
      const empty: Layout = { slots: [] };
      expect(await s.saveState('west', { metadata: metadata(3), layout: empty, receivedAt: later(4) })).toMatchObject({ layoutChanged: true });
      const rec = await s.get('west');
      expect(rec?.state).toEqual({ metadata: metadata(3), layout: empty, receivedAt: later(4), revision: 4 });
      expect(rec?.publisherSeenAt).toBe(later(4));
    });

    it('gives every state its own revision when two stores write one lot at once', async () => {
      const [a, b] = [await open(), await open()];
      await a.ensure('busy', at);
      const saves = Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).saveState('busy', { metadata: metadata(i % 5), receivedAt: later(i) }));
      const revisions = (await Promise.all(saves)).map((r) => r?.revision);
      expect(revisions.sort((x, y) => x! - y!)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await b.get('busy'))?.state?.revision).toBe(20);
    });

    it('lets exactly one of two stores claim a name both ask for at once', async () => {
      const [a, b] = [await open(), await open()];
      for (let i = 0; i < 5; i++) {
        const lot = `race-${i}`;
        const [ta, tb] = [hashToken(`a-token-${i}-0123456789`), hashToken(`b-token-${i}-0123456789`)];
        const results = await Promise.all([a.claim(lot, ta, at, 1000), b.claim(lot, tb, at, 1000)]);
        expect([...results].sort()).toEqual(['claimed', 'taken']);
        expect((await a.get(lot))?.tokenHash).toBe(results[0] === 'claimed' ? ta : tb);
      }
    });

    it('keeps everything across a reopen, and tokens only as hashes', async () => {
      const token = 'clear-token-never-stored-0123';
      const a = await open();
      await a.claim('kept', hashToken(token), at, 100);
      await a.saveState('kept', { metadata: metadata(2), layout, receivedAt: at });
      await a.close();
      const b = await open();
      expect((await b.get('kept'))?.state).toEqual({ metadata: metadata(2), layout, receivedAt: at, revision: 1 });
      const text = await backing.dump();
      expect(text).toContain(hashToken(token));
      expect(text).not.toContain(token);
    });

    it('reads a damaged state row as "no state" and warns, instead of failing', async () => {
      const s = await open();
      await s.ensure('damaged', at);
      await s.saveState('damaged', { metadata: metadata(1), receivedAt: at });
      await backing.damageState('damaged');
      const warnings: string[] = [];
      const t = await open((m) => warnings.push(m));
      expect((await t.get('damaged'))?.state).toBeNull();
      expect(warnings.join()).toContain('stored state unreadable');
    });
  });

  describe.runIf(ready)('deletion and expiry', () => {
    beforeEach(async () => {
      backing = await kind.fresh();
    });

    it('deletes a lot with its state and history; its name is free again and its history starts afresh', async () => {
      const s = await open();
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
      // Whole-lot rows again, nothing remembered from before.
      expect(await s.claim('north', hashToken('three-token-0123456789'), at, 10)).toBe('claimed');
      expect(await s.recordHistory('north', { metadata: metadata(2), receivedAt: 2000, deviceAt: 2000, newSpan: false })).toBe(true);
      expect((await s.history('north', 0, 10_000)).records).toEqual([{ kind: 'counts', at: 2000, total: 4, occupied: 2 }]);
    });

    it('expires lots never published to, created before the cutoff, but never the one kept', async () => {
      const s = await open();
      await s.ensure('default', '2025-01-01T00:00:00.000Z');
      await s.claim('old-empty', hashToken('a-token-0123456789'), '2025-01-01T00:00:00.000Z', 10);
      await s.claim('old-empty-2', hashToken('d-token-0123456789'), '2025-01-01T00:00:00.000Z', 10);
      await s.claim('old-used', hashToken('b-token-0123456789'), '2025-01-01T00:00:00.000Z', 10);
      await s.saveState('old-used', { metadata: metadata(1), receivedAt: at });
      await s.claim('new-empty', hashToken('c-token-0123456789'), '2025-01-03T00:00:00.000Z', 10);
      expect((await s.expireUnpublished('2025-01-02T00:00:00.000Z', 'default')).sort()).toEqual(['old-empty', 'old-empty-2']);
      expect(await s.get('old-empty')).toBeNull();
      for (const lot of ['default', 'old-used', 'new-empty']) expect(await s.get(lot)).not.toBeNull();
      expect(await s.expireUnpublished('2025-01-02T00:00:00.000Z', 'default')).toEqual([]);
    });

    it.runIf(kind.shared)('keeps a lot another store publishes to while it expires lots', async () => {
      const [a, b] = [await open(), await open()];
      const lots = Array.from({ length: 20 }, (_, i) => `idle-${i}`);
      for (const lot of lots) await a.claim(lot, hashToken(`${lot}-token-0123456789`), '2025-01-01T00:00:00.000Z', 100);
      // Every other lot gets a state from the other relay at the moment expiry runs: whichever comes first, a lot
      // that holds a state afterwards was not removed, and a removed one took no state.
      const [expired, saved] = await Promise.all([
        a.expireUnpublished('2025-01-02T00:00:00.000Z', 'default'),
        Promise.all(lots.filter((_, i) => i % 2 === 0).map((lot) => b.saveState(lot, { metadata: metadata(1), receivedAt: at }))),
      ]);
      const published = lots.filter((_, i) => i % 2 === 0);
      for (const [i, lot] of published.entries()) expect(expired.includes(lot)).toBe(saved[i] === null);
      for (const lot of lots.filter((_, i) => i % 2 === 1)) expect(expired).toContain(lot);
      for (const lot of lots) expect((await b.get(lot)) === null).toBe(expired.includes(lot));
    });

    it('reports what it checked of the stored data', async () => {
      const s = await open();
      const r = await s.integrity?.();
      expect(r).toEqual({ ok: true, detail: expect.stringMatching(kind.shared ? /schema \d+, 0 lots, fsync=/ : /quick_check ok/) });
    });
  });

  describe.runIf(ready)('schema', () => {
    it('migrates step by step: a later step runs once, on an existing database, and only that step', async () => {
      backing = await kind.fresh();
      expect(await backing.migrate(kind.migrations)).toBe(kind.migrations.length);
      const later = [...kind.migrations, kind.extraStep];
      expect(await backing.migrate(later)).toBe(later.length);
      expect(await backing.migrate(later)).toBe(later.length);
      expect(await backing.tableExists('extra_step')).toBe(true);
      await expect(backing.migrate(kind.migrations)).rejects.toThrow(/newer than this relay knows/);
    });

    it('refuses a database from a newer relay', async () => {
      backing = await kind.fresh();
      await (await open()).close();
      await backing.setSchemaVersion(kind.migrations.length + 1);
      await expect(backing.open()).rejects.toThrow(/newer than this relay knows/);
    });

    it('is migrated once when several relays open a new database at the same moment', async () => {
      backing = await kind.fresh();
      const opened = await Promise.all([open(), open(), open()]);
      expect(opened).toHaveLength(3);
      await opened[0]!.ensure('one', at);
      expect(await opened[2]!.get('one')).toMatchObject({ lot: 'one' });
    });
  });

  describe.runIf(ready)('history', () => {
    beforeAll(async () => {
      backing = await kind.fresh();
    });

    it('records each distinct state once, whole when a span starts and hourly, else what changed', async () => {
      const s = await open();
      await s.ensure('h1', at);
      expect(await s.recordHistory('h1', entry({ a: false, b: true }, T0, true))).toBe(true);
      // A re-delivery (same device time and content) at a later relay time is not recorded again.
      expect(await s.recordHistory('h1', entry({ a: false, b: true }, T0 + MIN, false, T0))).toBe(false);
      expect(await s.recordHistory('h1', entry({ a: true, b: true }, T0 + 30 * MIN, false))).toBe(true);
      expect(await s.recordHistory('h1', entry({ a: true, b: false }, T0 + 75 * MIN, false))).toBe(true);
      const t = await s.history('h1', T0, T0 + 2 * 60 * MIN);
      expect(t.spans).toEqual([{ start: T0, end: T0 + 75 * MIN }]);
      expect(t.records.map((r) => [r.kind, r.at])).toEqual([
        ['state', T0],
        ['change', T0 + 30 * MIN],
        ['state', T0 + 75 * MIN],
      ]);
      expect(t.records[1]).toEqual({ kind: 'change', at: T0 + 30 * MIN, slotId: 'a', state: 'occupied' });
      // The hourly whole-lot row knows since when each slot has been in its state.
      expect(t.records[2]).toEqual({
        kind: 'state', at: T0 + 75 * MIN,
        slots: [{ id: 'a', occupied: true, since: T0 + 30 * MIN }, { id: 'b', occupied: false, since: T0 + 75 * MIN }],
      });
    });

    it('answers a range from mid-span with the whole lot as of its start, and a new span after a gap', async () => {
      const s = await open();
      await s.ensure('h2', at);
      await s.recordHistory('h2', entry({ a: false }, T0, true));
      await s.recordHistory('h2', entry({ a: true }, T0 + 10 * MIN, false));
      await s.recordHistory('h2', entry({ a: true }, T0 + 200 * MIN, true, T0 + 200 * MIN));
      const mid = await s.history('h2', T0 + 5 * MIN, T0 + 20 * MIN);
      expect(mid.records.map((r) => [r.kind, r.at])).toEqual([['state', T0], ['change', T0 + 10 * MIN]]);
      expect(mid.spans).toEqual([{ start: T0, end: T0 + 10 * MIN }]);
      const all = await s.history('h2', T0, T0 + 300 * MIN);
      expect(all.spans).toEqual([{ start: T0, end: T0 + 10 * MIN }, { start: T0 + 200 * MIN, end: T0 + 200 * MIN }]);
    });

    it('keeps counts-only states as counts', async () => {
      const s = await open();
      await s.ensure('h3', at);
      const m: LotMetadata = { total_slots: 50, occupied_slots: 18, available_slots: 32, last_updated: new Date(T0).toISOString(), slots: [] };
      await s.recordHistory('h3', { metadata: m, receivedAt: T0, deviceAt: T0, newSpan: true });
      expect((await s.history('h3', T0, T0 + MIN)).records).toEqual([{ kind: 'counts', at: T0, total: 50, occupied: 18 }]);
    });

    it('continues a lot\'s history written by another store (a restart, or another relay)', async () => {
      const a = await open();
      await a.ensure('h4', at);
      await a.recordHistory('h4', entry({ a: false, b: false }, T0, true));
      await a.recordHistory('h4', entry({ a: true, b: false }, T0 + MIN, false));
      const b = await open();
      await b.recordHistory('h4', entry({ a: true, b: true }, T0 + 2 * MIN, false));
      const t = await b.history('h4', T0, T0 + 10 * MIN);
      expect(replay(t.records)).toEqual({ a: true, b: true });
      expect(t.spans).toEqual([{ start: T0, end: T0 + 2 * MIN }]);
    });

    // Stores that relays share: each write sees the one before, whichever store made it.
    it.runIf(kind.shared)('stays right when two stores take turns writing one lot', async () => {
      const [a, b] = [await open(), await open()];
      await a.ensure('h5', at);
      const states: Record<string, boolean>[] = [{ x: false }, { x: true }, { x: false }, { x: true }, { x: true, y: false }, { x: false, y: true }];
      for (const [i, slots] of states.entries()) {
        await (i % 2 ? b : a).recordHistory('h5', entry(slots, T0 + i * MIN, i === 0));
        expect(replay((await a.history('h5', T0, T0 + 10 * MIN)).records)).toEqual(slots);
      }
    });
  });
});
