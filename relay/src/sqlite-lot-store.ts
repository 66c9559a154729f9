// LotStore on one SQLite file (better-sqlite3). Synchronous underneath, which is fine for one relay process:
// each call is a single short statement or transaction.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { trackSlots } from '../../src/history/track.ts';
import type { HistoryRecord, Timeline, TrackedSlot } from '../../src/history/types.ts';
import { parseLayout, parseLotMetadata, type Layout, type LotMetadata } from '../../src/share/protocol.ts';
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
  // The unique key makes a re-delivered state (same device time, same content) a no-op.
  `CREATE TABLE history_states (
     lot TEXT NOT NULL,
     received_at INTEGER NOT NULL,
     device_at INTEGER NOT NULL,
     content_hash TEXT NOT NULL,
     total INTEGER NOT NULL,
     occupied INTEGER NOT NULL,
     slots_json TEXT NOT NULL,
     UNIQUE (lot, device_at, content_hash)
   ) STRICT;
   CREATE INDEX history_states_by_time ON history_states (lot, received_at);
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
  slots_json: string;
}

/** Stored per slot: [id, 1 | 0, since (relay ms) or null]. */
type StoredSlot = [string, 0 | 1, number | null];

/** What makes two states the same for history: the counts and each slot's occupancy (not probabilities). */
export function contentHash(m: LotMetadata): string {
  const key = JSON.stringify([m.total_slots, m.occupied_slots, m.slots.map((s) => [s.id, s.occupied])]);
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
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
      lastHistory: db.prepare<[string], { slots_json: string }>(
        'SELECT slots_json FROM history_states WHERE lot = ? ORDER BY received_at DESC, rowid DESC LIMIT 1',
      ),
      addHistory: db.prepare<[string, number, number, string, number, number, string]>(
        `INSERT OR IGNORE INTO history_states (lot, received_at, device_at, content_hash, total, occupied, slots_json)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      newSpan: db.prepare<[string, number, number]>('INSERT OR IGNORE INTO history_spans (lot, start_at, end_at) VALUES (?, ?, ?)'),
      extendSpan: db.prepare<[number, string, string]>(
        `UPDATE history_spans SET end_at = MAX(end_at, ?)
         WHERE lot = ? AND start_at = (SELECT MAX(start_at) FROM history_spans WHERE lot = ?)`,
      ),
      spans: db.prepare<[string, number, number], { start_at: number; end_at: number }>(
        'SELECT start_at, end_at FROM history_spans WHERE lot = ? AND end_at >= ? AND start_at < ? ORDER BY start_at',
      ),
      stateBefore: db.prepare<[string, number], HistoryRow>(
        `SELECT received_at, total, occupied, slots_json FROM history_states WHERE lot = ? AND received_at < ?
         ORDER BY received_at DESC, rowid DESC LIMIT 1`,
      ),
      states: db.prepare<[string, number, number], HistoryRow>(
        `SELECT received_at, total, occupied, slots_json FROM history_states WHERE lot = ? AND received_at >= ? AND received_at < ?
         ORDER BY received_at, rowid`,
      ),
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

  async recordHistory(lot: string, e: HistoryEntry): Promise<boolean> {
    return this.#db.transaction((): boolean => {
      const last = e.newSpan ? undefined : this.#stmts.lastHistory.get(lot);
      const prev = last ? this.#trackedOf(lot, last.slots_json) : null;
      // Each slot's relay time of entering its state: what lets a later query start mid-span and still know arrivals.
      const { slots } = trackSlots(prev, e.metadata.slots, e.receivedAt);
      const stored: StoredSlot[] = slots.map((s) => [s.id, s.occupied ? 1 : 0, s.since]);
      const m = e.metadata;
      const added =
        this.#stmts.addHistory.run(lot, e.receivedAt, e.deviceAt, contentHash(m), m.total_slots, m.occupied_slots, JSON.stringify(stored)).changes === 1;
      if (e.newSpan || this.#stmts.extendSpan.run(e.receivedAt, lot, lot).changes === 0) this.#stmts.newSpan.run(lot, e.receivedAt, e.receivedAt);
      return added;
    }).immediate();
  }

  async history(lot: string, from: number, to: number): Promise<Timeline> {
    const spans = this.#stmts.spans.all(lot, from, to).map((r) => ({ start: r.start_at, end: r.end_at }));
    const before = this.#stmts.stateBefore.get(lot, from);
    const rows = [...(before ? [before] : []), ...this.#stmts.states.all(lot, from, to)];
    return { spans, records: rows.map((r) => this.#recordOf(lot, r)) };
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #recordOf(lot: string, r: HistoryRow): HistoryRecord {
    const slots = this.#trackedOf(lot, r.slots_json);
    // A publisher that sends only the four counts: lot figures, no per-slot ones.
    if (slots.length === 0 && r.total > 0) return { kind: 'counts', at: r.received_at, total: r.total, occupied: r.occupied };
    return { kind: 'state', at: r.received_at, slots };
  }

  #trackedOf(lot: string, json: string): TrackedSlot[] {
    try {
      const v = JSON.parse(json) as unknown;
      if (!Array.isArray(v)) throw new Error('not an array');
      return v.map((x: unknown): TrackedSlot => {
        if (!Array.isArray(x) || typeof x[0] !== 'string' || (x[2] !== null && typeof x[2] !== 'number')) throw new Error('bad slot');
        return { id: x[0], occupied: x[1] === 1, since: x[2] as number | null };
      });
    } catch (err) {
      this.#warn(`lot ${lot}: a history row is unreadable (${String(err)}); treating it as empty`);
      return [];
    }
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
