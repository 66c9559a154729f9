// What lot operators set up and what it leaves behind: a lot's cameras (tokens, latest states), its alert rules and
// alert state, its webhooks and their delivery log. Async like `LotStore`: the SQLite version keeps its own file beside
// the lots (`operators.sqlite`), with its own versioned migrations; several relays share one on PostgreSQL
// (pg-ops-store.ts).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseLayout, parseLotMetadata, type Layout, type LotMetadata } from '../../src/share/protocol.ts';
import type { AlertEventType, AlertRules, AlertState } from './alerts.ts';
import { migrate, type StoreWarn } from './sqlite-lot-store.ts';

export interface CameraRecord {
  camera: string;
  /** SHA-256 of the camera's own publish token; null: publishes with the lot's token only. */
  tokenHash: string | null;
  metadata: LotMetadata | null;
  layout: Layout | null;
  /** Relay time of its latest state, ISO-8601. */
  receivedAt: string | null;
  /** Last time it was known to be there, ISO-8601. */
  seenAt: string | null;
}

export interface WebhookRecord {
  id: string;
  url: string;
  events: AlertEventType[];
  /** Signs the deliveries (HMAC-SHA256); shown to the owner once. */
  secret: string;
  createdAt: string;
}

export type DeliveryOutcome = 'delivered' | 'retrying' | 'failed';

/** One attempt to deliver one event to one webhook. */
export interface DeliveryRecord {
  webhook_id: string;
  event_id: string;
  event_type: AlertEventType;
  attempt: number;
  outcome: DeliveryOutcome;
  http_status: number | null;
  error: string | null;
  at: string;
  /** When the next attempt is due (outcome `retrying`). */
  next_at: string | null;
}

export interface OpsStore {
  cameras(lot: string): Promise<CameraRecord[]>;
  /** Adds the camera if new; `layout` undefined keeps the stored one. */
  saveCameraState(lot: string, camera: string, s: { metadata: LotMetadata; layout?: Layout | undefined; receivedAt: string }): Promise<void>;
  markCameraSeen(lot: string, camera: string, at: string): Promise<void>;
  /** Adds the camera if new; null revokes its token. */
  setCameraToken(lot: string, camera: string, tokenHash: string | null): Promise<void>;
  removeCamera(lot: string, camera: string): Promise<boolean>;
  alertRules(lot: string): Promise<AlertRules | null>;
  setAlertRules(lot: string, rules: AlertRules): Promise<void>;
  alertState(lot: string): Promise<AlertState | null>;
  setAlertState(lot: string, state: AlertState): Promise<void>;
  /**
   * Reads the lot's alert state, runs `step` on it and stores the state it returns, as one step: relays sharing the
   * store never both step from the same state, so an event is raised once across them.
   */
  updateAlertState<T>(lot: string, step: (prev: AlertState | null) => { state: AlertState; result: T }): Promise<T>;
  webhooks(lot: string): Promise<WebhookRecord[]>;
  addWebhook(lot: string, w: WebhookRecord): Promise<void>;
  removeWebhook(lot: string, id: string): Promise<boolean>;
  /** Appends an attempt; the log keeps the newest `DELIVERY_LOG_SIZE` per lot. */
  addDelivery(lot: string, d: DeliveryRecord): Promise<void>;
  /** Newest first. */
  deliveries(lot: string, limit: number): Promise<DeliveryRecord[]>;
  /** Removes what is kept for a lot (it was deleted): its cameras, alert rules and state, webhooks and deliveries. */
  deleteLot(lot: string): Promise<void>;
  /**
   * Runs `work` for a lot while no other relay on this store runs work for the same lot (a merge of its cameras reads
   * every camera's latest state, then stores the result). One process alone needs no lock across processes.
   */
  exclusive<T>(lot: string, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const OPS_DB_FILE = 'operators.sqlite';
export const DELIVERY_LOG_SIZE = 500;

/** Never edit a step that has shipped: add one. */
export const OPS_MIGRATIONS: readonly string[] = [
  `CREATE TABLE cameras (
     lot TEXT NOT NULL,
     camera TEXT NOT NULL,
     token_hash TEXT,
     metadata_json TEXT,
     layout_json TEXT,
     received_at TEXT,
     seen_at TEXT,
     PRIMARY KEY (lot, camera)
   ) STRICT;
   CREATE TABLE lot_alerts (lot TEXT PRIMARY KEY NOT NULL, rules_json TEXT, state_json TEXT) STRICT;
   CREATE TABLE webhooks (
     id TEXT PRIMARY KEY NOT NULL,
     lot TEXT NOT NULL,
     url TEXT NOT NULL,
     events_json TEXT NOT NULL,
     secret TEXT NOT NULL,
     created_at TEXT NOT NULL
   ) STRICT;
   CREATE INDEX webhooks_by_lot ON webhooks (lot);
   CREATE TABLE deliveries (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     lot TEXT NOT NULL,
     record_json TEXT NOT NULL
   ) STRICT;
   CREATE INDEX deliveries_by_lot ON deliveries (lot, seq);`,
];

interface CameraRow {
  camera: string;
  token_hash: string | null;
  metadata_json: string | null;
  layout_json: string | null;
  received_at: string | null;
  seen_at: string | null;
}

export class SqliteOpsStore implements OpsStore {
  readonly #db: Database.Database;
  readonly #warn: StoreWarn;
  readonly #s;

  /** Opens (creating if needed) `<dataDir>/operators.sqlite`; `:memory:` for a throwaway store. */
  constructor(dataDir: string, warn: StoreWarn = () => {}) {
    let file = ':memory:';
    if (dataDir !== ':memory:') {
      mkdirSync(dataDir, { recursive: true });
      file = join(dataDir, OPS_DB_FILE);
    }
    this.#db = new Database(file);
    this.#warn = warn;
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    migrate(this.#db, OPS_MIGRATIONS);
    const db = this.#db;
    this.#s = {
      cameras: db.prepare<[string], CameraRow>('SELECT * FROM cameras WHERE lot = ? ORDER BY camera'),
      saveCamera: db.prepare<[{ lot: string; camera: string; metadata: string; layout: string | null; keep: number; at: string }]>(
        `INSERT INTO cameras (lot, camera, metadata_json, layout_json, received_at, seen_at) VALUES (@lot, @camera, @metadata, @layout, @at, @at)
         ON CONFLICT (lot, camera) DO UPDATE SET metadata_json = excluded.metadata_json,
           layout_json = CASE WHEN @keep THEN layout_json ELSE excluded.layout_json END,
           received_at = excluded.received_at, seen_at = excluded.seen_at`,
      ),
      seen: db.prepare<[string, string, string]>('UPDATE cameras SET seen_at = ? WHERE lot = ? AND camera = ?'),
      token: db.prepare<[string, string, string | null]>(
        'INSERT INTO cameras (lot, camera, token_hash) VALUES (?, ?, ?) ON CONFLICT (lot, camera) DO UPDATE SET token_hash = excluded.token_hash',
      ),
      removeCamera: db.prepare<[string, string]>('DELETE FROM cameras WHERE lot = ? AND camera = ?'),
      alerts: db.prepare<[string], { rules_json: string | null; state_json: string | null }>('SELECT rules_json, state_json FROM lot_alerts WHERE lot = ?'),
      setRules: db.prepare<[string, string]>(
        'INSERT INTO lot_alerts (lot, rules_json) VALUES (?, ?) ON CONFLICT (lot) DO UPDATE SET rules_json = excluded.rules_json',
      ),
      setState: db.prepare<[string, string]>(
        'INSERT INTO lot_alerts (lot, state_json) VALUES (?, ?) ON CONFLICT (lot) DO UPDATE SET state_json = excluded.state_json',
      ),
      webhooks: db.prepare<[string], { id: string; url: string; events_json: string; secret: string; created_at: string }>(
        'SELECT id, url, events_json, secret, created_at FROM webhooks WHERE lot = ? ORDER BY created_at, id',
      ),
      addWebhook: db.prepare<[string, string, string, string, string, string]>(
        'INSERT INTO webhooks (id, lot, url, events_json, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      removeWebhook: db.prepare<[string, string]>('DELETE FROM webhooks WHERE lot = ? AND id = ?'),
      addDelivery: db.prepare<[string, string]>('INSERT INTO deliveries (lot, record_json) VALUES (?, ?)'),
      trimDeliveries: db.prepare<[string, string, number]>(
        `DELETE FROM deliveries WHERE lot = ? AND seq <= (SELECT seq FROM deliveries WHERE lot = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
      ),
      deliveries: db.prepare<[string, number], { record_json: string }>('SELECT record_json FROM deliveries WHERE lot = ? ORDER BY seq DESC LIMIT ?'),
      deleteLot: ['cameras', 'lot_alerts', 'webhooks', 'deliveries'].map((t) => db.prepare<[string]>(`DELETE FROM ${t} WHERE lot = ?`)),
    };
  }

  async cameras(lot: string): Promise<CameraRecord[]> {
    return this.#s.cameras.all(lot).map((r) => {
      const m = r.metadata_json === null ? null : this.#parse(r.metadata_json, parseLotMetadata, `camera ${r.camera} of lot ${lot}: state`);
      const l = r.layout_json === null ? null : this.#parse(r.layout_json, parseLayout, `camera ${r.camera} of lot ${lot}: layout`);
      return { camera: r.camera, tokenHash: r.token_hash, metadata: m, layout: l, receivedAt: r.received_at, seenAt: r.seen_at };
    });
  }

  async saveCameraState(lot: string, camera: string, s: { metadata: LotMetadata; layout?: Layout | undefined; receivedAt: string }): Promise<void> {
    const layout = s.layout === undefined ? null : JSON.stringify(s.layout);
    this.#s.saveCamera.run({ lot, camera, metadata: JSON.stringify(s.metadata), layout, keep: s.layout === undefined ? 1 : 0, at: s.receivedAt });
  }

  async markCameraSeen(lot: string, camera: string, at: string): Promise<void> {
    this.#s.seen.run(at, lot, camera);
  }

  async setCameraToken(lot: string, camera: string, tokenHash: string | null): Promise<void> {
    this.#s.token.run(lot, camera, tokenHash);
  }

  async removeCamera(lot: string, camera: string): Promise<boolean> {
    return this.#s.removeCamera.run(lot, camera).changes === 1;
  }

  async alertRules(lot: string): Promise<AlertRules | null> {
    const json = this.#s.alerts.get(lot)?.rules_json ?? null;
    return json === null ? null : (this.#json(json, `alert rules of lot ${lot}`) as AlertRules | null);
  }

  async setAlertRules(lot: string, rules: AlertRules): Promise<void> {
    this.#s.setRules.run(lot, JSON.stringify(rules));
  }

  async alertState(lot: string): Promise<AlertState | null> {
    const json = this.#s.alerts.get(lot)?.state_json ?? null;
    return json === null ? null : (this.#json(json, `alert state of lot ${lot}`) as AlertState | null);
  }

  async setAlertState(lot: string, state: AlertState): Promise<void> {
    this.#s.setState.run(lot, JSON.stringify(state));
  }

  async updateAlertState<T>(lot: string, step: (prev: AlertState | null) => { state: AlertState; result: T }): Promise<T> {
    return this.#db.transaction((): T => {
      const json = this.#s.alerts.get(lot)?.state_json ?? null;
      const prev = json === null ? null : (this.#json(json, `alert state of lot ${lot}`) as AlertState | null);
      const { state, result } = step(prev);
      const next = JSON.stringify(state);
      if (next !== json) this.#s.setState.run(lot, next);
      return result;
    }).immediate();
  }

  async webhooks(lot: string): Promise<WebhookRecord[]> {
    return this.#s.webhooks.all(lot).map((r) => ({
      id: r.id,
      url: r.url,
      events: (this.#json(r.events_json, `webhook ${r.id}`) as AlertEventType[] | null) ?? [],
      secret: r.secret,
      createdAt: r.created_at,
    }));
  }

  async addWebhook(lot: string, w: WebhookRecord): Promise<void> {
    this.#s.addWebhook.run(w.id, lot, w.url, JSON.stringify(w.events), w.secret, w.createdAt);
  }

  async removeWebhook(lot: string, id: string): Promise<boolean> {
    return this.#s.removeWebhook.run(lot, id).changes === 1;
  }

  async addDelivery(lot: string, d: DeliveryRecord): Promise<void> {
    this.#db.transaction(() => {
      this.#s.addDelivery.run(lot, JSON.stringify(d));
      this.#s.trimDeliveries.run(lot, lot, DELIVERY_LOG_SIZE);
    })();
  }

  async deliveries(lot: string, limit: number): Promise<DeliveryRecord[]> {
    return this.#s.deliveries.all(lot, limit).flatMap((r) => {
      const d = this.#json(r.record_json, `a delivery of lot ${lot}`);
      return d === null ? [] : [d as DeliveryRecord];
    });
  }

  async deleteLot(lot: string): Promise<void> {
    this.#db.transaction(() => {
      for (const st of this.#s.deleteLot) st.run(lot);
    })();
  }

  async exclusive<T>(_lot: string, work: () => Promise<T>): Promise<T> {
    return work();
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #json(text: string, what: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      // A damaged row must not take the relay down.
      this.#warn(`${what} unreadable (${String(e)}); ignoring it`);
      return null;
    }
  }

  #parse<T>(text: string, parse: (v: unknown) => { ok: true; value: T } | { ok: false; error: string }, what: string): T | null {
    const v = this.#json(text, what);
    if (v === null) return null;
    const p = parse(v);
    if (!p.ok) this.#warn(`${what} unreadable (${p.error}); ignoring it`);
    return p.ok ? p.value : null;
  }
}
