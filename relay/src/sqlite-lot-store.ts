// LotStore on one SQLite file (better-sqlite3). Synchronous underneath, which is fine for one relay process:
// each call is a single short statement or transaction.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseLayout, parseLotMetadata, type Layout } from '../../src/share/protocol.ts';
import type { ClaimResult, LotRecord, LotStore, SavedState, StateToSave } from './lot-store.ts';

export const DB_FILE = 'lotwatch.sqlite';

/**
 * Schema steps, applied in order; `PRAGMA user_version` records how many ran. Never edit a step that has shipped:
 * add one. (Per-lot history tables are a later step.)
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
];

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

  /** Opens (creating if needed) `<dataDir>/lotwatch.sqlite`; `:memory:` for a throwaway store. */
  constructor(dataDir: string, warn: StoreWarn = () => {}) {
    let file = ':memory:';
    if (dataDir !== ':memory:') {
      mkdirSync(dataDir, { recursive: true });
      file = join(dataDir, DB_FILE);
    }
    this.#db = new Database(file);
    this.#warn = warn;
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    migrate(this.#db);
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
      layoutOf: db.prepare<[string], { layout_json: string | null; revision: number }>(
        'SELECT layout_json, revision FROM lots WHERE id = ?',
      ),
      save: db.prepare<[string, string | null, string, string, string]>(
        `UPDATE lots SET state_json = ?, layout_json = ?, received_at = ?, publisher_seen_at = ?, revision = revision + 1
         WHERE id = ?`,
      ),
      seen: db.prepare<[string, string]>('UPDATE lots SET publisher_seen_at = ? WHERE id = ?'),
    };
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
      };
    }).immediate();
  }

  async markPublisherSeen(lot: string, at: string): Promise<void> {
    this.#stmts.seen.run(at, lot);
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

function safeParse<T>(json: string, parse: (v: unknown) => { ok: true; value: T } | { ok: false; error: string }) {
  try {
    return parse(JSON.parse(json) as unknown);
  } catch (e) {
    return { ok: false as const, error: String(e) };
  }
}
