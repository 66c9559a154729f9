// LotStore on one SQLite file (better-sqlite3). Synchronous underneath, which is fine for one relay process:
// each call is a single short statement or transaction.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryRecord, Timeline } from '../../src/history/types.ts';
import { parseLayout, parseLotMetadata, type Layout } from '../../src/share/protocol.ts';
import { historyRow, recordsOfRow, trackedAfter, type Tracked } from './history-rows.ts';
import type { ClaimResult, HistoryEntry, LotRecord, LotStore, SavedState, StateToSave } from './lot-store.ts';

export const DB_FILE = 'lotwatch.sqlite';

/**
 * Schema steps, applied in order; `PRAGMA user_version` records how many ran. Never edit a step that has shipped:
 * add one.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE lots (
     id TEXT PRIMARY KEY NOT NULL,
     token_hash TEXT,
     created_at TEXT NOT NULL,
     state_json TEXT,
     layout_json TEXT,
     received_at TEXT,
     revision INTEGER NOT NULL DEFAULT 0,
     publisher_seen_at TEXT
   ) STRICT;`,
  // History: every distinct state a lot reported, and the spans of time its counter was being heard from.
  // Times are epoch ms. received_at (relay clock) orders; device_at (the device's last_updated) is kept for reference.
  // The unique key makes a re-delivered state (same device time, same content) a no-op. Rows hold the whole lot or
  // only changes (full = 1 / 0), see history-rows.ts.
  `CREATE TABLE history_states (
     lot TEXT NOT NULL,
     received_at INTEGER NOT NULL,
     device_at INTEGER NOT NULL,
     content_hash TEXT NOT NULL,
     total INTEGER NOT NULL,
     occupied INTEGER NOT NULL,
     full INTEGER NOT NULL,
     slots_json TEXT NOT NULL,
     UNIQUE (lot, device_at, content_hash)
   ) STRICT;
   CREATE INDEX history_states_by_time ON history_states (lot, received_at);
   CREATE INDEX history_states_full ON history_states (lot, received_at) WHERE full = 1;
   CREATE TABLE history_spans (
     lot TEXT NOT NULL,
     start_at INTEGER NOT NULL,
     end_at INTEGER NOT NULL,
     PRIMARY KEY (lot, start_at)
   ) STRICT;`,
];

interface HistoryRow {
  received_at: number;
  total: number;
  occupied: number;
  full: number;
  slots_json: string;
}

interface LotRow {
  id: string;
  token_hash: string | null;
  created_at: string;
  state_json: string | null;
  layout_json: string | null;
  received_at: string | null;
  revision: number;
  publisher_seen_at: string | null;
}

export type StoreWarn = (message: string) => void;

export interface SqliteOptions {
  /** Make an existing file with no lotwatch schema a new store (`--init-db`). */
  initialise?: boolean;
  /** `full` syncs every commit: nothing acknowledged is lost on power loss, at some cost per write. */
  synchronous?: 'normal' | 'full';
}

export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`database schema version ${current} is newer than this relay knows (${migrations.length}); upgrade the relay`);
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return migrations.length;
}

export class SqliteLotStore implements LotStore {
  readonly #db: Database.Database;
  readonly #warn: StoreWarn;
  readonly #stmts;
  readonly #reader: SqliteHistoryReader;
  readonly #file: string | null;
  /** Each lot's slots as of its last stored row (one relay owns this file, so memory is the truth). */
  readonly #tracked = new Map<string, Tracked>();

  /**
   * Opens (creating if needed) `<dataDir>/lotwatch.sqlite`; `:memory:` for a throwaway store. A file that exists but
   * holds no lotwatch schema (0 bytes after a bad copy, another program's database) is refused unless `initialise`:
   * starting empty there would silently drop every lot and token.
   */
  constructor(dataDir: string, warn: StoreWarn = () => {}, options: SqliteOptions = {}) {
    let file = ':memory:';
    if (dataDir !== ':memory:') {
      mkdirSync(dataDir, { recursive: true });
      file = join(dataDir, DB_FILE);
    }
    this.#file = file === ':memory:' ? null : file;
    const existed = this.#file !== null && existsSync(file);
    this.#db = new Database(file);
    this.#warn = warn;
    try {
      const version = this.#db.pragma('user_version', { simple: true }) as number;
      if (existed && version === 0 && !options.initialise) {
        throw new Error(
          `${file} exists but holds no lotwatch data (an empty or foreign file); refusing to start empty over it. ` +
            'Restore it from a backup, or start with --init-db to make it a new, empty store.',
        );
      }
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      this.#db.pragma('busy_timeout = 5000');
      migrate(this.#db);
    } catch (e) {
      this.#db.close();
      const m = e instanceof Error ? e.message : String(e);
      throw new Error(m.startsWith(file) ? m : `${file}: ${m}`);
    }
    const db = this.#db;
    this.#stmts = {
      get: db.prepare<[string], LotRow>('SELECT * FROM lots WHERE id = ?'),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM lots'),
      insert: db.prepare<[string, string | null, string]>('INSERT INTO lots (id, token_hash, created_at) VALUES (?, ?, ?)'),
      ensure: db.prepare<[string, string]>('INSERT OR IGNORE INTO lots (id, created_at) VALUES (?, ?)'),
      claimUnclaimed: db.prepare<[string, string]>('UPDATE lots SET token_hash = ? WHERE id = ? AND token_hash IS NULL'),
      setToken: db.prepare<[string, string, string]>(
        'INSERT INTO lots (id, token_hash, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET token_hash = excluded.token_hash',
      ),
      layoutOf: db.prepare<[string], { layout_json: string | null; revision: number; received_at: string | null; publisher_seen_at: string | null }>(
        'SELECT layout_json, revision, received_at, publisher_seen_at FROM lots WHERE id = ?',
      ),
      save: db.prepare<[string, string | null, string, string, string]>(
        `UPDATE lots SET state_json = ?, layout_json = ?, received_at = ?, publisher_seen_at = ?, revision = revision + 1
         WHERE id = ?`,
      ),
      seen: db.prepare<[string, string]>('UPDATE lots SET publisher_seen_at = ? WHERE id = ?'),
      deleteLot: db.prepare<[string]>('DELETE FROM lots WHERE id = ?'),
      deleteStates: db.prepare<[string]>('DELETE FROM history_states WHERE lot = ?'),
      deleteSpans: db.prepare<[string]>('DELETE FROM history_spans WHERE lot = ?'),
      unpublished: db.prepare<[string, string], { id: string }>(
        'SELECT id FROM lots WHERE state_json IS NULL AND revision = 0 AND created_at < ? AND id != ?',
      ),
      addHistory: db.prepare<[string, number, number, string, number, number, number, string]>(
        `INSERT OR IGNORE INTO history_states (lot, received_at, device_at, content_hash, total, occupied, full, slots_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      newSpan: db.prepare<[string, number, number]>('INSERT OR IGNORE INTO history_spans (lot, start_at, end_at) VALUES (?, ?, ?)'),
      extendSpan: db.prepare<[number, string, string]>(
        `UPDATE history_spans SET end_at = MAX(end_at, ?)
         WHERE lot = ? AND start_at = (SELECT MAX(start_at) FROM history_spans WHERE lot = ?)`,
      ),
    };
    this.#reader = new SqliteHistoryReader(db, warn);
  }

  /** The database file, or null for an in-memory store (which no other connection can open). */
  get file(): string | null {
    return this.#file;
  }

  async get(lot: string): Promise<LotRecord | null> {
    const row = this.#stmts.get.get(lot);
    return row ? this.#toRecord(row) : null;
  }

  async claim(lot: string, tokenHash: string, at: string, maxLots: number): Promise<ClaimResult> {
    return this.#db.transaction((): ClaimResult => {
      const row = this.#stmts.get.get(lot);
      if (row) return this.#stmts.claimUnclaimed.run(tokenHash, lot).changes === 1 ? 'claimed' : 'taken';
      if ((this.#stmts.count.get()?.n ?? 0) >= maxLots) return 'full';
      this.#stmts.insert.run(lot, tokenHash, at);
      return 'claimed';
    }).immediate();
  }

  async setToken(lot: string, tokenHash: string, at: string): Promise<void> {
    this.#stmts.setToken.run(lot, tokenHash, at);
  }

  async ensure(lot: string, at: string): Promise<void> {
    this.#stmts.ensure.run(lot, at);
  }

  async saveState(lot: string, s: StateToSave): Promise<SavedState | null> {
    return this.#db.transaction((): SavedState | null => {
      const before = this.#stmts.layoutOf.get(lot);
      if (!before) return null;
      const layoutJson = s.layout === undefined ? before.layout_json : JSON.stringify(s.layout);
      this.#stmts.save.run(JSON.stringify(s.metadata), layoutJson, s.receivedAt, s.receivedAt, lot);
      return {
        revision: before.revision + 1,
        layout: s.layout ?? this.#layout(lot, before.layout_json),
        layoutChanged: layoutJson !== before.layout_json,
        previous: { receivedAt: before.received_at, publisherSeenAt: before.publisher_seen_at },
      };
    }).immediate();
  }

  async markPublisherSeen(lot: string, at: string): Promise<void> {
    this.#stmts.seen.run(at, lot);
  }

  async recordHistory(lot: string, e: HistoryEntry): Promise<boolean> {
    return this.#db.transaction((): boolean => {
      const row = historyRow(this.#tracked.get(lot) ?? null, e);
      const added =
        this.#stmts.addHistory.run(lot, e.receivedAt, e.deviceAt, row.contentHash, row.total, row.occupied, row.full ? 1 : 0, JSON.stringify(row.slots))
          .changes === 1;
      const tracked = trackedAfter(row, added, e.newSpan);
      if (tracked) this.#tracked.set(lot, tracked);
      if (e.newSpan || this.#stmts.extendSpan.run(e.receivedAt, lot, lot).changes === 0) this.#stmts.newSpan.run(lot, e.receivedAt, e.receivedAt);
      return added;
    }).immediate();
  }

  async history(lot: string, from: number, to: number): Promise<Timeline> {
    return this.#reader.read(lot, from, to);
  }

  async delete(lot: string): Promise<boolean> {
    const deleted = this.#db.transaction((): boolean => {
      this.#stmts.deleteStates.run(lot);
      this.#stmts.deleteSpans.run(lot);
      return this.#stmts.deleteLot.run(lot).changes === 1;
    }).immediate();
    this.#tracked.delete(lot);
    return deleted;
  }

  async expireUnpublished(createdBefore: string, keep: string): Promise<string[]> {
    const ids = this.#db.transaction((): string[] => {
      const found = this.#stmts.unpublished.all(createdBefore, keep).map((r) => r.id);
      for (const id of found) {
        this.#stmts.deleteStates.run(id);
        this.#stmts.deleteSpans.run(id);
        this.#stmts.deleteLot.run(id);
      }
      return found;
    }).immediate();
    for (const id of ids) this.#tracked.delete(id);
    return ids;
  }

  async integrity(): Promise<{ ok: boolean; detail: string }> {
    // quick_check: every page and row readable, without the full index cross-check, so a start stays quick on a
    // large file.
    const rows = this.#db.pragma('quick_check(10)', { simple: false }) as { quick_check: string }[];
    const lines = rows.map((r) => r.quick_check);
    const mode = (this.#db.pragma('synchronous', { simple: true }) as number) >= 2 ? 'FULL' : 'NORMAL';
    const ok = lines.length === 1 && lines[0] === 'ok';
    return { ok, detail: `${this.#file ?? ':memory:'}: PRAGMA quick_check ${ok ? 'ok' : lines.join('; ')}; synchronous=${mode}` };
  }

  async check(): Promise<string | null> {
    return this.#db.open ? null : 'the database is closed';
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #toRecord(row: LotRow): LotRecord {
    let state: LotRecord['state'] = null;
    if (row.state_json !== null && row.received_at !== null) {
      const m = safeParse(row.state_json, parseLotMetadata);
      if (m.ok) {
        state = { metadata: m.value, layout: this.#layout(row.id, row.layout_json), receivedAt: row.received_at, revision: row.revision };
      } else {
        // A damaged row must not take the relay down; the lot reads as "nothing published yet" until the next state.
        this.#warn(`lot ${row.id}: stored state unreadable (${m.error}); ignoring it`);
      }
    }
    return { lot: row.id, tokenHash: row.token_hash, createdAt: row.created_at, state, publisherSeenAt: row.publisher_seen_at };
  }

  #layout(lot: string, json: string | null): Layout | null {
    if (json === null) return null;
    const l = safeParse(json, parseLayout);
    if (!l.ok) this.#warn(`lot ${lot}: stored layout unreadable (${l.error}); ignoring it`);
    return l.ok ? l.value : null;
  }
}

/**
 * Reads a lot's history from the store's file. The store uses it, and so does the history worker on its own read-only
 * connection (history-worker.ts), which keeps big reads off the relay's event loop.
 */
export class SqliteHistoryReader {
  readonly #warn: StoreWarn;
  readonly #stmts;

  constructor(db: Database.Database, warn: StoreWarn = () => {}) {
    this.#warn = warn;
    this.#stmts = {
      spans: db.prepare<[string, number, number], { start_at: number; end_at: number }>(
        'SELECT start_at, end_at FROM history_spans WHERE lot = ? AND end_at >= ? AND start_at < ? ORDER BY start_at',
      ),
      fullBefore: db.prepare<[string, number], { received_at: number }>(
        'SELECT received_at FROM history_states WHERE lot = ? AND full = 1 AND received_at < ? ORDER BY received_at DESC LIMIT 1',
      ),
      states: db.prepare<[string, number, number], HistoryRow>(
        `SELECT received_at, total, occupied, full, slots_json FROM history_states WHERE lot = ? AND received_at >= ? AND received_at < ?
         ORDER BY received_at, rowid`,
      ),
    };
  }

  /** The lot's history for [from, to), as `LotStore.history` describes it. */
  read(lot: string, from: number, to: number): Timeline {
    const spans = this.#stmts.spans.all(lot, from, to).map((r) => ({ start: r.start_at, end: r.end_at }));
    // From the last whole-lot row before the range: the state at its start.
    const start = this.#stmts.fullBefore.get(lot, from)?.received_at ?? from;
    const records = this.#stmts.states.all(lot, start, to).flatMap((r) => this.#recordsOf(lot, r));
    return { spans, records };
  }

  #recordsOf(lot: string, r: HistoryRow): HistoryRecord[] {
    const row = { receivedAt: r.received_at, total: r.total, occupied: r.occupied, full: r.full === 1, slots: r.slots_json };
    return recordsOfRow(row, (why) => this.#warn(`lot ${lot}: a history row is unreadable (${why}); skipping it`));
  }
}

function safeParse<T>(json: string, parse: (v: unknown) => { ok: true; value: T } | { ok: false; error: string }) {
  try {
    return parse(JSON.parse(json) as unknown);
  } catch (e) {
    return { ok: false as const, error: String(e) };
  }
}
