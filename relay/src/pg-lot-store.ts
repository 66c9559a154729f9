// LotStore on PostgreSQL (node-postgres), for several relays sharing lots. Every call is a statement or a short
// transaction on a pooled connection, so nothing here blocks the event loop. Row locks (`FOR UPDATE` on the lot)
// order concurrent writers of one lot; an advisory lock makes lot creation and migrations one-at-a-time across relays.
import pg from 'pg';
import type { HistoryRecord, Timeline, TrackedSlot } from '../../src/history/types.ts';
import { parseLayout, parseLotMetadata, type Layout } from '../../src/share/protocol.ts';
import { historyRow, recordsOfRow, trackedAfter, type Tracked } from './history-rows.ts';
import type { ClaimResult, HistoryEntry, LotRecord, LotStore, SavedState, StateToSave } from './lot-store.ts';
import { LOCKS, describePgUrl, migrateSchema, openPool, transaction } from './pg-common.ts';
import type { StoreWarn } from './sqlite-lot-store.ts';

/**
 * Schema steps, applied in order in one transaction; `lotwatch_schema.version` records how many ran. Never edit a step
 * that has shipped: add one. Times the relay reads back as ISO strings are `timestamptz`; history times are epoch ms
 * (`bigint`), as in the SQLite store.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE lots (
     id text PRIMARY KEY,
     token_hash text,
     created_at timestamptz NOT NULL,
     state jsonb,
     layout jsonb,
     received_at timestamptz,
     revision bigint NOT NULL DEFAULT 0,
     publisher_seen_at timestamptz,
     -- The slots as of the lot's last history row: any relay may write the next one.
     history_track jsonb
   );
   CREATE TABLE history_states (
     id bigserial PRIMARY KEY,
     lot text NOT NULL REFERENCES lots (id) ON DELETE CASCADE,
     received_at bigint NOT NULL,
     device_at bigint NOT NULL,
     content_hash text NOT NULL,
     total integer NOT NULL,
     occupied integer NOT NULL,
     "full" boolean NOT NULL,
     slots jsonb NOT NULL,
     UNIQUE (lot, device_at, content_hash)
   );
   CREATE INDEX history_states_by_time ON history_states (lot, received_at, id);
   CREATE INDEX history_states_full ON history_states (lot, received_at) WHERE "full";
   CREATE TABLE history_spans (
     lot text NOT NULL REFERENCES lots (id) ON DELETE CASCADE,
     start_at bigint NOT NULL,
     end_at bigint NOT NULL,
     PRIMARY KEY (lot, start_at)
   );`,
];

/** Brings the lots' schema up to date; refuses a database from a newer relay. Safe when several relays start at once. */
export const migratePg = (pool: pg.Pool, migrations: readonly string[] = PG_MIGRATIONS): Promise<number> =>
  migrateSchema(pool, migrations, 'lotwatch_schema');

interface LotRow {
  id: string;
  token_hash: string | null;
  created_at: Date;
  state: unknown;
  layout: unknown;
  received_at: Date | null;
  revision: number;
  publisher_seen_at: Date | null;
}

const isoOf = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export interface PgLotStoreOptions {
  /** Connections per relay (default 10): several relays × this must stay under the server's `max_connections`. */
  maxConnections?: number;
  warn?: StoreWarn;
}

export class PgLotStore implements LotStore {
  readonly #pool: pg.Pool;
  readonly #warn: StoreWarn;
  readonly #where: string;

  private constructor(pool: pg.Pool, warn: StoreWarn, where: string) {
    this.#pool = pool;
    this.#warn = warn;
    this.#where = where;
  }

  /** Connects, and migrates the schema (or refuses a newer one). */
  static async open(url: string, o: PgLotStoreOptions = {}): Promise<PgLotStore> {
    const warn = o.warn ?? (() => {});
    const pool = openPool(url, o.maxConnections ?? 10, warn);
    try {
      await migratePg(pool);
    } catch (e) {
      await pool.end();
      throw e;
    }
    return new PgLotStore(pool, warn, describePgUrl(url));
  }

  async get(lot: string): Promise<LotRecord | null> {
    const r = await this.#pool.query<LotRow>(
      'SELECT id, token_hash, created_at, state, layout, received_at, revision, publisher_seen_at FROM lots WHERE id = $1',
      [lot],
    );
    const row = r.rows[0];
    return row ? this.#toRecord(row) : null;
  }

  async claim(lot: string, tokenHash: string, at: string, maxLots: number): Promise<ClaimResult> {
    return transaction(this.#pool, async (c) => {
      // One creation at a time across relays, so the lot limit holds and exactly one claim of a name wins.
      await c.query('SELECT pg_advisory_xact_lock($1)', [LOCKS.claim]);
      const existing = await c.query('SELECT 1 FROM lots WHERE id = $1 FOR UPDATE', [lot]);
      if (existing.rows.length > 0) {
        const u = await c.query('UPDATE lots SET token_hash = $2 WHERE id = $1 AND token_hash IS NULL', [lot, tokenHash]);
        return u.rowCount === 1 ? 'claimed' : 'taken';
      }
      const n = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM lots');
      if ((n.rows[0]?.n ?? 0) >= maxLots) return 'full';
      await c.query('INSERT INTO lots (id, token_hash, created_at) VALUES ($1, $2, $3)', [lot, tokenHash, at]);
      return 'claimed';
    });
  }

  async setToken(lot: string, tokenHash: string, at: string): Promise<void> {
    await this.#pool.query(
      'INSERT INTO lots (id, token_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash',
      [lot, tokenHash, at],
    );
  }

  async ensure(lot: string, at: string): Promise<void> {
    await this.#pool.query('INSERT INTO lots (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [lot, at]);
  }

  async saveState(lot: string, s: StateToSave): Promise<SavedState | null> {
    // One statement: the CTE locks the row and keeps what it was, the update bumps the revision.
    const r = await this.#pool.query<{
      revision: number;
      layout: unknown;
      layout_changed: boolean;
      prev_received_at: Date | null;
      prev_seen_at: Date | null;
    }>(
      `WITH old AS (SELECT layout, received_at, publisher_seen_at FROM lots WHERE id = $1 FOR UPDATE)
       UPDATE lots SET state = $2::jsonb, layout = COALESCE($3::jsonb, old.layout), received_at = $4, publisher_seen_at = $4,
              revision = lots.revision + 1
       FROM old WHERE lots.id = $1
       RETURNING lots.revision, lots.layout, lots.layout IS DISTINCT FROM old.layout AS layout_changed,
                 old.received_at AS prev_received_at, old.publisher_seen_at AS prev_seen_at`,
      [lot, JSON.stringify(s.metadata), s.layout === undefined ? null : JSON.stringify(s.layout), s.receivedAt],
    );
    const row = r.rows[0];
    if (!row) return null;
    return {
      revision: row.revision,
      layout: s.layout ?? this.#layout(lot, row.layout),
      layoutChanged: row.layout_changed,
      previous: { receivedAt: isoOf(row.prev_received_at), publisherSeenAt: isoOf(row.prev_seen_at) },
    };
  }

  async markPublisherSeen(lot: string, at: string): Promise<void> {
    await this.#pool.query('UPDATE lots SET publisher_seen_at = $2 WHERE id = $1', [lot, at]);
  }

  async recordHistory(lot: string, e: HistoryEntry): Promise<boolean> {
    return transaction(this.#pool, async (c) => {
      // The lot's row lock orders history writers of one lot, whichever relay they run on.
      const t = await c.query<{ history_track: unknown }>('SELECT history_track FROM lots WHERE id = $1 FOR UPDATE', [lot]);
      const lotRow = t.rows[0];
      if (!lotRow) return false;
      const row = historyRow(trackedOf(lotRow.history_track), e);
      const ins = await c.query(
        `INSERT INTO history_states (lot, received_at, device_at, content_hash, total, occupied, "full", slots)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT (lot, device_at, content_hash) DO NOTHING`,
        [lot, e.receivedAt, e.deviceAt, row.contentHash, row.total, row.occupied, row.full, JSON.stringify(row.slots)],
      );
      const added = ins.rowCount === 1;
      const tracked = trackedAfter(row, added, e.newSpan);
      if (tracked) await c.query('UPDATE lots SET history_track = $2::jsonb WHERE id = $1', [lot, JSON.stringify(trackedJson(tracked))]);
      const extended = e.newSpan
        ? null
        : await c.query(
            `UPDATE history_spans SET end_at = GREATEST(end_at, $2)
             WHERE lot = $1 AND start_at = (SELECT max(start_at) FROM history_spans WHERE lot = $1)`,
            [lot, e.receivedAt],
          );
      if (!extended || extended.rowCount === 0) {
        await c.query('INSERT INTO history_spans (lot, start_at, end_at) VALUES ($1, $2, $2) ON CONFLICT DO NOTHING', [lot, e.receivedAt]);
      }
      return added;
    });
  }

  async history(lot: string, from: number, to: number): Promise<Timeline> {
    return readPgHistory(this.#pool, lot, from, to, this.#warn);
  }

  async delete(lot: string): Promise<boolean> {
    // Its history rows and spans go with it (ON DELETE CASCADE), and so does its history tracking (in the row).
    const r = await this.#pool.query('DELETE FROM lots WHERE id = $1', [lot]);
    return r.rowCount === 1;
  }

  async expireUnpublished(createdBefore: string, keep: string): Promise<string[]> {
    // One statement: a lot published to meanwhile (saveState holds its row) is re-checked after that write and kept.
    const r = await this.#pool.query<{ id: string }>(
      'DELETE FROM lots WHERE state IS NULL AND revision = 0 AND created_at < $1 AND id <> $2 RETURNING id',
      [createdBefore, keep],
    );
    return r.rows.map((row) => row.id).sort();
  }

  async integrity(): Promise<{ ok: boolean; detail: string }> {
    // Readable is what this checks (PostgreSQL checks pages itself); the settings say how safe the data is: with
    // fsync off a crash can corrupt the database, and only with data checksums is a damaged page noticed.
    const r = await this.#pool.query<{ fsync: string; sync: string; checksums: string; version: number; lots: number }>(
      `SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync,
              current_setting('data_checksums') AS checksums, (SELECT version FROM lotwatch_schema) AS version,
              (SELECT count(*)::int FROM lots) AS lots`,
    );
    const row = r.rows[0]!;
    const risk = row.fsync === 'on' ? '' : ' (fsync off: a crash of the database server can lose or corrupt data)';
    return {
      ok: true,
      detail: `${this.#where}: schema ${row.version}, ${row.lots} lots, fsync=${row.fsync}${risk}, synchronous_commit=${row.sync}, data_checksums=${row.checksums}`,
    };
  }

  async check(): Promise<string | null> {
    try {
      await this.#pool.query('SELECT 1');
      return null;
    } catch (e) {
      return `PostgreSQL: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  async close(): Promise<void> {
    if (!this.#pool.ended) await this.#pool.end();
  }

  /** For tests and tools: a query on the store's pool. */
  query(sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
    return this.#pool.query(sql, values);
  }

  #toRecord(row: LotRow): LotRecord {
    let state: LotRecord['state'] = null;
    if (row.state !== null && row.received_at !== null) {
      const m = parseLotMetadata(row.state);
      if (m.ok) {
        state = { metadata: m.value, layout: this.#layout(row.id, row.layout), receivedAt: row.received_at.toISOString(), revision: row.revision };
      } else {
        // A damaged row must not take the relay down; the lot reads as "nothing published yet" until the next state.
        this.#warn(`lot ${row.id}: stored state unreadable (${m.error}); ignoring it`);
      }
    }
    return {
      lot: row.id,
      tokenHash: row.token_hash,
      createdAt: row.created_at.toISOString(),
      state,
      publisherSeenAt: isoOf(row.publisher_seen_at),
    };
  }

  #layout(lot: string, value: unknown): Layout | null {
    if (value === null || value === undefined) return null;
    const l = parseLayout(value);
    if (!l.ok) this.#warn(`lot ${lot}: stored layout unreadable (${l.error}); ignoring it`);
    return l.ok ? l.value : null;
  }
}

/** The tracking as JSON (`-Infinity`, "write a whole row next", becomes null). */
const trackedJson = (t: Tracked) => ({ slots: t.slots, fullAt: Number.isFinite(t.fullAt) ? t.fullAt : null });

/** The stored tracking, or null (write a whole row next) when there is none or it is unreadable. */
function trackedOf(v: unknown): Tracked | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as { slots?: unknown; fullAt?: unknown };
  if (!Array.isArray(o.slots) || !o.slots.every((s) => typeof s === 'object' && s !== null && typeof (s as TrackedSlot).id === 'string')) return null;
  return { slots: o.slots as TrackedSlot[], fullAt: typeof o.fullAt === 'number' ? o.fullAt : -Infinity };
}

/**
 * A lot's history for [from, to), as `LotStore.history` describes it: the store reads it, and so does the history
 * worker (history-worker.ts) on a pool of its own, which keeps the replay of big answers off the relay's event loop.
 */
export function readPgHistory(pool: pg.Pool, lot: string, from: number, to: number, warn: StoreWarn): Promise<Timeline> {
  // One snapshot for the three reads, so spans and states agree even while states arrive.
  return transaction(
    pool,
    async (c) => {
      const spans = await c.query<{ start_at: number; end_at: number }>(
        'SELECT start_at, end_at FROM history_spans WHERE lot = $1 AND end_at >= $2 AND start_at < $3 ORDER BY start_at',
        [lot, from, to],
      );
      // From the last whole-lot row before the range: the state at its start.
      const before = await c.query<{ received_at: number }>(
        'SELECT received_at FROM history_states WHERE lot = $1 AND "full" AND received_at < $2 ORDER BY received_at DESC LIMIT 1',
        [lot, from],
      );
      const start = before.rows[0]?.received_at ?? from;
      const states = await c.query<{ received_at: number; total: number; occupied: number; full: boolean; slots: unknown }>(
        `SELECT received_at, total, occupied, "full", slots FROM history_states
         WHERE lot = $1 AND received_at >= $2 AND received_at < $3 ORDER BY received_at, id`,
        [lot, start, to],
      );
      const records: HistoryRecord[] = states.rows.flatMap((r) =>
        recordsOfRow({ receivedAt: r.received_at, total: r.total, occupied: r.occupied, full: r.full, slots: r.slots }, (why) =>
          warn(`lot ${lot}: a history row is unreadable (${why}); skipping it`),
        ),
      );
      return { spans: spans.rows.map((r) => ({ start: r.start_at, end: r.end_at })), records };
    },
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  );
}
