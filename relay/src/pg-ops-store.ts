// The operators' store (ops-store.ts) on PostgreSQL, for several relays: a lot's cameras and their tokens, alert rules
// and alert state, webhooks and the delivery log, in the same database as the lots, with their own schema version.
// Alert state changes under the row's lock and camera merges under an advisory lock per lot, so relays sharing the
// store decide each alert once and merge each lot's cameras one at a time.
import type pg from 'pg';
import { parseLayout, parseLotMetadata, type Layout, type LotMetadata } from '../../src/share/protocol.ts';
import type { AlertEventType, AlertRules, AlertState } from './alerts.ts';
import type { CameraRecord, DeliveryRecord, OpsStore, WebhookRecord } from './ops-store.ts';
import { DELIVERY_LOG_SIZE } from './ops-store.ts';
import { LOCKS, migrateSchema, openPool, transaction } from './pg-common.ts';
import type { StoreWarn } from './sqlite-lot-store.ts';

/** Never edit a step that has shipped: add one. `lotwatch_ops_schema.version` records how many ran. */
export const PG_OPS_MIGRATIONS: readonly string[] = [
  `CREATE TABLE cameras (
     lot text NOT NULL,
     camera text NOT NULL,
     token_hash text,
     metadata jsonb,
     layout jsonb,
     received_at timestamptz,
     seen_at timestamptz,
     PRIMARY KEY (lot, camera)
   );
   CREATE TABLE lot_alerts (lot text PRIMARY KEY, rules jsonb, state jsonb);
   CREATE TABLE webhooks (
     id text PRIMARY KEY,
     lot text NOT NULL,
     url text NOT NULL,
     events jsonb NOT NULL,
     secret text NOT NULL,
     created_at text NOT NULL
   );
   CREATE INDEX webhooks_by_lot ON webhooks (lot);
   CREATE TABLE deliveries (
     seq bigserial PRIMARY KEY,
     lot text NOT NULL,
     record json NOT NULL
   );
   CREATE INDEX deliveries_by_lot ON deliveries (lot, seq);`,
];

export const migratePgOps = (pool: pg.Pool, migrations: readonly string[] = PG_OPS_MIGRATIONS): Promise<number> =>
  migrateSchema(pool, migrations, 'lotwatch_ops_schema');

interface CameraRow {
  camera: string;
  token_hash: string | null;
  metadata: unknown;
  layout: unknown;
  received_at: Date | null;
  seen_at: Date | null;
}

const isoOf = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export class PgOpsStore implements OpsStore {
  readonly #pool: pg.Pool;
  /** Connections that hold a lot's advisory lock while its work runs on `#pool` (never waiting on each other). */
  readonly #locks: pg.Pool;
  readonly #warn: StoreWarn;

  private constructor(pool: pg.Pool, locks: pg.Pool, warn: StoreWarn) {
    this.#pool = pool;
    this.#locks = locks;
    this.#warn = warn;
  }

  /** Connects, and migrates the operators' schema (or refuses a newer one). */
  static async open(url: string, o: { warn?: StoreWarn; maxConnections?: number } = {}): Promise<PgOpsStore> {
    const warn = o.warn ?? (() => {});
    const pool = openPool(url, o.maxConnections ?? 5, warn);
    const locks = openPool(url, 3, warn);
    try {
      await migratePgOps(pool);
    } catch (e) {
      await Promise.all([pool.end(), locks.end()]);
      throw e;
    }
    return new PgOpsStore(pool, locks, warn);
  }

  async cameras(lot: string): Promise<CameraRecord[]> {
    const r = await this.#pool.query<CameraRow>(
      'SELECT camera, token_hash, metadata, layout, received_at, seen_at FROM cameras WHERE lot = $1 ORDER BY camera',
      [lot],
    );
    return r.rows.map((c) => ({
      camera: c.camera,
      tokenHash: c.token_hash,
      metadata: this.#parse(c.metadata, parseLotMetadata, `camera ${c.camera} of lot ${lot}: state`),
      layout: this.#parse(c.layout, parseLayout, `camera ${c.camera} of lot ${lot}: layout`),
      receivedAt: isoOf(c.received_at),
      seenAt: isoOf(c.seen_at),
    }));
  }

  async saveCameraState(lot: string, camera: string, s: { metadata: LotMetadata; layout?: Layout | undefined; receivedAt: string }): Promise<void> {
    await this.#pool.query(
      `INSERT INTO cameras (lot, camera, metadata, layout, received_at, seen_at) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $5)
       ON CONFLICT (lot, camera) DO UPDATE SET metadata = excluded.metadata,
         layout = CASE WHEN $6 THEN cameras.layout ELSE excluded.layout END,
         received_at = excluded.received_at, seen_at = excluded.seen_at`,
      [lot, camera, JSON.stringify(s.metadata), s.layout === undefined ? null : JSON.stringify(s.layout), s.receivedAt, s.layout === undefined],
    );
  }

  async markCameraSeen(lot: string, camera: string, at: string): Promise<void> {
    await this.#pool.query('UPDATE cameras SET seen_at = $3 WHERE lot = $1 AND camera = $2', [lot, camera, at]);
  }

  async setCameraToken(lot: string, camera: string, tokenHash: string | null): Promise<void> {
    await this.#pool.query(
      'INSERT INTO cameras (lot, camera, token_hash) VALUES ($1, $2, $3) ON CONFLICT (lot, camera) DO UPDATE SET token_hash = excluded.token_hash',
      [lot, camera, tokenHash],
    );
  }

  async removeCamera(lot: string, camera: string): Promise<boolean> {
    return (await this.#pool.query('DELETE FROM cameras WHERE lot = $1 AND camera = $2', [lot, camera])).rowCount === 1;
  }

  async alertRules(lot: string): Promise<AlertRules | null> {
    const r = await this.#pool.query<{ rules: AlertRules | null }>('SELECT rules FROM lot_alerts WHERE lot = $1', [lot]);
    return r.rows[0]?.rules ?? null;
  }

  async setAlertRules(lot: string, rules: AlertRules): Promise<void> {
    await this.#pool.query(
      'INSERT INTO lot_alerts (lot, rules) VALUES ($1, $2::jsonb) ON CONFLICT (lot) DO UPDATE SET rules = excluded.rules',
      [lot, JSON.stringify(rules)],
    );
  }

  async alertState(lot: string): Promise<AlertState | null> {
    const r = await this.#pool.query<{ state: AlertState | null }>('SELECT state FROM lot_alerts WHERE lot = $1', [lot]);
    return r.rows[0]?.state ?? null;
  }

  async setAlertState(lot: string, state: AlertState): Promise<void> {
    await this.#pool.query(
      'INSERT INTO lot_alerts (lot, state) VALUES ($1, $2::jsonb) ON CONFLICT (lot) DO UPDATE SET state = excluded.state',
      [lot, JSON.stringify(state)],
    );
  }

  async updateAlertState<T>(lot: string, step: (prev: AlertState | null) => { state: AlertState; result: T }): Promise<T> {
    return transaction(this.#pool, async (c) => {
      await c.query('INSERT INTO lot_alerts (lot) VALUES ($1) ON CONFLICT (lot) DO NOTHING', [lot]);
      // The row's lock: another relay stepping this lot's alerts waits here and then steps from what this one stored.
      const r = await c.query<{ state: AlertState | null }>('SELECT state FROM lot_alerts WHERE lot = $1 FOR UPDATE', [lot]);
      const prev = r.rows[0]?.state ?? null;
      const { state, result } = step(prev);
      if (JSON.stringify(state) !== JSON.stringify(prev)) await c.query('UPDATE lot_alerts SET state = $2::jsonb WHERE lot = $1', [lot, JSON.stringify(state)]);
      return result;
    });
  }

  async webhooks(lot: string): Promise<WebhookRecord[]> {
    const r = await this.#pool.query<{ id: string; url: string; events: unknown; secret: string; created_at: string }>(
      'SELECT id, url, events, secret, created_at FROM webhooks WHERE lot = $1 ORDER BY created_at, id',
      [lot],
    );
    return r.rows.map((w) => ({
      id: w.id,
      url: w.url,
      events: Array.isArray(w.events) ? (w.events as AlertEventType[]) : [],
      secret: w.secret,
      createdAt: w.created_at,
    }));
  }

  async addWebhook(lot: string, w: WebhookRecord): Promise<void> {
    await this.#pool.query('INSERT INTO webhooks (id, lot, url, events, secret, created_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6)', [
      w.id,
      lot,
      w.url,
      JSON.stringify(w.events),
      w.secret,
      w.createdAt,
    ]);
  }

  async removeWebhook(lot: string, id: string): Promise<boolean> {
    return (await this.#pool.query('DELETE FROM webhooks WHERE lot = $1 AND id = $2', [lot, id])).rowCount === 1;
  }

  async addDelivery(lot: string, d: DeliveryRecord): Promise<void> {
    await transaction(this.#pool, async (c) => {
      // One writer per lot's log at a time: concurrent trims would each see only their own new row and keep too many.
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCKS.deliveries, lot]);
      await c.query('INSERT INTO deliveries (lot, record) VALUES ($1, $2::json)', [lot, JSON.stringify(d)]);
      await c.query(
        'DELETE FROM deliveries WHERE lot = $1 AND seq <= (SELECT seq FROM deliveries WHERE lot = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2)',
        [lot, DELIVERY_LOG_SIZE],
      );
    });
  }

  async deliveries(lot: string, limit: number): Promise<DeliveryRecord[]> {
    const r = await this.#pool.query<{ record: DeliveryRecord }>('SELECT record FROM deliveries WHERE lot = $1 ORDER BY seq DESC LIMIT $2', [lot, limit]);
    return r.rows.map((row) => row.record);
  }

  async deleteLot(lot: string): Promise<void> {
    await transaction(this.#pool, async (c) => {
      for (const t of ['cameras', 'lot_alerts', 'webhooks', 'deliveries']) await c.query(`DELETE FROM ${t} WHERE lot = $1`, [lot]);
    });
  }

  async exclusive<T>(lot: string, work: () => Promise<T>): Promise<T> {
    const c = await this.#locks.connect();
    const key = [LOCKS.lot, lot];
    try {
      await c.query('SELECT pg_advisory_lock($1, hashtext($2))', key);
    } catch (e) {
      c.release(e instanceof Error ? e : true);
      throw e;
    }
    try {
      return await work();
    } finally {
      // A connection that cannot unlock is closed rather than reused: closing it releases the lock.
      await c.query('SELECT pg_advisory_unlock($1, hashtext($2))', key).then(
        () => c.release(),
        (e: unknown) => c.release(e instanceof Error ? e : true),
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#pool, this.#locks].map((p) => (p.ended ? undefined : p.end())));
  }

  #parse<T>(v: unknown, parse: (v: unknown) => { ok: true; value: T } | { ok: false; error: string }, what: string): T | null {
    if (v === null || v === undefined) return null;
    const p = parse(v);
    // A damaged row must not take the relay down.
    if (!p.ok) this.#warn(`${what} unreadable (${p.error}); ignoring it`);
    return p.ok ? p.value : null;
  }
}
